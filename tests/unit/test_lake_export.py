"""The lake's facts and Parquet export: pseudonymised schemas, one fact per occurrence,
idempotent partitions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from samvad import resources
from samvad.lake import schema
from samvad.lake.export import buffer_events, export_day, export_lake
from samvad.lake.facts import BadFact, fact_for
from samvad.lake.local import DirectoryPartitions, MemoryBuffer, MemorySelections
from samvad.lake.ports import LakePorts
from samvad_dev.demo import report_events as ev

DAY = dt.date(2026, 11, 23)
OFFICE = ev.offices(1, 1)[0]
PHONE = "+919812345678"


def _ports(root: Path, selections: dict | None = None) -> LakePorts:
    return LakePorts(MemoryBuffer(), DirectoryPartitions(root), MemorySelections(selections))


def _cells(root: Path) -> list[str]:
    """Every column name and every value of every Parquet file under ``root``, as text."""
    found = []
    for path in root.rglob("*.parquet"):
        table = pq.read_table(path)
        found += table.column_names
        found += [str(v) for column in table.to_pydict().values() for v in column]
    return found


@pytest.mark.parametrize("table", sorted(schema.TABLES))
def test_no_table_has_a_phone_name_or_free_text_column(table: str) -> None:
    """Given each lake table's schema, then no column could hold a phone number (only
    phone_hash), a name, free text, an address, e-mail or a voice note."""
    names = schema.TABLES[table].names
    assert not [n for n in names if schema.FORBIDDEN_COLUMN.search(n)]
    assert not {"phone", "citizen_name", "office_name", "free_text", "text"} & set(names)
    assert [n for n in names if "phone" in n] in ([], ["phone_hash"])


def test_a_schema_with_a_personal_column_is_refused() -> None:
    """Given a schema with a phone, a name or a free-text column, when it is checked (as every
    export does), then it is refused, naming the column."""
    for column in ("phone", "citizen_name", "free_text"):
        with pytest.raises(ValueError, match=column):
            schema.assert_pseudonymous(
                pa.schema([("visit_key", pa.string()), (column, pa.string())])
            )


def test_personal_fields_in_an_event_never_reach_the_parquet(tmp_path: Path) -> None:
    """Given a feedback event and a selection that (wrongly) carry a phone, a name and free
    text, when the day is exported, then the Parquet files have only the schema's columns and
    none of those values; the phone hash is kept."""
    key = ev.visit_key(OFFICE, DAY, 1)
    detail = ev.feedback(OFFICE, key, DAY, 2, False) | {
        "phone": PHONE, "citizen_name": "Sita Das", "free_text": "the clerk asked for 500",
    }  # fmt: skip
    stratum = f"{OFFICE.department}#{OFFICE.service}#{OFFICE.office_code}"
    entry = {"visit_key": key, "stratum": stratum, "phone_hash": "ab12cd", "phone": PHONE}
    selection = {"run_date": DAY.isoformat(), "selected": [entry | {"citizen_name": "Sita Das"}]}
    ports = _ports(tmp_path, {DAY: selection})
    buffer_events([ev.envelope(resources.FEEDBACK_RECORDED, detail)], ports)
    result = export_day(DAY, ports)
    assert result["rows"] == {"samples": 1, "contacts": 0, "feedback": 1, "case_events": 0}
    for table in schema.TABLES:
        path = tmp_path / table / f"date={DAY}" / schema.PART_FILE
        assert pq.read_schema(path).names == schema.TABLES[table].names
    cells = _cells(tmp_path)
    assert "ab12cd" in cells
    assert not [c for c in cells if PHONE in c or "Sita" in c or "clerk" in c]


def test_exporting_a_day_again_replaces_its_partition(tmp_path: Path) -> None:
    """Given a day exported, when its events are replayed and a late fact arrives and the day
    is exported again, then each partition is still one file, holding every fact once, and a
    third export without new facts writes the same bytes."""
    ports = _ports(tmp_path)
    keys = [ev.visit_key(OFFICE, DAY, n) for n in range(3)]
    events = [(resources.FEEDBACK_RECORDED, ev.feedback(OFFICE, k, DAY, 5, True)) for k in keys]
    buffer_events([ev.envelope(kind, detail) for kind, detail in events[:2]], ports)
    export_day(DAY, ports)
    (tmp_path / "feedback" / f"date={DAY}" / "part-stale.parquet").write_bytes(b"old")
    replay = [ev.envelope(kind, detail) for kind, detail in events]  # and the late third
    buffer_events(replay, ports)
    export_day(DAY, ports)
    folder = tmp_path / "feedback" / f"date={DAY}"
    assert [p.name for p in folder.iterdir()] == [schema.PART_FILE]
    first = (folder / schema.PART_FILE).read_bytes()
    assert sorted(
        pq.read_table(folder / schema.PART_FILE).column("visit_key").to_pylist()
    ) == sorted(keys)
    export_day(DAY, ports)
    assert (folder / schema.PART_FILE).read_bytes() == first


def test_case_steps_are_dated_by_india_time_and_keyed_by_step() -> None:
    """Given a case opened at 20:00 UTC on the 23rd and escalated twice, then the opening is a
    fact of the 24th (India time), and each escalation has its own identity."""
    opened = dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC)
    key = ev.visit_key(OFFICE, DAY, 9)
    fact = fact_for(resources.CASE_OPENED, ev.case_opened(OFFICE, key, opened))
    assert fact is not None and (fact.table, fact.day) == ("case_events", dt.date(2026, 11, 24))
    steps = [
        fact_for(
            resources.CASE_ESCALATED, ev.case_escalated(OFFICE, key, opened, level, "sla_timeout")
        )
        for level in (2, 3)
    ]
    assert len({s.identity for s in steps if s}) == 2
    assert [(s.row["from_level"], s.row["level"]) for s in steps if s] == [(1, 2), (2, 3)]


def test_a_case_step_says_whether_it_is_a_feedback_or_a_grievance_case() -> None:
    """Given a poor feedback's case and an inbound grievance's case (``case-grv-…``) opened,
    then their facts' ``case_type`` tells them apart, as the reports keep them apart."""
    opened = dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC)
    detail = ev.case_opened(OFFICE, ev.visit_key(OFFICE, DAY, 9), opened)
    grievance = detail | {"case_id": "case-grv-OD-7K3M9Q", "visit_key": "grv-OD-7K3M9Q"}
    facts = [fact_for(resources.CASE_OPENED, d) for d in (detail, grievance)]
    assert [f.row["case_type"] for f in facts if f] == ["feedback", "grievance"]


