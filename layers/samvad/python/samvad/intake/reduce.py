"""The reducer of the chunked intake: one intake report and one rejects file, as inline.

It adds the chunks' results to the manifest's counts, copies the rejects part (already in file
order, with the file's own row numbers) to ``rejects/<department>/<file>.csv``, records the
upload's strata once and its new directory entries, then stores the report, publishes
IntakeCompleted and marks the upload finished (``service.complete``) — in that order, so a
reducer lost after publishing and run again publishes at most one more event, exactly like an
inline intake that crashed at the same point. A finished upload returns its report.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter

from samvad.intake.chunking import ChunkLayout
from samvad.intake.service import (
    IntakePorts,
    IntakeReport,
    Upload,
    complete,
    quarantine,
    record_outcome,
)
from samvad.intake.sources import UnreadableFile

log = logging.getLogger(__name__)
FAILURE_REASON_CHARS = 500


class ChunkMissing(RuntimeError):
    """A chunk has no result: the map did not finish it (retried by the state machine)."""


def reduce(upload: Upload, ports: IntakePorts) -> dict:
    done = ports.ledger.finished_report(upload.upload_id)
    if done is not None:
        return done
    layout = ChunkLayout(upload.upload_id)
    manifest = _json(ports, upload.bucket, layout.manifest)
    if manifest is None:
        raise ChunkMissing(f"no manifest at {layout.manifest}: the upload was not split")
    report = IntakeReport(**manifest["report"])
    if manifest["quarantine"] is not None:
        problem = manifest["quarantine"]
        quarantine(upload, ports, report, UnreadableFile(problem["code"], problem["message"]))
    else:
        strata = _add_results(ports, upload.bucket, layout, manifest["chunks"], report)
        part = manifest["rejects_part"]
        rejects = ports.objects.open(upload.bucket, part, None) if part else None
        try:
            record_outcome(upload, ports, report, rejects, strata, manifest["directory"])
        finally:
            if rejects is not None:
                rejects.close()
    finished = ports.clock()
    report.finished_at = finished.isoformat()
    started = dt.datetime.fromisoformat(report.started_at)
    report.seconds = round((finished - started).total_seconds(), 3)
    return complete(upload, ports, report)


def _add_results(
    ports: IntakePorts, bucket: str, layout: ChunkLayout, chunks: int, report: IntakeReport
) -> dict[tuple[str, str], int]:
    strata: Counter[tuple[str, str]] = Counter()
    for n in range(chunks):
        result = _json(ports, bucket, layout.result(n))
        if result is None:
            raise ChunkMissing(f"chunk {n} of {chunks} has no result")
        report.accepted += result["accepted"]
        report.duplicates += result["duplicates"]
        for day, stratum, count in result["strata"]:
            strata[day, stratum] += count
    return strata


def fail(upload: Upload, ports: IntakePorts, error: str, cause: str = "") -> dict:
    """The state machine's failure path: the upload is marked failed with the reason; its
    chunks stay, so a redriven execution finishes it without writing anything twice."""
    reason = f"{error}: {cause}"[:FAILURE_REASON_CHARS] if cause else error
    ports.ledger.failed(upload.upload_id, reason)
    log.error("chunked intake failed", extra={"upload_id": upload.upload_id, "error": error})
    return {"upload_id": upload.upload_id, "failed": True, "reason": reason}


def _json(ports: IntakePorts, bucket: str, key: str) -> dict | None:
    found = ports.objects.find(bucket, key)
    return None if found is None else json.loads(found)
