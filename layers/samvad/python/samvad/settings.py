"""Runtime settings, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from samvad import resources

DEFAULT_RETENTION_DAYS = 400


@dataclass(frozen=True)
class Settings:
    data_bucket: str
    visits_table: str
    uploads_table: str
    directory_table: str
    config_table: str
    event_bus: str
    phone_hash_secret_id: str
    strata_table: str
    contacts_table: str
    call_lists_table: str
    sampling_runs_table: str
    sampling_secret_id: str
    dispatch_queue_url: str = ""
    retention_days: int = DEFAULT_RETENTION_DAYS
    dispatches_table: str = ""
    rate_limits_table: str = ""
    feedback_table: str = ""
    links_table: str = ""
    link_secret_id: str = ""
    feedback_url: str = ""
    dispatch_queue_arn: str = ""
    scheduler_role_arn: str = ""
    deferred_dead_letter_arn: str = ""
    connect_instance_id: str = ""
    connect_flow_id: str = ""
    connect_source_phone: str = ""
    telephony_simulator_queue_url: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def need(name: str) -> str:
            value = env.get(name)
            if not value:
                raise RuntimeError(f"environment variable {name} is not set")
            return value

        return cls(
            data_bucket=need(resources.DATA_BUCKET_ENV),
            visits_table=need(resources.VISITS.env_var),
            uploads_table=need(resources.UPLOADS.env_var),
            directory_table=need(resources.DIRECTORY.env_var),
            config_table=need(resources.CONFIG.env_var),
            event_bus=need(resources.EVENT_BUS_ENV),
            phone_hash_secret_id=need(resources.PHONE_HASH_SECRET_ENV),
            strata_table=need(resources.STRATA.env_var),
            contacts_table=need(resources.CONTACTS.env_var),
            call_lists_table=need(resources.CALL_LISTS.env_var),
            sampling_runs_table=need(resources.SAMPLING_RUNS.env_var),
            sampling_secret_id=need(resources.SAMPLING_SECRET_ENV),
            dispatch_queue_url=env.get(resources.DISPATCH_QUEUE_ENV, ""),
            retention_days=int(env.get(resources.RETENTION_DAYS_ENV) or DEFAULT_RETENTION_DAYS),
            dispatches_table=need(resources.DISPATCHES.env_var),
            rate_limits_table=need(resources.RATE_LIMITS.env_var),
            feedback_table=need(resources.FEEDBACK.env_var),
            links_table=need(resources.LINKS.env_var),
            link_secret_id=env.get(resources.LINK_SECRET_ENV, ""),
            feedback_url=env.get(resources.FEEDBACK_URL_ENV, ""),
            dispatch_queue_arn=env.get(resources.DISPATCH_QUEUE_ARN_ENV, ""),
            scheduler_role_arn=env.get(resources.SCHEDULER_ROLE_ENV, ""),
            deferred_dead_letter_arn=env.get(resources.DEFERRED_DEAD_LETTER_ENV, ""),
            connect_instance_id=env.get(resources.CONNECT_INSTANCE_ENV, ""),
            connect_flow_id=env.get(resources.CONNECT_FLOW_ENV, ""),
            connect_source_phone=env.get(resources.CONNECT_SOURCE_PHONE_ENV, ""),
            telephony_simulator_queue_url=env.get(resources.TELEPHONY_SIMULATOR_ENV, ""),
        )