def test_events_the_lake_does_not_keep_are_ignored_and_bad_ones_name_the_field() -> None:
    """Given a FeedbackPoor (a repeat of FeedbackRecorded) and a feedback with rating 9, then
    the first makes no fact and the second is refused naming the rating."""
    detail = ev.feedback(OFFICE, "k1", DAY, 1, False)
    assert fact_for(resources.FEEDBACK_POOR, detail) is None
    with pytest.raises(BadFact, match="rating"):
        fact_for(resources.FEEDBACK_RECORDED, detail | {"rating": 9})


def test_export_lake_writes_hive_partitions_for_every_day(tmp_path: Path) -> None:
    """Given events of two run dates, when export_lake runs (the demo's entry point), then each
    table has a date=YYYY-MM-DD folder per day with one Parquet file."""
    days = [DAY, DAY + dt.timedelta(days=1)]
    events = [
        (resources.CONTACT_OUTCOME, ev.outcome(OFFICE, ev.visit_key(OFFICE, d, 0), d, "answered"))
        for d in days
    ]
    result = export_lake(events, tmp_path)
    assert result["days"] == [d.isoformat() for d in days]
    assert result["rows"]["contacts"] == 2
    assert sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet")
    ) == sorted(f"{table}/date={d}/{schema.PART_FILE}" for table in schema.TABLES for d in days)
