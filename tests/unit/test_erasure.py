"""Erasure's domain with in-memory ports: what is removed, what stays, the receipt, replay."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from samvad.erasure import ErasurePorts, InvalidPhone, erase
from samvad.erasure.citizen import Citizen
from samvad.erasure.rows import without_citizen
from samvad.erasure.service import ErasureConflict

KEY = b"k" * 32
PHONE = "+919876543210"
OTHER = "+919123456789"
CITIZEN = Citizen.of(PHONE, KEY)


class FakeRecords:
    def __init__(self, partition: str, sort: str | None = None, items=()):
        self.partition, self.sort = partition, sort
        self.rows: list[dict] = [dict(i) for i in items]

    def items(self, partition: str) -> list[dict]:
        return [dict(r) for r in self.rows if r[self.partition] == partition]

    def _same(self, a: dict, b: dict) -> bool:
        keys = [self.partition] + ([self.sort] if self.sort else [])
        return all(a[k] == b[k] for k in keys)

    def put(self, item: dict) -> None:
        self.rows = [r for r in self.rows if not self._same(r, item)] + [dict(item)]

    def get(self, item: dict) -> dict | None:
        return next((dict(r) for r in self.rows if self._same(r, item)), None)

    def replace(self, old: dict, new: dict) -> bool:
        stored = self.get(old)
        changed = {k for k in set(old) | set(new) if old.get(k, ...) != new.get(k, ...)}
        if stored is None or any(stored.get(k, ...) != old.get(k, ...) for k in changed):
            return False
        self.put({k: v for k, v in stored.items() if k in new or k not in changed} | new)
        return True

    def delete(self, item: dict) -> None:
        self.rows = [r for r in self.rows if not self._same(r, item)]


class FakeIndex:
    def __init__(self, records: FakeRecords, attribute: str):
        self.records, self.attribute = records, attribute

    def keys(self, value: str) -> list[str]:
        return sorted(r[self.records.partition] for r in self.records.rows
                      if r.get(self.attribute) == value)  # fmt: skip


class FakeObjects:
    def __init__(self, objects: dict[str, bytes]):
        self.versions = {k: [v] for k, v in objects.items()}

    def read(self, key: str) -> bytes | None:
        return self.versions[key][-1] if key in self.versions else None

    def replace(self, key: str, body: bytes) -> int:
        old = len(self.versions[key])
        self.versions[key] = [body]
        return old

    def keys(self, prefix: str) -> list[str]:
        return sorted(k for k in self.versions if k.startswith(prefix))


class FakeReceipts:
    def __init__(self):
        self.recorded: list[dict] = []

    def record(self, receipt: dict) -> None:
        self.recorded.append(receipt)


def _day() -> ErasurePorts:
    h = CITIZEN.phone_hash
    other = Citizen.of(OTHER, KEY).phone_hash
    visits = FakeRecords("visit_key", items=[
        {"visit_key": "v1", "phone": PHONE, "phone_hash": h, "citizen_name": "Sarojini Mohanty",
         "department": "health", "office_code": "H1", "sample_pk": "p", "sampled_on": "2026-11-02",
         "source_upload": "bucket/uploads/health/day.csv#e1"},
        {"visit_key": "v2", "phone": OTHER, "phone_hash": other, "department": "health",
         "office_code": "H1", "source_upload": "bucket/uploads/health/day.csv#e1"},
    ])  # fmt: skip
    links = FakeRecords("token_id", items=[{"token_id": "t1", "visit_key": "v1"}])
    cases = FakeRecords("case_id", items=[{
        "case_id": "case-v1", "visit_key": "v1", "level": 2,
        "audit": [{"note": "called +91 98765 43210, Sarojini Mohanty said road not fixed"}],
    }])  # fmt: skip
    upload = "Name,Mobile,Office\nSarojini,98765 43210,H1\nRavi,+91 91234 56789,H1\n"
    return ErasurePorts(
        hash_key=KEY,
        visits=visits,
        visits_by_phone=FakeIndex(visits, "phone_hash"),
        feedback=FakeRecords(
            "visit_key",
            items=[
                {
                    "visit_key": "v1",
                    "rating": 2,
                    "free_text": "call me on 9876543210",
                    "phone_hash": h,
                },
            ],
        ),
        dispatches=FakeRecords(
            "visit_key",
            "entry",
            items=[
                {
                    "visit_key": "v1",
                    "entry": "attempt#01",
                    "outcome": "answered",
                    "reference": "c-1",
                },
            ],
        ),
        links=links,
        links_by_visit=FakeIndex(links, "visit_key"),
        cases=cases,
        contacts=FakeRecords("phone_hash", items=[{"phone_hash": h, "last_sampled": "2026-11-02"}]),
        objects=FakeObjects(
            {
                "uploads/health/day.csv": upload.encode(),
                "samples/2026-11-02/selection.json": json.dumps(
                    {"selected": [{"visit_key": "v1", "phone_hash": h}]}
                ).encode(),
                "reports/day/2026-11-03/overdue.csv": (
                    f"case_id,citizen_phone\ncase-v1,{CITIZEN.masked}\n".encode()
                ),
            }
        ),
        receipts=FakeReceipts(),
        clock=lambda: dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC),
    )


def test_erase_removes_the_citizen_and_keeps_the_figures():
    """Given a citizen with a visit, feedback, a call, a link, a case, an upload row, a sample
    entry and an overdue report line, When erased, Then their number, name, hash and free text
    are gone from each, their rating and office stay, and the other citizen is untouched."""
    ports = _day()
    receipt = erase("098765-43210", "arn:aws:iam::1:user/grievance-officer", ports)
    visit = ports.visits.items("v1")[0]
    assert {"phone", "phone_hash", "citizen_name", "sample_pk"}.isdisjoint(visit)
    assert visit["department"] == "health" and visit["erased_at"]
    assert ports.visits.items("v2")[0]["phone"] == OTHER
    feedback = ports.feedback.items("v1")[0]
    assert feedback["rating"] == 2 and "free_text" not in feedback and "phone_hash" not in feedback
    assert "reference" not in ports.dispatches.items("v1")[0]
    assert ports.links.rows == []
    note = ports.cases.items("case-v1")[0]["audit"][0]["note"]
    assert "9876" not in note and "Sarojini" not in note and "road not fixed" in note
    assert ports.contacts.rows == [
        {"phone_hash": CITIZEN.phone_hash, "opted_out": True, "erased_at": receipt.at}
    ]
    assert ports.objects.read("uploads/health/day.csv").decode().splitlines() == [
        "Name,Mobile,Office", "Ravi,+91 91234 56789,H1",
    ]  # fmt: skip
    assert (
        CITIZEN.phone_hash not in ports.objects.read("samples/2026-11-02/selection.json").decode()
    )
    assert "210" not in ports.objects.read("reports/day/2026-11-03/overdue.csv").decode()
    assert receipt.counts | {"object_versions_deleted": 0} == {
        "visits": 1, "feedback": 1, "dispatches": 1, "links": 1, "cases": 1, "contacts": 1,
        "upload_rows": 1, "reject_rows": 0, "samples": 1, "reports": 1,
        "object_versions_deleted": 0,
    }  # fmt: skip
    assert ports.receipts.recorded == [receipt.to_dict()]
    assert PHONE not in json.dumps(receipt.to_dict()) and "9876543210" not in str(receipt)


def test_erasing_again_finds_nothing_and_records_that():
    """Given an erased citizen, When erased again, Then nothing changes, every count is 0 and
    a second receipt says nothing was found."""
    ports = _day()
    erase(PHONE, "officer", ports)
    snapshot = [list(r.rows) for r in (ports.visits, ports.feedback, ports.cases, ports.contacts)]
    again = erase(PHONE, "officer", ports)
    assert not again.found and set(again.counts.values()) == {0}
    assert [list(r.rows) for r in (ports.visits, ports.feedback, ports.cases, ports.contacts)] == (
        snapshot
    )
    assert [r["found"] for r in ports.receipts.recorded] == [True, False]


class RacingCases(FakeRecords):
    """A Cases table in which the escalation moves the case on (an audit entry, a new wait
    token) between the erasure's read and its write, ``races`` times."""

    def __init__(self, records: FakeRecords, races: int) -> None:
        super().__init__(records.partition, records.sort, records.rows)
        self.races = races

    def replace(self, old: dict, new: dict) -> bool:
        if self.races:
            self.races -= 1
            stored = self.get(old) or {}
            entry = {"what": "escalated", "note": f"round {self.races}"}
            self.put(stored | {"audit": [*stored["audit"], entry], "token": f"t{self.races}"})
        return super().replace(old, new)


