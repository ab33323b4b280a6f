"""Scheme notices: the file checked field by field, published as versions, sent on an SMS
request, and broadcast paced, within hours, with DLT templates, never to opted-out numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from samvad.dispatch.pacing import Bucket, MemoryRateLimiter
from samvad.dispatch.policy import CallingHours, NotifyPolicy, Rate
from samvad.schemes.model import SCHEMES_CONFIG, SchemeError, parse_schemes
from samvad.schemes.service import (
    SchemePorts,
    Subscriber,
    broadcast,
    parse_request,
    publish,
    sms_request,
)
from samvad.schemes.sms import dlt_form
from tests.dispatch_fakes import RecordingSms
from tests.inbound_fakes import scheme_document

NOON = dt.datetime(2026, 11, 30, 6, 30, tzinfo=dt.UTC)  # 12:00 in India
PHONE = "+919437000001"


class VersionedConfig:
    def __init__(self) -> None:
        self.versions: dict[str, list[dict]] = {}

    def latest(self, name):
        return (self.versions.get(name) or [None])[-1]

    def publish(self, name, document, author="cli"):
        self.versions.setdefault(name, []).append(document)
        return len(self.versions[name])


class MemorySubscribers:
    def __init__(self) -> None:
        self.items: dict[str, Subscriber] = {}

    def subscribe(self, phone_hash, phone, language, when):
        self.items[phone_hash] = Subscriber(phone_hash, phone, language)

    def unsubscribe(self, phone_hash):
        self.items.pop(phone_hash, None)

    def all(self):
        yield from list(self.items.values())


class MemoryOptOuts:
    def __init__(self, out=()):
        self.out = set(out)

    def opted_out(self, phone_hash):
        return phone_hash in self.out


class MemoryLedger:
    def __init__(self):
        self.claimed: set[str] = set()

    def claim(self, key):
        if key in self.claimed:
            return False
        self.claimed.add(key)
        return True


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += dt.timedelta(seconds=seconds)


def world(policy=None, now=NOON, opted_out=()):
    config = VersionedConfig()
    publish(config, scheme_document())
    clock = Clock(now)
    ports = SchemePorts(
        config=config, sms=RecordingSms(), policy=policy or NotifyPolicy(),
        hasher=lambda phone: f"h{phone[-4:]}", subscribers=MemorySubscribers(),
        opt_outs=MemoryOptOuts(opted_out), limiter=MemoryRateLimiter(), ledger=MemoryLedger(),
        clock=clock, sleep=clock.sleep,
    )  # fmt: skip
    return ports, clock


def subscribe(ports, count, language="en"):
    for n in range(count):
        phone = f"+9194370{n:05d}"
        ports.subscribers.subscribe(f"h{phone[-4:]}", phone, language, "")


# -- the file ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"keyword": "k"}, "keyword must be 2-16 letters or digits"),
        ({"title": {"en": "KALIA", "hi": "कालिया"}}, "title is missing its 'or' text"),
        ({"summary": {"or": "x", "hi": "x", "en": "x", "fr": "x"}}, "unknown languages ['fr']"),
        ({"eligibility": {"hi": "किसान"}}, "eligibility is missing its 'en' text"),
        ({"valid_to": "31-03-2027"}, "valid_to must be a date YYYY-MM-DD"),
        ({"valid_to": "2026-01-01"}, "valid_to 2026-01-01 is before valid_from 2026-04-01"),
        ({"prompt": {"or": ""}}, "prompt must map or/hi/en"),
        ({"department": ""}, "department is required"),
        ({"summary": {"or": "x", "hi": "x", "en": "x" * 601}}, "'en' text is over 600"),
    ],
)
def test_a_bad_scheme_file_names_the_field_to_fix(changes, expected):
    """Given a notice with one mistake, When parsed, Then SchemeError names the field."""
    with pytest.raises(SchemeError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        parse_schemes(scheme_document(**changes))


def test_publishing_keeps_other_notices_and_makes_a_new_version():
    """Given KALIA published, When a file with MAMATA and a changed KALIA is published, Then
    version 2 holds both, KALIA changed."""
    ports, _ = world()
    kalia = scheme_document(valid_to="2027-06-30")
    version, keywords = publish(ports.config, {"schemes": [kalia, scheme_document("MAMATA")]})
    document = ports.config.latest(SCHEMES_CONFIG)
    assert (version, keywords) == (2, ["KALIA", "MAMATA"])
    assert sorted(document["schemes"]) == ["KALIA", "MAMATA"]
    assert document["schemes"]["KALIA"]["valid_to"] == "2027-06-30"


def test_the_sms_templates_have_dlt_slots():
    """Given the templates, Then the DLT forms have only {#var#} slots, 5 for a notice."""
    assert dlt_form("scheme", "hi").count("{#var#}") == 5
    assert "{" not in dlt_form("scheme_list", "or").replace("{#var#}", "")


# -- SMS requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rest"),
    [("SCHEME kalia", "KALIA"), ("scheme", ""), ("योजना KALIA", "KALIA"),
     ("ଯୋଜନା  kalia ", "KALIA"), ("GRV 12 rude", None), ("SCHEMER x", None)],
)  # fmt: skip
def test_a_scheme_request_is_recognised_in_three_languages(text, rest):
    assert parse_request(text) == rest


def test_a_request_sends_the_notice_or_the_list():
    """Given KALIA current, When SCHEME KALIA and SCHEME NOPE arrive, Then the notice in Hindi,
    then the list of current keywords; another keyword is not handled here."""
    ports, _ = world()
    assert sms_request("scheme kalia", PHONE, "hi", ports) == "sent"
    assert sms_request("SCHEME NOPE", PHONE, "en", ports) == "listed"
    assert sms_request("STATUS OD-7K3M9Q", PHONE, "en", ports) is None
    (_, notice), (_, listing) = ports.sms.sent
    assert notice.template == "scheme" and notice.body.startswith("ओडिशा सरकार योजना कालिया")
    assert listing.template == "scheme_list" and "KALIA" in listing.body


