"""``samvad intake``: files through the local stack; their reports and rejects kept on disk.

The local stack (and its S3) is gone when the command ends, so each file's intake report
(``<file>.intake.json``, with the quarantine reason if the file was refused) and its rejects
(``<file>.rejects.csv``) are written next to the file, or under ``--out DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samvad.cli_input import EXIT_FINDINGS, EXIT_OK, UsageError

SHOWN = (
    "key", "rows", "accepted", "rejected", "duplicates", "blank_rows", "quarantined",
    "quarantine_code", "quarantine_reason", "rejected_by_reason", "offices_checked",
)  # fmt: skip
"""The fields of a report printed without ``--full``; the local paths follow them."""

if TYPE_CHECKING:
    from samvad_dev.local.cloud import LocalCloud

REPORT_SUFFIX = ".intake.json"
REJECTS_SUFFIX = ".rejects.csv"


def outputs_of(path: Path, out: Path | None) -> tuple[Path, Path]:
    """Where the report and the rejects of the input ``path`` are written."""
    folder = out if out is not None else path.parent
    return folder / f"{path.name}{REPORT_SUFFIX}", folder / f"{path.name}{REJECTS_SUFFIX}"


def run(args: argparse.Namespace) -> int:
    """Ingest ``args.files`` in order; print one JSON line per file; 0 only if all was clean."""
    from samvad import resources
    from samvad.adapters.config import DynamoConfig
    from samvad_dev.local.cloud import LocalCloud
    from samvad_dev.local.flows import ingest_files

    files: list[Path] = args.files
    _check_writable(files, args.out)
    clean = True
    with LocalCloud() as cloud:
        if args.chunk_rows:
            cloud.env[resources.INTAKE_CHUNK_ROWS_ENV] = str(args.chunk_rows)
        if args.directory:
            DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb")).publish(
                resources.ESCALATION_DIRECTORY_CONFIG, args.directory
            )
        reports = ingest_files(cloud, files, args.department, args.aliases)
        for path, report in zip(files, reports, strict=True):
            written = _keep(cloud, report, *outputs_of(path, args.out))
            clean = clean and not report["quarantined"] and not report["rejected"]
            shown = report if args.full else {k: report.get(k) for k in SHOWN}
            print(json.dumps({**shown, **written}, ensure_ascii=False), flush=True)
    return EXIT_OK if clean else EXIT_FINDINGS


def _check_writable(files: list[Path], out: Path | None) -> None:
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UsageError(
                f"samvad intake: cannot create --out {out}: {error.strerror}"
            ) from None
    for folder in {out} if out is not None else {f.parent for f in files}:
        if not os.access(folder, os.W_OK):
            flag = "--out" if out is not None else "the input's folder"
            raise UsageError(
                f"samvad intake: cannot write to {flag} {folder}; give --out DIR to write "
                "the reports elsewhere"
            )


def _keep(
    cloud: LocalCloud, report: dict[str, Any], report_path: Path, rejects_path: Path
) -> dict[str, str | None]:
    """Write the report and the rejects out of the emulator; remove a stale rejects file."""
    report_path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
    rejects: str | None = None
    if report.get("rejects_key"):
        cloud.client("s3").download_file(
            cloud.names.bucket, report["rejects_key"], str(rejects_path)
        )
        rejects = str(rejects_path)
    else:
        rejects_path.unlink(missing_ok=True)  # from an earlier run of the same file
    return {"report_file": str(report_path), "rejects_file": rejects}
