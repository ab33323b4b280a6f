"""The lake's S3 side: the fact buffer, the Parquet partitions, the day's sampler selection."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from samvad import resources
from samvad.adapters.aws import client as make_client
from samvad.lake import schema
from samvad.lake.facts import Fact
from samvad.lake.local import partition_dir

READ_THREADS = 16


class S3FactBuffer:
    """``lake-buffer/<table>/date=D/<digest>.jsonl``: one object per batch, table and day,
    a line ``{"key": Fact.key, "row": …}`` per fact, named after its facts' keys (a batch
    delivered again overwrites its object). A fact redelivered in another batch is in two
    objects: ``rows`` keeps it once, by key. Objects ``<Fact.key>.json`` holding one row are
    the buffer's earlier layout, still read."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = make_client("s3", client)

    def put_all(self, facts: Sequence[Fact]) -> None:
        groups: dict[tuple[str, dt.date], dict[str, Fact]] = {}
        for fact in sorted(facts, key=lambda f: f.key):
            groups.setdefault((fact.table, fact.day), {})[fact.key] = fact
        for (table, day), group in groups.items():
            name = hashlib.sha256("\n".join(group).encode()).hexdigest()[:40]
            lines = [json.dumps({"key": k, "row": group[k].row}, sort_keys=True) for k in group]
            self._client.put_object(
                Bucket=self._bucket,
                Key=f"{resources.LAKE_BUFFER_PREFIX}{partition_dir(table, day)}/{name}.jsonl",
                Body="\n".join(lines).encode(),
                ContentType="application/x-ndjson",
            )

    def rows(self, table: str, day: dt.date) -> dict[str, dict[str, Any]]:
        prefix = f"{resources.LAKE_BUFFER_PREFIX}{partition_dir(table, day)}/"
        keys = _keys(self._client, self._bucket, prefix)
        with ThreadPoolExecutor(READ_THREADS) as pool:
            bodies = list(pool.map(self._read, keys))
        found: dict[str, dict[str, Any]] = {}
        for key, body in zip(keys, bodies, strict=True):
            if key.endswith(".jsonl"):
                for line in body.splitlines():
                    entry = json.loads(line)
                    found[entry["key"]] = entry["row"]
            else:  # the earlier layout: one row, the object named after its fact's key
                found[key.rsplit("/", 1)[-1].removesuffix(".json")] = json.loads(body)
        return found

    def _read(self, key: str) -> bytes:
        return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()


class S3Partitions:
    """``lake/<table>/date=D/part-00000.parquet``; any other file in the partition is removed."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = make_client("s3", client)

    def replace(self, table: str, day: dt.date, parquet: bytes) -> str:
        folder = f"{resources.LAKE_PREFIX}{partition_dir(table, day)}/"
        key = folder + schema.PART_FILE
        self._client.put_object(
            Bucket=self._bucket, Key=key, Body=parquet, ContentType="application/vnd.apache.parquet"
        )
        for stale in _keys(self._client, self._bucket, folder):
            if stale != key:
                self._client.delete_object(Bucket=self._bucket, Key=stale)
        return key


class S3Selections:
    """The sampler's ``samples/<run date>/selection.json``."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = make_client("s3", client)

    def selection(self, run_date: dt.date) -> dict[str, Any] | None:
        key = f"{resources.SAMPLES_PREFIX}{run_date.isoformat()}/selection.json"
        # Listed first: without s3:ListBucket on the key, a missing object is AccessDenied,
        # which must not pass for "no run that day".
        if key not in _keys(self._client, self._bucket, key):
            return None
        body = self._client.get_object(Bucket=self._bucket, Key=key)["Body"]
        return json.loads(body.read())


def _keys(client: Any, bucket: str, prefix: str) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]