def test_a_case_that_moves_on_meanwhile_keeps_its_transition_and_loses_the_citizen():
    """Given a case whose escalation writes a transition between the erasure's read and its
    write (twice), When the citizen is erased, Then the write over a changed item is refused,
    the case is read and redacted again, and it ends with both transitions and no trace of the
    citizen (before, the erasure wrote the whole item read first back, losing them)."""
    ports = _day()
    ports = dataclasses.replace(ports, cases=RacingCases(ports.cases, races=2))
    erase(PHONE, "officer", ports)
    [case] = ports.cases.items("case-v1")
    assert [e["what"] for e in case["audit"][-2:]] == ["escalated", "escalated"]
    assert case["token"] == "t0"
    assert "9876" not in json.dumps(case) and "Sarojini" not in json.dumps(case)


def test_an_item_that_never_stops_changing_fails_the_erasure_with_a_reason():
    """Given a case that changes between every read and write, When erased, Then the erasure
    stops with ErasureConflict (the command exits 3; running it again completes it)."""
    ports = _day()
    ports = dataclasses.replace(ports, cases=RacingCases(ports.cases, races=99))
    with pytest.raises(ErasureConflict, match="run the erasure again"):
        erase(PHONE, "officer", ports)


def test_a_bad_number_is_refused_with_the_reason():
    """Given a landline, When erased, Then InvalidPhone says why and nothing is touched."""
    ports = _day()
    with pytest.raises(InvalidPhone, match="landline"):
        erase("0674 2391234", "officer", ports)
    assert ports.receipts.recorded == []


