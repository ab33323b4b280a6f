"""Token-bucket pacing shared by every concurrent dispatcher.

The bucket's state (tokens, when they were counted, a version) lives in one store item per
channel; a dispatcher takes a token with an optimistic, versioned write, so two Lambda
invocations can never spend the same token. This module holds the arithmetic; the store is
``adapters.rate_limits.DynamoRateLimiter`` (or ``MemoryRateLimiter`` in tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from samvad.dispatch.policy import Rate

EPSILON = 1e-6
MIN_WAIT = 0.001
"""Clocks tick in microseconds at best: a shorter wait would never end."""


@dataclass(frozen=True)
class Bucket:
    tokens: float
    at: float
    """Epoch seconds when ``tokens`` were counted."""
    version: int = 0


def refilled(bucket: Bucket | None, rate: Rate, now: float) -> Bucket:
    """The bucket at ``now``: full when new; never above ``burst``; clocks never go back."""
    if bucket is None:
        return Bucket(tokens=float(rate.burst), at=now, version=0)
    at = max(now, bucket.at)
    tokens = min(float(rate.burst), bucket.tokens + (at - bucket.at) * rate.per_second)
    return Bucket(tokens=tokens, at=at, version=bucket.version)


def take(bucket: Bucket | None, rate: Rate, now: float) -> tuple[Bucket | None, float]:
    """Take one token: ``(the bucket to store, 0.0)``, or ``(None, seconds to wait)``.

    A bucket counted at a later instant than ``now`` (a dispatcher whose clock is ahead)
    refills from that instant only: the wait runs to it, then to the next token — not one
    token's time, again and again, until ``now`` catches up."""
    current = refilled(bucket, rate, now)
    if current.tokens >= 1.0 - EPSILON:  # floating-point refills land a hair under 1
        return Bucket(max(0.0, current.tokens - 1.0), current.at, current.version + 1), 0.0
    ahead = current.at - now
    return None, max(MIN_WAIT, ahead + (1.0 - current.tokens) / rate.per_second)


class MemoryRateLimiter:
    """The same protocol as the DynamoDB limiter, in memory (tests, benchmarks)."""

    def __init__(self) -> None:
        self.buckets: dict[str, Bucket] = {}

    def acquire(self, name: str, rate: Rate, now: float) -> float:
        stored, wait = take(self.buckets.get(name), rate, now)
        if stored is not None:
            self.buckets[name] = stored
        return wait
