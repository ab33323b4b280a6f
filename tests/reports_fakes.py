"""In-memory fakes of the reports' ports, for domain tests without AWS."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from samvad.reports.rollups import REVISION, targets
from samvad.reports.service import ReportPorts
from samvad.reports.tally import TallyUpdate

FIXED_NOW = dt.datetime(2026, 11, 24, 0, 30, tzinfo=dt.UTC)  # 06:00 on the 24th in India


class MemoryTallies:
    def __init__(self):
        self.markers: set[str] = set()
        self.items: dict[tuple[str, str], dict] = {}
        self.overdue: dict[str, dict] = {}
        self.queries: Counter[str] = Counter()

    def apply(self, update: TallyUpdate) -> bool:
        if update.identity in self.markers:
            return False
        self.markers.add(update.identity)
        for target in targets(update):
            item = self.items.setdefault((target.partition, target.key), {})
            item.update(target.attributes)
            for name, amount in update.add.items():
                item[name] = item.get(name, 0) + amount
            if target.rollup:
                item[REVISION] = item.get(REVISION, 0) + 1
        if update.overdue:
            self.overdue.setdefault(update.case_id, {}).update(update.overdue)
        return True

    def apply_all(self, updates) -> list[bool]:
        return [self.apply(update) for update in updates]

    def rows(self, partition: str, prefix: str = "") -> list[dict]:
        self.queries[partition + (f" {prefix}" if prefix else "")] += 1
        return [
            dict(v)
            for (p, key), v in sorted(self.items.items())
            if p == partition and key.startswith(prefix)
        ]

    def replace_rollup(self, partition, key, fields, revision, existed) -> bool:
        now = self.items.get((partition, key))
        if (now is not None) != existed or (now is not None and now.get(REVISION) != revision):
            return False
        self.items[(partition, key)] = dict(fields) | {REVISION: (revision or 0) + 1}
        return True

    def overdue_cases(self) -> list[dict]:
        return [dict(c) for c in self.overdue.values() if "case_id" in c and "resolved_at" not in c]

    def first_time(self, identity: str) -> bool:
        if identity in self.markers:
            return False
        self.markers.add(identity)
        return True


class MemoryPhones:
    def __init__(self, phones: dict[str, str] | None = None):
        self.numbers = phones or {}

    def phones(self, visit_keys):
        return {k: self.numbers[k] for k in visit_keys if k in self.numbers}


class MemoryFiles:
    def __init__(self):
        self.files: dict[str, tuple[bytes, str]] = {}

    def put(self, key, body, content_type):
        self.files[key] = (body, content_type)

    def link(self, key):
        return f"https://example.invalid/{key}?signature=x"

    def text(self, key: str) -> str:
        return self.files[key][0].decode("utf-8-sig")


class MemoryNotifier:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def notify(self, subject, message):
        self.sent.append((subject, message))


class MemorySelections:
    def __init__(self, documents: dict[str, dict] | None = None):
        self.documents = documents or {}

    def get_json(self, key):
        return self.documents[key]


class MemoryConfig:
    def __init__(self, documents=None):
        self.documents = documents or {}

    def latest(self, name):
        return self.documents.get(name)


def memory_report_ports(phones: dict[str, str] | None = None, now=FIXED_NOW) -> ReportPorts:
    return ReportPorts(
        tallies=MemoryTallies(),
        selections=MemorySelections(),
        visits=MemoryPhones(phones),
        files=MemoryFiles(),
        notifier=MemoryNotifier(),
        config=MemoryConfig(),
        clock=lambda: now,
    )
