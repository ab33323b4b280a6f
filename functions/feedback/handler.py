"""Feedback handler: placeholder until the lead's handler lands (the CDK asset needs the folder)."""
