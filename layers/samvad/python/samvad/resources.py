"""One description of the cloud resources, shared by the CDK app and the local runtime.

The CDK constructs in ``infra/`` build real resources from these specs; the local runtime
creates the same tables, bucket, queues and bus on the emulator. Handlers learn the
physical names from environment variables whose names are defined here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str | None = None
    projection: tuple[str, ...] | None = None  # None = ALL


@dataclass(frozen=True)
class TableSpec:
    """A DynamoDB table: keys are strings unless listed in ``number_keys``."""

    logical_id: str
    env_var: str
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None
    number_keys: tuple[str, ...] = ()
    indexes: tuple[IndexSpec, ...] = field(default=())

    def key_type(self, attribute: str) -> str:
        return "N" if attribute in self.number_keys else "S"


UNSAMPLED_INDEX = IndexSpec(
    name="unsampled",
    partition_key="sample_pk",
    sort_key="sample_score",
    projection=(
        "phone_hash", "department", "service", "office_code", "district", "visit_date",
        "language", "official_id",
    ),
)  # fmt: skip
"""Sparse: a visit is in it until it is sampled or skipped (``sample_pk`` is removed then).
Partition ``<department>#<service>#<office>#<visit date>``, ordered by the keyed random score,
so the k smallest eligible scores of a stratum-day are one Query with Limit."""

BY_VISIT_DATE_INDEX = IndexSpec(
    name="by_visit_date",
    partition_key="visit_date",
    sort_key="visit_key",
    projection=(
        "sample_pk", "sample_score", "phone_hash", "sampled_on", "sample_skip", "skipped_on",
        "department", "service", "office_code", "district", "ingested_at",
    ),
)  # fmt: skip
"""Every visit of a day, for ``samvad sample verify``: recompute scores from the revealed
secret and replay the selection."""

BY_PHONE_HASH_INDEX = IndexSpec(name="by_phone_hash", partition_key="phone_hash", projection=())
"""Keys only: one citizen's visits (``phone_hash`` → ``visit_key``), so erasure reads that
citizen's items and nothing else (``samvad erase``)."""

VISITS = TableSpec(
    logical_id="Visits",
    env_var="VISITS_TABLE",
    partition_key="visit_key",
    ttl_attribute="expires_at",
    indexes=(UNSAMPLED_INDEX, BY_VISIT_DATE_INDEX, BY_PHONE_HASH_INDEX),
)
"""One item per visit, keyed deterministically so a row uploaded twice is one visit."""

UPLOADS = TableSpec(
    logical_id="Uploads",
    env_var="UPLOADS_TABLE",
    partition_key="upload_id",
    ttl_attribute="expires_at",
)
"""The intake ledger: one item per uploaded object version, holding its status and report."""

DIRECTORY = TableSpec(
    logical_id="Directory",
    env_var="DIRECTORY_TABLE",
    partition_key="department",
    sort_key="entry",
    ttl_attribute="expires_at",
)
"""Offices, services and officials seen per department (``office#CODE``, ``service#CODE``)."""

CONFIG = TableSpec(
    logical_id="Config",
    env_var="CONFIG_TABLE",
    partition_key="name",
    sort_key="version",
    number_keys=("version",),
    ttl_attribute="expires_at",
)
"""Versioned configuration documents; version 0 always holds a copy of the latest."""

STRATA = TableSpec(
    logical_id="Strata",
    env_var="STRATA_TABLE",
    partition_key="visit_date",
    sort_key="stratum",
    ttl_attribute="expires_at",
)
"""Per visit date, each stratum (``<department>#<service>#<office>``) with its visit count,
kept by intake: what the sampler allocates over without reading visits."""

SCHEME_NEWS_INDEX = IndexSpec(
    name="scheme_news",
    partition_key="scheme_news",
    projection=("scheme_phone", "scheme_language"),
)
"""Sparse: the citizens who asked for scheme news (``SCHEME ON``), for a broadcast."""

CONTACTS = TableSpec(
    logical_id="Contacts",
    env_var="CONTACTS_TABLE",
    partition_key="phone_hash",
    ttl_attribute="expires_at",
    indexes=(SCHEME_NEWS_INDEX,),
)
"""One item per citizen contacted or opted out: ``opted_out``, ``last_sampled`` (ISO date)."""

