"""Feedback: what citizens say, from the IVR, SMS replies and the web form, stored once."""
