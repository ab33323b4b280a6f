"""The dispatch policy: calling hours, channel rates, retries, links, SMS sender and DLT ids.

A versioned config document (``resources.NOTIFY_CONFIG``, published with
``samvad config publish notify/settings FILE``); every field has a default, so an empty or
missing document gives the defaults below.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass, field

VOICE_CHANNELS = ("ivr_call", "official_call")
CHANNELS = (*VOICE_CHANNELS, "sms")


class PolicyError(ValueError):
    """The notify settings document is invalid; the message names the field."""


@dataclass(frozen=True)
class Rate:
    """A token bucket: ``per_second`` sustained, ``burst`` at most at once."""

    per_second: float
    burst: int


@dataclass(frozen=True)
class CallingHours:
    """Contacts only between ``start`` and ``end`` (local time in ``time_zone``)."""

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(21, 0)
    time_zone: str = "Asia/Kolkata"

    @functools.cached_property
    def zone(self) -> dt.tzinfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_open(self, when: dt.datetime) -> bool:
        local = when.astimezone(self.zone).time()
        return self.start <= local < self.end

    def next_open(self, when: dt.datetime) -> dt.datetime:
        """``when`` if the hours are open then, else the next opening (timezone-aware)."""
        if self.is_open(when):
            return when
        local = when.astimezone(self.zone)
        day = local.date() if local.time() < self.start else local.date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, self.start, tzinfo=self.zone)


@dataclass(frozen=True)
class NotifyPolicy:
    hours: CallingHours = field(default_factory=CallingHours)
    rates: dict[str, Rate] = field(
        default_factory=lambda: {"voice": Rate(2.0, 5), "sms": Rate(10.0, 20)}
    )
    """The channels' quotas: Connect's StartOutboundVoiceContact default is 2/s, burst 5."""
    call_attempts: int = 3
    """Calls per contact before falling back to SMS: the first and two retries."""
    retry_after_hours: tuple[float, ...] = (2.0, 4.0)
    """Spacing before the 2nd and 3rd call; moved forward into calling hours if needed."""
    busy_retry_minutes: float = 30.0
    sms_fallback: bool = True
    link_ttl_hours: int = 72
    link_host: str = ""
    """The short host of feedback links (``sv.od.in``, ≤ 8 characters: the link is one DLT
    variable of ≤ 30); blank: the feedback function URL's host (long: for local runs)."""
    sms_sender_id: str = "SAMVAD"
    dlt_entity_id: str = ""
    dlt_template_ids: dict[str, str] = field(default_factory=dict)
    """``<template>.<language>`` → the DLT template id registered for that text."""
    max_wait_in_invocation: float = 2.0
    """Seconds a dispatcher may sleep for a token; longer waits re-queue the message."""

    pacing_headroom: float = 0.9
    """Pace at this share of each quota (and one below its burst): a token is taken a few
    milliseconds before the API sees the request, so pacing at 100% would graze the quota."""

    def bucket_of(self, channel: str) -> str:
        return "voice" if channel in VOICE_CHANNELS else "sms"

    def pace(self, bucket: str) -> Rate:
        """The token bucket dispatchers share for ``bucket``: the quota less the headroom."""
        quota = self.rates[bucket]
        return Rate(quota.per_second * self.pacing_headroom, max(1, quota.burst - 1))

    def retry_at(self, attempt: int, busy: bool, now: dt.datetime) -> dt.datetime:
        """When call ``attempt + 1`` may be placed after call ``attempt`` was not answered."""
        if busy:
            delay = dt.timedelta(minutes=self.busy_retry_minutes)
        else:
            hours = self.retry_after_hours[min(attempt, len(self.retry_after_hours)) - 1]
            delay = dt.timedelta(hours=hours)
        return self.hours.next_open(now + delay)

    @classmethod
    def from_document(cls, doc: dict | None) -> NotifyPolicy:
        doc = dict(doc or {})
        unknown = set(doc) - _FIELDS
        if unknown:
            raise PolicyError(f"unknown notify settings: {sorted(unknown)}")
        defaults = cls()
        try:
            hours = doc.get("calling_hours", {})
            calling = CallingHours(
                start=dt.time.fromisoformat(hours.get("start", "09:00")),
                end=dt.time.fromisoformat(hours.get("end", "21:00")),
                time_zone=hours.get("time_zone", "Asia/Kolkata"),
            )
            calling.zone  # noqa: B018 - validates the name
        except (ValueError, zoneinfo.ZoneInfoNotFoundError, AttributeError) as error:
            raise PolicyError(f"calling_hours: {error}") from None
        if calling.start >= calling.end:
            raise PolicyError("calling_hours: start must be before end")
        rates = dict(defaults.rates)
        for name, value in doc.get("rates", {}).items():
            if name not in rates:
                raise PolicyError(f"rates.{name}: only 'voice' and 'sms' are paced")
            try:
                rate = Rate(float(value["per_second"]), int(value["burst"]))
            except (KeyError, TypeError, ValueError):
                raise PolicyError(f"rates.{name} needs per_second and burst") from None
            if rate.per_second <= 0 or rate.burst < 1:
                raise PolicyError(f"rates.{name}: per_second > 0 and burst ≥ 1")
            rates[name] = rate
        policy = cls(
            hours=calling,
            rates=rates,
            call_attempts=int(doc.get("call_attempts", defaults.call_attempts)),
            retry_after_hours=tuple(
                float(h) for h in doc.get("retry_after_hours", defaults.retry_after_hours)
            ),
            busy_retry_minutes=float(doc.get("busy_retry_minutes", defaults.busy_retry_minutes)),
            sms_fallback=bool(doc.get("sms_fallback", defaults.sms_fallback)),
            link_ttl_hours=int(doc.get("link_ttl_hours", defaults.link_ttl_hours)),
            link_host=str(doc.get("link_host", "")),
            sms_sender_id=str(doc.get("sms_sender_id", defaults.sms_sender_id)),
            dlt_entity_id=str(doc.get("dlt_entity_id", "")),
            dlt_template_ids=dict(doc.get("dlt_template_ids", {})),
            max_wait_in_invocation=float(
                doc.get("max_wait_in_invocation", defaults.max_wait_in_invocation)
            ),
            pacing_headroom=float(doc.get("pacing_headroom", defaults.pacing_headroom)),
        )
        if not 0 < policy.pacing_headroom <= 1:
            raise PolicyError("pacing_headroom must be in (0, 1]")
        if policy.call_attempts < 1:
            raise PolicyError("call_attempts must be at least 1")
        if len(policy.retry_after_hours) < policy.call_attempts - 1:
            raise PolicyError("retry_after_hours needs one spacing per retry")
        return policy


_FIELDS = {
    "calling_hours",
    "rates",
    "call_attempts",
    "retry_after_hours",
    "busy_retry_minutes",
    "sms_fallback",
    "link_ttl_hours",
    "link_host",
    "sms_sender_id",
    "dlt_entity_id",
    "dlt_template_ids",
    "max_wait_in_invocation",
    "pacing_headroom",
}
