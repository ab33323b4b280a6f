"""Grievance escalation: one case per poor-feedback visit, climbing L1 → L4 until the citizen
confirms it was resolved. The Step Functions state machine drives the clock; this package is
the case clerk it calls back (assignment, task tokens, ATRs, confirmations) and the audit."""
