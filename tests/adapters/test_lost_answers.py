"""Writes whose answer was lost after they were applied (``samvad demo --faults`` found these):
the SDK sends the same request again, and the retry must not be mistaken for someone else's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3

from samvad import resources
from samvad.adapters.dispatches import DynamoDispatchLedger
from samvad.dispatch.service import Contact

NOW = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)


class AnswerLostOnce:
    """A DynamoDB client whose first applied ``operation`` call has its answer lost and is sent
    again, as botocore's retry does after a read timeout: the caller sees the retry's answer.
    (A call its condition refuses is answered normally.)"""

    def __init__(self, client: Any, operation: str) -> None:
        self._client = client
        self._operation = operation
        self.lost = 0

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._client, name)
        if name != self._operation or self.lost:
            return call

        def applied_then_retried(**kwargs: Any) -> Any:
            call(**kwargs)  # applied; the answer never arrives
            self.lost += 1
            return call(**kwargs)  # the SDK's retry of the same request

        return applied_then_retried


def _contact(channel: str) -> Contact:
    return Contact.from_message({"visit_key": "v1", "channel": channel, "attempt": 1})


def test_a_claim_whose_answer_was_lost_is_still_ours(stack):
    """Given the claim's conditional PutItem applied and its answer lost (the SDK retries it
    and the retry is refused by the claim it just wrote), When the dispatcher claims an
    attempt of a call and of an SMS, Then the claim is its own (True) — before the fix it
    was taken for another invocation's and the contact dropped as a duplicate — and a
    second, real claimant is still refused."""
    table = stack.table(resources.DISPATCHES)
    for channel in ("ivr_call", "sms"):
        lossy = AnswerLostOnce(boto3.client("dynamodb"), "put_item")
        ledger = DynamoDispatchLedger(table, client=lossy)
        contact = _contact(channel)
        contact = Contact.from_message({**contact.to_message(), "visit_key": f"v-{channel}"})
        assert ledger.claim(contact, NOW, NOW - dt.timedelta(minutes=12)) is True
        assert lossy.lost == 1
        other = DynamoDispatchLedger(table, client=boto3.client("dynamodb"))
        assert other.claim(contact, NOW, NOW - dt.timedelta(minutes=12)) is False
        assert ledger.attempt(contact.key, 1)["outcome"] == "claimed"


def test_an_acknowledgement_claim_whose_answer_was_lost_is_still_ours(stack):
    """Given a contacted number and the acknowledgement claim's UpdateItem applied with its
    answer lost (the SDK's retry is refused: the key is already in ``acked``), When a reply
    is acknowledged, Then the claim is ours (True) — before the fix the acknowledgement was
    never sent — and a replay of the same reply is still refused."""
    from samvad.adapters.acknowledgements import DynamoAcknowledgements

    table = stack.table(resources.CONTACTS)
    boto3.client("dynamodb").put_item(TableName=table, Item={"phone_hash": {"S": "h1"}})
    lossy = AnswerLostOnce(boto3.client("dynamodb"), "update_item")
    acks = DynamoAcknowledgements(table, client=lossy)
    assert acks.claim("h1", "2026-11-23", "reply-1", limit=3) is True
    assert lossy.lost == 1
    assert acks.claim("h1", "2026-11-23", "reply-1", limit=3) is False
    assert acks.claim("h1", "2026-11-23", "reply-2", limit=3) is True
