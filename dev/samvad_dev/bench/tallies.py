"""``samvad bench tallies``: the reports' tally writes, a batch at once against one event at
a time.

A day of tallied events (``report_events.day_of_events``: calls, feedback and case steps of
64 offices of 8 departments, shuffled as a queue delivers them) is applied to two fresh
Tallies tables in one in-process moto: one event at a time through ``DynamoTallies.apply``
(one transaction per event, the naive way and the way before batches), and in SQS batches
through ``apply_all``. A wrapped client counts the transactions and the items they hold
(DynamoDB bills a transactional write 2 write units per item per KB). Both tables must then
hold the same items, and the batches delivered again must change nothing. Seconds are CPU
seconds on moto, which spends ~1 ms per item written: they follow the items, not AWS's
latency.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from collections import Counter
from typing import Any

DAY = dt.date(2026, 11, 23)


def run(per_office: int = 5, batch: int = 100) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from samvad.adapters.tallies import DynamoTallies
    from samvad.reports.tally import updates_for
    from samvad_dev.demo import report_events as ev
    from samvad_dev.local import moto_speedups
    from samvad_dev.local.cloud import REGION

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ.setdefault(name, "bench")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    moto_speedups.install()
    events = ev.day_of_events(ev.offices(8, 8), per_office, DAY, seed=per_office)
    updates = [[*updates_for(kind, detail, lambda key: {})] for kind, detail in events]
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        counted = _Counted(client)
        one_by_one = DynamoTallies(_table(client, "one-by-one"), counted)
        batched = DynamoTallies(_table(client, "batched"), counted)
        naive = _timed(counted, lambda: [one_by_one.apply(u) for e in updates for u in e])
        batches = [updates[i : i + batch] for i in range(0, len(updates), batch)]
        merged = _timed(counted, lambda: [batched.apply_all(_flat(b)) for b in batches])
        before = _contents(client, "batched")
        replayed = _timed(counted, lambda: [batched.apply_all(_flat(b)) for b in batches])
        agrees = before == _contents(client, "one-by-one")
        unchanged = _contents(client, "batched") == before
    return {
        "benchmark": "tallies",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "events": len(events),
        "updates": sum(len(u) for u in updates),
        "batch": batch,
        "one_event_at_a_time": naive,
        "batched": merged,
        "batched_replayed": replayed,
        "items_sent_ratio": round(merged["items_sent"] / naive["items_sent"], 3),
        "tables_agree": agrees,
        "replay_changes_nothing": unchanged,
    }


def _flat(batch: list[list]) -> list:
    return [update for event in batch for update in event]


def _table(client: Any, name: str) -> str:
    keys = [("pk", "HASH"), ("sk", "RANGE")]
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": a, "KeyType": k} for a, k in keys],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a, _ in keys],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _timed(counted: _Counted, work: Any) -> dict[str, Any]:
    counted.counts.clear()
    started = time.process_time()
    applied = sum(sum(1 for a in done if a) for done in _as_lists(work()))
    return {
        "transactions": counted.counts["transactions"],
        "items_sent": counted.counts["items"],
        "applied": applied,
        "cpu_seconds": round(time.process_time() - started, 2),
    }


def _as_lists(results: list) -> list[list[bool]]:
    return [r if isinstance(r, list) else [r] for r in results]


def _contents(client: Any, table: str) -> dict:
    """Every item but its TTL (``expires_at``, set from the clock when written)."""
    pages = client.get_paginator("scan").paginate(TableName=table)
    return {
        (i["pk"]["S"], i["sk"]["S"]): {k: v for k, v in i.items() if k != "expires_at"}
        for page in pages
        for i in page["Items"]
    }


class _Counted:
    """The DynamoDB client, counting transactions and the items they hold."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.counts: Counter = Counter()

    def transact_write_items(self, **request: Any) -> Any:
        self.counts.update(transactions=1, items=len(request["TransactItems"]))
        return self._client.transact_write_items(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
