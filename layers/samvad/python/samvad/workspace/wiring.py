"""Build the workspace's ports from the function's environment (once per environment)."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from samvad import clock
from samvad.settings import (
    EscalationSettings,
    FeedbackSettings,
    SettingsError,
    WorkspaceSettings,
)
from samvad.workspace.ports import CallBridge, WorkspacePorts

if TYPE_CHECKING:
    from samvad.dispatch.policy import NotifyPolicy
    from samvad.grievances.ports import GrievancePorts


def workspace_ports() -> WorkspacePorts:
    """Ports over the stack's resources; the cache key is the environment (a new local stack
    in the same process, on another endpoint, gets its own)."""
    return _ports_for(
        WorkspaceSettings.from_env(),
        FeedbackSettings.from_env(),
        EscalationSettings.from_env(),
        os.environ.get("AWS_ENDPOINT_URL", ""),
    )


def identity() -> object:
    """The user pool behind ``POST /api/session`` (a development convenience)."""
    from samvad.adapters.cognito import CognitoIdentity

    settings = WorkspaceSettings.from_env()
    if not settings.user_pool_id or not settings.user_pool_client_id:
        raise SettingsError("WorkspaceSettings: the user pool is not configured")
    return CognitoIdentity(settings.user_pool_id, settings.user_pool_client_id)


def call_bridge(settings: WorkspaceSettings) -> CallBridge | None:
    """Amazon Connect when its instance and bridge flow are configured; the simulated
    contact centre on the local stack; otherwise none (Call is refused with a 409)."""
    from samvad.adapters.calldesk import ConnectCallBridge, SimulatedCallBridge

    if settings.connect_instance_id and settings.connect_bridge_flow_id:
        return ConnectCallBridge(
            settings.connect_instance_id,
            settings.connect_bridge_flow_id,
            settings.connect_source_phone,
        )
    if settings.telephony_simulator_queue_url:
        return SimulatedCallBridge()
    return None


@functools.lru_cache(maxsize=4)
def _ports_for(
    settings: WorkspaceSettings,
    feedback: FeedbackSettings,
    escalation_settings: EscalationSettings,
    endpoint: str,
) -> WorkspacePorts:
    from samvad.adapters.audit import DynamoAuditLog, DynamoCallAttempts
    from samvad.adapters.calldesk import SchedulerDispatchHandOff, SchedulerRequeue
    from samvad.adapters.tallies import DynamoTallies
    from samvad.adapters.visits import DynamoVisits
    from samvad.adapters.workspace import (
        DynamoCallListEntries,
        DynamoCaseViews,
        S3DepartmentUploads,
        SnsOfficialNotifier,
    )
    from samvad.dispatch.wiring import current_policy
    from samvad.escalation.wiring import escalation_ports
    from samvad.feedback.wiring import feedback_ports

    escalation = escalation_ports(escalation_settings)
    policy = current_policy(settings.config_table)
    return WorkspacePorts(
        escalation=escalation,
        case_views=DynamoCaseViews(settings.cases_table),
        call_lists=DynamoCallListEntries(settings.call_lists_table),
        call_attempts=DynamoCallAttempts(
            settings.audit_table, retention_days=settings.retention_days
        ),
        visits=DynamoVisits(settings.visits_table),
        feedback=feedback_ports(feedback),
        uploads=S3DepartmentUploads(settings.data_bucket, settings.uploads_table),
        audit=DynamoAuditLog(settings.audit_table),
        notifier=SnsOfficialNotifier(escalation.config),
        tallies=DynamoTallies(settings.tallies_table),
        grievances=_grievances(feedback, policy),
        bridge=call_bridge(settings),
        requeue=(
            SchedulerRequeue(
                settings.call_lists_table, settings.scheduler_role_arn, settings.retention_days
            )
            if settings.scheduler_role_arn
            else None
        ),
        dispatch=(
            SchedulerDispatchHandOff(
                settings.dispatch_queue_arn,
                settings.sms_fallback_role_arn,
                settings.deferred_dead_letter_arn,
            )
            if settings.dispatch_queue_arn and settings.sms_fallback_role_arn
            else None
        ),
        sms_fallback=policy.sms_fallback,
        retry_after_hours=policy.retry_after_hours,
        calling_hours=policy.hours,
        busy_retry_minutes=policy.busy_retry_minutes,
        call_attempts_max=policy.call_attempts,
        clock=clock.now,
    )


def _grievances(feedback: FeedbackSettings, policy: NotifyPolicy) -> GrievancePorts | None:
    """The grievance ports, SMS by request: the workspace's role may not send SMS, so the
    feedback function sends them (``samvad.grievances.outbox``), here as on AWS."""
    from dataclasses import replace

    from samvad.feedback.wiring import grievance_ports_for

    ports = grievance_ports_for(feedback, policy)
    return None if ports is None else replace(ports, sms=None, sms_by_request=True)
