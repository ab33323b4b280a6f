"""The lake's tables: one pyarrow schema each, the partition column, and what may never appear.

The same schemas define the Glue Data Catalog tables (``infra/constructs/lake.py``) and the
DuckDB views of ``samvad query``, so a query reads the same columns locally and on Athena.
Timestamps are ISO 8601 strings (UTC, as the events carry them); dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re

import pyarrow as pa

PARTITION_COLUMN = "date"
"""Hive partition: ``<table>/date=YYYY-MM-DD/`` (a string; quote it as ``"date"`` in SQL)."""
PART_FILE = "part-00000.parquet"
"""One file per partition, always this name: re-exporting a day overwrites it."""

_DIMENSIONS = [
    pa.field("department", pa.string()),
    pa.field("service", pa.string()),
    pa.field("office_code", pa.string()),
    pa.field("district", pa.string()),
    pa.field("official_id", pa.string()),
]

SAMPLES = pa.schema(
    [
        pa.field("visit_key", pa.string(), nullable=False),
        pa.field("phone_hash", pa.string()),
        pa.field("visit_date", pa.string()),
        pa.field("caller", pa.string()),
        pa.field("channel", pa.string()),
        pa.field("language", pa.string()),
        *_DIMENSIONS,
    ]
)
"""Visits sampled on the run date (from the sampler's selection); ``official_id`` is blank:
the selection does not name officials."""

CONTACTS = pa.schema(
    [
        pa.field("visit_key", pa.string(), nullable=False),
        pa.field("kind", pa.string()),
        pa.field("case_id", pa.string()),
        pa.field("caller", pa.string()),
        pa.field("channel", pa.string()),
        pa.field("attempt", pa.int32()),
        pa.field("outcome", pa.string()),
        pa.field("final", pa.bool_()),
        pa.field("at", pa.string()),
        *_DIMENSIONS,
    ]
)
"""Every contact attempt (``ContactOutcome``): survey and confirmation contacts."""

FEEDBACK = pa.schema(
    [
        pa.field("visit_key", pa.string(), nullable=False),
        pa.field("channel", pa.string()),
        pa.field("language", pa.string()),
        pa.field("rating", pa.int32()),
        pa.field("work_done", pa.bool_()),
        pa.field("bribe_asked", pa.bool_()),
        pa.field("wants_officer", pa.bool_()),
        pa.field("poor", pa.bool_()),
        pa.field("reasons", pa.list_(pa.string())),
        pa.field("visit_date", pa.string()),
        pa.field("received_at", pa.string()),
        *_DIMENSIONS,
    ]
)
"""One row per survey answered (``FeedbackRecorded``), without the citizen's free text."""

CASE_EVENTS = pa.schema(
    [
        pa.field("case_id", pa.string(), nullable=False),
        pa.field("case_type", pa.string()),
        pa.field("visit_key", pa.string()),
        pa.field("event", pa.string()),
        pa.field("level", pa.int32()),
        pa.field("from_level", pa.int32()),
        pa.field("reason", pa.string()),
        pa.field("at", pa.string()),
        pa.field("opened_at", pa.string()),
        pa.field("deadline", pa.string()),
        *_DIMENSIONS,
    ]
)
"""Every case transition: ``opened`` (level 1), ``escalated`` (``from_level`` → ``level``,
``reason``), ``resolved`` (the citizen confirmed, at ``level``), ``overdue`` (level 4).
``case_type`` is ``feedback`` (a sampled citizen's poor feedback: the reports' ``cases_opened``)
or ``grievance`` (a citizen who came forward: the reports' ``inbound`` section, kept apart)."""

TABLES: dict[str, pa.Schema] = {
    "samples": SAMPLES,
    "contacts": CONTACTS,
    "feedback": FEEDBACK,
    "case_events": CASE_EVENTS,
}

FORBIDDEN_COLUMN = re.compile(r"phone(?!_hash$)|name|text|address|email|voice", re.IGNORECASE)
"""Column names that would hold personal data in clear: phones (``phone_hash`` only), names,
free text, addresses, e-mail, voice notes. ``assert_pseudonymous`` refuses them."""


def assert_pseudonymous(schema: pa.Schema) -> None:
    """Raise ``ValueError`` if ``schema`` has a column that could hold personal data."""
    bad = [name for name in schema.names if FORBIDDEN_COLUMN.search(name)]
    if bad:
        raise ValueError(f"the lake holds pseudonymised facts only; remove columns {bad}")


GLUE_TYPES = {
    pa.string(): "string",
    pa.int32(): "int",
    pa.int64(): "bigint",
    pa.bool_(): "boolean",
    pa.float64(): "double",
    pa.list_(pa.string()): "array<string>",
}


def glue_columns(schema: pa.Schema) -> list[tuple[str, str]]:
    """``(name, Hive type)`` of each column, for the Glue table (the partition excluded)."""
    return [(field.name, GLUE_TYPES[field.type]) for field in schema]


for _schema in TABLES.values():
    assert_pseudonymous(_schema)
