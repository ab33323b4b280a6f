"""The intake use case against in-memory ports: counts, rejects, idempotence, quarantine."""

import csv
import io
from dataclasses import replace

import pytest

from samvad.intake.service import Upload, ingest
from tests.fakes import memory_ports

BUCKET = "data"
GOOD = (
    "Mobile No,Date of Visit,Office Code,Service,Patient Name,Hospital Name,District\r\n"
    "9876543210,22/11/2026,HLT-KHU-001,OPD,Sasmita Das,CHC Tangi,Khordha\r\n"
    "98765,22/11/2026,HLT-KHU-001,OPD,Short Number,CHC Tangi,Khordha\r\n"
    "+91 99370 12345,2026-11-21,HLT-CTC-002,IPD,Prakash Behera,SCB Cuttack,Cuttack\r\n"
    "9876543210,22/11/2026,HLT-KHU-001,OPD,Sasmita Das,CHC Tangi,Khordha\r\n"
    ",,,,,,\r\n"
    "70080 11122,31/02/2026,HLT-KHU-001,OPD,Bad Date,CHC Tangi,Khordha\r\n"
)


def upload(ports, key: str, data: str | bytes) -> Upload:
    ports.objects.add(BUCKET, key, data.encode() if isinstance(data, str) else data)
    return Upload(bucket=BUCKET, key=key, etag="e-" + key)


def test_a_file_is_accounted_for_row_by_row():
    """Given a file with good, bad, duplicate and blank rows, When ingested, Then every row
    is counted once, visits are stored, rejects say why, and one event is published."""
    ports = memory_ports()
    report = ingest(upload(ports, "uploads/health/day.csv", GOOD), ports)

    assert (report["rows"], report["accepted"], report["rejected"], report["duplicates"]) == (
        5,
        2,
        2,
        1,
    )
    assert report["blank_rows"] == 1
    assert report["rejected_by_reason"] == {"phone_wrong_length": 1, "date_impossible": 1}
    assert len(ports.visits.items) == 2
    rejects = list(csv.DictReader(io.StringIO(ports.objects.text(BUCKET, report["rejects_key"]))))
    assert [(r["row"], r["reason_code"]) for r in rejects] == [
        ("3", "phone_wrong_length"),
        ("7", "date_impossible"),
    ]
    assert rejects[0]["Patient Name"] == "Short Number"  # the original cells, to fix and re-upload
    assert [t for t, _ in ports.events.published] == ["IntakeCompleted"]
    assert (BUCKET, "reports/intake/health/day.csv.json") in ports.objects.objects
    assert report["new_offices"] == ["HLT-CTC-002", "HLT-KHU-001"]
    assert report["new_services"] == ["IPD", "OPD"]


def test_replaying_the_event_three_times_changes_nothing():
    """Given an ingested upload, When its event is delivered 3 more times, Then the same
    report comes back, no visit is written again and no second event is published."""
    ports = memory_ports()
    event = upload(ports, "uploads/health/day.csv", GOOD)
    first = ingest(event, ports)
    writes = ports.visits.put_calls

    replays = [ingest(event, ports) for _ in range(3)]

    assert all(r == first for r in replays)
    assert ports.visits.put_calls == writes
    assert len(ports.events.published) == 1


class CrashAfter:
    """A visit store that fails after ``n`` successful writes, like a Lambda timing out."""

    def __init__(self, inner, n):
        self.inner, self.left = inner, n

    def sources_of(self, keys):
        return self.inner.sources_of(keys)

    def put_all(self, items):
        if self.left == 0:
            raise TimeoutError("Task timed out")
        self.left -= 1
        self.inner.put_all(items)


def big_file(rows: int, duplicate_every: int = 0) -> str:
    lines = ["Mobile No,Date of Visit,Office Code,Service"]
    for i in range(rows):
        n = i - 1 if duplicate_every and i and i % duplicate_every == 0 else i
        lines.append(f"98{n:08d},22/11/2026,HLT-KHU-{n % 7:03d},OPD")
    return "\n".join(lines) + "\n"


def test_a_retry_after_a_crash_half_way_recounts_exactly():
    """Given an upload whose first attempt crashed after writing part of the rows, When the
    event is redelivered, Then the report equals a clean run's and no visit is doubled."""
    data = big_file(450, duplicate_every=9)
    clean_ports = memory_ports()
    clean = ingest(upload(clean_ports, "uploads/health/big.csv", data), clean_ports)

    ports = memory_ports()
    event = upload(ports, "uploads/health/big.csv", data)
    with pytest.raises(TimeoutError):
        ingest(event, replace(ports, visits=CrashAfter(ports.visits, 2)))
    retried = ingest(event, ports)

    keys = ("rows", "accepted", "rejected", "duplicates")
    assert {k: retried[k] for k in keys} == {k: clean[k] for k in keys}
    assert clean["duplicates"] == 49 and clean["accepted"] == 401
    assert ports.visits.items.keys() == clean_ports.visits.items.keys()
    assert ports.ledger.attempts[event.upload_id] == 2


