"""Client construction: the endpoint comes from configuration (``AWS_ENDPOINT_URL``), never code."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

T = TypeVar("T")

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 8})

THROTTLING = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "LimitExceededException",
    "ThrottledException",
}
"""Error codes of a refused-for-now request (Connect, SNS): try again later."""


def client(service: str, client: Any = None, connections: int | None = None) -> Any:
    """The given client, or a new one with standard retries (throttling backs off);
    ``connections``: its pool size, for a client shared by that many threads (default 10)."""
    if client is not None:
        return client
    config = _RETRIES.merge(Config(max_pool_connections=connections)) if connections else _RETRIES
    return boto3.client(service, config=config)


def retry_partial(
    call: Callable[[T], T],
    pending: T,
    *,
    attempts: int,
    sleep: Callable[[float], None],
    base: float = 0.05,
    cap: float = 5.0,
    transient: Collection[str] = (),
) -> T | None:
    """Call ``call(pending)``, which returns what it could not do, until nothing is left;
    what is still left after ``attempts`` calls (None when all was done). Calls are spaced by
    ``backoff``; an error whose code is in ``transient`` counts as a call that did nothing."""
    for attempt in range(attempts):
        if attempt:
            sleep(backoff(attempt, base, cap))
        try:
            left = call(pending)
        except ClientError as error:
            if error.response["Error"]["Code"] in transient:
                continue
            raise
        if not left:
            return None
        pending = left
    return pending


def backoff(attempt: int, base: float = 0.05, cap: float = 5.0) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, …): exponential with full jitter, as
    AWS advises, so that clients refused together do not come back together."""
    return random.uniform(0, min(cap, base * 2**attempt))
