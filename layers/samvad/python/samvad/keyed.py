"""HMAC-SHA256 of many short messages under one key, for intake's hot path.

``hmac.digest`` is exact but, with OpenSSL 3, sets up a fresh context for every call (~3 µs).
RFC 2104 lets the key's inner and outer pads be hashed once; each message then costs two
copies of those states. CPython's own SHA-256 (HACL*) copies and finishes such short inputs
several times faster than OpenSSL's EVP objects, so it is used when the interpreter has it
(``_sha2`` from 3.12, ``_sha256`` before), else hashlib's. The result is the same bytes as
``hmac.digest(key, message, "sha256")`` (tested against it and RFC 4231's vectors).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

_BLOCK = 64  # SHA-256's block size in bytes


def _fast_sha256() -> Callable[..., Any]:
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]  # CPython >= 3.12
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found]  # 3.11
        except ImportError:  # another interpreter: hashlib's is as exact, only slower
            sha256 = hashlib.sha256
    return sha256


sha256 = _fast_sha256()
"""SHA-256 constructor for short messages (same digests as ``hashlib.sha256``)."""


def keyed_states(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states with the key's inner and outer pads hashed (RFC 2104): HMAC(key, m) is
    ``outer.copy()`` updated with the digest of ``inner.copy()`` updated with m."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return sha256(bytes(b ^ 0x36 for b in key)), sha256(bytes(b ^ 0x5C for b in key))


def hmac_sha256(key: bytes) -> Callable[[bytes], bytes]:
    """``message -> HMAC-SHA256(key, message)``, with the key's pads hashed once."""
    inner, outer = keyed_states(key)
    inner_copy, outer_copy = inner.copy, outer.copy

    def digest(message: bytes) -> bytes:
        state = inner_copy()
        state.update(message)
        mac = outer_copy()
        mac.update(state.digest())
        return mac.digest()

    return digest
