"""Samvad: citizen feedback for public services."""
