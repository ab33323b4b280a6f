"""Who may do what: the one route × role table, and the deny-by-default check.

The table says which roles may attempt an action; each use case then applies the caller's
scope inside its query (``Scope.covers``) and, for ATRs and transfers, the holder rule.
"""

from __future__ import annotations

from samvad.workspace.errors import Forbidden
from samvad.workspace.roles import ROLES, Official

HOLDERS = frozenset({"office_head", "collector", "sp", "secretary", "cmo"})
"""Roles that hold an escalation level (L1 office head … L4 CM's office)."""
CASE_READERS = HOLDERS | {"minister", "auditor"}
HUMAN_CALLERS = frozenset({"cmo", "minister", "secretary", "collector", "sp", "caller"})
NO_FIGURES = frozenset({"data_officer", "grievance_officer"})
"""Roles whose work needs no report figures: uploads; citizens' erasure requests."""

PERMISSIONS: dict[str, frozenset[str]] = {
    "me": frozenset(ROLES),
    "cases.list": CASE_READERS,
    "cases.read": CASE_READERS,
    "cases.atr": HOLDERS,
    "cases.transfer": HOLDERS,
    "calls.list": HUMAN_CALLERS,
    "calls.outcome": HUMAN_CALLERS,
    "calls.dial": HUMAN_CALLERS,
    "visits.phone": HUMAN_CALLERS,
    "uploads.create": frozenset({"data_officer"}),
    "uploads.list": frozenset({"data_officer"}),
    "uploads.rejects": frozenset({"data_officer"}),
    "dashboard": frozenset(ROLES) - NO_FIGURES,
    "audit.list": frozenset({"auditor"}),
    # inbound grievances (samvad.workspace.grievances)
    "grievances.register": frozenset({"caller"}),
    "grievances.rejects": frozenset({"caller"}),
    "grievances.ask": HOLDERS,
    "grievances.unmask": frozenset({"cmo"}),
    "drilldown": frozenset(ROLES) - NO_FIGURES,
    # a citizen's erasure (samvad.workspace.erasures, served by functions/erasure)
    "erasures.create": frozenset({"grievance_officer"}),
    "erasures.list": frozenset({"grievance_officer"}),
}
"""Action → the roles allowed to attempt it. An action not listed is denied to everyone."""


def authorize(official: Official, action: str) -> None:
    """Raise ``Forbidden`` unless ``official``'s role may attempt ``action``."""
    if official.role not in PERMISSIONS.get(action, frozenset()):
        raise Forbidden(f"the {official.role} role may not do {action}")


def allowed_actions(official: Official) -> list[str]:
    """What the menu offers: the same table, so the menu never promises more."""
    return sorted(a for a, roles in PERMISSIONS.items() if official.role in roles)
