"""Build the erasure desk's ports from the erasure function's environment."""

from __future__ import annotations

import functools
import os

from samvad import resources
from samvad.settings import ErasureSettings
from samvad.workspace.erasures import ErasureDeskPorts


def erasure_desk_ports() -> ErasureDeskPorts:
    """Ports over the stack's resources; cached per environment (a new local stack in the
    same process, on another endpoint, gets its own)."""
    return _ports_for(ErasureSettings.from_env(), os.environ.get("AWS_ENDPOINT_URL", ""))


@functools.lru_cache(maxsize=4)
def _ports_for(settings: ErasureSettings, endpoint: str) -> ErasureDeskPorts:
    from samvad.adapters.erasure import DynamoErasureRequests, erasure_ports
    from samvad.adapters.secrets import secret_bytes

    tables = {
        resources.VISITS.logical_id: settings.visits_table,
        resources.FEEDBACK.logical_id: settings.feedback_table,
        resources.DISPATCHES.logical_id: settings.dispatches_table,
        resources.LINKS.logical_id: settings.links_table,
        resources.CASES.logical_id: settings.cases_table,
        resources.CONTACTS.logical_id: settings.contacts_table,
        resources.GRIEVANCES.logical_id: settings.grievances_table,
        resources.AUDIT.logical_id: settings.audit_table,
    }
    hash_key = secret_bytes(settings.phone_hash_secret_id)
    return ErasureDeskPorts(
        erasure=erasure_ports(tables, settings.data_bucket, hash_key),
        requests=DynamoErasureRequests(settings.audit_table),
    )
