"""Build the workspace's ports from the function's environment (once per environment)."""

from __future__ import annotations

import functools
import os

from samvad import clock, resources
from samvad.settings import Settings
from samvad.workspace.ports import WorkspacePorts

ENV_NAMES = (
    resources.AUDIT.env_var,
    resources.USER_POOL_ID_ENV,
    resources.USER_POOL_CLIENT_ID_ENV,
    resources.CASES.env_var,
    resources.DATA_BUCKET_ENV,
    "AWS_ENDPOINT_URL",
)


def _need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def workspace_ports() -> WorkspacePorts:
    return _ports_for(tuple(os.environ.get(name, "") for name in ENV_NAMES))


def identity():
    from samvad.adapters.cognito import CognitoIdentity

    return CognitoIdentity(
        _need(resources.USER_POOL_ID_ENV), _need(resources.USER_POOL_CLIENT_ID_ENV)
    )


@functools.lru_cache(maxsize=4)
def _ports_for(environment: tuple[str, ...]) -> WorkspacePorts:
    from samvad.adapters.audit import DynamoAuditLog, DynamoCallAttempts
    from samvad.adapters.reports import DynamoTallies
    from samvad.adapters.workspace import (
        DynamoCallListEntries,
        DynamoCaseViews,
        S3DepartmentUploads,
        SnsOfficialNotifier,
    )
    from samvad.dispatch.wiring import current_policy
    from samvad.escalation.wiring import escalation_ports
    from samvad.feedback.wiring import feedback_ports

    settings = Settings.from_env()
    audit_table = _need(resources.AUDIT.env_var)
    escalation = escalation_ports()
    policy = current_policy(settings)
    return WorkspacePorts(
        escalation=escalation,
        case_views=DynamoCaseViews(_need(resources.CASES.env_var)),
        call_lists=DynamoCallListEntries(settings.call_lists_table),
        call_attempts=DynamoCallAttempts(audit_table, retention_days=settings.retention_days),
        visits=escalation_visits(settings),
        feedback=feedback_ports(settings),
        uploads=S3DepartmentUploads(settings.data_bucket, settings.uploads_table),
        audit=DynamoAuditLog(audit_table),
        notifier=SnsOfficialNotifier(escalation.config),
        tallies=DynamoTallies(_need(resources.TALLIES.env_var)),
        retry_after_hours=policy.retry_after_hours,
        busy_retry_minutes=policy.busy_retry_minutes,
        call_attempts_max=policy.call_attempts,
        clock=clock.now,
    )


def escalation_visits(settings: Settings):
    from samvad.adapters.dispatch import DynamoVisitReader

    return DynamoVisitReader(settings.visits_table)
