"""The end_to_end intake benchmark measures the real use case: same counts either way."""

import datetime as dt

from samvad_dev.bench.intake_end_to_end import compare
from samvad_dev.demo.synthetic import write_bench_csv


def test_one_writer_and_a_pool_store_the_same_visits_in_full_batches(tmp_path):
    """Given a 600-row file with bad rows, When ingested against the stand-in with one writer
    and with four, Then both store every accepted visit, with at most 1/24 writes per row."""
    path = tmp_path / "visits.csv"
    write_bench_csv(path, 600, seed=2, day=dt.date(2026, 11, 22), error_rate=0.05)

    figures = compare(path, 4, b"k" * 32, dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC))

    assert figures["same_counts"]
    for run in (figures["sequential"], figures["concurrent"]):
        assert run["rows"] == 600 and 0 < run["accepted"] == run["stored"] < 600
        assert run["write_requests_per_row"] <= 1 / 24
    assert figures["concurrent"]["workers"] == 4
