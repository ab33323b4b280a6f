"""Scheme notices in use: publish, answer ``SCHEME <keyword>`` by SMS, broadcast.

- ``publish``: a validated file becomes the next version of ``schemes/notices`` (others kept).
- ``sms_request``: ``SCHEME KALIA`` (or ``योजना``/``ଯୋଜନା``, any case) sends that current
  notice; no or an unknown keyword sends the list of current keywords; ``SCHEME ON``/``OFF``
  subscribes the number to scheme news or leaves it.
- ``broadcast``: a current notice to every subscriber, at most once each (a ledger claim
  before the send, as dispatch sends at most one SMS per attempt), paced by the token bucket
  of dispatch's SMS, only with a DLT template id registered for the language when DLT is
  configured, only within calling hours (it stops
  and reports ``deferred`` at closing time; a rerun goes on), never to an opted-out number.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from samvad.dispatch.policy import NotifyPolicy, Rate
from samvad.messages.sms import SmsText
from samvad.ports import ConfigReader, OptOuts, RateLimiter, Sms
from samvad.schemes.model import (
    SCHEMES_CONFIG,
    Scheme,
    merged_document,
    parse_schemes,
    schemes_from_document,
)
from samvad.schemes.sms import scheme_list_sms, scheme_sms

WORDS = ("SCHEME", "SCHEMES", "YOJANA", "योजना", "ଯୋଜନା")
_REQUEST = re.compile(rf"^\s*({'|'.join(WORDS)})(?:\s+(.*))?\s*$", re.IGNORECASE | re.DOTALL)


class ConfigPublisher(ConfigReader, Protocol):
    def publish(self, name: str, document: dict, author: str = "cli") -> int: ...


@dataclass(frozen=True)
class Subscriber:
    phone_hash: str
    phone: str
    language: str


class Subscribers(Protocol):
    def subscribe(self, phone_hash: str, phone: str, language: str, when: str) -> None: ...
    def unsubscribe(self, phone_hash: str) -> None: ...
    def all(self) -> Iterator[Subscriber]: ...


class BroadcastProgress(Protocol):
    """Which notices the scheduled broadcast has finished (so later runs skip them)."""

    def finished(self, keyword: str) -> bool: ...
    def finish(self, keyword: str, when: str) -> None: ...


class SendLedger(Protocol):
    def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed (the send may go ahead)."""
        ...


@dataclass(frozen=True)
class SchemePorts:
    config: ConfigReader
    sms: Sms
    policy: NotifyPolicy
    hasher: Callable[[str], str]
    subscribers: Subscribers
    opt_outs: OptOuts
    clock: Callable[[], dt.datetime]
    limiter: RateLimiter | None = None
    """Broadcasts only: the SMS token bucket dispatch shares."""
    ledger: SendLedger | None = None
    """Broadcasts only: at most one SMS per notice and subscriber."""
    sleep: Callable[[float], None] = field(default=lambda seconds: None)


def publish(
    config: ConfigPublisher, document: object, author: str = "cli"
) -> tuple[int, list[str]]:
    """Publish a scheme file (``SchemeError`` if invalid): the new version and its keywords."""
    schemes = parse_schemes(document)
    merged = merged_document(config.latest(SCHEMES_CONFIG), schemes)
    return config.publish(SCHEMES_CONFIG, merged, author), [s.keyword for s in schemes]


def current_schemes(config: ConfigReader, day: dt.date) -> list[Scheme]:
    return [s for s in schemes_from_document(config.latest(SCHEMES_CONFIG)) if s.current(day)]


def parse_request(text: str) -> str | None:
    """The rest of a ``SCHEME …`` message (upper case, maybe empty), or None if it is not one."""
    match = _REQUEST.match(unicodedata.normalize("NFC", text or ""))
    return " ".join((match.group(2) or "").split()).upper() if match else None


