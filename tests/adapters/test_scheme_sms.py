"""SCHEME requests through the real feedback handler on moto, and the subscriptions on the
Contacts table a broadcast reads (sparse index, at-most-once claim, opt-outs)."""

from __future__ import annotations

import datetime as dt
import os

from moto.sns.models import sns_backends

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.contacts import DynamoContacts
from samvad.adapters.scheme_subscribers import DynamoSubscribers
from samvad.dispatch.pacing import MemoryRateLimiter
from samvad.dispatch.policy import NotifyPolicy
from samvad.schemes.service import SchemePorts, broadcast, publish
from samvad_dev.local.citizens import sns_event
from tests.adapters.test_dispatch_handler import Context
from tests.conftest import load_handler
from tests.dispatch_fakes import RecordingSms
from tests.inbound_fakes import scheme_document

PHONE = "+919437000001"


def sent_sms() -> list[tuple[str, str]]:
    return list(sns_backends["123456789012"]["ap-south-1"].sms_messages.values())


def test_scheme_requests_by_sms_send_the_notice_and_subscribe(stack):
    """Given KALIA published, When a citizen texts SCHEME KALIA, then SCHEME ON, Then the
    notice is sent to them and they are a subscriber, with their language."""
    publish(DynamoConfig(os.environ[resources.CONFIG.env_var]), scheme_document())
    feedback = load_handler("feedback")
    before = len(sent_sms())
    for n, body in enumerate(("SCHEME KALIA", "योजना ON")):
        inbound = {"originationNumber": PHONE, "messageBody": body, "inboundMessageId": f"m{n}"}
        assert feedback.lambda_handler(sns_event(inbound), Context()) == [
            ["scheme_sent", "scheme_subscribed"][n]
        ]
    [(phone, text)] = sent_sms()[before:]
    assert phone == PHONE and text.startswith("Govt of Odisha scheme KALIA scheme:")
    subscribers = list(DynamoSubscribers(os.environ[resources.CONTACTS.env_var]).all())
    assert [(s.phone, s.language) for s in subscribers] == [(PHONE, "hi")]


def test_a_broadcast_over_the_contacts_table_skips_opted_out_and_sends_once(stack):
    """Given three subscribers, one of whom then replied STOP, When broadcast twice, Then two
    SMS in all."""
    table = os.environ[resources.CONTACTS.env_var]
    config = DynamoConfig(os.environ[resources.CONFIG.env_var])
    publish(config, scheme_document())
    subscribers, contacts = DynamoSubscribers(table), DynamoContacts(table)
    for n in range(3):
        subscribers.subscribe(f"h{n}", f"+91943700000{n}", "en", "2026-11-30")
    contacts.opt_out("h1", "2026-11-30")
    sms = RecordingSms()
    ports = SchemePorts(
        config=config, sms=sms, policy=NotifyPolicy(), hasher=lambda p: p,
        subscribers=subscribers, opt_outs=contacts, limiter=MemoryRateLimiter(),
        ledger=subscribers, clock=lambda: dt.datetime(2026, 11, 30, 6, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    assert broadcast("KALIA", ports)["sent"] == 2
    assert broadcast("KALIA", ports)["already_sent"] == 2
    assert sorted(phone for phone, _ in sms.sent) == ["+919437000000", "+919437000002"]
