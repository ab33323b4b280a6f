"""Buffer facts as events arrive; export a day's partitions as Parquet (idempotent).

``buffer_events`` stores a batch of events' facts, each under its identity (a redelivery
puts it again). ``export_day`` reads a day's buffered facts and the day's sampler selection,
dedupes them by identity, and replaces each table's partition file with a fresh Parquet
file: exporting a day again, after late facts arrived or after a failure, gives the same
file plus the late facts, never duplicates. ``export_lake`` does both in one go for the demo
and the tests.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from samvad.lake import schema
from samvad.lake.facts import BadFact, Fact, fact_for, sample_facts
from samvad.lake.local import DirectoryPartitions, MemoryBuffer, MemorySelections
from samvad.lake.ports import LakePorts


def buffer_events(events: Sequence[object], ports: LakePorts) -> list[dict[str, Any]]:
    """Keep a batch of EventBridge events' facts in the buffer in one ``put_all``; per event
    ``{"kept": True, "table", "date"}``, ``{"kept": False}`` for one the lake does not keep,
    or ``{"error": …}`` for one that cannot become a fact (the others are kept all the same)."""
    results: list[dict[str, Any]] = []
    facts: list[Fact] = []
    for event in events:
        try:
            fact = _fact_of(event)
        except BadFact as error:
            results.append({"error": str(error)})
            continue
        if fact is None:
            results.append({"kept": False})
        else:
            facts.append(fact)
            results.append({"kept": True, "table": fact.table, "date": fact.day.isoformat()})
    if facts:
        ports.buffer.put_all(facts)
    return results


def _fact_of(event: object) -> Fact | None:
    if not isinstance(event, dict) or "detail-type" not in event:
        raise BadFact(f"not an EventBridge event: {str(event)[:200]}")
    return fact_for(str(event["detail-type"]), event.get("detail"))


def export_day(day: dt.date, ports: LakePorts) -> dict[str, Any]:
    """Write every table's partition for ``day``; returns ``{"date", "rows", "keys"}``."""
    selection = ports.selections.selection(day)
    samples = sample_facts(selection) if selection is not None else []
    rows: dict[str, int] = {}
    keys: dict[str, str] = {}
    for table, table_schema in schema.TABLES.items():
        found = ports.buffer.rows(table, day)
        found.update({fact.key: fact.row for fact in samples if fact.table == table})
        rows[table] = len(found)
        parquet = to_parquet(list(found.values()), table_schema)
        keys[table] = ports.partitions.replace(table, day, parquet)
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
    envelopes = [{"detail-type": kind, "detail": detail} for kind, detail in events]
    for result in buffer_events(envelopes, ports):
        if "error" in result:
            raise BadFact(result["error"])
        if result["kept"]:
            days.add(dt.date.fromisoformat(result["date"]))
    totals = dict.fromkeys(schema.TABLES, 0)
    for day in sorted(days):
        for table, n in export_day(day, ports)["rows"].items():
            totals[table] += n
    return {"days": [d.isoformat() for d in sorted(days)], "rows": totals, "root": str(out)}