def sms_request(text: str, phone: str, language: str, ports: SchemePorts) -> str | None:
    """Answer a ``SCHEME`` SMS; None when the text is not a scheme request (other keywords
    handle it). Returns what was done: ``sent``, ``listed``, ``subscribed``, ``unsubscribed``."""
    rest = parse_request(text)
    if rest is None:
        return None
    phone_hash = ports.hasher(phone)
    if rest in ("ON", "START", "YES"):
        ports.subscribers.subscribe(phone_hash, phone, language, ports.clock().isoformat())
        return "subscribed"
    if rest in ("OFF", "STOP", "NO"):
        ports.subscribers.unsubscribe(phone_hash)
        return "unsubscribed"
    schemes = current_schemes(ports.config, ports.clock().date())
    chosen = next((s for s in schemes if s.keyword == rest.split(" ")[0]), None)
    if chosen is None:
        ports.sms.send(phone, scheme_list_sms([s.keyword for s in schemes], language), ports.policy)
        return "listed"
    ports.sms.send(phone, scheme_sms(chosen, language), ports.policy)
    return "sent"


class SchemeSms:
    """``SchemeSender`` for the IVR: the notice by SMS to the caller, on request."""

    def __init__(self, sms: Sms, policy: NotifyPolicy) -> None:
        self._sms, self._policy = sms, policy

    def send(self, phone: str, scheme: Scheme, language: str) -> None:
        self._sms.send(phone, scheme_sms(scheme, language), self._policy)


def registered(text: SmsText, policy: NotifyPolicy) -> bool:
    """Sendable under DLT: no DLT configured (development), or a template id for its text."""
    return not policy.dlt_entity_id or f"{text.template}.{text.language}" in policy.dlt_template_ids


def broadcast(
    keyword: str, ports: SchemePorts, stop: Callable[[], bool] = lambda: False
) -> dict[str, Any]:
    """Send notice ``keyword`` to every subscriber once; the counts of what happened.
    ``stop()`` true (the invocation's time is running out) defers the rest, as closing
    time does; a rerun goes on where the claims say."""
    if ports.limiter is None or ports.ledger is None:
        raise ValueError("a broadcast needs the SMS rate limiter and the send ledger")
    now = ports.clock()
    scheme = next(
        (s for s in current_schemes(ports.config, now.date()) if s.keyword == keyword), None
    )
    if scheme is None:
        return {"status": "not_current", "keyword": keyword}
    counts: Counter[str] = Counter()
    bucket = ports.policy.bucket_of("sms")
    rate = ports.policy.pace(bucket)
    for subscriber in ports.subscribers.all():
        if stop() or not ports.policy.hours.is_open(ports.clock()):
            return {"status": "deferred", "keyword": keyword, **counts}
        text = scheme_sms(scheme, subscriber.language)
        if ports.opt_outs.opted_out(subscriber.phone_hash):
            counts["opted_out"] += 1
        elif not registered(text, ports.policy):
            counts["no_dlt_template"] += 1
        elif not ports.ledger.claim(f"scheme#{keyword}#{subscriber.phone_hash}"):
            counts["already_sent"] += 1
        else:
            _pace(ports, bucket, rate)
            ports.sms.send(subscriber.phone, text, ports.policy)
            counts["sent"] += 1
    return {"status": "done", "keyword": keyword, **counts}


def _pace(ports: SchemePorts, bucket: str, rate: Rate) -> None:
    """Wait for a token of the SMS bucket dispatch uses: broadcasts share its quota."""
    assert ports.limiter is not None
    while (wait := ports.limiter.acquire(bucket, rate, ports.clock().timestamp())) > 0:
        ports.sleep(wait)


def scheduled_broadcasts(
    ports: SchemePorts, progress: BroadcastProgress, stop: Callable[[], bool] = lambda: False
) -> dict[str, Any]:
    """The stack's scheduled run: every current notice published with ``broadcast: true``
    and not finished yet is broadcast (``broadcast``: paced, in calling hours, DLT, never
    to the opted out, at most once per notice and subscriber); a notice sent to everyone is
    marked finished. Runs every half hour in calling hours: a run that closing time or its
    own ``stop`` cuts short is continued by the next."""
    now = ports.clock()
    if not ports.policy.hours.is_open(now):
        return {"status": "closed", "notices": []}
    results = []
    for scheme in current_schemes(ports.config, now.date()):
        if not scheme.broadcast or progress.finished(scheme.keyword):
            continue
        result = broadcast(scheme.keyword, ports, stop)
        results.append(result)
        if result["status"] == "done":
            progress.finish(scheme.keyword, ports.clock().isoformat())
        else:
            break  # out of time or hours: the next run goes on from here
    deferred = any(r["status"] == "deferred" for r in results)
    return {"status": "deferred" if deferred else "done", "notices": results}
