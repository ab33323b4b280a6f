"""Signed links for officials: ``/atr/<case_id>?o=<official>&e=<expiry>&s=<signature>``.

The signature is an HMAC-SHA256 over the case, the official and the expiry, keyed with a key
derived from the feedback-link secret, so a link works for that official and case only, and
only until a day after the level's deadline.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from urllib.parse import quote, urlencode

LINK_VALIDITY_AFTER_DEADLINE = dt.timedelta(days=1)


def atr_key(link_secret: bytes) -> bytes:
    return hmac.new(link_secret, b"samvad/atr-link/v1", hashlib.sha256).digest()


def signature(key: bytes, case_id: str, official_id: str, expires: int) -> str:
    message = f"atr|{case_id}|{official_id}|{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def atr_link(
    base_url: str, key: bytes, case_id: str, official_id: str, deadline: dt.datetime
) -> str:
    expires = int((deadline + LINK_VALIDITY_AFTER_DEADLINE).timestamp())
    query = urlencode(
        {"o": official_id, "e": expires, "s": signature(key, case_id, official_id, expires)}
    )
    return f"{base_url.rstrip('/')}/atr/{quote(case_id)}?{query}"


def verify(
    key: bytes, case_id: str, official_id: str, expires: str, given: str, now: float
) -> str | None:
    """``None`` when valid, else the reason (shown to the person holding the link)."""
    if not (official_id and expires and given):
        return "this link is incomplete"
    try:
        expiry = int(expires)
    except ValueError:
        return "this link is malformed"
    expected = signature(key, case_id, official_id, expiry)
    if not given.isascii() or not hmac.compare_digest(expected, given):  # str: ASCII only
        return "this link is not valid"
    if now > expiry:
        return "this link has expired; use the CLI or ask for a new notice"
    return None
