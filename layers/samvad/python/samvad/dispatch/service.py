"""Contact each sampled citizen (and each case's citizen for confirmation) exactly once.

``dispatch(message)`` handles one dispatch-queue message: it refuses duplicates and opted-out
citizens, keeps to calling hours (deferring, never dropping), takes a token from the shared
bucket of the channel, *claims* the attempt in the ledger, and only then places the call or
sends the SMS. ``call_ended(event)`` handles Connect's DISCONNECTED contact event: answered
ends the contact; no answer or busy schedules the next call at a spaced hour, and after the
last call falls back to SMS.

Idempotency: every attempt is a ledger item claimed with a conditional write before the
channel is used, so a replayed message finds its attempt taken and does nothing. A contact's
final status (contacted, opted out, gave up) is written once; events are published at least
once and carry ``(visit_key, attempt, outcome)`` for consumers to deduplicate.

A claim with nothing recorded after it (``claimed``) is ambiguous once its invocation is gone
(older than notify's timeout): the invocation may have died before using the channel, or after
the channel accepted the contact but before the ledger heard of it. A call is simply placed
again: Connect's ``ClientToken`` (one per attempt) makes that idempotent. An SMS is at most
once: SNS has no idempotency key for a direct publish, so an SMS of unknown fate is never sent
again; it is recorded ``sms_unconfirmed`` and finished like a sent one (the citizen most likely
has it, its link works, a reply is matched), counted (``SmsUnconfirmed``) and listed for
reconciliation against SNS's delivery-status logs (docs/operations.md). The same holds for a
publish that timed out after the request went out (``ChannelOutcomeUnknown``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from samvad import messages, resources
from samvad.dispatch.policy import VOICE_CHANNELS, NotifyPolicy
from samvad.logs import logger_for
from samvad.ports import (
    Deferrer,
    DispatchLedger,
    EventPublisher,
    LinkIssuer,
    OptOuts,
    RateLimiter,
    Sms,
    Telephony,
    VisitReader,
)

log = logger_for("dispatch")

SURVEY, CONFIRMATION = "survey", "confirmation"
FINAL_STATUSES = ("contacted", "opted_out", "gave_up", "failed")
SMS_UNCONFIRMED = "sms_unconfirmed"
"""An SMS attempt whose fate is unknown: it may have gone out, so it is never sent again."""
INVOCATION_LIMIT = dt.timedelta(seconds=resources.NOTIFY_TIMEOUT_SECONDS)
"""A claim younger than notify's timeout may belong to a live invocation: leave it alone."""
STALE_CLAIM = dt.timedelta(seconds=2 * resources.DISPATCH_VISIBILITY_SECONDS)
"""When the ledger lets another message retake a call's claim: longer than the dispatch
queue's visibility timeout, so the redelivery of a crashed invocation's own message never
retakes it (it goes through ``_replayed``). An SMS claim is never retaken."""
CHECK_AFTER = dt.timedelta(minutes=20)
"""Contact events are best-effort: a placed call with no outcome by then is looked up."""
DEFER_SPREAD = dt.timedelta(minutes=20)
"""Deferred-to-opening contacts are spread over this much time so 09:00 is not a stampede."""


class MessageError(ValueError):
    """A dispatch message that can never be processed (it goes to the DLQ with this reason)."""


class ChannelThrottled(Exception):
    """The channel refused for rate: try again shortly."""


class ChannelRejected(Exception):
    """The channel refused this contact for good (e.g. an unroutable number)."""


class ChannelOutcomeUnknown(Exception):
    """The request reached the channel but no answer came back (a read timeout, a connection
    closed mid-response): the contact may have gone out. Never retried blindly."""


