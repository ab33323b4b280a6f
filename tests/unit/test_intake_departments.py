"""Uploads that cannot lie about their department: the configured departments and the
directory's offices, checked by the intake use case on in-memory ports."""

import csv
import io

import pytest

from samvad import resources
from samvad.escalation.directory import validate as validate_directory
from samvad.intake.departments import (
    configured_departments,
    default_departments,
    offices_of,
    validate_departments,
    validate_offices,
)
from samvad.intake.service import Upload, ingest
from tests.fakes import memory_ports

BUCKET = "data"
ROWS = (
    "Mobile No,Date of Visit,Office Code,Service\n"
    "9876543210,22/11/2026,HLT-KHU-001,OPD\n"
    "9937012345,22/11/2026,hlt-ctc-002,OPD\n"
    "7008011122,22/11/2026,HLT-FAKE-999,OPD\n"
)
DIRECTORY = {
    "officials": {"cmo": {"name": "CM's grievance cell", "email": "cmo@example.org"}},
    "cm_office": "cmo",
    "offices": {"health": ["HLT-KHU-001", "HLT-CTC-002"], "revenue": ["REV-KHU-001"]},
}


def ingest_text(ports, key: str, text: str = ROWS) -> dict:
    ports.objects.add(BUCKET, key, text.encode())
    return ingest(Upload(bucket=BUCKET, key=key, etag="e-" + key), ports)


def rejects_of(ports, report) -> list[dict]:
    return list(csv.DictReader(io.StringIO(ports.objects.text(BUCKET, report["rejects_key"]))))


def test_an_upload_for_an_unknown_department_is_quarantined_naming_the_known_ones():
    """Given the shipped departments, When a file arrives under uploads/helth/, Then it is
    quarantined as unknown_department, the reason lists the known departments, and no visit
    is stored."""
    ports = memory_ports()

    report = ingest_text(ports, "uploads/helth/day.csv")

    assert report["quarantined"] and report["quarantine_code"] == "unknown_department"
    assert "'helth'" in report["quarantine_reason"]
    assert "health, " in report["quarantine_reason"] and "revenue" in report["quarantine_reason"]
    assert report["quarantine_key"] == "quarantine/helth/day.csv"
    assert (BUCKET, "uploads/helth/day.csv") not in ports.objects.objects
    assert ports.visits.items == {}


def test_a_published_departments_document_replaces_the_shipped_list():
    """Given a published departments document naming only tourism, When files arrive for
    tourism and for health, Then tourism's rows are accepted and health's file is refused."""
    ports = memory_ports(
        config={resources.DEPARTMENTS_CONFIG: {"departments": {"tourism": {"name": "Tourism"}}}}
    )

    tourism = ingest_text(ports, "uploads/tourism/day.csv")
    health = ingest_text(ports, "uploads/health/day.csv")

    assert (tourism["quarantined"], tourism["accepted"]) == (False, 3)
    assert health["quarantine_code"] == "unknown_department"
    assert "known departments: tourism" in health["quarantine_reason"]


def test_rows_for_an_office_the_directory_does_not_list_are_rejected():
    """Given a directory listing health's offices, When a health file names one office not in
    it, Then that row is rejected as office_unknown (counted, in the rejects file, naming
    the office), the others are accepted whatever their case, and the report says offices
    were checked."""
    ports = memory_ports(config={resources.ESCALATION_DIRECTORY_CONFIG: DIRECTORY})

    report = ingest_text(ports, "uploads/health/day.csv")

    assert (report["rows"], report["accepted"], report["rejected"]) == (3, 2, 1)
    assert report["rejected_by_reason"] == {"office_unknown": 1}
    assert report["offices_checked"] is True
    [reject] = rejects_of(ports, report)
    assert (reject["row"], reject["reason_code"], reject["Office Code"]) == (
        "4",
        "office_unknown",
        "HLT-FAKE-999",
    )
    assert reject["reason"].endswith(": HLT-FAKE-999")
    assert report["new_offices"] == ["HLT-CTC-002", "HLT-KHU-001"]


@pytest.mark.parametrize(
    "directory",
    [
        None,
        {**DIRECTORY, "offices": {"revenue": ["REV-KHU-001"]}},
        {key: value for key, value in DIRECTORY.items() if key != "offices"},
    ],
    ids=["no directory", "lists other departments only", "lists no offices"],
)
def test_without_the_departments_offices_in_the_directory_no_office_is_checked(directory):
    """Given no directory, or one that does not list health's offices, When a health file
    arrives, Then every office code is accepted and the report says offices were not
    checked."""
    config = {resources.ESCALATION_DIRECTORY_CONFIG: directory} if directory else {}
    ports = memory_ports(config=config)

    report = ingest_text(ports, "uploads/health/day.csv")

    assert (report["accepted"], report["rejected"], report["offices_checked"]) == (3, 0, False)


def test_the_shipped_departments_include_every_department_of_the_demo():
    """Given the demo's synthetic departments, Then each one may upload by default."""
    from samvad_dev.demo.catalog import DEPARTMENTS

    assert {d.code for d in DEPARTMENTS} <= set(default_departments().codes())


def test_no_published_document_means_the_shipped_departments():
    assert configured_departments(None) == default_departments()


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "must be an object with 'departments'"),
        ({"departments": {}}, "lists no department"),
        ({"departments": {"Health Dept": {"name": "x"}}}, "'Health Dept' must be 1-32"),
        ({"departments": {"health": "Health"}}, "'health' must be an object with a 'name'"),
        ({"departments": {"health": {"name": " "}}}, "'health' must be an object with a 'name'"),
    ],
)
def test_a_bad_departments_document_is_explained(document, problem):
    """Given a malformed departments document, Then validation names what is wrong."""
    assert any(problem in p for p in validate_departments(document))


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        (["HLT-KHU-001"], "'offices' must map each department"),
        ({"health": "HLT-KHU-001"}, "offices['health'] must be a list"),
        ({"health": ["HLT-KHU-001", 7]}, "offices['health'] must be a list"),
    ],
)
def test_a_bad_offices_section_makes_the_directory_invalid(section, problem):
    """Given a directory whose offices section is malformed, Then the directory (as `samvad
    directory load` checks it) is refused with the reason."""
    assert any(problem in p for p in validate_offices(section))
    assert any(problem in p for p in validate_directory({**DIRECTORY, "offices": section}))


def test_offices_are_compared_as_intake_stores_them():
    assert offices_of(DIRECTORY, "health") == frozenset({"HLT-KHU-001", "HLT-CTC-002"})
    assert offices_of({"offices": {"health": [" hlt-khu-001 "]}}, "health") == {"HLT-KHU-001"}
    assert offices_of(DIRECTORY, "police") is None


def test_the_stacks_upload_access_points_cover_the_shipped_departments():
    """Given cdk.json's ``departments`` (one S3 access point each) and the departments intake
    ships as its default list, Then they are the same codes: a department intake accepts can
    upload, and no access point exists for a department intake would quarantine."""
    import json
    from pathlib import Path

    cdk = json.loads((Path(__file__).resolve().parents[2] / "cdk.json").read_text())
    assert sorted(cdk["context"]["departments"]) == sorted(default_departments().codes())
