"""The stack's scheduled scheme broadcast: notices published with ``broadcast: true`` are
sent by runs every half hour in calling hours, each run going on where the last stopped, at
most once per notice and subscriber, never to the opted out (issue 11)."""

from __future__ import annotations

import datetime as dt

import pytest

from samvad.schemes.model import SchemeError, parse_schemes
from samvad.schemes.service import publish, scheduled_broadcasts
from tests.inbound_fakes import scheme_document
from tests.unit.test_schemes import NOON, subscribe, world


class MemoryProgress:
    def __init__(self) -> None:
        self.done: dict[str, str] = {}

    def finished(self, keyword):
        return keyword in self.done

    def finish(self, keyword, when):
        self.done[keyword] = when


def test_only_notices_marked_for_broadcast_are_sent_and_each_run_goes_on():
    """Given KALIA (not marked) and BSKY (marked) and 6 subscribers, one opted out, When the
    first run is cut short after 2 sends and two more runs follow, Then BSKY reached the 5
    once each, KALIA nobody, and the third run found nothing left to do."""
    ports, _clock = world(opted_out={"h0005"})
    publish(ports.config, scheme_document("BSKY", broadcast=True))
    subscribe(ports, 6)
    first = scheduled_broadcasts(ports, progress := MemoryProgress(), stop=lambda: len(
        ports.sms.sent) >= 2)  # fmt: skip
    second = scheduled_broadcasts(ports, progress)
    third = scheduled_broadcasts(ports, progress)
    assert first["status"] == "deferred" and first["notices"][0]["sent"] == 2
    assert second["status"] == "done" and second["notices"][0]["sent"] == 3
    assert second["notices"][0]["already_sent"] == 2 and second["notices"][0]["opted_out"] == 1
    assert third == {"status": "done", "notices": []} and "BSKY" in progress.done
    assert len(ports.sms.sent) == 5 and "KALIA" not in progress.done
    assert {key.split("#")[1] for key in ports.ledger.claimed} == {"BSKY"}


def test_outside_calling_hours_a_run_does_nothing():
    ports, _ = world(now=NOON.replace(hour=17))  # 22:30 in India
    publish(ports.config, scheme_document("BSKY", broadcast=True))
    subscribe(ports, 2)
    assert scheduled_broadcasts(ports, MemoryProgress()) == {"status": "closed", "notices": []}
    assert ports.sms.sent == []


def test_an_expired_notice_is_not_broadcast():
    ports, _ = world(now=dt.datetime(2027, 6, 1, 6, 30, tzinfo=dt.UTC))
    publish(ports.config, scheme_document("BSKY", broadcast=True))
    subscribe(ports, 2)
    assert scheduled_broadcasts(ports, MemoryProgress())["notices"] == []


def test_broadcast_must_be_true_or_false():
    with pytest.raises(SchemeError, match="broadcast must be true or false"):
        parse_schemes(scheme_document(broadcast="yes"))
    [scheme] = parse_schemes(scheme_document(broadcast=True))
    assert scheme.broadcast and scheme.to_document()["broadcast"] is True