@dataclass(frozen=True)
class Contact:
    """One dispatch message: who to contact, how, and which attempt this is."""

    visit_key: str
    channel: str
    kind: str = SURVEY
    language: str = ""
    attempt: int = 1
    run_date: str = ""
    caller: str = ""
    case_id: str = ""
    round: int = 1
    """Confirmations: which request to the citizen this is, the case's round (one per
    action-taken report; at L4 every round asks again). Messages from before rounds were sent
    carry only ``level``, which then stands for the round."""
    level: int = 0
    """Confirmations: the escalation level that asks (shown, never part of the key)."""

    @property
    def key(self) -> str:
        """The ledger key: a survey per visit, a confirmation per case and round."""
        if self.kind == SURVEY:
            return self.visit_key
        return f"confirm#{self.case_id}#{self.round}"

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> Contact:
        if not isinstance(body, dict):
            raise MessageError("a dispatch message must be a JSON object")
        kind = body.get("kind") or SURVEY
        if kind not in (SURVEY, CONFIRMATION):
            raise MessageError(f"unknown dispatch kind {kind!r}")
        visit_key = body.get("visit_key")
        if not isinstance(visit_key, str) or not visit_key:
            raise MessageError("visit_key is missing")
        channel = body.get("channel") or "sms"
        if channel not in (*VOICE_CHANNELS, "sms"):
            raise MessageError(f"unknown channel {channel!r}")
        if kind == CONFIRMATION and not body.get("case_id"):
            raise MessageError("a confirmation needs case_id")
        try:
            attempt = int(body.get("attempt") or 1)
        except (TypeError, ValueError):
            raise MessageError(f"attempt must be a number, not {body.get('attempt')!r}") from None
        if not 1 <= attempt <= 20:
            raise MessageError(f"attempt {attempt} is out of range")
        try:
            round_ = int(body.get("round") or body.get("level") or 1)
            level = int(body.get("level") or 0)
        except (TypeError, ValueError):
            raise MessageError(
                f"round and level must be numbers, not {body.get('round')!r}, {body.get('level')!r}"
            ) from None
        return cls(
            visit_key=visit_key,
            channel=channel,
            kind=kind,
            language=str(body.get("language") or ""),
            attempt=attempt,
            run_date=str(body.get("run_date") or ""),
            caller=str(body.get("caller") or ""),
            case_id=str(body.get("case_id") or ""),
            round=round_,
            level=level,
        )

    def to_message(self) -> dict[str, Any]:
        body = {
            "kind": self.kind,
            "visit_key": self.visit_key,
            "channel": self.channel,
            "language": self.language,
            "attempt": self.attempt,
        }
        for name in ("run_date", "caller", "case_id"):
            if getattr(self, name):
                body[name] = getattr(self, name)
        if self.kind == CONFIRMATION:
            body["round"] = self.round
            body["level"] = self.level or self.round
        return body

    def next_attempt(self, channel: str | None = None) -> Contact:
        return replace(self, attempt=self.attempt + 1, channel=channel or self.channel)


@dataclass(frozen=True)
class Result:
    """What happened to one message or event; ``status`` is one word, for counting."""

    status: str
    key: str = ""
    attempt: int = 0
    until: str = ""
    detail: str = ""


@dataclass(frozen=True)
class DispatchPorts:
    ledger: DispatchLedger
    visits: VisitReader
    contacts: OptOuts
    sms: Sms
    links: LinkIssuer
    limiter: RateLimiter
    deferrer: Deferrer
    events: EventPublisher
    policy: NotifyPolicy
    telephony: Telephony | None = None  # None: voice contacts go by SMS
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    sleep: Callable[[float], None] = field(default=lambda seconds: None)


def dispatch(body: dict[str, Any], ports: DispatchPorts) -> Result:
    """Handle one dispatch message; safe to repeat. Raises only for transient failures."""
    contact = Contact.from_message(body)
    now = ports.clock()
    state = ports.ledger.state(contact.key) or {}
    if state.get("status") in FINAL_STATUSES:
        return Result("duplicate", contact.key, contact.attempt, detail=state["status"])
    visit = ports.visits.get(contact.visit_key)
    if visit is None:
        return _finish(contact, "failed", "visit_not_found", None, ports, now)
    if ports.contacts.opted_out(visit["phone_hash"]):
        return _finish(contact, "opted_out", "opted_out", visit, ports, now)
    channel = _channel(contact, ports)
    if channel != contact.channel:
        contact = replace(contact, channel=channel)
    opening = ports.policy.hours.next_open(now)
    if opening > now:
        return _defer(contact, opening + _spread(contact.key), ports, now, "calling_hours")
    waited = _take_token(contact, ports)
    if waited is not None:
        return _defer(contact, now + dt.timedelta(seconds=waited), ports, now, "paced")
    now = ports.clock()
    if not ports.ledger.claim(contact, now, _stale_before(contact, now)):
        return _replayed(contact, visit, ports, now)
    return _place(contact, visit, ports, now)


