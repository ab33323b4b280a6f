"""Record what a citizen said, once per visit, whichever channel it came through.

Three entry points share these functions: the Connect survey flow (``connect.py``), SMS
replies (``sms.py``) and the web form (``web.py``). A survey answer is stored with a
conditional write (the first answer for a visit wins; a replay or a second channel finds it
and changes nothing), then ``FeedbackRecorded`` — and ``FeedbackPoor`` when it is poor — are
published and the item is marked published; a crash in between is finished by the replay.
Free text is stored, never logged, never put in an event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from samvad import resources
from samvad.feedback.acks import Acknowledgements
from samvad.feedback.answers import Answers
from samvad.logs import logger_for
from samvad.ports import (
    DispatchLedger,
    EventPublisher,
    FeedbackStore,
    LinkRedeemer,
    OptOuts,
    Sms,
    VisitReader,
)

if TYPE_CHECKING:
    from samvad.dispatch.policy import NotifyPolicy
    from samvad.grievances.ports import GrievancePorts
    from samvad.schemes.service import SchemePorts

log = logger_for("feedback")

VISIT_FIELDS = (
    "department",
    "service",
    "office_code",
    "office_name",
    "district",
    "official_id",
    "visit_date",
)


@dataclass(frozen=True)
class FeedbackPorts:
    store: FeedbackStore
    visits: VisitReader
    contacts: OptOuts
    events: EventPublisher
    hasher: Callable[[str], str]  # E.164 → phone hash
    links: LinkRedeemer | None = None
    ledger: DispatchLedger | None = None  # SMS replies: by_reference, attempt
    sms: Sms | None = None  # acknowledgements
    policy: NotifyPolicy | None = None  # SMS sender and DLT ids for acknowledgements
    acks: Acknowledgements | None = None  # caps SMS acknowledgements; None: none are sent
    grievances: GrievancePorts | None = None  # GRV/STATUS keywords and the form ``/g``
    schemes: SchemePorts | None = None  # SCHEME <keyword> and SCHEME ON/OFF by SMS
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class Recorded:
    status: str  # recorded | duplicate | unknown_visit
    poor: bool = False
    reasons: tuple[str, ...] = ()


def record_survey(
    visit_key: str,
    answers: Answers,
    channel: str,
    language: str,
    ports: FeedbackPorts,
    run_date: str = "",
) -> Recorded:
    """Store the survey answers for ``visit_key`` and publish the feedback events."""
    visit = ports.visits.get(visit_key)
    if visit is None:
        log.warning("feedback for an unknown visit", extra={"visit_key": visit_key})
        return Recorded("unknown_visit")
    now = ports.clock()
    reasons = answers.poor_reasons()
    item = {
        "visit_key": visit_key,
        "channel": channel,
        "language": language,
        "rating": answers.rating,
        "work_done": answers.work_done,
        "bribe_asked": answers.bribe_asked,
        "wants_officer": answers.wants_officer,
        "free_text": answers.free_text,
        "poor": bool(reasons),
        "reasons": reasons,
        "run_date": run_date,
        "received_at": now.isoformat(),
        "phone_hash": visit.get("phone_hash", ""),
        **{name: visit.get(name, "") for name in VISIT_FIELDS},
    }
    if not ports.store.put_new(visit_key, item):
        stored = ports.store.get(visit_key) or {}
        if stored.get("published"):
            return Recorded("duplicate", bool(stored.get("poor")), tuple(stored.get("reasons", ())))
        item = stored  # a crash left it unpublished: publish what was stored first
    _publish(item, ports)
    ports.store.mark_published(visit_key)
    log.info(
        "feedback recorded",
        extra={"visit_key": visit_key, "channel": channel, "poor": item["poor"]},
    )
    return Recorded("recorded", bool(item["poor"]), tuple(item.get("reasons", ())))


def _publish(item: dict, ports: FeedbackPorts) -> None:
    detail = {k: v for k, v in item.items() if k not in ("free_text", "phone_hash", "published")}
    detail["reasons"] = list(item.get("reasons", ()))
    ports.events.publish(resources.FEEDBACK_RECORDED, detail)
    if item.get("poor"):
        ports.events.publish(resources.FEEDBACK_POOR, detail)


def record_confirmation(
    case_id: str,
    round_: int,
    visit_key: str,
    resolved: bool,
    channel: str,
    ports: FeedbackPorts,
) -> Recorded:
    """The citizen's answer to "was your complaint resolved?": stored once per round."""
    key = confirmation_key(case_id, round_)
    now = ports.clock()
    item = {
        "visit_key": key,
        "case_id": case_id,
        "round": round_,
        "case_visit_key": visit_key,
        "resolved": resolved,
        "channel": channel,
        "received_at": now.isoformat(),
    }
    if not ports.store.put_new(key, item):
        stored = ports.store.get(key) or {}
        if stored.get("published"):
            return Recorded("duplicate")
        item = stored
    ports.events.publish(
        resources.CASE_CONFIRMATION,
        {
            "case_id": item["case_id"],
            "round": item["round"],  # the case's round that asked (one question per round)
            "visit_key": item["case_visit_key"],
            "resolved": bool(item["resolved"]),
            "channel": item["channel"],
            "received_at": item["received_at"],
        },
    )
    ports.store.mark_published(key)
    return Recorded("recorded")


def confirmation_key(case_id: str, round_: int) -> str:
    return f"confirm#{case_id}#{round_}"


def opt_out(phone: str, channel: str, ports: FeedbackPorts) -> str:
    """STOP, for good: the registry the sampler and dispatcher read; returns the phone hash."""
    phone_hash = ports.hasher(phone)
    now = ports.clock()
    ports.contacts.opt_out(phone_hash, now.isoformat())
    ports.events.publish(
        resources.CITIZEN_OPTED_OUT,
        {"phone_hash": phone_hash, "channel": channel, "at": now.isoformat()},
    )
    log.info("citizen opted out", extra={"channel": channel})
    return phone_hash
