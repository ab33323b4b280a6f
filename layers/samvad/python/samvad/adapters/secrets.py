"""Secrets Manager: keys (phone hashing, sampling), fetched once per process, never logged."""

from __future__ import annotations

import functools
from typing import Any

from samvad.adapters.aws import client as make_client


def secret_bytes(secret_id: str, client: Any = None) -> bytes:
    if client is not None:
        return _fetch(secret_id, client)
    return _cached(secret_id)


@functools.lru_cache(maxsize=4)
def _cached(secret_id: str) -> bytes:
    return _fetch(secret_id, None)


def _fetch(secret_id: str, client: Any) -> bytes:
    value = make_client("secretsmanager", client).get_secret_value(SecretId=secret_id)
    secret = value.get("SecretString")
    if not secret:
        raise RuntimeError(f"secret {secret_id} has no string value")
    return secret.encode()
