"""The feedback handler on moto: garbage SMS replies earn one acknowledgement, a form body
that is not UTF-8 is refused (issue 13)."""

from __future__ import annotations

import base64
import json

import pytest

from samvad_dev.local.citizens import function_url_event, sns_event
from tests.adapters.test_dispatch_handler import Context, sampled, sqs_event  # noqa: F401
from tests.conftest import load_handler


@pytest.fixture
def texted(stack, sampled):  # noqa: F811
    """An SMS survey sent to one sampled citizen: (phone, message id)."""
    sms = next(m for m in sampled if m["channel"] == "sms")
    load_handler("dispatch").lambda_handler(sqs_event(json.dumps(sms)), Context())
    from moto.sns.models import sns_backends

    sent = sns_backends["123456789012"]["ap-south-1"].sms_messages
    [(message_id, (phone, _))] = sent.items()
    return phone, message_id, sent


def test_five_garbage_replies_get_one_not_understood_sms(texted):
    """Given an SMS survey, When an auto-responder answers it five times (and SNS delivers
    one of them twice), Then one "not understood" SMS is published, not six."""
    phone, message_id, sent = texted
    feedback = load_handler("feedback")
    reply = {"originationNumber": phone, "previousPublishedMessageId": message_id}
    for n in [0, 1, 2, 3, 4, 0]:
        event = sns_event({**reply, "messageBody": f"Out of office ({n})"})
        assert feedback.lambda_handler(event, Context()) == ["not_understood"]
    assert len(sent) == 2  # the survey, and one acknowledgement


def test_a_base64_form_body_that_is_not_utf8_is_refused_with_400(stack):
    """Given a function URL post whose base64 body is Latin-1, When handled, Then 400 (the
    link is checked first: an unknown token is 404 whatever the body), never a 500."""
    feedback = load_handler("feedback")
    event = function_url_event("POST", "/f/forged-token")
    event.update(body=base64.b64encode(b"token=x&free_text=caf\xe9").decode(), isBase64Encoded=True)
    assert feedback.lambda_handler(event, Context())["statusCode"] == 404
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/atr/case-1"
    event["queryStringParameters"] = None
    page = feedback.lambda_handler(event, Context())
    assert page["statusCode"] == 400 and "UTF-8" in page["body"]
    assert page["headers"]["X-Frame-Options"] == "DENY"
