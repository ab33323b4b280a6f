"""One-time codes sent by SMS that prove a web visitor holds the phone (form ``/g``, the
status page). A code is six digits, valid ``TTL_SECONDS``, stored only as a keyed hash
with the phone hash, for one purpose (``submit`` or ``status``); ``MAX_TRIES`` wrong codes
spend it. Issuing is rate-limited per phone and per source like registrations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from samvad import messages
from samvad.grievances.model import GrievanceError, Refusal
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.register import rules_of
from samvad.grievances.rules import checked_phone

TTL_SECONDS = 600
MAX_TRIES = 5
PURPOSES = ("submit", "status")


def _digest(phone_hash: str, purpose: str, code: str) -> str:
    return hmac.new(phone_hash.encode(), f"{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def _key(phone_hash: str, purpose: str) -> str:
    return f"otp#{phone_hash}#{purpose}"


def issue(
    ports: GrievancePorts,
    phone: str,
    purpose: str,
    language: str,
    source: str = "",
    now: dt.datetime | None = None,
    send: bool = True,
) -> Refusal | None:
    """Send a fresh code to ``phone`` (None), or say why not: ``phone`` (not a mobile) or
    ``rate_limited``. ``send=False`` stores nothing and sends nothing but still counts
    against the limits (the status page answers alike whether or not the reference matches)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    now = now or ports.clock()
    try:
        e164 = checked_phone(phone)
    except GrievanceError:
        return Refusal("phone")
    phone_hash = ports.hasher(e164)
    if ports.limiter is not None:
        rules, at = rules_of(ports), now.timestamp()
        names = [f"grv#otp#{phone_hash}"] + ([f"grv#otp-source#{source}"] if source else [])
        if any(ports.limiter.acquire(name, rules.status_rate(), at) > 0 for name in names):
            return Refusal("rate_limited")
    if not send:
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    expires = int(now.timestamp()) + TTL_SECONDS
    ports.store.put(
        _key(phone_hash, purpose),
        {"digest": _digest(phone_hash, purpose, code), "tries": 0, "expires_at": expires},
    )
    if ports.sms is not None and ports.policy is not None:
        ports.sms.send(e164, messages.sms("grievance_code", language, code=code), ports.policy)
    return None


def verify(
    ports: GrievancePorts, phone: str, purpose: str, code: str, now: dt.datetime | None = None
) -> bool:
    """Whether ``code`` is the live code for ``phone`` and ``purpose``. A wrong code counts a
    try; the code stays usable until it expires (a resubmitted form is the same grievance)."""
    now = now or ports.clock()
    try:
        phone_hash = ports.hasher(checked_phone(phone))
    except GrievanceError:
        return False
    key = _key(phone_hash, purpose)
    stored = ports.store.get(key)
    if stored is None or int(stored.get("expires_at", 0)) <= now.timestamp():
        return False
    tries = int(stored.get("tries", 0))
    if tries >= MAX_TRIES:
        return False
    given = "".join(ch for ch in (code or "") if ch.isdigit()).translate(_NATIVE)
    if hmac.compare_digest(str(stored.get("digest", "")), _digest(phone_hash, purpose, given)):
        return True
    ports.store.put(key, {**stored, "tries": tries + 1})
    return False


_NATIVE = str.maketrans("୦୧୨୩୪୫୬୭୮୯०१२३४५६७८९", "01234567890123456789")