CALL_LISTS = TableSpec(
    logical_id="CallLists",
    env_var="CALL_LISTS_TABLE",
    partition_key="list_id",
    sort_key="visit_key",
    ttl_attribute="expires_at",
)
"""``<run date>#<caller id>`` → the visits that caller contacts that day, with channel."""

SAMPLING_RUNS = TableSpec(
    logical_id="SamplingRuns",
    env_var="SAMPLING_RUNS_TABLE",
    partition_key="run_date",
)
"""One item per sampler run: status, the selection's S3 key, counts; makes reruns no-ops."""

BY_REFERENCE_INDEX = IndexSpec(name="by_reference", partition_key="reference")
"""Sparse: an attempt's channel reference (Connect contact id, SNS message id) → its visit."""

DISPATCHES = TableSpec(
    logical_id="Dispatches",
    env_var="DISPATCHES_TABLE",
    partition_key="visit_key",
    sort_key="entry",
    ttl_attribute="expires_at",
    indexes=(BY_REFERENCE_INDEX,),
)
"""Per contact (a visit's survey, a case's confirmation): ``state`` (status, attempts, the one
successful contact) and ``attempt#NN`` items (channel, outcome, reference, times)."""

RATE_LIMITS = TableSpec(
    logical_id="RateLimits",
    env_var="RATE_LIMITS_TABLE",
    partition_key="bucket",
)
"""One token bucket per channel (``ivr_call``, ``sms``), shared by concurrent dispatchers."""

FEEDBACK = TableSpec(
    logical_id="Feedback",
    env_var="FEEDBACK_TABLE",
    partition_key="visit_key",
    ttl_attribute="expires_at",
)
"""One item per visit that answered: rating, work done, money asked, free text, channel,
language, the visit's department/service/office/official, and when."""

LINKS_BY_VISIT_INDEX = IndexSpec(name="by_visit", partition_key="visit_key", projection=())
"""Keys only: a visit's feedback-link tokens, for erasure."""

LINKS = TableSpec(
    logical_id="Links",
    env_var="LINKS_TABLE",
    partition_key="token_id",
    ttl_attribute="expires_at",
    indexes=(LINKS_BY_VISIT_INDEX,),
)
"""Feedback-link tokens: which visit, which language, expiry, and ``used_at`` (single use)."""

CASE_LIST_FIELDS = (
    "case_id", "visit_key", "department", "district", "office_code", "office_name", "service",
    "level", "holder", "status", "stage", "deadline", "opened_at", "case_type",
)  # fmt: skip
"""What a case list shows: the scope indexes project these, never tokens, signals or audit."""


def _case_index(name: str, partition_key: str) -> IndexSpec:
    keys = {"case_id", partition_key, "opened_at"}  # projected anyway
    return IndexSpec(
        name=name,
        partition_key=partition_key,
        sort_key="opened_at",
        projection=tuple(f for f in CASE_LIST_FIELDS if f not in keys),
    )


CASES_BY_OFFICE_INDEX = _case_index("by_office", "office_code")
CASES_BY_DISTRICT_INDEX = _case_index("by_district", "district")
CASES_BY_DEPARTMENT_INDEX = _case_index("by_department", "department")
CASES_BY_STATUS_INDEX = _case_index("by_status", "status")
"""The workspace's case lists query the index of the caller's scope (office, district,
department; the state's by status), newest first; sparse: a case with no district is in no
district's list."""

CASES = TableSpec(
    logical_id="Cases",
    env_var="CASES_TABLE",
    partition_key="case_id",
    ttl_attribute="expires_at",
    indexes=(
        CASES_BY_OFFICE_INDEX, CASES_BY_DISTRICT_INDEX, CASES_BY_DEPARTMENT_INDEX,
        CASES_BY_STATUS_INDEX,
    ),
)  # fmt: skip
"""One item per grievance case (``case-<visit_key>``): status, level, assignee, deadline, the
waiting task tokens (never leave the escalation stage) and the ``audit`` list, appended to in
the same write as every transition."""

