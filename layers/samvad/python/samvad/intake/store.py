"""Writing validated visits: the one implementation the inline and the chunked intake share.

A key already present *from this same upload and row* was written by an earlier attempt and
counts as accepted; from anywhere else it is a duplicate. Visits are written with
BatchWriteItem (25 per request) after one consistent BatchGetItem (100 keys per request).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from samvad.intake.validate import Source, Visit

CHUNK = 100  # BatchGetItem's limit; four full BatchWriteItem requests


class VisitStore(Protocol):
    def sources_of(self, keys: list[str]) -> dict[str, tuple[str, int]]:
        """``visit_key → (source_upload, source_row)`` for the keys that exist."""

    def put_all(self, items: list[dict]) -> None:
        """Write every item or raise; never drops one silently."""


@dataclass
class Stored:
    """What became of a batch of visits: those accepted (including by an earlier attempt at
    this same upload) and how many were duplicates."""

    accepted: list[Visit] = field(default_factory=list)
    duplicates: int = 0


def store_visits(visits: list[Visit], source: Source, store: VisitStore) -> Stored:
    """Write the batch's new visits (at most ``CHUNK``), in order; a key seen twice in the
    batch keeps its first row."""
    unique: dict[str, Visit] = {}
    stored = Stored()
    for visit in visits:
        if visit.visit_key in unique:
            stored.duplicates += 1  # the same visit twice in this batch
        else:
            unique[visit.visit_key] = visit
    if not unique:
        return stored
    existing = store.sources_of(list(unique))
    fresh = []
    for key, visit in unique.items():
        origin = existing.get(key)
        if origin is None:
            fresh.append(visit.to_item(source))
            stored.accepted.append(visit)
        elif origin == (source.upload_id, visit.row):
            stored.accepted.append(visit)  # written by an earlier attempt at this same upload
        else:
            stored.duplicates += 1
    if fresh:
        store.put_all(fresh)
    return stored


class DirectoryEntries:
    """The distinct offices and services of one upload (bounded by the number of offices);
    an office keeps the name and district of its first row."""

    def __init__(self, entries: dict[str, dict] | None = None) -> None:
        self.entries: dict[str, dict] = dict(entries or {})

    def add(self, visit: Visit) -> None:
        office = f"office#{visit.office_code}"
        if office not in self.entries:
            self.entries[office] = {"office_name": visit.office_name, "district": visit.district}
        service = f"service#{visit.service}"
        if service not in self.entries:
            self.entries[service] = {}
