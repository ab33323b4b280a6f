"""Sign-ins through Cognito's hosted UI, audited: the Post Authentication trigger's event →
one ``sign_in`` entry in the workspace's audit log (who, when, through which app client).

Cognito calls the trigger after the password (and TOTP) checked out and fails the sign-in
if the trigger fails: a sign-in that could not be audited does not happen. The entry holds
the official's directory id and username, never an attribute such as a phone number or
e-mail (a username that looks like a phone number is masked).

Cognito retries a trigger that times out (5 s, up to three calls): a retried event is the
same sign-in and is logged once. The event carries no id of its own, so the entry's key is
derived from it (pool, username, app client) and the time slot of ``REPLAY_SECONDS``; the
entry is written only if neither this slot's nor the previous slot's key is taken (one
conditional transaction). Two real sign-ins of one user through one client less than
``REPLAY_SECONDS`` apart are therefore one entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from samvad.phones import redact
from samvad.workspace.ports import AuditLog, iso

TRIGGER = "PostAuthentication_Authentication"
REPLAY_SECONDS = 30
"""Longer than Cognito's retries of one sign-in take (three calls of at most 5 s each)."""


class NotASignIn(ValueError):
    """The event is not a Cognito Post Authentication trigger."""


def record_hosted_sign_in(
    event: Mapping[str, Any], audit: AuditLog, clock: Callable[[], dt.datetime]
) -> dict:
    """Append the audit entry of one hosted-UI sign-in (once, however often Cognito
    retries the trigger) and return it, with ``replayed`` True when it was logged before."""
    if not isinstance(event, Mapping) or event.get("triggerSource") != TRIGGER:
        raise NotASignIn(f"not a {TRIGGER} trigger event")
    request = _mapping(event.get("request"))
    attributes = _mapping(request.get("userAttributes"))
    caller = _mapping(event.get("callerContext"))
    now = clock()
    entry = {
        "at": iso(now),
        "who": str(attributes.get("custom:official_id") or ""),
        "role": "",
        "what": "sign_in",
        "target": redact(str(event.get("userName") or "")),
        "from": "hosted_ui",
        "client": str(caller.get("clientId") or ""),
        "new_device": bool(request.get("newDeviceUsed")),
    }
    key, previous = replay_keys(event, now)
    recorded = audit.append_once(entry, key, (previous,))
    return {**entry, "replayed": not recorded}


def replay_keys(event: Mapping[str, Any], now: dt.datetime) -> tuple[str, str]:
    """The entry's key for this time slot and the previous slot's (``<slot start>#sign_in#
    <digest of pool, username, client>``): equal for every retry of one sign-in."""
    caller = _mapping(event.get("callerContext"))
    identity = [event.get("userPoolId"), event.get("userName"), caller.get("clientId")]
    digest = hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()[:32]
    slot = int(now.timestamp()) // REPLAY_SECONDS

    def key(n: int) -> str:
        start = dt.datetime.fromtimestamp(n * REPLAY_SECONDS, dt.UTC)
        return f"{iso(start)}#sign_in#{digest}"

    return key(slot), key(slot - 1)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