TALLIES = TableSpec(
    logical_id="Tallies",
    env_var="TALLIES_TABLE",
    partition_key="pk",
    sort_key="sk",
    ttl_attribute="expires_at",
)
"""Report counters kept from the domain events: ``day#<date>`` and ``month#<YYYY-MM>``
partitions with one item per ``<department>#<service>#<office>#<official>``; ``overdue``
(one item per overdue case); and one marker item per event applied (its identity), so an
event delivered twice counts once."""

AUDIT = TableSpec(
    logical_id="Audit",
    env_var="AUDIT_TABLE",
    partition_key="pk",
    sort_key="sk",
    ttl_attribute="expires_at",
)
"""The officials' workspace audit log, append-only: ``day#<date>`` partitions of sign-ins,
number reveals, ATRs, transfers, uploads (who, what, when, from where); and the call desk's
attempts (``calldesk#<list id>``)."""

GRIEVANCES = TableSpec(
    logical_id="Grievances",
    env_var="GRIEVANCES_TABLE",
    partition_key="pk",
    sort_key="sk",
    ttl_attribute="expires_at",
)
"""Inbound grievances (``samvad.grievances``): ``ref#<reference>`` records (phone hashed
only), ``fold#`` and ``once#`` claims, one-time codes, relayed questions and answers, and
``rejects#<date>`` partitions of what could not be registered (for the contact centre)."""

TABLES: tuple[TableSpec, ...] = (
    VISITS, UPLOADS, DIRECTORY, CONFIG, STRATA, CONTACTS, CALL_LISTS, SAMPLING_RUNS,
    DISPATCHES, RATE_LIMITS, FEEDBACK, LINKS, CASES, TALLIES, AUDIT,
    GRIEVANCES,
)  # fmt: skip

DATA_BUCKET_ENV = "DATA_BUCKET"
INTAKE_QUEUE_ENV = "INTAKE_QUEUE_URL"
EVENT_BUS_ENV = "EVENT_BUS"
PHONE_HASH_SECRET_ENV = "PHONE_HASH_SECRET_ID"
RETENTION_DAYS_ENV = "RETENTION_DAYS"
SAMPLING_SECRET_ENV = "SAMPLING_SECRET_ID"
DISPATCH_QUEUE_ENV = "DISPATCH_QUEUE_URL"
LINK_SECRET_ENV = "LINK_SECRET_ID"
ORIGIN_SECRET_ENV = "ORIGIN_SECRET_ID"  # the optional CloudFront edge (samvad.edge)
FEEDBACK_URL_ENV = "FEEDBACK_URL"
WORKSPACE_URL_ENV = "WORKSPACE_URL"
CONNECT_INSTANCE_ENV = "CONNECT_INSTANCE_ID"
CONNECT_FLOW_ENV = "CONNECT_CONTACT_FLOW_ID"
CONNECT_SOURCE_PHONE_ENV = "CONNECT_SOURCE_PHONE"
CONNECT_RECORDINGS_ENV = "CONNECT_RECORDINGS_LOCATION"
DATA_KEY_ENV = "DATA_KEY_ARN"
"""The stack's data key: objects a function copies are encrypted with it explicitly."""
"""``s3://<bucket>/<prefix>/CallRecordings``: where the Connect instance stores recordings
(the inbound IVR links a grievance's voice message there)."""
CONNECT_BRIDGE_FLOW_ENV = "CONNECT_BRIDGE_FLOW_ID"  # the call desk's bridged calls
TELEPHONY_SIMULATOR_ENV = "TELEPHONY_SIMULATOR_QUEUE_URL"
"""Set only by the local runtime: calls go to the citizen simulator instead of Connect."""
SCHEDULER_ROLE_ENV = "DISPATCH_SCHEDULER_ROLE_ARN"
DEFERRED_DEAD_LETTER_ENV = "DISPATCH_DEFERRED_DLQ_ARN"
SMS_FALLBACK_ROLE_ENV = "CALLDESK_SMS_FALLBACK_ROLE_ARN"
"""The call desk's SMS fallback: the role its schedules put the dispatch message on the queue as."""
"""Where a deferred dispatch's one-time schedule puts the message it could not deliver."""
"""The role EventBridge Scheduler assumes to put a deferred dispatch message back on the queue."""
DISPATCH_QUEUE_ARN_ENV = "DISPATCH_QUEUE_ARN"
CASE_NOTICES_TOPIC_ENV = "CASE_NOTICES_TOPIC_ARN"
"""Escalation: the SNS topic of case notices (officials' SMS/e-mail, the stage's task queue)."""
ESCALATION_STATE_MACHINE_ENV = "ESCALATION_STATE_MACHINE_ARN"
REPORTS_TOPIC_ENV = "REPORTS_TOPIC_ARN"
"""SNS topic that announces each report with a presigned link to its dashboard."""
REPORTS_LINK_SECONDS_ENV = "REPORTS_LINK_SECONDS"
USER_POOL_ID_ENV = "USER_POOL_ID"
USER_POOL_CLIENT_ID_ENV = "USER_POOL_CLIENT_ID"
"""The officials' Cognito user pool and the workspace's app client (the JWT audience)."""
USER_POOL_DOMAIN_ENV = "USER_POOL_DOMAIN_URL"
"""The hosted UI's base URL (``https://<prefix>.auth.<region>.amazoncognito.com``): where the
workspace sends officials to sign in and exchanges the returned code for tokens."""