def test_an_expired_notice_is_not_sent():
    """Given a notice valid until yesterday, When requested, Then only the (empty) list."""
    ports, _ = world()
    publish(ports.config, scheme_document(valid_to="2026-11-29"))
    assert sms_request("SCHEME KALIA", PHONE, "en", ports) == "listed"


# -- broadcast ---------------------------------------------------------------------------------


def test_a_broadcast_reaches_each_subscriber_once_and_never_the_opted_out():
    """Given 5 subscribers, one opted out, When broadcast twice, Then 4 SMS in all."""
    ports, _ = world(opted_out={"h0002"})
    subscribe(ports, 5)
    first = broadcast("KALIA", ports)
    second = broadcast("KALIA", ports)
    assert (first["sent"], first["opted_out"]) == (4, 1)
    assert (second.get("sent", 0), second["already_sent"]) == (0, 4)
    assert len(ports.sms.sent) == 4 and "+919437000002" not in {p for p, _ in ports.sms.sent}


def test_a_broadcast_is_paced_by_the_shared_sms_bucket():
    """Given an SMS quota of 1 a second with a burst of 2, When 10 are broadcast, Then the
    clock moved on by the waits the bucket asked for (about 8 s)."""
    policy = dataclasses.replace(NotifyPolicy(), rates={"voice": Rate(2.0, 5), "sms": Rate(1.0, 2)})
    ports, clock = world(policy=policy)
    subscribe(ports, 10)
    assert broadcast("KALIA", ports)["sent"] == 10
    assert dt.timedelta(seconds=8) <= clock.now - NOON <= dt.timedelta(seconds=12)


def test_a_bucket_counted_ahead_of_the_clock_is_waited_for_in_one_step():
    """Given the SMS bucket emptied by a dispatcher whose clock is 6 hours ahead (1 a
    second, burst 1), When 2 are broadcast, Then the first waits until the bucket's instant
    and a token (asking the bucket a few times, not once per token's time over 6 hours)."""
    policy = dataclasses.replace(NotifyPolicy(), rates={"voice": Rate(2.0, 5), "sms": Rate(1.0, 1)})
    ports, clock = world(policy=policy)
    ahead = (NOON + dt.timedelta(hours=6)).timestamp()
    ports.limiter.buckets["sms"] = Bucket(tokens=0.0, at=ahead)
    asked = []
    acquire = ports.limiter.acquire
    ports.limiter.acquire = lambda *args: asked.append(args) or acquire(*args)
    subscribe(ports, 2)
    assert broadcast("KALIA", ports)["sent"] == 2
    assert dt.timedelta(hours=6, seconds=2) <= clock.now - NOON < dt.timedelta(hours=6, seconds=3)
    assert len(asked) <= 6  # each: a wait (or two, as refills land a hair short), the token


def test_a_broadcast_stops_at_closing_time_and_a_rerun_goes_on():
    """Given calling hours that close 3 s after the start and a 1/s quota, When broadcast,
    Then it stops (deferred) with some sent; the next day's run sends only the rest."""
    policy = dataclasses.replace(
        NotifyPolicy(), hours=CallingHours(dt.time(9), dt.time(12, 0, 3)),
        rates={"voice": Rate(2.0, 5), "sms": Rate(1.0, 1)},
    )  # fmt: skip
    ports, clock = world(policy=policy)
    subscribe(ports, 10)
    first = broadcast("KALIA", ports)
    assert first["status"] == "deferred" and 0 < first["sent"] < 10
    clock.now = dt.datetime(2026, 12, 1, 3, 30, tzinfo=dt.UTC)  # 09:00 in India
    second = broadcast("KALIA", ports)
    assert second["sent"] == 10 - first["sent"] and len(ports.sms.sent) == 10


def test_outside_calling_hours_nothing_is_sent():
    ports, _ = world(now=dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC))  # 22:30 in India
    subscribe(ports, 3)
    assert broadcast("KALIA", ports)["status"] == "deferred" and ports.sms.sent == []


def test_with_dlt_configured_only_registered_templates_are_sent():
    """Given DLT configured with a template id for the English notice only, When broadcast to
    an English and a Hindi subscriber, Then only the English one gets it."""
    policy = dataclasses.replace(NotifyPolicy(), dlt_entity_id="1101",
                                 dlt_template_ids={"scheme.en": "1107"})  # fmt: skip
    ports, _ = world(policy=policy)
    subscribe(ports, 1, "en")
    ports.subscribers.subscribe("h9999", "+919437009999", "hi", "")
    result = broadcast("KALIA", ports)
    assert (result["sent"], result["no_dlt_template"]) == (1, 1)
    assert [phone for phone, _ in ports.sms.sent] == ["+919437000000"]


def test_subscribing_and_leaving_by_sms():
    ports, _ = world()
    assert sms_request("SCHEME ON", PHONE, "or", ports) == "subscribed"
    assert [s.language for s in ports.subscribers.all()] == ["or"]
    assert sms_request("scheme off", PHONE, "or", ports) == "unsubscribed"
    assert list(ports.subscribers.all()) == []


def test_a_keyword_twice_in_one_file_is_refused():
    with pytest.raises(SchemeError, match="keyword KALIA appears twice"):
        parse_schemes({"schemes": [scheme_document(), scheme_document(keyword="kalia")]})
