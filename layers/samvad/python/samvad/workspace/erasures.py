"""A citizen's erasure request, taken by a grievance officer in the workspace (DPDP Act s.12).

``request_erasure`` checks the role, the number and the reason, runs ``samvad.erasure.erase``
and answers with a receipt that names the request, the phone hash and the counts, never the
number. It is idempotent: the request's id is derived from the phone hash, the officer and
the reason, so a replayed request (a retry, a double press) answers with the receipt stored
the first time and erases nothing twice. ``list_erasures`` shows the receipts, newest first.
Served by its own function (``functions/erasure``), whose role alone may erase.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from samvad.erasure import ErasurePorts, erase
from samvad.phones import Problem, normalise_indian_mobile, redact
from samvad.pii import phone_hash
from samvad.workspace.errors import BadRequest
from samvad.workspace.policy import authorize
from samvad.workspace.ports import iso
from samvad.workspace.roles import Official

MAX_REASON = 500
LIST_LIMIT = 200


class ErasureRequests(Protocol):
    """The receipts of erasure requests taken in the workspace, by request id."""

    def get(self, request_id: str) -> dict | None: ...
    def record(self, erased: dict, receipt: dict, entry: dict) -> None:
        """Atomically: the erasure's own receipt ``erased`` (as ``samvad erase`` records it),
        the request's ``receipt`` and the audit trail's ``entry``; nothing if a receipt with
        this ``request_id`` is already stored."""
        ...

    def recent(self, limit: int) -> list[dict]: ...


@dataclass(frozen=True)
class ErasureDeskPorts:
    erasure: ErasurePorts
    requests: ErasureRequests
    audit_clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))


def request_erasure(official: Official, body: Mapping[str, Any], ports: ErasureDeskPorts) -> dict:
    """Erase the citizen ``body["phone"]`` for ``body["reason"]``; the receipt, never the number.

    400 names ``phone`` (missing or not an Indian mobile) or ``reason`` (missing, too long,
    or holding a phone number); 403 for any role but ``grievance_officer``."""
    authorize(official, "erasures.create")
    e164, reason = _parsed(body)
    hashed = phone_hash(ports.erasure.hash_key, e164)
    key = f"{hashed}|{official.official_id}|{reason}"
    request_id = hashlib.sha256(key.encode()).hexdigest()[:32]
    stored = ports.requests.get(request_id)
    if stored is not None:
        return stored
    recorder = _Recorder(ports, official, request_id, reason)
    # stamped with the wall clock (the local stack's simulated one is not when officials act)
    erasure = dataclasses.replace(ports.erasure, clock=ports.audit_clock, receipts=recorder)
    erase(e164, f"workspace:{official.official_id}", erasure)
    return ports.requests.get(request_id) or recorder.receipt


def _parsed(body: Mapping[str, Any]) -> tuple[str, str]:
    phone = body.get("phone")
    if not isinstance(phone, str) or not phone.strip():
        raise BadRequest("phone", "is required: the citizen's mobile number")
    e164 = normalise_indian_mobile(phone)
    if isinstance(e164, Problem):
        raise BadRequest("phone", f"{e164.message}; write it as +91 followed by 10 digits")
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise BadRequest("reason", "is required: why the citizen's data is erased")
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise BadRequest("reason", f"must be at most {MAX_REASON} characters")
    if redact(reason) != reason:
        raise BadRequest("reason", "must not contain a phone number")
    return e164, reason


class _Recorder:
    """``erase``'s receipts port: records its receipt together with the request's receipt
    and the audit entry, in one write, so a request is either wholly recorded or not at all
    (and then a replay erases, finding what the failed attempt left, and records it)."""

    def __init__(self, ports: ErasureDeskPorts, who: Official, request_id: str, reason: str):
        self._ports, self._who = ports, who
        self._request_id, self._reason = request_id, reason
        self.receipt: dict = {}

    def record(self, receipt: dict) -> None:
        self.receipt = {
            "request_id": self._request_id,
            "phone_hash": receipt["phone_hash"],
            "at": receipt["at"],
            "by": self._who.official_id,
            "reason": self._reason,
            "counts": receipt["counts"],
            "found": receipt["found"],
        }
        entry = {
            "at": iso(self._ports.audit_clock()),
            "who": self._who.official_id,
            "role": self._who.role,
            "what": "erasure",
            "target": self._request_id,
            "from": self._who.source_ip,
            "found": receipt["found"],
        }
        self._ports.requests.record(receipt, self.receipt, entry)


def list_erasures(official: Official, ports: ErasureDeskPorts) -> dict:
    """The receipts of the erasures taken in the workspace, newest first."""
    authorize(official, "erasures.list")
    receipts = sorted(ports.requests.recent(LIST_LIMIT), key=lambda r: r["at"], reverse=True)
    return {"erasures": receipts}
