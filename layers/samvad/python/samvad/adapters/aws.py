"""Client construction: the endpoint comes from configuration (``AWS_ENDPOINT_URL``), never code."""

from __future__ import annotations

import boto3
from botocore.config import Config

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 8})


def client(service: str, client=None):
    """The given client, or a new one with standard retries (throttling backs off)."""
    return client if client is not None else boto3.client(service, config=_RETRIES)
