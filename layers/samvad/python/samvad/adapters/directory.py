"""The Directory table (``resources.DIRECTORY``): offices and services per department."""

from __future__ import annotations

from typing import Any

from samvad.adapters.items import Batches


class DynamoDirectory:
    """Offices and services per department; remembers which upload first named each."""

    def __init__(self, table: str, client: Any = None, batches: Batches | None = None) -> None:
        self._table = table
        self._batches = batches or Batches(client)

    def record_new(self, department: str, entries: dict[str, dict], upload_id: str) -> list[str]:
        if not entries:
            return []
        keys = [{"department": {"S": department}, "entry": {"S": e}} for e in entries]
        known = {
            i["entry"]["S"]: i.get("first_upload", {}).get("S")
            for i in self._batches.get(self._table, keys, projection="entry, first_upload")
        }
        fresh = [e for e in entries if e not in known]
        items = []
        for entry in fresh:
            item = {
                "department": {"S": department},
                "entry": {"S": entry},
                "first_upload": {"S": upload_id},
            }
            item.update({k: {"S": v} for k, v in entries[entry].items() if v})
            items.append(item)
        if items:
            self._batches.write(self._table, items)
        return sorted(fresh + [e for e, first in known.items() if first == upload_id])