def _stale_before(contact: Contact, now: dt.datetime) -> dt.datetime:
    if contact.channel in VOICE_CHANNELS:
        return now - STALE_CLAIM
    return dt.datetime.min.replace(tzinfo=dt.UTC)  # SMS: at most once, never retaken


def call_ended(detail: dict[str, Any], ports: DispatchPorts) -> Result:
    """Handle an Amazon Connect DISCONNECTED contact event for one of our calls."""
    contact_id = detail.get("contactId", "")
    found = ports.ledger.by_reference(contact_id) if contact_id else None
    if found is None:
        return Result("ignored", detail="not a Samvad call")
    key, number = found
    attempt = ports.ledger.attempt(key, number) or {}
    contact = Contact.from_message(attempt.get("message") or {})
    now = ports.clock()
    outcome = call_outcome(detail)
    if not ports.ledger.ended(key, number, outcome, now) and attempt.get("settled"):
        return Result("duplicate", key, number, detail=outcome)
    visit = ports.visits.get(contact.visit_key)
    if outcome == "answered":
        ports.ledger.finish(key, "contacted", contact.channel, now)
        _publish_outcome(contact, "answered", True, visit, ports, now)
        result = Result("answered", key, number)
    else:
        result = _after_unanswered(contact, outcome, visit, ports, now)
    ports.ledger.settle(key, number)
    return result


def check_call(check: dict[str, Any], ports: DispatchPorts) -> Result:
    """The watchdog for a placed call: if its DISCONNECTED event never came (EventBridge
    delivers Connect's events on a best-effort basis), ask Connect how the call ended."""
    key, number = check["key"], int(check["attempt"])
    attempt = ports.ledger.attempt(key, number) or {}
    if attempt.get("outcome") != "placed" or ports.telephony is None:
        return Result("checked", key, number, detail=attempt.get("outcome", "unknown"))
    detail = ports.telephony.describe(attempt["reference"])
    now = ports.clock()
    if not detail.get("disconnectTimestamp"):
        ports.deferrer.defer(check, now + CHECK_AFTER, now)
        return Result("still_in_call", key, number)
    return call_ended(detail, ports)


def call_outcome(detail: dict[str, Any]) -> str:
    """``answered`` if media was established, else ``busy``, ``failed`` or ``no_answer``."""
    if detail.get("connectedToSystemTimestamp"):
        return "answered"
    reason = str(detail.get("disconnectReason") or "").upper()
    if "BUSY" in reason:
        return "busy"
    if "INVALID" in reason or "DESTINATION_ENDPOINT" in reason:
        return "failed"
    return "no_answer"


def _after_unanswered(
    contact: Contact, outcome: str, visit: dict | None, ports: DispatchPorts, now: dt.datetime
) -> Result:
    policy = ports.policy
    if outcome != "failed" and contact.attempt < policy.call_attempts:
        following = contact.next_attempt()
        until = policy.retry_at(contact.attempt, outcome == "busy", now)
        ports.deferrer.defer(following.to_message(), until, now)
        _publish_outcome(contact, outcome, False, visit, ports, now)
        return Result("retry_scheduled", contact.key, following.attempt, until.isoformat())
    if policy.sms_fallback:
        following = contact.next_attempt(channel="sms")
        until = policy.hours.next_open(now)
        ports.deferrer.defer(following.to_message(), until, now)
        _publish_outcome(contact, outcome, False, visit, ports, now)
        return Result("sms_fallback", contact.key, following.attempt, until.isoformat())
    ports.ledger.finish(contact.key, "gave_up", contact.channel, now)
    _publish_outcome(contact, "gave_up", True, visit, ports, now)
    return Result("gave_up", contact.key, contact.attempt)


