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


VISITS = TableSpec(
    logical_id="Visits",
    env_var="VISITS_TABLE",
    partition_key="visit_key",
    ttl_attribute="expires_at",
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
)
"""Offices, services and officials seen per department (``office#CODE``, ``service#CODE``)."""

CONFIG = TableSpec(
    logical_id="Config",
    env_var="CONFIG_TABLE",
    partition_key="name",
    sort_key="version",
    number_keys=("version",),
)
"""Versioned configuration documents; version 0 always holds a copy of the latest."""

TABLES: tuple[TableSpec, ...] = (VISITS, UPLOADS, DIRECTORY, CONFIG)

DATA_BUCKET_ENV = "DATA_BUCKET"
INTAKE_QUEUE_ENV = "INTAKE_QUEUE_URL"
EVENT_BUS_ENV = "EVENT_BUS"
PHONE_HASH_SECRET_ENV = "PHONE_HASH_SECRET_ID"
RETENTION_DAYS_ENV = "RETENTION_DAYS"

UPLOADS_PREFIX = "uploads/"
REJECTS_PREFIX = "rejects/"
QUARANTINE_PREFIX = "quarantine/"
INTAKE_REPORTS_PREFIX = "reports/intake/"

EVENT_SOURCE = "samvad"
INTAKE_COMPLETED = "IntakeCompleted"

INTAKE_QUEUE_VISIBILITY_SECONDS = 6 * 15 * 60
"""Six times the intake function's 15-minute timeout, as AWS advises for SQS sources."""
INTAKE_MAX_RECEIVES = 5
