"""Feedback links: short, signed, expiring, single-use tokens.

A token is ``base64url(id ‖ tag)``: an 8-byte random id and the first 6 bytes of
``HMAC-SHA256(key, id)``, 19 characters. The signature lets the feedback function refuse a
forged or mangled token without a read (a guess succeeds once in 2⁴⁸); the id names a stored
record (which contact, language, expiry, ``used_at``) that makes it expire and be used once.

The link is one DLT template variable, at most 30 characters: ``<short host>/f/<token>``, so
the host is at most 8 characters (``sv.od.in``, a custom domain in front of the function URL,
see docs/dispatch-deploy.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

ID_BYTES = 8
TAG_BYTES = 6


class LinkSigner:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the link-signing key must be at least 16 bytes")
        self._key = key

    def new_token(self) -> tuple[str, str]:
        """A fresh ``(token, token_id)``; the token goes in the link, the id is stored."""
        raw = secrets.token_bytes(ID_BYTES)
        token = base64.urlsafe_b64encode(raw + self._tag(raw)).decode().rstrip("=")
        return token, raw.hex()

    def token_id(self, token: str) -> str | None:
        """The id of a genuine token, or None for anything forged, truncated or mangled."""
        if not token or len(token) > 32:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) != ID_BYTES + TAG_BYTES:
            return None
        if base64.urlsafe_b64encode(raw).decode().rstrip("=") != token:
            return None  # a non-canonical spelling (the last character's unused bits changed)
        body, tag = raw[:ID_BYTES], raw[ID_BYTES:]
        return body.hex() if hmac.compare_digest(tag, self._tag(body)) else None

    def _tag(self, body: bytes) -> bytes:
        return hmac.new(self._key, b"samvad-link\x00" + body, hashlib.sha256).digest()[:TAG_BYTES]
