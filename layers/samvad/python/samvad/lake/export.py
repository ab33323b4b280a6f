"""Buffer facts as events arrive; export a day's partitions as Parquet (idempotent).

``buffer_event`` stores one event's fact under its identity (a redelivery overwrites it).
``export_day`` reads a day's buffered facts (and the day's sampler selection), dedupes them by
identity, and replaces each table's partition file with a fresh Parquet file: exporting a
day again, after late facts arrived or after a failure, gives the same file plus the late
facts, never duplicates. ``export_lake`` does both in one go for the demo and the tests.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from samvad.lake import schema
from samvad.lake.facts import Fact, fact_for, sample_facts
from samvad.lake.local import DirectoryPartitions, MemoryBuffer, MemorySelections
from samvad.lake.ports import LakePorts


def buffer_event(detail_type: str, detail: dict[str, Any], ports: LakePorts) -> Fact | None:
    """Keep one domain event's fact in the buffer; ``None`` if the lake does not keep it."""
    fact = fact_for(detail_type, detail)
    if fact is not None:
        ports.buffer.put(fact.table, fact.day, fact.identity, fact.row)
    return fact


def export_day(day: dt.date, ports: LakePorts) -> dict[str, Any]:
    """Write every table's partition for ``day``; returns ``{"date", "rows", "keys"}``."""
    selection = ports.selections.selection(day)
    if selection is not None:
        for fact in sample_facts(selection):
            ports.buffer.put(fact.table, fact.day, fact.identity, fact.row)
    rows: dict[str, int] = {}
    keys: dict[str, str] = {}
    for table, table_schema in schema.TABLES.items():
        facts = ports.buffer.rows(table, day)
        rows[table] = len(facts)
        keys[table] = ports.partitions.replace(table, day, to_parquet(facts, table_schema))
    return {"date": day.isoformat(), "rows": rows, "keys": keys}


def to_parquet(rows: list[dict[str, Any]], table_schema: pa.Schema) -> bytes:
    """The rows as one Parquet file (snappy) in the table's schema, in a stable order."""
    schema.assert_pseudonymous(table_schema)
    ordered = sorted(rows, key=lambda r: [str(r.get(name)) for name in table_schema.names])
    table = pa.Table.from_pylist(
        [{name: r.get(name) for name in table_schema.names} for r in ordered], schema=table_schema
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def export_lake(
    events: Iterable[tuple[str, dict[str, Any]]],
    out: Path,
    selections: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Export ``(detail-type, detail)`` events and sampler selections to ``out/<table>/
    date=YYYY-MM-DD/part-00000.parquet`` for every day they touch (the demo's lake).

    Returns ``{"days": [...], "rows": {table: n}, "root": out}``."""
    by_day = {dt.date.fromisoformat(s["run_date"]): s for s in selections}
    ports = LakePorts(MemoryBuffer(), DirectoryPartitions(Path(out)), MemorySelections(by_day))
    days = set(by_day)
    for detail_type, detail in events:
        fact = buffer_event(detail_type, detail, ports)
        if fact is not None:
            days.add(fact.day)
    totals = dict.fromkeys(schema.TABLES, 0)
    for day in sorted(days):
        for table, n in export_day(day, ports)["rows"].items():
            totals[table] += n
    return {"days": [d.isoformat() for d in sorted(days)], "rows": totals, "root": str(out)}
