"""End to end through the local runtime: moto's server on loopback, S3 → SQS → handler."""

import csv
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
DIRECTORY = {
    "officials": {"cmo": {"name": "CM's grievance cell", "email": "cmo@example.org"}},
    "cm_office": "cmo",
    "offices": {"health": ["HLT-CTC-004"]},
}
RESENT = HEALTH + "Subhashree Nayak,70080 11122,21/11/2026,HLT-CTC-004,IPD\n"


def test_samvad_intake_prints_one_report_per_file_in_order(tmp_path, capsys):
    """Given three files (one re-sending yesterday's rows, one a PDF), When `samvad intake`
    uploads them through the local stack, Then it prints one JSON report per file in order,
    duplicates across files are counted, the PDF is quarantined with a reason, each file's
    report and rejects are kept next to it, and the exit code (1) says not all was clean."""
    first, resent, pdf = tmp_path / "mon.csv", tmp_path / "mon-again.csv", tmp_path / "tue.csv"
    first.write_text(HEALTH)
    resent.write_text(RESENT)
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")

    assert main(["intake", str(first), str(resent), str(pdf), "--department", "Health"]) == 1

    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["key"] for r in reports] == [
        "uploads/health/mon.csv",
        "uploads/health/mon-again.csv",
        "uploads/health/tue.csv",
    ]
    counts = [(r["rows"], r["accepted"], r["rejected"], r["duplicates"]) for r in reports]
    assert counts == [(3, 2, 1, 0), (4, 1, 1, 2), (0, 0, 0, 0)]
    assert reports[2]["quarantined"] is True and "PDF" in reports[2]["quarantine_reason"]
    assert [r["report_file"] for r in reports] == [
        str(tmp_path / f"{name}.intake.json") for name in ("mon.csv", "mon-again.csv", "tue.csv")
    ]
    assert [r["rejects_file"] for r in reports] == [
        str(tmp_path / "mon.csv.rejects.csv"),
        str(tmp_path / "mon-again.csv.rejects.csv"),
        None,
    ]
    with open(reports[0]["rejects_file"], encoding="utf-8-sig", newline="") as rejects:
        [rejected] = csv.DictReader(rejects)
    assert (rejected["row"], rejected["reason_code"], rejected["Patient Name"]) == (
        "4",
        "phone_wrong_length",
        "Bad Number",
    )
    refused = json.loads((tmp_path / "tue.csv.intake.json").read_text())
    assert refused["quarantine_code"] == "binary" and refused["key"] == "uploads/health/tue.csv"


def test_clean_files_exit_0_and_the_directory_checks_offices(tmp_path, capsys):
    """Given a file whose rows are all good, When ingested without a directory, Then exit 0;
    When ingested on a fresh stack with a directory that lists other offices for
    health, Then its rows are rejected as office_unknown, exit 1, written under --out."""
    clean = tmp_path / "clean.csv"
    clean.write_text(HEALTH.rsplit("Bad Number", 1)[0])
    assert main(["intake", str(clean), "--department", "health"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["accepted"], first["offices_checked"], first["rejects_file"]) == (2, False, None)

    directory = tmp_path / "directory.json"
    directory.write_text(json.dumps(DIRECTORY))
    out = tmp_path / "out"
    argv = ["intake", str(clean), "--department", "health", "--directory", str(directory)]
    assert main([*argv, "--out", str(out)]) == 1
    second = json.loads(capsys.readouterr().out)
    assert (second["accepted"], second["rejected"], second["offices_checked"]) == (0, 2, True)
    assert second["rejected_by_reason"] == {"office_unknown": 2}
    assert second["rejects_file"] == str(out / "clean.csv.rejects.csv")
    assert (out / "clean.csv.intake.json").is_file()


def test_a_missing_file_is_a_clear_error(tmp_path, capsys):
    """Given a path that does not exist, When `samvad intake` runs, Then it exits 2 and
    says which file, before starting anything."""
    assert main(["intake", str(tmp_path / "nope.csv"), "--department", "health"]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_samvad_intake_chunk_rows_gives_the_inline_result(tmp_path, capsys, monkeypatch):
    """Given a file with a bad row, When `samvad intake --chunk-rows 1` ingests it, Then it goes
    the chunked way (split, chunks, reduce, in-process) and prints the same counts, and keeps
    the same rejects file, as the inline run of the same file."""
    from samvad.intake import driver

    started = []
    real_start = driver.InProcessChunks.start
    monkeypatch.setattr(
        driver.InProcessChunks,
        "start",
        lambda self, upload, chunking: (
            started.append(upload.key) or real_start(self, upload, chunking)
        ),
    )
    (tmp_path / "visits.csv").write_text(HEALTH)
    inline, chunked = tmp_path / "inline", tmp_path / "chunked"
    counts = ("rows", "accepted", "rejected", "duplicates", "rejected_by_reason")

    assert (
        main(
            ["intake", str(tmp_path / "visits.csv"), "--department", "health", "--out", str(inline)]
        )
        == 1
    )
    assert started == []
    assert (
        main(
            [
                "intake",
                str(tmp_path / "visits.csv"),
                "--department",
                "health",
                "--out",
                str(chunked),
                "--chunk-rows",
                "1",
            ]
        )
        == 1
    )
    assert started == ["uploads/health/visits.csv"]

    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert {k: first[k] for k in counts} == {k: second[k] for k in counts}
    assert (inline / "visits.csv.rejects.csv").read_bytes() == (
        chunked / "visits.csv.rejects.csv"
    ).read_bytes()