OFFICIAL_ATTRIBUTES = ("official_id", "department", "district", "office_code")
"""Cognito custom attributes (``custom:<name>``) that bind a user to a directory entry and
scope; only administrators may write them."""

UPLOADS_PREFIX = "uploads/"
REJECTS_PREFIX = "rejects/"
QUARANTINE_PREFIX = "quarantine/"
INTAKE_REPORTS_PREFIX = "reports/intake/"
ERASED_METADATA = "erased"
"""User metadata (``"true"``) on an upload erasure wrote back: intake does not ingest it."""
CASE_FILES_PREFIX = "cases/"
"""Officials' ATR attachments (photo or PDF): ``cases/<case id>/…``, encrypted like the rest."""
INTAKE_CHUNKS_PREFIX = "intake-chunks/"
"""The chunked intake's working objects: manifest, chunks, chunk results, rejects part."""
SAMPLES_PREFIX = "samples/"
AUDIT_PREFIX = "audit/sampling/"
REPORT_PREFIXES = ("reports/day/", "reports/week/", "reports/month/")
"""Where the reports function writes: ``reports/<kind>/<label>/`` (summary, CSVs, dashboard)."""
RETAINED_PREFIXES = (
    UPLOADS_PREFIX, REJECTS_PREFIX, QUARANTINE_PREFIX, SAMPLES_PREFIX, "audit/", "reports/",
)  # fmt: skip
"""Data-bucket prefixes whose objects expire after ``RETENTION_DAYS`` (S3 lifecycle), like
the visits they come from (docs/data-protection.md)."""
CASE_RETENTION_DAYS = 3 * 365
"""Officials' ATR attachments (``cases/``): a grievance's record outlives the visit."""

EVENT_SOURCE = "samvad"
INTAKE_COMPLETED = "IntakeCompleted"
SAMPLE_DRAWN = "SampleDrawn"
CONTACT_OUTCOME = "ContactOutcome"
FEEDBACK_RECORDED = "FeedbackRecorded"
FEEDBACK_POOR = "FeedbackPoor"
CITIZEN_OPTED_OUT = "CitizenOptedOut"
CASE_CONFIRMATION = "CaseConfirmation"
CASE_OPENED = "CaseOpened"
CASE_ESCALATED = "CaseEscalated"
CASE_RESOLVED = "CaseResolved"
CASE_OVERDUE = "CaseOverdue"
GRIEVANCE_REGISTERED = "GrievanceRegistered"
GRIEVANCE_SMS_REQUESTED = "GrievanceSmsRequested"
"""An SMS to a grievance's citizen that a function without SMS rights (the workspace) asks
the feedback function to send: ids only (``samvad.grievances.outbox``)."""

