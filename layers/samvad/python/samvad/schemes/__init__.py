"""Scheme notices: published by departments, heard on the IVR, sent by SMS, broadcast."""
