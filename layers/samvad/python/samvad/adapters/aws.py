"""Client construction: the endpoint comes from configuration (``AWS_ENDPOINT_URL``), never code."""

from __future__ import annotations

import random
from typing import Any

import boto3
from botocore.config import Config

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 8})

THROTTLING = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "LimitExceededException",
    "ThrottledException",
}
"""Error codes of a refused-for-now request (Connect, SNS): try again later."""


def client(service: str, client: Any = None) -> Any:
    """The given client, or a new one with standard retries (throttling backs off)."""
    return client if client is not None else boto3.client(service, config=_RETRIES)


def backoff(attempt: int, base: float = 0.05, cap: float = 5.0) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, …): exponential with full jitter, as
    AWS advises, so that clients refused together do not come back together."""
    return random.uniform(0, min(cap, base * 2**attempt))
