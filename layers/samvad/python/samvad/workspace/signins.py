"""Sign-ins through Cognito's hosted UI, audited: the Post Authentication trigger's event →
one ``sign_in`` entry in the workspace's audit log (who, when, through which app client).

Cognito calls the trigger after the password (and TOTP) checked out and fails the sign-in
if the trigger fails: a sign-in that could not be audited does not happen. The entry holds
the official's directory id and username, never an attribute such as a phone number or
e-mail (a username that looks like a phone number is masked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from samvad.phones import redact
from samvad.workspace.ports import AuditLog, iso

TRIGGER = "PostAuthentication_Authentication"


class NotASignIn(ValueError):
    """The event is not a Cognito Post Authentication trigger."""


def record_hosted_sign_in(
    event: Mapping[str, Any], audit: AuditLog, clock: Callable[[], dt.datetime]
) -> dict:
    """Append the audit entry of one hosted-UI sign-in and return it."""
    if not isinstance(event, Mapping) or event.get("triggerSource") != TRIGGER:
        raise NotASignIn(f"not a {TRIGGER} trigger event")
    request = _mapping(event.get("request"))
    attributes = _mapping(request.get("userAttributes"))
    caller = _mapping(event.get("callerContext"))
    entry = {
        "at": iso(clock()),
        "who": str(attributes.get("custom:official_id") or ""),
        "role": "",
        "what": "sign_in",
        "target": redact(str(event.get("userName") or "")),
        "from": "hosted_ui",
        "client": str(caller.get("clientId") or ""),
        "new_device": bool(request.get("newDeviceUsed")),
    }
    audit.append(entry)
    return entry


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
