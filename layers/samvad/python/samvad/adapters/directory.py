"""The Directory table (``resources.DIRECTORY``): offices and services per department."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from samvad.adapters.items import Batches

DAY = 86_400
REFRESH_DAYS = 30
"""An entry's expiry is moved forward when an upload names it and it has moved less than this
many days ago: at most one extra write per entry a month."""


class DynamoDirectory:
    """Offices and services per department; remembers which upload first named each.

    An entry expires (TTL ``expires_at``) ``retention_days`` after the last upload that named
    it, give or take ``REFRESH_DAYS``: an office no department names any more goes with the
    visits that named it (docs/data-protection.md)."""

    def __init__(
        self,
        table: str,
        client: Any = None,
        batches: Batches | None = None,
        retention_days: int = 400,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._table = table
        self._batches = batches or Batches(client)
        self._ttl = retention_days * DAY
        self._now = now

    def record_new(self, department: str, entries: dict[str, dict], upload_id: str) -> list[str]:
        if not entries:
            return []
        keys = [{"department": {"S": department}, "entry": {"S": e}} for e in entries]
        stored = self._batches.get(self._table, keys, projection="entry, first_upload, expires_at")
        known = {i["entry"]["S"]: i.get("first_upload", {}).get("S") for i in stored}
        expires = int(self._now()) + self._ttl
        stale = {
            i["entry"]["S"]
            for i in stored
            if int(i.get("expires_at", {}).get("N", "0")) < expires - REFRESH_DAYS * DAY
        }
        fresh = [e for e in entries if e not in known]
        items = []
        for entry in [*fresh, *(e for e in entries if e in stale)]:
            item = {
                "department": {"S": department},
                "entry": {"S": entry},
                "first_upload": {"S": known.get(entry) or upload_id},
                "expires_at": {"N": str(expires)},
            }
            item.update({k: {"S": v} for k, v in entries[entry].items() if v})
            items.append(item)
        if items:
            self._batches.write(self._table, items)
        return sorted(fresh + [e for e, first in known.items() if first == upload_id])
