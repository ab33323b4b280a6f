"""The lake stage of the demo: the stack's lake rule, the real lake function, a local copy.

``LakeTap.open(cloud)`` puts the lake's rule (``lake.facts.lake_pattern``) and its queue on
the local bus before anything is published, as the stack's ``Lake/FactsRule`` does;
``pump()`` delivers the queue to ``functions/lake`` as it fills (which buffers each fact
under ``lake-buffer/``, as the SQS trigger would on AWS). At the end ``export(out)``
delivers the rest, invokes the same function with ``{"date": D}`` for every day that has
facts or a sampler selection (as the daily schedule would), and copies ``lake/`` to
``out/lake`` so that ``samvad query --lake out/lake`` works on the demo's output.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

from samvad import resources
from samvad.lake.facts import lake_pattern
from samvad_dev.local.flows import download
from samvad_dev.local.names import queue_arn
from samvad_dev.local.pump import QueueToFunction

RULE = "lake-facts"
DAY_FOLDER = re.compile(r"/date=(\d{4}-\d{2}-\d{2})/")


class LakeTap:
    """The lake queue on the local bus, delivered to ``functions/lake`` on demand."""

    def __init__(self, cloud: Any, queue: str, url: str) -> None:
        self.cloud, self.queue, self.url = cloud, queue, url
        self.buffered: Counter = Counter()

    @classmethod
    def open(cls, cloud: Any) -> LakeTap:
        """The lake queue and the rule that fills it, on the cloud's bus."""
        queue = f"samvad-{cloud.names.stage}-lake"
        url = cloud.client("sqs").create_queue(QueueName=queue)["QueueUrl"]
        events = cloud.client("events")
        bus = cloud.names.bus
        events.put_rule(Name=RULE, EventBusName=bus, EventPattern=json.dumps(lake_pattern()))
        events.put_targets(
            Rule=RULE,
            EventBusName=bus,
            Targets=[{"Id": "lake", "Arn": queue_arn(queue, cloud.account)}],
        )
        return cls(cloud, queue, url)

    def pump(self) -> None:
        """Deliver the queued events to the lake function (the buffer), until it is empty.
        Called as the queue fills (moto's SQS costs O(messages held) per call)."""
        sqs = self.cloud.client("sqs")
        counts = QueueToFunction(
            sqs, self.queue, self.url, "lake", self.cloud.invoke, resources.EVENTS_BATCH_SIZE
        ).drain()
        self.buffered.update({k: counts[k] for k in ("delivered", "failed")})

    def export(self, out: Path) -> dict[str, Any]:
        """Buffer what is queued, export every day, copy ``lake/`` to ``out/lake``."""
        started = time.monotonic()
        self.pump()
        days = sorted(self._days())
        rows: Counter = Counter()
        for day in days:
            result = self.cloud.invoke("lake", {"date": day})
            for exported in result["exported"]:
                rows.update(exported["rows"])
        root = Path(out) / "lake"
        files = self._download(root)
        return {
            "buffered": {k: self.buffered[k] for k in ("delivered", "failed")},
            "days": days,
            "rows": dict(sorted(rows.items())),
            "files": files,
            "root": str(root),
            "seconds": round(time.monotonic() - started, 1),
        }

    def _days(self) -> set[str]:
        """The days with buffered facts or a sampler selection."""
        found = set()
        for prefix in (resources.LAKE_BUFFER_PREFIX, resources.SAMPLES_PREFIX):
            for key in self._keys(prefix):
                match = DAY_FOLDER.search(key)
                if match:
                    found.add(match.group(1))
                elif key.endswith("/selection.json"):
                    found.add(key.removeprefix(prefix).split("/", 1)[0])
        return found

    def _keys(self, prefix: str) -> list[str]:
        s3 = self.cloud.client("s3")
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.cloud.names.bucket, Prefix=prefix
        )
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def _download(self, root: Path) -> int:
        keys = self._keys(resources.LAKE_PREFIX)
        for key in keys:
            download(self.cloud, key, root / key.removeprefix(resources.LAKE_PREFIX))
        return len(keys)
