"""Who am I, signing in (local and dev), and the audit trail for auditors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from samvad.workspace.errors import BadRequest, Unauthenticated
from samvad.workspace.policy import authorize
from samvad.workspace.ports import Identity, WorkspacePorts, audit, iso
from samvad.workspace.roles import Official


def me(official: Official) -> dict:
    authorize(official, "me")
    return official.as_dict()


def audit_trail(official: Official, query: Mapping[str, str], ports: WorkspacePorts) -> dict:
    authorize(official, "audit.list")
    days_text = (query.get("days") or "7").strip()
    if not days_text.isdigit() or not 1 <= int(days_text) <= 90:
        raise BadRequest("days", "must be a whole number from 1 to 90")
    today = ports.audit_clock().astimezone(dt.UTC).date()  # the clock ``audit`` stamps by
    return {"entries": ports.audit.recent(today, int(days_text), 1000)}


def sign_in(
    body: Mapping[str, Any], source_ip: str, identity: Identity, ports: WorkspacePorts
) -> dict:
    """USER_PASSWORD_AUTH (local and dev; production signs in through the hosted UI)."""
    for name in ("username", "password"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise BadRequest(name, "is required")
    username = body["username"].strip()
    result = identity.sign_in(username, body["password"])
    if result is None:
        audit(ports, None, "sign_in_refused", username, username=username, source_ip=source_ip)
        raise Unauthenticated("wrong username or password")
    if "challenge" in result:
        audit(ports, None, "sign_in_challenged", username, username=username, source_ip=source_ip)
        raise Unauthenticated(
            f"Cognito asks for {result['challenge']} (MFA or a new password): "
            "sign in through the hosted UI"
        )
    ports.audit.append(
        {
            "at": iso(ports.clock()),
            "who": result.get("official_id", ""),
            "role": "",
            "what": "sign_in",
            "target": username,
            "from": source_ip,
        }
    )
    return {"id_token": result["id_token"], "expires_in": result["expires_in"]}
