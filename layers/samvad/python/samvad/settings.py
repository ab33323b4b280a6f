"""Each function's settings: only its own resources, read from the environment when asked
for (never at import time), with a clear error naming what is missing.

Every class lists its variables (``env_names``): the CDK gives a function exactly those
(``infra.constructs.function``), and the local runtime does the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Self

from samvad import resources

DEFAULT_RETENTION_DAYS = 400
DEFAULT_REPORT_LINK_SECONDS = 7 * 86400


class SettingsError(RuntimeError):
    """A function's environment lacks a variable it needs (a deployment defect)."""


def _var(name: str, default: Any = MISSING, parse: Callable[[str], Any] = str) -> Any:
    """A field read from environment variable ``name``: required unless it has a default."""
    return field(default=default, metadata={"env": name, "parse": parse})


def _retention() -> Any:
    return _var(resources.RETENTION_DAYS_ENV, DEFAULT_RETENTION_DAYS, int)


class _FromEnvironment:
    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read every variable; raise ``SettingsError`` naming all that are missing."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        missing = []
        for spec in fields(cls):  # type: ignore[arg-type]
            name, raw = spec.metadata["env"], env.get(spec.metadata["env"])
            if raw:
                try:
                    values[spec.name] = spec.metadata["parse"](raw)
                except ValueError:
                    raise SettingsError(
                        f"{cls.__name__}: environment variable {name} is not a number: {raw!r}"
                    ) from None
            elif spec.default is MISSING:
                missing.append(name)
        if missing:
            names, verb = ", ".join(missing), ("is" if len(missing) == 1 else "are")
            plural = "s" if len(missing) > 1 else ""
            raise SettingsError(
                f"{cls.__name__}: environment variable{plural} {names} {verb} not set"
            )
        return cls(**values)

    @classmethod
    def env_names(cls) -> tuple[str, ...]:
        """The environment variables this function reads (required and optional)."""
        return tuple(spec.metadata["env"] for spec in fields(cls))  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class _IntakeWrites(_FromEnvironment):
    """What intake writes, whether a file's rows or a pushed batch: the same tables and keys."""

    visits_table: str = _var(resources.VISITS.env_var)
    uploads_table: str = _var(resources.UPLOADS.env_var)
    directory_table: str = _var(resources.DIRECTORY.env_var)
    config_table: str = _var(resources.CONFIG.env_var)
    strata_table: str = _var(resources.STRATA.env_var)
    phone_hash_secret_id: str = _var(resources.PHONE_HASH_SECRET_ENV)
    sampling_secret_id: str = _var(resources.SAMPLING_SECRET_ENV)
    retention_days: int = _retention()
    write_workers: int = _var(
        resources.INTAKE_WRITE_WORKERS_ENV, resources.INTAKE_WRITE_WORKERS_DEFAULT, int
    )


@dataclass(frozen=True, kw_only=True)
class IntakeSettings(_IntakeWrites):
    event_bus: str = _var(resources.EVENT_BUS_ENV)
    # files beyond one Lambda (docs/intake.md): the state machine, or in-process locally
    chunks_state_machine_arn: str = _var(resources.INTAKE_CHUNKS_STATE_MACHINE_ENV, "")
    chunk_rows: int = _var(resources.INTAKE_CHUNK_ROWS_ENV, 0, int)
    chunk_bytes: int = _var(resources.INTAKE_CHUNK_BYTES_ENV, 0, int)


@dataclass(frozen=True, kw_only=True)
class IntakeApiSettings(_IntakeWrites):
    """The push API (``functions/intake_api``): what it validates against and writes."""


@dataclass(frozen=True, kw_only=True)
class SamplingSettings(_FromEnvironment):
    data_bucket: str = _var(resources.DATA_BUCKET_ENV)
    visits_table: str = _var(resources.VISITS.env_var)
    strata_table: str = _var(resources.STRATA.env_var)
    contacts_table: str = _var(resources.CONTACTS.env_var)
    call_lists_table: str = _var(resources.CALL_LISTS.env_var)
    sampling_runs_table: str = _var(resources.SAMPLING_RUNS.env_var)
    config_table: str = _var(resources.CONFIG.env_var)
    event_bus: str = _var(resources.EVENT_BUS_ENV)
    sampling_secret_id: str = _var(resources.SAMPLING_SECRET_ENV)
    dispatch_queue_url: str = _var(resources.DISPATCH_QUEUE_ENV)
    retention_days: int = _retention()


@dataclass(frozen=True, kw_only=True)
class _SignedLinks(_FromEnvironment):
    """The dispatch ledger, the visits and contacts it reached and the signed links it sent:
    what the dispatcher writes and the feedback function answers from."""

    dispatches_table: str = _var(resources.DISPATCHES.env_var)
    visits_table: str = _var(resources.VISITS.env_var)
    contacts_table: str = _var(resources.CONTACTS.env_var)
    links_table: str = _var(resources.LINKS.env_var)
    config_table: str = _var(resources.CONFIG.env_var)
    event_bus: str = _var(resources.EVENT_BUS_ENV)
    link_secret_id: str = _var(resources.LINK_SECRET_ENV)
    retention_days: int = _retention()


