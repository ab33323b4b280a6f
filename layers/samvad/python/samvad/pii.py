"""Keyed hashing of personal identifiers (for joins that never reveal the value)."""

from __future__ import annotations

import hashlib
import hmac

from samvad.keyed import hmac_sha256


def phone_hash(key: bytes, e164: str) -> str:
    """Keyed HMAC-SHA256 of an E.164 number, hex, truncated to 128 bits.

    Without the key, the hash of a 10-digit number space cannot be reversed by enumeration.
    For many numbers under one key, build a ``PhoneHasher`` once.
    """
    return hmac.digest(key, e164.encode(), hashlib.sha256)[:16].hex()


class PhoneHasher:
    """``phone_hash`` for one key: the key's pads are hashed once (``samvad.keyed``), so each
    number costs two short SHA-256 copies, not an HMAC set-up (intake hashes every row)."""

    def __init__(self, key: bytes) -> None:
        self._mac = hmac_sha256(key)

    def __call__(self, e164: str) -> str:
        return self._mac(e164.encode())[:16].hex()
