"""Keyed hashing of personal identifiers (for joins that never reveal the value)."""

from __future__ import annotations

import hashlib
import hmac


def phone_hash(key: bytes, e164: str) -> str:
    """Keyed HMAC-SHA256 of an E.164 number, hex, truncated to 128 bits.

    Without the key, the hash of a 10-digit number space cannot be reversed by enumeration.
    """
    return hmac.digest(key, e164.encode(), hashlib.sha256)[:16].hex()