def _channel(contact: Contact, ports: DispatchPorts) -> str:
    if contact.channel in VOICE_CHANNELS and ports.telephony is None:
        return "sms"  # no Connect instance configured: SMS rather than nothing
    return contact.channel


def _take_token(contact: Contact, ports: DispatchPorts) -> float | None:
    """None once a token is taken; else the seconds to wait, too long to sleep here."""
    policy = ports.policy
    bucket = policy.bucket_of(contact.channel)
    rate = policy.pace(bucket)
    budget = policy.max_wait_in_invocation
    while True:
        wait = ports.limiter.acquire(bucket, rate, ports.clock().timestamp())
        if wait <= 0:
            return None
        if wait > budget:
            return wait
        ports.sleep(wait)
        budget -= wait


def _place(contact: Contact, visit: dict, ports: DispatchPorts, now: dt.datetime) -> Result:
    try:
        if contact.channel in VOICE_CHANNELS:
            if ports.telephony is None:  # voice contacts were turned into SMS before this
                raise RuntimeError("a voice contact to place without telephony")
            reference = ports.telephony.start_call(
                visit["phone"], _call_attributes(contact, visit), _client_token(contact)
            )
            ports.ledger.placed(contact, "placed", reference, now)
            check = {"check_call": True, "key": contact.key, "attempt": contact.attempt}
            ports.deferrer.defer(check, now + CHECK_AFTER, now)
            return Result("call_placed", contact.key, contact.attempt)
        reference = ports.sms.send(visit["phone"], _sms_text(contact, visit, ports), ports.policy)
    except ChannelOutcomeUnknown as error:
        if contact.channel in VOICE_CHANNELS:  # retried with the same ClientToken: safe
            ports.ledger.unplaced(contact, "unknown")
            raise
        log.warning("SMS of unknown fate", extra={"key": contact.key, "error": str(error)})
        ports.ledger.placed(contact, SMS_UNCONFIRMED, "", now)
        return _sms_sent(contact, visit, ports, now, confirmed=False)
    except ChannelThrottled:
        ports.ledger.unplaced(contact, "throttled")
        return _defer(contact, now + dt.timedelta(seconds=5), ports, now, "throttled")
    except ChannelRejected as error:
        ports.ledger.placed(contact, "failed", "", now)
        if contact.channel in VOICE_CHANNELS:
            return _after_unanswered(contact, "failed", visit, ports, now)
        return _finish(contact, "failed", f"sms_rejected: {error}", visit, ports, now)
    except Exception:
        ports.ledger.unplaced(contact, "error")  # nothing was placed: the retry may claim it
        raise
    ports.ledger.placed(contact, "sms_sent", reference, now)
    return _sms_sent(contact, visit, ports, now)


def _sms_sent(
    contact: Contact, visit: dict, ports: DispatchPorts, now: dt.datetime, confirmed: bool = True
) -> Result:
    """After the SMS (or an SMS of unknown fate, ``confirmed=False``): remember it for the
    citizen's reply, publish the outcome, finish the contact; each step safe to repeat."""
    ports.contacts.remember_sms(visit["phone_hash"], contact.to_message())
    _publish_outcome(  # before the final status: a replay republishes, not loses
        contact, "sms_sent", True, visit, ports, now, {} if confirmed else {"confirmed": False}
    )
    ports.ledger.finish(contact.key, "contacted", "sms", now)
    ports.ledger.settle(contact.key, contact.attempt)
    status = "sms_sent" if confirmed else SMS_UNCONFIRMED
    return Result(status, contact.key, contact.attempt)


def _replayed(contact: Contact, visit: dict, ports: DispatchPorts, now: dt.datetime) -> Result:
    """The attempt was claimed before: finish what a crashed invocation left undone."""
    attempt = ports.ledger.attempt(contact.key, contact.attempt) or {}
    outcome = attempt.get("outcome", "")
    if outcome in ("sms_sent", SMS_UNCONFIRMED) and not attempt.get("settled"):
        return _sms_sent(contact, visit, ports, now, confirmed=outcome == "sms_sent")
    if outcome == "claimed" and _abandoned(attempt, now):
        if contact.channel in VOICE_CHANNELS:  # the same ClientToken: Connect places it once
            return _place(contact, visit, ports, now)
        log.warning("SMS claim abandoned: fate unknown", extra={"key": contact.key})
        ports.ledger.placed(contact, SMS_UNCONFIRMED, "", now)
        return _sms_sent(contact, visit, ports, now, confirmed=False)
    return Result("duplicate", contact.key, contact.attempt, detail=outcome)


