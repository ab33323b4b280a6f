"""Write batches of visits with a bounded pool of workers, inside one invocation.

Each batch (``store.CHUNK`` visits) is one ``store_visits``: a BatchGetItem for the keys that
exist, then BatchWriteItem requests of 25, so requests per row stay what they are sequentially
(≤ 1/24 writes). On DynamoDB a request takes 10–20 ms, so one writer manages ~2,000 rows/s;
``workers`` batches in flight multiply that while the reading thread validates the next rows.

Memory stays flat: at most ``2 × workers`` batches are submitted and not yet collected, and
reading waits for the oldest before submitting more. Results come back in file order.

The counts are exactly the sequential ones. A key already in a batch still in flight cannot
be looked up yet (its write may not have landed), so a later row with that key is counted a
duplicate at once, which is what the sequential path finds once the first write is done; a
batch's keys leave that window only after its writes returned. Retries of UnprocessedItems
and throttling are the adapter's (``adapters.items.Batches``, full jitter), per request.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from samvad import resources
from samvad.intake.store import Stored, VisitStore, store_visits
from samvad.intake.validate import Source, Visit

DEFAULT_WORKERS = resources.INTAKE_WRITE_WORKERS_DEFAULT
"""16 × 25 items per request every ~15 ms is about 25,000 writes/s at most, under an on-demand
table's default ceiling of 40,000 write units a second (docs/intake.md: capacity)."""
IN_FLIGHT_PER_WORKER = 2


def store_in_order(
    batches: Iterable[list[Visit]], source: Source, store: VisitStore, workers: int
) -> Iterator[Stored]:
    """``store_visits`` for each batch, ``workers`` at a time; what became of each, in order.

    An error in any batch is raised here (at its turn) after the batches not yet started are
    cancelled; those already running finish. The caller's retry redoes them all exactly
    (``store_visits`` counts a key written by this upload and row as accepted)."""
    if workers <= 1:
        for batch in batches:
            yield store_visits(batch, source, store)
        return
    in_flight: deque[tuple[Future[Stored], list[str], int]] = deque()
    window: set[str] = set()  # the keys of the batches in flight
    pool = ThreadPoolExecutor(workers, thread_name_prefix="intake-write")
    try:
        for batch in batches:
            fresh: list[Visit] = []
            keys: list[str] = []
            duplicates = 0
            for visit in batch:
                if visit.visit_key in window:
                    duplicates += 1
                else:
                    fresh.append(visit)
                    keys.append(visit.visit_key)
            window.update(keys)
            in_flight.append((pool.submit(store_visits, fresh, source, store), keys, duplicates))
            while len(in_flight) >= workers * IN_FLIGHT_PER_WORKER:
                yield _collect(in_flight.popleft(), window)
        while in_flight:
            yield _collect(in_flight.popleft(), window)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(entry: tuple[Future[Stored], list[str], int], window: set[str]) -> Stored:
    future, keys, duplicates = entry
    stored = future.result()
    window.difference_update(keys)
    stored.duplicates += duplicates
    return stored
