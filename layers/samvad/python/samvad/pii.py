"""Keyed hashing of personal identifiers (for joins that never reveal the value)."""

from __future__ import annotations

import hashlib
import hmac


def phone_hash(key: bytes, e164: str) -> str:
    """Keyed HMAC-SHA256 of an E.164 number, hex, truncated to 128 bits.

    Without the key, the hash of a 10-digit number space cannot be reversed by enumeration.
    For many numbers under one key, build a ``PhoneHasher`` once.
    """
    return hmac.digest(key, e164.encode(), hashlib.sha256)[:16].hex()


class PhoneHasher:
    """``phone_hash`` for one key: the standard library's HMAC is keyed once, and each number
    costs a copy of that keyed state (the key's pads are not hashed again)."""

    def __init__(self, key: bytes) -> None:
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def __call__(self, e164: str) -> str:
        mac = self._keyed.copy()
        mac.update(e164.encode())
        return mac.digest()[:16].hex()
