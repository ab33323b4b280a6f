"""In-memory fakes of the intake ports, for domain tests without AWS."""

from __future__ import annotations

import datetime as dt
import io

from samvad.intake.service import IntakePorts

FIXED_NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 11:30 in Asia/Kolkata
HASH_KEY = b"k" * 32
SAMPLING_KEY = b"s" * 32


class MemoryObjects:
    def __init__(self):
        self.objects: dict[tuple[str, str], bytes] = {}
        self.content_types: dict[tuple[str, str], str] = {}

    def add(self, bucket: str, key: str, data: bytes) -> None:
        self.objects[(bucket, key)] = data

    def open(self, bucket, key, version_id):
        return io.BytesIO(self.objects[(bucket, key)])

    def put(self, bucket, key, body, content_type):
        self.objects[(bucket, key)] = body if isinstance(body, bytes) else body.read()
        self.content_types[(bucket, key)] = content_type

    def move(self, bucket, key, version_id, new_key):
        self.objects[(bucket, new_key)] = self.objects.pop((bucket, key))

    def text(self, bucket: str, key: str, encoding: str = "utf-8-sig") -> str:
        return self.objects[(bucket, key)].decode(encoding)


class MemoryVisits:
    def __init__(self):
        self.items: dict[str, dict] = {}
        self.put_calls = 0

    def sources_of(self, keys):
        return {
            k: (self.items[k]["source_upload"]["S"], int(self.items[k]["source_row"]["N"]))
            for k in keys
            if k in self.items
        }

    def put_all(self, items):
        self.put_calls += 1
        for item in items:
            self.items[item["visit_key"]["S"]] = item


class MemoryLedger:
    def __init__(self):
        self.reports: dict[str, dict] = {}
        self.attempts: dict[str, int] = {}

    def finished_report(self, upload_id):
        return self.reports.get(upload_id)

    def started(self, upload_id, meta):
        self.attempts[upload_id] = self.attempts.get(upload_id, 0) + 1

    def finished(self, upload_id, report):
        self.reports[upload_id] = report


class MemoryDirectory:
    def __init__(self):
        self.entries: dict[tuple[str, str], str] = {}

    def record_new(self, department, entries, upload_id):
        new = []
        for entry in entries:
            first = self.entries.setdefault((department, entry), upload_id)
            if first == upload_id:
                new.append(entry)
        return sorted(new)


class MemoryEvents:
    def __init__(self):
        self.published: list[tuple[str, dict]] = []

    def publish(self, detail_type, detail):
        self.published.append((detail_type, detail))


class MemoryStrata:
    def __init__(self):
        self.contributions: dict[tuple[str, str, str], int] = {}

    def record_uploaded(self, upload_id, counts):
        for (day, stratum), n in counts.items():
            self.contributions[day, stratum, upload_id] = n

    def totals(self) -> dict[tuple[str, str], int]:
        result: dict[tuple[str, str], int] = {}
        for (day, stratum, _), n in self.contributions.items():
            result[day, stratum] = result.get((day, stratum), 0) + n
        return result


class MemoryConfig:
    def __init__(self, documents: dict[str, dict] | None = None):
        self.documents = documents or {}

    def latest(self, name):
        return self.documents.get(name)


def memory_ports(config: dict[str, dict] | None = None, now=FIXED_NOW) -> IntakePorts:
    """Intake ports backed by memory; reach the fakes through the returned object's fields."""
    return IntakePorts(
        objects=MemoryObjects(),
        visits=MemoryVisits(),
        ledger=MemoryLedger(),
        directory=MemoryDirectory(),
        events=MemoryEvents(),
        config=MemoryConfig(config),
        strata=MemoryStrata(),
        hash_key=HASH_KEY,
        sampling_key=SAMPLING_KEY,
        retention_days=400,
        clock=lambda: now,
    )
