"""Keyed hashing of personal identifiers (for joins that never reveal the value)."""

from __future__ import annotations

import hashlib
import hmac

from samvad.keyed import keyed_states


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
        inner, outer = keyed_states(key)
        self._inner, self._outer = inner.copy, outer.copy

    def __call__(self, e164: str) -> str:
        state = self._inner()
        state.update(e164.encode())
        mac = self._outer()
        mac.update(state.digest())
        return mac.digest()[:16].hex()
