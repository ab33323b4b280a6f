"""End to end through the local runtime: moto's server on loopback, S3 → SQS → handler."""

import json

import pytest

from samvad.cli import main

pytestmark = pytest.mark.e2e

HEALTH = (
    "Patient Name,Mobile No,Date of Visit,Hospital Code,Service\n"
    "Sasmita Das,9876543210,22/11/2026,HLT-KHU-001,OPD\n"
    "Prakash Behera,+91 99370 12345,22/11/2026,HLT-KHU-001,OPD\n"
    "Bad Number,12345,22/11/2026,HLT-KHU-001,OPD\n"
)
RESENT = HEALTH + "Subhashree Nayak,70080 11122,21/11/2026,HLT-CTC-004,IPD\n"


def test_samvad_intake_prints_one_report_per_file_in_order(tmp_path, capsys):
    """Given three files (one re-sending yesterday's rows, one a PDF), When `samvad intake`
    uploads them through the local stack, Then it prints one JSON report per file in order,
    duplicates across files are counted, and the PDF is quarantined with a reason."""
    first, resent, pdf = tmp_path / "mon.csv", tmp_path / "mon-again.csv", tmp_path / "tue.csv"
    first.write_text(HEALTH)
    resent.write_text(RESENT)
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")

    assert main(["intake", str(first), str(resent), str(pdf), "--department", "Health"]) == 0

    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["key"] for r in reports] == [
        "uploads/health/mon.csv",
        "uploads/health/mon-again.csv",
        "uploads/health/tue.csv",
    ]
    counts = [(r["rows"], r["accepted"], r["rejected"], r["duplicates"]) for r in reports]
    assert counts == [(3, 2, 1, 0), (4, 1, 1, 2), (0, 0, 0, 0)]
    assert reports[0]["rejects_key"] == "rejects/health/mon.csv.csv"
    assert reports[2]["quarantined"] is True and "PDF" in reports[2]["quarantine_reason"]
    assert all(r["report_key"].startswith("reports/intake/health/") for r in reports)


def test_a_missing_file_is_a_clear_error(tmp_path, capsys):
    """Given a path that does not exist, When `samvad intake` runs, Then it exits 2 and
    says which file, before starting anything."""
    assert main(["intake", str(tmp_path / "nope.csv"), "--department", "health"]) == 2
    assert "nope.csv" in capsys.readouterr().err