def test_the_same_rows_in_another_file_are_duplicates():
    """Given visits already loaded from one file, When another file repeats them, Then they
    are counted as duplicates and stored once."""
    ports = memory_ports()
    ingest(upload(ports, "uploads/health/monday.csv", GOOD), ports)
    again = ingest(upload(ports, "uploads/health/monday-resent.csv", GOOD), ports)
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 3, 2)
    assert len(ports.visits.items) == 2
    assert again["new_offices"] == [] and again["new_services"] == []


def test_a_department_can_teach_intake_its_own_headers():
    """Given a department alias for a header Samvad does not know, When its file is
    ingested, Then the column is read as that field."""
    data = "Rogi Phone,Date of Visit,Office Code,Service\n9876543210,22/11/2026,A1,OPD\n"
    plain = memory_ports()
    refused = ingest(upload(plain, "uploads/health/x.csv", data), plain)
    taught = memory_ports(config={"intake/health": {"aliases": {"Rogi Phone": "phone"}}})
    accepted = ingest(upload(taught, "uploads/health/x.csv", data), taught)
    assert refused["quarantined"] and refused["quarantine_code"] == "missing_required_column"
    assert accepted["accepted"] == 1


def test_an_upload_outside_a_department_folder_is_quarantined():
    """Given a file directly under uploads/, When ingested, Then it is quarantined with a
    reason that says where to put it, and nothing is lost."""
    ports = memory_ports()
    report = ingest(upload(ports, "uploads/day.csv", GOOD), ports)
    assert report["quarantined"] and report["quarantine_code"] == "no_department"
    assert "uploads/<department>/" in report["quarantine_reason"]
    assert ports.objects.objects[(BUCKET, "quarantine/day.csv")] == GOOD.encode()
    assert (BUCKET, "uploads/day.csv") not in ports.objects.objects
    assert ports.visits.items == {}


def test_the_rejects_file_can_be_fixed_and_uploaded_again():
    """Given the rejects file of an upload, When its rows are corrected and it is uploaded
    as is, Then the corrected rows are accepted (row/reason columns are ignored)."""
    ports = memory_ports()
    report = ingest(upload(ports, "uploads/health/day.csv", GOOD), ports)
    fixed = (
        ports.objects.text(BUCKET, report["rejects_key"])
        .replace("98765,", "9876512345,")
        .replace("31/02/2026", "21/11/2026")
    )
    again = ingest(upload(ports, "uploads/health/day-fixed.csv", fixed.encode("utf-8-sig")), ports)
    assert (again["rows"], again["accepted"], again["rejected"]) == (2, 2, 0)
    assert set(again["ignored_columns"]) >= {"reason_code", "reason", "raw"}


def test_the_report_never_contains_a_phone_number():
    """Given a file of visits, When ingested, Then the report and event hold no number."""
    ports = memory_ports()
    report = ingest(upload(ports, "uploads/health/day.csv", GOOD), ports)
    text = str(report) + str(ports.events.published)
    for digits in ("9876543210", "9937012345", "98765", "7008011122"):
        assert digits not in text.replace(" ", "")


def test_an_upload_erasure_wrote_back_is_not_ingested_again():
    """Given an ingested upload, When erasure writes it back without one citizen's rows (a new
    version carrying ``erased: true``, which S3 announces to intake like any upload), Then
    intake skips that version: no visit, ledger entry, report, rejects or event; and an
    upload with other metadata is ingested as ever."""
    ports = memory_ports()
    first = ingest(upload(ports, "uploads/health/day.csv", GOOD), ports)
    report_key = (BUCKET, "reports/intake/health/day.csv.json")
    objects_before = dict(ports.objects.objects)
    visits_before, events_before = dict(ports.visits.items), list(ports.events.published)
    without_one = GOOD.replace(
        "70080 11122,31/02/2026,HLT-KHU-001,OPD,Bad Date,CHC Tangi,Khordha\r\n", ""
    )
    ports.objects.add(BUCKET, "uploads/health/day.csv", without_one.encode(), {"erased": "true"})
    rewrite = Upload(bucket=BUCKET, key="uploads/health/day.csv", version_id="v2")

    skipped = ingest(rewrite, ports)

    assert skipped == {
        "upload_id": rewrite.upload_id,
        "key": rewrite.key,
        "skipped": "erasure_rewrite",
    }
    assert ports.ledger.finished_report(rewrite.upload_id) is None
    assert ports.visits.items == visits_before and ports.events.published == events_before
    assert {k: v for k, v in ports.objects.objects.items() if k[1] != rewrite.key} == {
        k: v for k, v in objects_before.items() if k[1] != rewrite.key
    }
    assert (
        ports.objects.objects[report_key] == objects_before[report_key] and first["accepted"] == 2
    )
    other = Upload(bucket=BUCKET, key="uploads/health/other.csv", etag="e-other")
    ports.objects.add(BUCKET, other.key, GOOD.encode(), {"source": "portal"})
    assert ingest(other, ports)["duplicates"] == 3
