"""The ``chunked`` figure of ``samvad bench intake``: one file inline, then split → chunk
intake → reduce in-process, each in a fresh interpreter (so each peak RSS is its own).

The ports are plain and in memory except the objects, which are files on disk (chunks are
tens of megabytes); the visit store keeps only each key's provenance, and counts requests the
way DynamoDB would see them (one BatchGetItem per ≤ 100 keys, one BatchWriteItem per ≤ 25
items). Reported: the counts of both runs (they must be equal, and the rejects files
identical), wall and CPU time, the splitter's peak RSS, the number of chunks and the chunk
intake's own rate — the input of the projection in docs/intake.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from samvad.intake.service import IntakePorts

BUCKET = "bench"
KEY = "uploads/health/visits.csv"
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
HASH_KEY = b"bench-key-" * 4
COUNTS = ("rows", "accepted", "rejected", "duplicates", "blank_rows")


def compare(path: Path) -> dict:
    """Both runs on ``path`` and how they compare."""
    inline = _child("inline", path)
    chunked = _child("chunked", path)
    same = all(inline[k] == chunked[k] for k in (*COUNTS, "rejected_by_reason", "warnings"))
    return {
        "rows": inline["rows"],
        "chunks": chunked["chunks"],
        "counts_equal": same,
        "rejects_identical": inline["rejects_sha256"] == chunked["rejects_sha256"],
        "inline": inline,
        "chunked": chunked,
        "wall_time_vs_inline": round(chunked["seconds"] / inline["seconds"], 2),
    }


def _child(mode: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "samvad_dev.bench.intake_chunked", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


# -- in the child ------------------------------------------------------------------------------


def measure(mode: str, path: Path) -> dict:
    from samvad.intake.chunk import ingest_chunk
    from samvad.intake.chunking import Chunking
    from samvad.intake.reduce import reduce
    from samvad.intake.service import Upload, ingest
    from samvad.intake.split import split

    with tempfile.TemporaryDirectory(prefix="samvad-bench-chunked-") as tmp:
        ports = bench_ports(Path(tmp))
        ports.objects.add(BUCKET, KEY, path)
        upload = Upload(BUCKET, KEY, etag="bench", size=path.stat().st_size)
        figures: dict = {}
        start, cpu = time.perf_counter(), time.process_time()
        if mode == "inline":
            report = ingest(upload, ports)
        else:
            chunking = Chunking(threshold_bytes=1)
            reference = split(upload, ports, chunking)
            split_seconds = time.perf_counter() - start
            figures["split"] = {
                "seconds": round(split_seconds, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),
                "rows_per_s": round(ports_rows(ports, reference) / split_seconds),
                "peak_rss_mb": _peak_rss_mb(),  # the process so far: interpreter + split
                "chunk_bytes": ports.objects.bytes_under("intake-chunks/"),
            }
            items = json.loads(ports.objects.find(BUCKET, reference["items_key"]))
            chunk_start, chunk_cpu = time.perf_counter(), time.process_time()
            requests_before = dict(ports.visits.requests)
            for item in items:
                ingest_chunk(item, ports)
            visits = sum(item["rows"] for item in items)
            chunk_cpu = time.process_time() - chunk_cpu
            figures["chunk_intake"] = {
                "visits": visits,
                "seconds": round(time.perf_counter() - chunk_start, 2),
                "cpu_us_per_visit": round(chunk_cpu / visits * 1e6, 1),
                "requests_per_visit": {
                    name: round((count - requests_before.get(name, 0)) / visits, 4)
                    for name, count in ports.visits.requests.items()
                },
                "rows_per_chunk": [item["rows"] for item in items],
            }
            report = reduce(upload, ports)
            figures["chunks"] = len(items)
        seconds = time.perf_counter() - start
        rejects = (
            ports.objects.find(BUCKET, report["rejects_key"]) if report["rejects_key"] else b""
        )
    return {
        **{k: report[k] for k in COUNTS},
        "rejected_by_reason": report["rejected_by_reason"],
        "warnings": report["warnings"],
        "rejects_sha256": hashlib.sha256(rejects).hexdigest(),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "rows_per_s": round(report["rows"] / seconds),
        "peak_rss_mb": _peak_rss_mb(),
        **figures,
    }


def ports_rows(ports: IntakePorts, reference: dict) -> int:
    manifest = json.loads(ports.objects.find(BUCKET, reference["manifest_key"]))
    return manifest["report"]["rows"] + manifest["report"]["blank_rows"]


def _peak_rss_mb() -> float:
    """This process's peak RSS. Linux's ``VmHWM`` is reset by exec; ``ru_maxrss`` is not (a
    child would report its parent's peak at fork time when that was higher)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_ports(root: Path) -> IntakePorts:
    return IntakePorts(
        objects=DiskObjects(root),
        visits=ProvenanceVisits(),
        ledger=_Ledger(),
        directory=_Directory(),
        events=_Events(),
        config=_Config(),
        strata=_Strata(),
        hash_key=HASH_KEY,
        sampling_key=HASH_KEY,
        clock=lambda: NOW,
    )


class DiskObjects:
    """An object store on a local directory: streamed in and out, like S3."""

    def __init__(self, root: Path):
        self._root = root

    def _path(self, bucket: str, key: str) -> Path:
        return self._root / bucket / key

    def add(self, bucket: str, key: str, source: Path) -> None:
        target = self._path(bucket, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(source, target)

    def open(self, bucket: str, key: str, version_id: str | None) -> BinaryIO:
        return open(self._path(bucket, key), "rb")

    def put(self, bucket: str, key: str, body: BinaryIO | bytes, content_type: str) -> None:
        target = self._path(bucket, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            if isinstance(body, bytes):
                out.write(body)
            else:
                shutil.copyfileobj(body, out, 1024 * 1024)

    def move(self, bucket: str, key: str, version_id: str | None, new_key: str) -> None:
        self._path(bucket, new_key).parent.mkdir(parents=True, exist_ok=True)
        self._path(bucket, key).rename(self._path(bucket, new_key))

    def find(self, bucket: str, key: str) -> bytes | None:
        path = self._path(bucket, key)
        return path.read_bytes() if path.exists() else None

    def metadata(self, bucket: str, key: str, version_id: str | None) -> dict[str, str]:
        return {}

    def bytes_under(self, prefix: str) -> int:
        return sum(p.stat().st_size for p in (self._root / BUCKET / prefix).rglob("*"))


class ProvenanceVisits:
    """Each key's ``(upload, row)`` only; requests counted as DynamoDB would bill them."""

    def __init__(self) -> None:
        self.sources: dict[str, tuple[str, int]] = {}
        self.requests = {"BatchGetItem": 0, "BatchWriteItem": 0}

    def sources_of(self, keys: list[str]) -> dict[str, tuple[str, int]]:
        self.requests["BatchGetItem"] += math.ceil(len(keys) / 100)
        return {k: self.sources[k] for k in keys if k in self.sources}

    def put_all(self, items: list[dict]) -> None:
        self.requests["BatchWriteItem"] += math.ceil(len(items) / 25)
        for item in items:
            self.sources[item["visit_key"]["S"]] = (
                item["source_upload"]["S"],
                int(item["source_row"]["N"]),
            )


class _Ledger:
    def __init__(self) -> None:
        self.reports: dict[str, dict] = {}

    def finished_report(self, upload_id: str) -> dict | None:
        return self.reports.get(upload_id)

    def started(self, upload_id: str, meta: dict) -> None:
        pass

    def finished(self, upload_id: str, report: dict) -> None:
        self.reports[upload_id] = report

    def chunk_done(self, upload_id: str, chunk: int, chunks: int) -> None:
        pass

    def failed(self, upload_id: str, reason: str) -> None:
        pass


class _Directory:
    def record_new(self, department: str, entries: dict[str, dict], upload_id: str) -> list[str]:
        return sorted(entries)


class _Events:
    def publish(self, detail_type: str, detail: dict) -> None:
        pass


class _Config:
    def latest(self, name: str) -> dict | None:
        return None


class _Strata:
    def record_uploaded(self, upload_id: str, counts: dict[tuple[str, str], int]) -> None:
        pass


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], Path(sys.argv[2]))))
