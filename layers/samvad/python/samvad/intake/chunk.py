"""One chunk of a chunked intake: write its visits, record its result once.

The visits were validated by the splitter; they are written by ``store_visits``, the same
code as the inline intake (BatchGetItem for the keys that exist, BatchWriteItem for the new
ones, provenance ``(upload_id, row)``). A chunk holds every occurrence of its keys, in file
order, so its duplicates are counted exactly as the inline intake counts them.

Idempotent: the result object is written last; a retried chunk whose result exists returns it
and writes nothing. A chunk that crashed half-way is redone: the visits it already wrote are
found with this upload and row as their source and count as accepted again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

from samvad.intake.service import IntakePorts, json_bytes
from samvad.intake.split import decode_visit
from samvad.intake.store import CHUNK
from samvad.intake.validate import Source, Visit
from samvad.intake.writers import store_in_order

READ_BYTES = 1024 * 1024


def ingest_chunk(item: dict, ports: IntakePorts) -> dict:
    """``item`` is one entry of the chunks array (the Distributed Map's item)."""
    bucket = item["bucket"]
    done = ports.objects.find(bucket, item["result_key"])
    if done is not None:
        return json.loads(done)
    source = Source(item["upload_id"], item["ingested_at"])
    accepted = duplicates = 0
    strata: Counter[tuple[str, str]] = Counter()
    with ports.objects.open(bucket, item["key"], None) as stream:
        batches = _batches(stream)
        for stored in store_in_order(batches, source, ports.visits, ports.write_workers):
            accepted += len(stored.accepted)
            duplicates += stored.duplicates
            for visit in stored.accepted:
                strata[visit.visit_date, visit.stratum] += 1
    result = {
        "chunk": item["chunk"],
        "rows": accepted + duplicates,  # every visit of a batch is one or the other
        "accepted": accepted,
        "duplicates": duplicates,
        "strata": [[day, stratum, n] for (day, stratum), n in sorted(strata.items())],
    }
    ports.ledger.chunk_done(item["upload_id"], item["chunk"], item["chunks"])
    ports.objects.put(bucket, item["result_key"], json_bytes(result), "application/json")
    return result


def _batches(stream: BinaryIO) -> Iterator[list[Visit]]:
    batch: list[Visit] = []
    for line in _lines(stream):
        batch.append(decode_visit(line))
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    pending = b""
    while block := stream.read(READ_BYTES):
        *lines, pending = (pending + block).split(b"\n")
        yield from lines
    if pending:
        yield pending
