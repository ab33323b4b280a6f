"""``end_to_end`` of ``samvad bench intake``: the whole ingest use case, one writer vs a pool.

The real ``ingest`` (read, validate, look up, write, rejects, strata, directory, report) runs
on a file from local disk. The Visits table is the real ``DynamoVisits`` adapter with its
``Batches`` retries over a DynamoDB stand-in that keeps items in memory and takes ``latency``
(10 ms: DynamoDB's own 5–20 ms inside a region) for every request, so the figures show what
concurrency does to the wall time of an invocation, not moto's or a network's speed. The other
ports are in memory; each of their calls takes the same latency.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

from samvad import resources

LATENCY = 0.010


class StandInDynamo:
    """BatchGetItem and BatchWriteItem of the Visits table, ``latency`` per request.

    It keeps of each item only what intake reads back (the projection ``visit_key,
    source_upload, source_row``), as plain strings: a real table holds the items elsewhere,
    and keeping 10⁵ item dicts here would bill the garbage collector to the intake."""

    def __init__(self, latency: float = LATENCY) -> None:
        self.latency = latency
        self.items: dict[str, tuple[str, str]] = {}
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        time.sleep(self.latency)
        ((table, request),) = RequestItems.items()
        with self._lock:
            self.requests["BatchGetItem"] += 1
            keys = [k["visit_key"]["S"] for k in request["Keys"]]
            found = [(key, self.items[key]) for key in keys if key in self.items]
        return {
            "Responses": {
                table: [
                    {
                        "visit_key": {"S": key},
                        "source_upload": {"S": upload},
                        "source_row": {"N": row},
                    }
                    for key, (upload, row) in found
                ]
            },
            "UnprocessedKeys": {},
        }

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        time.sleep(self.latency)
        ((_, requests),) = RequestItems.items()
        with self._lock:
            self.requests["BatchWriteItem"] += 1
            for request in requests:
                item = request["PutRequest"]["Item"]
                self.items[item["visit_key"]["S"]] = (
                    item["source_upload"]["S"],
                    item["source_row"]["N"],
                )
        return {"UnprocessedItems": {}}


class _Slow:
    """The other ports: whatever is asked is done in memory after ``latency``."""

    def __init__(self, folder: Path, latency: float) -> None:
        self._folder = folder
        self._latency = latency
        self.calls = 0
        self.documents: dict[str, bytes] = {}

    def _wait(self) -> None:
        self.calls += 1
        time.sleep(self._latency)

    # ObjectStore
    @contextlib.contextmanager
    def open(self, bucket: str, key: str, version_id: str | None) -> Iterator[BinaryIO]:
        self._wait()
        with open(self._folder / Path(key).name, "rb") as stream:
            yield stream

    def put(self, bucket: str, key: str, body: IO[bytes] | bytes, content_type: str) -> None:
        self._wait()
        self.documents[key] = body if isinstance(body, bytes) else body.read()

    def move(self, bucket: str, key: str, version_id: str | None, new_key: str) -> None:
        self._wait()

    def find(self, bucket: str, key: str) -> bytes | None:
        self._wait()
        return self.documents.get(key)

    def metadata(self, bucket: str, key: str, version_id: str | None) -> dict[str, str]:
        self._wait()
        return {}

    # UploadLedger, Directory, EventPublisher, ConfigReader, StrataRecorder
    def finished_report(self, upload_id: str) -> None:
        self._wait()

    def started(self, upload_id: str, meta: dict[str, Any]) -> None:
        self._wait()

    def finished(self, upload_id: str, report: dict[str, Any]) -> None:
        self._wait()

    def chunk_done(self, upload_id: str, chunk: int, chunks: int) -> None:
        self._wait()

    def failed(self, upload_id: str, reason: str) -> None:
        self._wait()

    def record_new(self, department: str, entries: dict, upload_id: str) -> list[str]:
        self._wait()
        return sorted(entries)

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        self._wait()

    def latest(self, name: str) -> None:
        self._wait()

    def record_uploaded(self, upload_id: str, counts: dict[tuple[str, str], int]) -> None:
        self._wait()


def measure(path: Path, workers: int, hash_key: bytes, now: dt.datetime) -> dict:
    """Ingest ``path`` once with ``workers`` writers (1: sequential) on fresh stand-ins."""
    from samvad.adapters.items import Batches
    from samvad.adapters.visits import DynamoVisits
    from samvad.intake.service import IntakePorts, Upload, ingest

    dynamo = StandInDynamo()
    others = _Slow(path.parent, LATENCY)
    ports = IntakePorts(
        objects=others,
        visits=DynamoVisits("Visits", dynamo, Batches(dynamo)),
        ledger=others,
        directory=others,
        events=others,
        config=others,
        strata=others,
        hash_key=hash_key,
        sampling_key=hash_key,
        clock=lambda: now,
        write_workers=workers,
    )
    upload = Upload("bench", f"{resources.UPLOADS_PREFIX}health/{path.name}", etag="bench")
    start = time.perf_counter()
    report = ingest(upload, ports)
    seconds = time.perf_counter() - start
    writes = dynamo.requests["BatchWriteItem"]
    return {
        "workers": workers,
        "rows": report["rows"],
        "accepted": report["accepted"],
        "stored": len(dynamo.items),
        "seconds": round(seconds, 2),
        "rows_per_s": round(report["rows"] / seconds),
        "requests": dict(dynamo.requests) | {"other_ports": others.calls},
        "write_requests_per_row": round(writes / report["rows"], 4),
    }


def compare(path: Path, workers: int, hash_key: bytes, now: dt.datetime) -> dict:
    sequential = measure(path, 1, hash_key, now)
    concurrent = measure(path, workers, hash_key, now)
    return {
        "stand_in_latency_ms": LATENCY * 1000,
        "sequential": sequential,
        "concurrent": concurrent,
        "speedup": round(concurrent["rows_per_s"] / sequential["rows_per_s"], 1),
        "same_counts": _counts(sequential) == _counts(concurrent),
    }


def _counts(figures: dict) -> tuple[int, int, int]:
    return figures["rows"], figures["accepted"], figures["stored"]