def _abandoned(attempt: dict, now: dt.datetime) -> bool:
    """Claimed longer ago than any invocation lives: nobody will record what happened."""
    claimed_at = attempt.get("claimed_at")
    if not claimed_at:
        return False
    return dt.datetime.fromisoformat(str(claimed_at)) <= now - INVOCATION_LIMIT


def _finish(
    contact: Contact,
    status: str,
    outcome: str,
    visit: dict | None,
    ports: DispatchPorts,
    now: dt.datetime,
) -> Result:
    _publish_outcome(contact, status, True, visit, ports, now)  # at least once: then final
    ports.ledger.finish(contact.key, status, contact.channel, now)
    log.info("contact finished", extra={"key": contact.key, "status": status})
    return Result(status, contact.key, contact.attempt, detail=outcome)


def _defer(
    contact: Contact, until: dt.datetime, ports: DispatchPorts, now: dt.datetime, why: str
) -> Result:
    ports.deferrer.defer(contact.to_message(), until, now)
    return Result("deferred", contact.key, contact.attempt, until.isoformat(), why)


def _spread(key: str) -> dt.timedelta:
    fraction = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 16**8
    return dt.timedelta(seconds=int(fraction * DEFER_SPREAD.total_seconds()))


def _client_token(contact: Contact) -> str:
    """Connect's idempotency token: the same attempt never rings twice within 7 days."""
    return hashlib.sha256(f"{contact.key}#{contact.attempt}".encode()).hexdigest()[:64]


def _language(contact: Contact, visit: dict) -> str:
    return messages.normalise_language(contact.language or visit.get("language"))


def _call_attributes(contact: Contact, visit: dict) -> dict[str, str]:
    return {
        "visit_key": contact.visit_key,
        "kind": contact.kind,
        "case_id": contact.case_id,
        "round": str(contact.round),
        "level": str(contact.level or contact.round),
        "run_date": contact.run_date,
        "channel": contact.channel,
        "language": _language(contact, visit),
        "caller": contact.caller or "contact-centre",
        "service_name": visit.get("service", ""),
        "office_name": visit.get("office_name") or visit.get("office_code", ""),
    }


def _sms_text(contact: Contact, visit: dict, ports: DispatchPorts) -> messages.SmsText:
    expires = ports.clock() + dt.timedelta(hours=ports.policy.link_ttl_hours)
    link = ports.links.issue(
        contact, _language(contact, visit), expires, host=ports.policy.link_host or None
    )
    office = visit.get("office_name") or visit.get("office_code", "")
    language = _language(contact, visit)
    if contact.kind == CONFIRMATION:
        return messages.sms(
            "confirmation", language, office=office, case=contact.case_id, link=link
        )
    day = dt.date.fromisoformat(visit["visit_date"]).strftime("%d-%m-%Y")
    return messages.sms(
        "survey", language, office=office, service=visit.get("service", ""), date=day, link=link
    )


def _publish_outcome(
    contact: Contact,
    outcome: str,
    final: bool,
    visit: dict | None,
    ports: DispatchPorts,
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    detail = {
        **(extra or {}),
        "visit_key": contact.visit_key,
        "kind": contact.kind,
        "channel": contact.channel,
        "attempt": contact.attempt,
        "outcome": outcome,
        "final": final,
        "at": now.isoformat(),
    }
    for name in ("case_id", "run_date", "caller"):
        if getattr(contact, name):
            detail[name] = getattr(contact, name)
    for name in ("department", "service", "office_code", "district", "official_id"):
        detail[name] = (visit or {}).get(name, "")
    ports.events.publish(resources.CONTACT_OUTCOME, detail)
