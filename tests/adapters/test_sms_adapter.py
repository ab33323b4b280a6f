"""The at-most-once SMS adapter: a publish whose answer is lost is never re-sent."""

from __future__ import annotations

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from samvad.adapters.sms import SINGLE_ATTEMPT, AtMostOnceSms
from samvad.dispatch.policy import NotifyPolicy
from samvad.dispatch.service import ChannelOutcomeUnknown
from samvad.messages import SmsText


class LosingAnswers:
    """An SNS client that counts publishes and fails each with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error, self.calls = error, 0

    def publish(self, **request: object) -> dict:
        self.calls += 1
        raise self.error


def text() -> SmsText:
    return SmsText(
        body="How was your visit?", template="survey", language="en", unicode=False, segments=1
    )


@pytest.mark.parametrize(
    "error",
    [
        ReadTimeoutError(endpoint_url="https://sns.ap-south-1.amazonaws.com/"),
        ConnectionClosedError(endpoint_url="https://sns.ap-south-1.amazonaws.com/"),
    ],
    ids=["read-timeout", "connection-closed"],
)
def test_an_answer_lost_after_the_request_went_out_is_an_unknown_outcome(error):
    """Given SNS whose answer is lost in transit, When an SMS is sent, Then the dispatcher is
    told its fate is unknown (it records it and never re-sends), after one request."""
    client = LosingAnswers(error)
    with pytest.raises(ChannelOutcomeUnknown):
        AtMostOnceSms(client).send("+919876543210", text(), NotifyPolicy())
    assert client.calls == 1


def test_a_connection_that_never_opened_is_an_ordinary_error():
    """Given SNS unreachable (nothing sent), When an SMS is sent, Then the error propagates:
    the attempt is released and the SQS redelivery sends it."""
    client = LosingAnswers(EndpointConnectionError(endpoint_url="https://sns"))
    with pytest.raises(EndpointConnectionError):
        AtMostOnceSms(client).send("+919876543210", text(), NotifyPolicy())


def test_the_client_makes_a_single_attempt(aws):
    """Given the adapter's own client, Then botocore would not retry a publish by itself."""
    sms = AtMostOnceSms()
    assert SINGLE_ATTEMPT.retries == {"mode": "standard", "total_max_attempts": 1}
    assert sms._client.meta.config.retries["total_max_attempts"] == 1
    assert sms._client.meta.service_model.service_name == "sns"