@dataclass(frozen=True, kw_only=True)
class DispatchSettings(_SignedLinks):
    rate_limits_table: str = _var(resources.RATE_LIMITS.env_var)
    feedback_url: str = _var(resources.FEEDBACK_URL_ENV)
    dispatch_queue_url: str = _var(resources.DISPATCH_QUEUE_ENV)
    dispatch_queue_arn: str = _var(resources.DISPATCH_QUEUE_ARN_ENV)
    scheduler_role_arn: str = _var(resources.SCHEDULER_ROLE_ENV)
    deferred_dead_letter_arn: str = _var(resources.DEFERRED_DEAD_LETTER_ENV, "")
    connect_instance_id: str = _var(resources.CONNECT_INSTANCE_ENV, "")  # none: SMS only
    connect_flow_id: str = _var(resources.CONNECT_FLOW_ENV, "")
    connect_source_phone: str = _var(resources.CONNECT_SOURCE_PHONE_ENV, "")
    telephony_simulator_queue_url: str = _var(resources.TELEPHONY_SIMULATOR_ENV, "")  # local


@dataclass(frozen=True, kw_only=True)
class FeedbackSettings(_SignedLinks):
    feedback_table: str = _var(resources.FEEDBACK.env_var)
    phone_hash_secret_id: str = _var(resources.PHONE_HASH_SECRET_ENV)
    # officials' ATR pages (``/atr/…``) go through the escalation stage's ports
    cases_table: str = _var(resources.CASES.env_var)
    escalation_state_machine_arn: str = _var(resources.ESCALATION_STATE_MACHINE_ENV, "")
    # inbound grievances (GRV/STATUS keywords, the form ``/g``): ``samvad.grievances``
    grievances_table: str = _var(resources.GRIEVANCES.env_var, "")
    rate_limits_table: str = _var(resources.RATE_LIMITS.env_var, "")
    directory_table: str = _var(resources.DIRECTORY.env_var, "")
    # the public status page in relayed questions' SMS: ``<feedback URL>/g/status``
    feedback_url: str = _var(resources.FEEDBACK_URL_ENV, "")
    origin_secret_id: str = _var(resources.ORIGIN_SECRET_ENV, "")  # behind CloudFront: samvad.edge


@dataclass(frozen=True, kw_only=True)
class EscalationSettings(_FromEnvironment):
    cases_table: str = _var(resources.CASES.env_var)
    visits_table: str = _var(resources.VISITS.env_var)
    config_table: str = _var(resources.CONFIG.env_var)
    state_machine_arn: str = _var(resources.ESCALATION_STATE_MACHINE_ENV, "")
    grievances_table: str = _var(resources.GRIEVANCES.env_var, "")  # grievance cases' text
    workspace_url: str = _var(resources.WORKSPACE_URL_ENV, "")  # notices link its case page
    notices_topic_arn: str = _var(resources.CASE_NOTICES_TOPIC_ENV, "")  # the clerk sends them


@dataclass(frozen=True, kw_only=True)
class ReportsSettings(_FromEnvironment):
    data_bucket: str = _var(resources.DATA_BUCKET_ENV)
    tallies_table: str = _var(resources.TALLIES.env_var)
    visits_table: str = _var(resources.VISITS.env_var)
    config_table: str = _var(resources.CONFIG.env_var)
    reports_topic_arn: str = _var(resources.REPORTS_TOPIC_ENV)
    retention_days: int = _retention()
    link_seconds: int = _var(resources.REPORTS_LINK_SECONDS_ENV, DEFAULT_REPORT_LINK_SECONDS, int)


@dataclass(frozen=True, kw_only=True)
class WorkspaceSettings(_FromEnvironment):
    """The officials' workspace (it also builds the feedback and escalation ports, each from
    its own settings class, for recorded calls, ATRs and transfers)."""

    audit_table: str = _var(resources.AUDIT.env_var)
    cases_table: str = _var(resources.CASES.env_var)
    call_lists_table: str = _var(resources.CALL_LISTS.env_var)
    visits_table: str = _var(resources.VISITS.env_var)
    uploads_table: str = _var(resources.UPLOADS.env_var)
    tallies_table: str = _var(resources.TALLIES.env_var)
    config_table: str = _var(resources.CONFIG.env_var)
    data_bucket: str = _var(resources.DATA_BUCKET_ENV)
    user_pool_id: str = _var(resources.USER_POOL_ID_ENV, "")
    user_pool_client_id: str = _var(resources.USER_POOL_CLIENT_ID_ENV, "")
    retention_days: int = _retention()
    # the call desk: no-answer/busy handed back to the dispatcher; the bridged Call
    dispatch_queue_arn: str = _var(resources.DISPATCH_QUEUE_ARN_ENV, "")
    scheduler_role_arn: str = _var(resources.SCHEDULER_ROLE_ENV, "")
    connect_instance_id: str = _var(resources.CONNECT_INSTANCE_ENV, "")
    connect_bridge_flow_id: str = _var(resources.CONNECT_BRIDGE_FLOW_ENV, "")
    connect_source_phone: str = _var(resources.CONNECT_SOURCE_PHONE_ENV, "")
    telephony_simulator_queue_url: str = _var(resources.TELEPHONY_SIMULATOR_ENV, "")  # local
    # the call desk's SMS fallback: a schedule onto the dispatch queue, as the dispatcher's role
    sms_fallback_role_arn: str = _var(resources.SMS_FALLBACK_ROLE_ENV, "")
    deferred_dead_letter_arn: str = _var(resources.DEFERRED_DEAD_LETTER_ENV, "")


