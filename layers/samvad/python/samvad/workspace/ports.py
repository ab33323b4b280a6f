"""The workspace's ports (typed Protocols, implemented in ``samvad.adapters``) and the audit
helper every use case writes through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from samvad.dispatch.policy import CallingHours
from samvad.escalation import cases as escalation
from samvad.feedback import service as feedback
from samvad.grievances.ports import GrievancePorts
from samvad.workspace.roles import Official


class BadCursor(ValueError):
    """A list's cursor that this list did not give (or that points into another list)."""


@dataclass(frozen=True)
class CaseFilter:
    """What a case list keeps besides its scope; empty fields keep everything."""

    status: str = ""
    not_status: str = ""
    """A status the cases must not have (``overdue=false``)."""
    level: int | None = None
    service: str = ""
    office_code: str = ""
    holder: str = ""
    """The official who holds the case (``mine=true``)."""
    not_holder: str = ""
    """An official who must not hold it (``mine=false``)."""


class CaseViews(Protocol):
    def page(
        self, scope: Mapping[str, str], filters: CaseFilter, limit: int, cursor: str = ""
    ) -> tuple[list[dict], str]:
        """Up to ``limit`` cases whose department/district/office_code equal every field of
        ``scope`` and that pass ``filters``, by a query (the filters in it, not after it),
        newest first: a page is full unless it is the last; and the cursor of the next page
        (``""`` at the end). A cursor that another list gave is ``BadCursor``."""
        ...


class CallLists(Protocol):
    def entries(self, list_id: str) -> list[dict]: ...


class CallAttempts(Protocol):
    def record_as(self, list_id: str, visit_key: str, number: int, attempt: dict) -> bool:
        """Store ``attempt`` as number ``number``; False when that number is taken."""
        ...

    def for_list(self, list_id: str) -> dict[str, list[dict]]: ...


class Uploads(Protocol):
    def presign(self, key: str, content_type: str, max_bytes: int) -> dict: ...
    def list(self, prefix: str) -> list[dict]: ...
    def download_url(self, key: str) -> str: ...
    def first_bytes(self, key: str, count: int) -> bytes | None:
        """The object's first ``count`` bytes; None when nothing is stored under ``key``."""
        ...


class AuditLog(Protocol):
    def append(self, entry: dict) -> None: ...
    def append_once(self, entry: dict, key: str, unless: tuple[str, ...] = ()) -> bool:
        """Append ``entry`` under ``key`` (``<ISO time>#…``) unless that key or any of
        ``unless`` is already taken (one conditional write); False when it was."""
        ...

    def recent(self, today: dt.date, days: int, limit: int) -> list[dict]:
        """The ``days`` days ending ``today`` (on the clock entries are stamped with)."""
        ...


class Tallies(Protocol):
    def rows(self, partition: str, prefix: str = "") -> list[dict]:
        """The report counters of ``day#<date>``, ``month#<YYYY-MM>`` or ``rollup#<date>``
        (sort keys starting with ``prefix``), one row per grain or rollup (department,
        district, office_code, official_id, counters)."""
        ...


class CallBridge(Protocol):
    def bridge(self, official_phone: str, citizen_phone: str, reference: str) -> str:
        """Ring the official first, then join the citizen; neither sees the other's number
        (both see the contact centre's). Returns the contact id; ``reference`` (a visit and
        attempt) makes a repeated request the same call."""
        ...


class Requeue(Protocol):
    def later(self, entry: dict, at: dt.datetime, name: str) -> None:
        """Put a call-list entry (``entry["list_id"]``, ``entry["visit_key"]``, …) on the
        official's call list at ``at``, once per ``name`` (a repeat with the same name changes
        nothing): the call desk's hand-back of a no-answer."""
        ...


class DispatchHandOff(Protocol):
    def later(self, message: dict, at: dt.datetime, name: str) -> None:
        """Put ``message`` (a dispatch message) on the dispatcher's queue at ``at``, once per
        ``name`` (a repeat with the same name changes nothing): the call desk's SMS fallback
        after its last unanswered call."""
        ...


class Notifier(Protocol):
    def notify(self, official_id: str, text: str) -> None: ...


@dataclass
class WorkspacePorts:
    escalation: escalation.EscalationPorts
    case_views: CaseViews
    call_lists: CallLists
    call_attempts: CallAttempts
    visits: Any  # get(visit_key) -> dict | None (holds the phone: never returned but by reveal)
    feedback: feedback.FeedbackPorts
    uploads: Uploads
    audit: AuditLog
    notifier: Notifier
    tallies: Tallies | None = None
    grievances: GrievancePorts | None = None  # inbound grievances: register, relay, unmask
    bridge: CallBridge | None = None  # None: no telephony here (Call is refused, 409)
    requeue: Requeue | None = None  # None: no-answer/busy stays on the list, callable again
    dispatch: DispatchHandOff | None = None  # None: no SMS fallback from the desk
    sms_fallback: bool = True
    """The dispatch policy's: after the last unanswered call the citizen gets the SMS survey."""
    retry_after_hours: tuple[float, ...] = (2.0, 4.0)
    calling_hours: CallingHours = field(default_factory=CallingHours)
    """The dispatch policy's: a retry falling outside them moves to the next opening."""
    busy_retry_minutes: float = 30.0
    call_attempts_max: int = 3
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    audit_clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    """When officials really acted: the audit trail keeps wall-clock time even where the local
    runtime simulates the rest of the world's (``clock``)."""


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def audit(
    ports: WorkspacePorts, who: Official | None, what: str, target: str, **detail: object
) -> None:
    """Append who did what to which, when and from where (never a phone number)."""
    ports.audit.append(
        {
            "at": iso(ports.audit_clock()),
            "who": who.official_id if who else str(detail.pop("username", "")),
            "role": who.role if who else "",
            "what": what,
            "target": target,
            "from": who.source_ip if who else str(detail.pop("source_ip", "")),
            **{k: v for k, v in detail.items() if v not in (None, "")},
        }
    )


class Identity(Protocol):
    def sign_in(self, username: str, password: str) -> dict | None:
        """``{"id_token", "expires_in", "official_id"}``; ``{"challenge": name}`` when
        Cognito asks for more (MFA, a new password); None when refused."""
        ...
