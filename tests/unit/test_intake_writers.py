"""Concurrent batch writes: the same counts as one writer, bounded in flight, errors raised."""

import threading
import time

import pytest

from samvad.intake.validate import Source, Visit
from samvad.intake.writers import IN_FLIGHT_PER_WORKER, store_in_order

SOURCE = Source("u-1", "2026-11-23T06:00:00+00:00")


def visit(row: int, key: str) -> Visit:
    return Visit(key, row, "health", "OPD", "A1", "2026-11-22", "+919876543210", "h", "or", 0)


class SlowStore:
    """A thread-safe table whose requests take a little while, counting writes and the
    most batches ever in flight at once."""

    def __init__(self, delay: float = 0.002, fail_on_put: int | None = None):
        self.items: dict[str, dict] = {}
        self.written = 0
        self.puts = 0
        self.delay = delay
        self.fail_on_put = fail_on_put
        self.busy = self.most_busy = 0
        self._lock = threading.Lock()

    def sources_of(self, keys):
        self._enter()
        try:
            with self._lock:
                return {
                    k: (self.items[k]["source_upload"]["S"], int(self.items[k]["source_row"]["N"]))
                    for k in keys
                    if k in self.items
                }
        finally:
            self._leave()

    def put_all(self, items):
        self._enter()
        try:
            with self._lock:
                self.puts += 1
                if self.puts == self.fail_on_put:
                    raise ConnectionError("the network went away")
                for item in items:
                    self.items[item["visit_key"]["S"]] = item
                self.written += len(items)
        finally:
            self._leave()

    def _enter(self):
        with self._lock:
            self.busy += 1
            self.most_busy = max(self.most_busy, self.busy)
        time.sleep(self.delay)

    def _leave(self):
        with self._lock:
            self.busy -= 1


def file_with_repeats(rows: int = 1_500) -> list[list[Visit]]:
    """Batches of 100 visits; every 7th row repeats a key from 150 rows before (a batch that
    is still in flight), every 11th repeats one from 1,000 rows before (long written)."""
    visits = []
    for row in range(rows):
        if row % 7 == 0 and row >= 150:
            key = visits[row - 150].visit_key
        elif row % 11 == 0 and row >= 1_000:
            key = visits[row - 1_000].visit_key
        else:
            key = f"k{row:05d}"
        visits.append(visit(row + 2, key))
    return [visits[i : i + 100] for i in range(0, rows, 100)]


def totals(results):
    accepted = [v.row for stored in results for v in stored.accepted]
    return accepted, sum(stored.duplicates for stored in results)


def test_concurrent_writes_count_exactly_as_one_writer():
    """Given a file whose rows repeat keys of batches still in flight and long written, When
    written by 8 workers, Then accepted rows (in order) and duplicates equal one writer's, and
    every key is written once, by its first row."""
    sequential, concurrent = SlowStore(delay=0), SlowStore()
    one = list(store_in_order(file_with_repeats(), SOURCE, sequential, workers=1))
    many = list(store_in_order(file_with_repeats(), SOURCE, concurrent, workers=8))

    assert totals(many) == totals(one)
    assert concurrent.written == len(concurrent.items) == len(totals(one)[0])
    assert concurrent.items == sequential.items
    assert concurrent.most_busy > 1  # it did run concurrently


def test_batches_in_flight_are_bounded_whatever_the_file_size():
    """Given 4 workers and a long file, When written, Then the reader never runs more than
    ``2 × workers`` batches ahead of the results it has handed back."""
    store = SlowStore(delay=0.001)
    submitted = []

    def batches():
        for n, batch in enumerate(file_with_repeats(3_000)):
            submitted.append(n)
            yield batch

    ahead = []
    for collected, _ in enumerate(store_in_order(batches(), SOURCE, store, workers=4)):
        ahead.append(len(submitted) - collected)
    assert max(ahead) <= 4 * IN_FLIGHT_PER_WORKER
    assert store.most_busy <= 4


def test_a_failed_batch_raises_and_a_replay_writes_nothing_twice():
    """Given a write that fails mid-file under 8 workers, When the error is raised and the
    file is written again, Then the replay's counts equal an untroubled run's and no key
    written by the first attempt is written again."""
    store = SlowStore(fail_on_put=6)
    with pytest.raises(ConnectionError):
        list(store_in_order(file_with_repeats(), SOURCE, store, workers=8))
    clean = list(store_in_order(file_with_repeats(), SOURCE, SlowStore(delay=0), workers=1))
    assert 0 < store.written < len(totals(clean)[0])  # it failed part-way

    replay = list(store_in_order(file_with_repeats(), SOURCE, store, workers=8))

    assert totals(replay) == totals(clean)
    assert store.written == len(store.items) == len(totals(clean)[0])  # nothing twice
