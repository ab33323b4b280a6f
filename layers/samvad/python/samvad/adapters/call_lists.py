"""The CallLists table (``resources.CALL_LISTS``): each caller's list of a run."""

from __future__ import annotations

import time
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.adapters.items import Batches

DAY = 86400


class DynamoCallLists:
    def __init__(self, table: str, client: Any = None, retention_days: int = 400) -> None:
        self._table = table
        self._batches = Batches(make_client("dynamodb", client))
        self._ttl = retention_days * DAY

    def write(self, run_date: str, assignments: list[dict]) -> None:
        expires = str(int(time.time()) + self._ttl)
        self._batches.write(
            self._table,
            [
                {
                    "list_id": {"S": f"{run_date}#{a['caller']}"},
                    "visit_key": {"S": a["visit_key"]},
                    "channel": {"S": a["channel"]},
                    "stratum": {"S": a["stratum"]},
                    "visit_date": {"S": a["visit_date"]},
                    "district": {"S": a["district"] or "-"},
                    "language": {"S": a["language"] or "-"},
                    "expires_at": {"N": expires},
                }
                for a in assignments
            ],
        )
