"""Small statistics: the Wilson score interval and a median from a bucketed histogram."""

from __future__ import annotations

import math

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile."""

TTR_BUCKET_HOURS: tuple[float, ...] = (
    1, 2, 4, 8, 12, 24, 48, 72, 96, 120, 168, 240, 336, 504, 720, math.inf,
)  # fmt: skip
"""Upper edges of the time-to-resolution buckets; bucket ``i`` holds (edge[i-1], edge[i]]."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion; (0, 1) when ``n`` is 0."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside 0..{n}")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def wilson_lower(successes: int, n: int, z: float = Z95) -> float:
    """The lower bound of the Wilson score interval (95% by default)."""
    return wilson_interval(successes, n, z)[0]


def ttr_bucket(hours: float) -> int:
    """The histogram bucket of a time to resolution (negative durations count as 0)."""
    hours = max(0.0, hours)
    for index, edge in enumerate(TTR_BUCKET_HOURS):
        if hours <= edge:
            return index
    return len(TTR_BUCKET_HOURS) - 1  # pragma: no cover (the last edge is infinite)


def median_from_histogram(counts: list[int] | tuple[int, ...]) -> float | None:
    """The median, interpolated linearly inside the bucket that holds it (``None`` if empty).

    The true median lies in the same bucket, so the error is at most that bucket's width. In
    the open last bucket the estimate is its lower edge (a "more than" figure)."""
    total = sum(counts)
    if total == 0:
        return None
    middle = total / 2
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= middle:
            low = TTR_BUCKET_HOURS[index - 1] if index else 0.0
            high = TTR_BUCKET_HOURS[index]
            if math.isinf(high):
                return float(low)
            return low + (high - low) * (middle - seen) / count
        seen += count
    return None  # pragma: no cover
