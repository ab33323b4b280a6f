"""Wilson bounds and the histogram median, on hand-computed values."""

from __future__ import annotations

import math

import pytest

from samvad.reports.stats import (
    TTR_BUCKET_HOURS,
    median_from_histogram,
    ttr_bucket,
    wilson_interval,
    wilson_lower,
)


def test_wilson_lower_bound_of_8_out_of_10_matches_the_hand_computation() -> None:
    """Given 8 successes in 10, when the 95% Wilson interval is computed, then it matches the
    formula worked by hand: p=0.8, z²=3.8415, centre 0.99207, spread 0.31362, /1.38415."""
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.49016, abs=1e-4)
    assert high == pytest.approx(0.94332, abs=1e-4)


@pytest.mark.parametrize(("k", "n"), [(0, 5), (3, 3), (45, 50), (17, 40), (1, 1000)])
def test_wilson_interval_agrees_with_scipy(k: int, n: int) -> None:
    """Given a proportion, when its Wilson interval is computed, then it equals SciPy's."""
    from scipy.stats import binomtest

    expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((expected.low, expected.high), abs=1e-9)


def test_three_lucky_calls_rank_below_a_large_good_record() -> None:
    """Given 3 satisfied out of 3 and 45 out of 50, then the larger record has the higher
    lower bound although its raw share is lower."""
    assert wilson_lower(3, 3) == pytest.approx(0.4385, abs=1e-4)
    assert wilson_lower(45, 50) == pytest.approx(0.7864, abs=1e-4)
    assert wilson_lower(45, 50) > wilson_lower(3, 3)


def test_wilson_with_no_data_is_the_whole_range_and_bad_counts_are_refused() -> None:
    """Given n = 0, then the interval is (0, 1); given more successes than trials, an error."""
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="outside"):
        wilson_interval(4, 3)


def test_median_is_interpolated_within_its_bucket() -> None:
    """Given durations 3 h, 5 h and 30 h, when bucketed, then the median estimate is 6.0 h:
    the middle (1.5th) value lies half-way through the (4, 8] bucket, which holds the true
    median (5 h)."""
    counts = [0] * len(TTR_BUCKET_HOURS)
    for hours in (3, 5, 30):
        counts[ttr_bucket(hours)] += 1
    assert median_from_histogram(counts) == pytest.approx(6.0)
    assert ttr_bucket(5) == ttr_bucket(6.0)


def test_median_edge_cases() -> None:
    """Given no durations, then no median; all beyond the last edge, then its lower edge; a
    negative duration counts as zero."""
    assert median_from_histogram([0] * len(TTR_BUCKET_HOURS)) is None
    counts = [0] * len(TTR_BUCKET_HOURS)
    counts[ttr_bucket(10_000)] = 4
    assert math.isinf(TTR_BUCKET_HOURS[-1])
    assert median_from_histogram(counts) == 720
    assert ttr_bucket(-3) == 0