SAMPLER_SCHEDULE = "cron(0 9 * * ? *)"
SAMPLER_TIMEZONE = "Asia/Kolkata"
SAMPLING_PLAN_CONFIG = "sampling/plan"
DEPARTMENTS_CONFIG = "departments"
"""The departments that may upload (``samvad.intake.departments``); defaults shipped in
``intake/default_departments.json``."""
DISPATCH_MAX_RECEIVES = 5
NOTIFY_TIMEOUT_SECONDS = 60
"""The notify function's timeout: a claim older than this has no live invocation behind it."""
DISPATCH_VISIBILITY_SECONDS = 6 * NOTIFY_TIMEOUT_SECONDS
"""The dispatch queue's visibility timeout: six times notify's, as AWS advises for SQS."""
DEAD_LETTER_TAG = "samvad:dead-letter"
"""Tags every queue that holds failures (``samvad dlq`` finds those no redrive policy names)."""
NOTIFY_CONFIG = "notify/settings"
ESCALATION_DIRECTORY_CONFIG = "escalation/directory"
"""Who holds each escalation level per office/district/department (``samvad directory load``)."""
ESCALATION_SLA_CONFIG = "escalation/sla"
"""Days per level per service (defaults in ``samvad.escalation.model``)."""
DISPATCH_SCHEDULE_GROUP = "samvad-dispatch"
REPORTS_DAILY_SCHEDULE = "cron(0 6 * * ? *)"
"""06:00 India time: the previous day's report, after its calling window (09:00–21:00) and
the night's late SMS replies."""
REPORTS_MONTHLY_SCHEDULE = "cron(0 7 1 * ? *)"
"""07:00 India time on the 1st: the previous month's report (and capacity-building list)."""
REPORTS_TIMEZONE = "Asia/Kolkata"
REPORTS_MAX_RECEIVES = 5
"""EventBridge Scheduler group of one-time schedules that re-queue deferred dispatches."""

INTAKE_QUEUE_VISIBILITY_SECONDS = 6 * 15 * 60
"""Six times the intake function's 15-minute timeout, as AWS advises for SQS sources."""
INTAKE_MAX_RECEIVES = 5
INTAKE_CHUNKS_STATE_MACHINE_ENV = "INTAKE_CHUNKS_STATE_MACHINE_ARN"
"""The split → map → reduce state machine; unset (locally) the chunks run in-process."""
INTAKE_CHUNK_ROWS_ENV = "INTAKE_CHUNK_ROWS"
"""Rows per chunk; also lowers the threshold to that many rows (``--chunk-rows``)."""
INTAKE_CHUNK_BYTES_ENV = "INTAKE_CHUNK_BYTES"
"""Uploads at least this big go the chunked way."""
INTAKE_WRITE_WORKERS_ENV = "INTAKE_WRITE_WORKERS"
"""Batches of visits one intake invocation writes at once (``samvad.intake.writers``)."""
INTAKE_WRITE_WORKERS_DEFAULT = 16

LAKE_PREFIX = "lake/"
"""The analytics lake: ``lake/<table>/date=YYYY-MM-DD/part-00000.parquet`` (docs/analytics.md)."""
LAKE_BUFFER_PREFIX = "lake-buffer/"
"""The lake's facts as they arrive, a JSON-lines object per batch, table and day, until the
day is exported."""
EVENTS_BATCH_SIZE = 100
"""Messages per invocation for the functions that write a whole batch at once (the reports'
tallies, the lake's buffer), gathered for up to 5 s: a batch's events share their writes,
so the department rollup, which every event adds to, is written once per batch."""
LAKE_SCHEDULE = "cron(30 6 * * ? *)"
"""06:30 India time: export the last ``LAKE_EXPORT_DAYS`` days (late SMS replies included)."""
LAKE_EXPORT_DAYS = 3
LAKE_MAX_RECEIVES = 5
LAKE_DATABASE_ENV = "LAKE_DATABASE"
LAKE_WORKGROUP_ENV = "LAKE_WORKGROUP"
"""The Glue database and Athena workgroup `samvad query --athena` uses (the stack outputs)."""