@pytest.mark.parametrize(
    "written",
    ["9876543210", "+91 98765 43210", "098765-43210", "91-9876543210", "98765 43210",
     "9876543210.0", "+919876543210"],
)  # fmt: skip
def test_a_cell_is_the_citizens_in_every_written_form(written):
    """Given the ways people write a number, When a cell holds one, Then it is recognised."""
    assert CITIZEN.in_cell(written)
    assert not Citizen.of(OTHER, KEY).in_cell(written)


def test_jsonl_and_semicolon_csv_keep_every_other_row():
    """Given JSON Lines and a semicolon CSV with the citizen on one row, When rewritten, Then
    only that row goes and the rest is byte for byte the same lines."""
    jsonl = b'{"phone": "+91 98765 43210"}\n{"phone": "9123456789"}\n'
    assert without_citizen(jsonl, CITIZEN) == (b'{"phone": "9123456789"}\n', 1)
    semicolon = "Nom;Téléphone\r\nA;9123456789\r\nB;09876543210\r\n".encode("cp1252")
    body, removed = without_citizen(semicolon, CITIZEN)
    assert removed == 1 and body == "Nom;Téléphone\r\nA;9123456789\r\n".encode("cp1252")
    assert without_citizen(b"a,b\n1,9123456789\n", CITIZEN) == (None, 0)


def test_xlsx_keeps_every_sheet_and_other_row():
    """Given a workbook with the citizen's number typed as a number on one sheet, When
    rewritten, Then that row goes and both sheets keep their other rows."""
    book = Workbook()
    first = book.active
    first.title = "Khordha"
    first.append(["name", "mobile"])
    first.append(["A", 9876543210])
    first.append(["B", 9123456789])
    book.create_sheet("Puri").append(["C", "+91 91234 56789"])
    raw = io.BytesIO()
    book.save(raw)
    body, removed = without_citizen(raw.getvalue(), CITIZEN)
    assert removed == 1
    out = load_workbook(io.BytesIO(body))
    assert [list(r) for r in out["Khordha"].iter_rows(values_only=True)] == [
        ["name", "mobile"], ["B", 9123456789],
    ]  # fmt: skip
    assert [list(r) for r in out["Puri"].iter_rows(values_only=True)] == [["C", "+91 91234 56789"]]


def test_sweeping_rejects_removes_a_row_refused_in_another_file():
    """Given the citizen's row refused (bad date) in a file none of their visits came from,
    When erased without the sweep, Then that rejects file is untouched; When erased with
    ``sweep_rejects``, Then only their row is gone from it."""
    refused = "row,reason,Mobile,Date\n3,date_invalid,+91 98765 43210,31-02-2026\n4,x,9123456789,\n"
    ports = _day()
    ports.objects.versions["rejects/police/old.csv.csv"] = [refused.encode()]
    erase(PHONE, "officer", ports)
    assert ports.objects.read("rejects/police/old.csv.csv") == refused.encode()
    receipt = erase(PHONE, "officer", ports, sweep_rejects=True)
    assert ports.objects.read("rejects/police/old.csv.csv").decode().splitlines() == [
        "row,reason,Mobile,Date",
        "4,x,9123456789,",
    ]
    assert receipt.counts["reject_rows"] == 1