@dataclass(frozen=True, kw_only=True)
class SignInAuditSettings(_FromEnvironment):
    """Cognito's Post Authentication trigger: appends to the workspace's audit log only."""

    audit_table: str = _var(resources.AUDIT.env_var)


@dataclass(frozen=True, kw_only=True)
class InboundIvrSettings(_FromEnvironment):
    """The inbound IVR function (``samvad.inbound_ivr``): menus and schemes from config,
    grievances through the grievance domain's tables, scheme SMS."""

    config_table: str = _var(resources.CONFIG.env_var)
    grievances_table: str = _var(resources.GRIEVANCES.env_var)
    visits_table: str = _var(resources.VISITS.env_var)
    cases_table: str = _var(resources.CASES.env_var)
    rate_limits_table: str = _var(resources.RATE_LIMITS.env_var)
    directory_table: str = _var(resources.DIRECTORY.env_var)
    event_bus: str = _var(resources.EVENT_BUS_ENV)
    phone_hash_secret_id: str = _var(resources.PHONE_HASH_SECRET_ENV)
    recordings: str = _var(resources.CONNECT_RECORDINGS_ENV, "")
    data_bucket: str = _var(resources.DATA_BUCKET_ENV, "")  # recorded prompts (prompts/…)


@dataclass(frozen=True, kw_only=True)
class GrievanceVoiceSettings(_FromEnvironment):
    """The IVR's voice messages, copied from Connect's recordings into the cases
    (``samvad.grievances.voice``)."""

    grievances_table: str = _var(resources.GRIEVANCES.env_var)
    cases_table: str = _var(resources.CASES.env_var)
    data_bucket: str = _var(resources.DATA_BUCKET_ENV)
    recordings: str = _var(resources.CONNECT_RECORDINGS_ENV)
    data_key_arn: str = _var(resources.DATA_KEY_ENV, "")


@dataclass(frozen=True, kw_only=True)
class SchemeBroadcastSettings(_FromEnvironment):
    """The scheduled scheme broadcast (``samvad.schemes``): notices from config, subscribers
    and opt-outs on the Contacts table, dispatch's SMS token bucket."""

    config_table: str = _var(resources.CONFIG.env_var)
    contacts_table: str = _var(resources.CONTACTS.env_var)
    rate_limits_table: str = _var(resources.RATE_LIMITS.env_var)


@dataclass(frozen=True, kw_only=True)
class ErasureSettings(_FromEnvironment):
    """The workspace's erasure function (``samvad.workspace.erasures``): the stores
    ``samvad erase`` touches, the phone-hash key and the audit trail."""

    visits_table: str = _var(resources.VISITS.env_var)
    feedback_table: str = _var(resources.FEEDBACK.env_var)
    dispatches_table: str = _var(resources.DISPATCHES.env_var)
    links_table: str = _var(resources.LINKS.env_var)
    cases_table: str = _var(resources.CASES.env_var)
    contacts_table: str = _var(resources.CONTACTS.env_var)
    grievances_table: str = _var(resources.GRIEVANCES.env_var)
    audit_table: str = _var(resources.AUDIT.env_var)
    data_bucket: str = _var(resources.DATA_BUCKET_ENV)
    phone_hash_secret_id: str = _var(resources.PHONE_HASH_SECRET_ENV)


@dataclass(frozen=True, kw_only=True)
class PushCallersSettings(_FromEnvironment):
    """The stack's push roles into ``intake/push-callers`` (``functions/push_callers``)."""

    config_table: str = _var(resources.CONFIG.env_var)


FUNCTION_SETTINGS: dict[str, type[_FromEnvironment]] = {
    "intake": IntakeSettings,
    "intake_split": IntakeSettings,
    "intake_chunk": IntakeSettings,
    "intake_reduce": IntakeSettings,
    "intake_api": IntakeApiSettings,
    "sampling": SamplingSettings,
    "dispatch": DispatchSettings,
    "feedback": FeedbackSettings,
    "escalation": EscalationSettings,
    "reports": ReportsSettings,
    "inbound_ivr": InboundIvrSettings,
    "grievance_voice": GrievanceVoiceSettings,
    "scheme_broadcast": SchemeBroadcastSettings,
    "signin_audit": SignInAuditSettings,
    "erasure": ErasureSettings,
    "push_callers": PushCallersSettings,
}
"""Each function (``functions/<name>``) and the settings it reads."""
