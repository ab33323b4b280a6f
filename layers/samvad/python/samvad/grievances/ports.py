"""The ports the grievance use cases need, and their bundle ``GrievancePorts``."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from samvad.grievances.references import ALPHABET, LENGTH, PREFIX
from samvad.ports import ConfigReader, EventPublisher, RateLimiter, Record, Sms

if TYPE_CHECKING:
    from samvad.dispatch.policy import NotifyPolicy


class GrievanceStore(Protocol):
    """The Grievances table: one item per key (``ref#<reference>``, ``fold#…``, ``once#…``,
    ``otp#…``) and the rejects, per day."""

    def claim(self, key: str, item: dict[str, Any], now: int) -> tuple[Record, bool]:
        """Store ``item`` under ``key`` unless a live one is there (``expires_at`` absent or
        after ``now``, epoch seconds); return the stored item and whether it is ``item``."""
        ...

    def get(self, key: str) -> Record | None: ...
    def put(self, key: str, item: dict[str, Any]) -> None: ...
    def add_reject(self, day: str, reject_id: str, item: dict[str, Any]) -> bool:
        """Keep a reject once per ``reject_id``; True if it is new."""
        ...

    def rejects(self, day: str) -> list[Record]: ...


class Citizens(Protocol):
    """The grievance's citizen, kept as a visit item ``grv-<reference>`` (phone encrypted at
    rest with the Visits table's key; erasable by phone hash like every visit)."""

    def keep(self, visit_key: str, fields: dict[str, Any]) -> None: ...
    def phone(self, visit_key: str) -> str | None: ...


class OfficeFinder(Protocol):
    def find(self, office_code: str) -> list[Record]:
        """The offices with this code, one per department that has it: ``department``,
        ``office_code``, ``office_name``, ``district`` (from the intake's directory)."""
        ...


class CaseReader(Protocol):
    """The Cases table as the grievance domain uses it: read, and append a relay entry."""

    def get(self, case_id: str) -> Record | None: ...
    def append(
        self, case_id: str, round_: int, fields: dict[str, Any], entry: dict[str, Any]
    ) -> bool: ...


def hashed_reference(key: str, attempt: int, prefix: str = PREFIX) -> str:
    """The reference for idempotency key ``key``: the same key always gives the same
    sequence (a replay finds its own), ``attempt`` draws the next on a collision."""
    digest = int.from_bytes(hashlib.sha256(f"{attempt}#{key}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(LENGTH):
        digest, index = divmod(digest, len(ALPHABET))
        chars.append(ALPHABET[index])
    return f"{prefix}-{''.join(chars)}"


@dataclass(frozen=True)
class GrievancePorts:
    store: GrievanceStore
    citizens: Citizens
    cases: CaseReader
    events: EventPublisher
    hasher: Callable[[str], str]  # E.164 → phone hash
    config: ConfigReader
    limiter: RateLimiter | None = None  # None: no rate limits (tests of other rules)
    sms: Sms | None = None
    offices: OfficeFinder | None = None  # SMS keywords: the office code → its department
    policy: NotifyPolicy | None = None  # sender and DLT ids; None: no SMS sent
    status_url: str = ""  # the public status page (``<feedback URL>/g/status``), in relay SMS
    sms_by_request: bool = False
    """True where the function may not send SMS (the workspace): each SMS is published as a
    ``GrievanceSmsRequested`` event for the feedback function to send (``outbox``)."""
    reference_for: Callable[[str, int], str] = hashed_reference
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
