"""Build the grievance ports over the stack's resources (any function that registers or
looks up grievances: the feedback function's SMS keywords and form ``/g``, the inbound IVR,
the workspace)."""

from __future__ import annotations

import functools

from samvad import clock
from samvad.adapters.cases import DynamoCases
from samvad.adapters.config import DynamoConfig
from samvad.adapters.events import EventBridgePublisher
from samvad.adapters.grievances import DynamoGrievances, VisitCitizens
from samvad.adapters.rate_limits import DynamoRateLimiter
from samvad.adapters.secrets import secret_bytes
from samvad.adapters.sms import SnsSms
from samvad.grievances.ports import GrievancePorts
from samvad.pii import PhoneHasher


@functools.cache
def grievance_ports(
    *,
    grievances_table: str,
    visits_table: str,
    cases_table: str,
    config_table: str,
    rate_limits_table: str,
    event_bus: str,
    phone_hash_secret_id: str,
) -> GrievancePorts:
    """Ports for these tables (built once per warm function); the SMS policy (sender, DLT
    template ids) is attached per request by the caller with ``dataclasses.replace``."""
    return GrievancePorts(
        store=DynamoGrievances(grievances_table),
        citizens=VisitCitizens(visits_table),
        cases=DynamoCases(cases_table),
        events=EventBridgePublisher(event_bus),
        hasher=PhoneHasher(secret_bytes(phone_hash_secret_id)),
        config=DynamoConfig(config_table),
        limiter=DynamoRateLimiter(rate_limits_table) if rate_limits_table else None,
        sms=SnsSms(),
        clock=clock.now,
    )
