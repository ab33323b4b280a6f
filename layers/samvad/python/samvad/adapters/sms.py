"""Transactional SMS to citizens through SNS, at most once: the publish is never retried once
it may have reached SNS."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from samvad.adapters.aws import THROTTLING
from samvad.adapters.aws import client as make_client
from samvad.dispatch.policy import NotifyPolicy
from samvad.dispatch.service import ChannelOutcomeUnknown, ChannelRejected, ChannelThrottled
from samvad.messages.sms import SmsText

SINGLE_ATTEMPT = Config(
    retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=15
)
"""No SDK retries: botocore would re-send a publish whose response timed out (a second SMS).
Throttling surfaces as ``ChannelThrottled`` and the dispatcher defers the contact instead; a
connection that never opened is an ordinary error, retried by SQS redelivery."""
AMBIGUOUS = (ReadTimeoutError, ConnectionClosedError)
"""The request went out and no answer came back: SNS may have accepted it."""


class SnsSms:
    """Transactional SMS through SNS, with the sender ID and India's DLT ids."""

    def __init__(self, client: Any = None) -> None:
        self._client = make_client("sns", client)

    def send(self, phone: str, text: SmsText, policy: NotifyPolicy) -> str:
        attributes = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": policy.sms_sender_id},
        }
        if policy.dlt_entity_id:
            attributes["AWS.MM.SMS.EntityId"] = {
                "DataType": "String",
                "StringValue": policy.dlt_entity_id,
            }
        template_id = policy.dlt_template_ids.get(f"{text.template}.{text.language}")
        if template_id:
            attributes["AWS.MM.SMS.TemplateId"] = {"DataType": "String", "StringValue": template_id}
        try:
            return self._client.publish(
                PhoneNumber=phone, Message=text.body, MessageAttributes=attributes
            )["MessageId"]
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in THROTTLING:
                raise ChannelThrottled(code) from None
            if code in ("InvalidParameter", "InvalidParameterValue", "OptedOut"):
                raise ChannelRejected(code) from None
            raise


class AtMostOnceSms(SnsSms):
    """``SnsSms`` on a single-attempt client; an answer lost in transit is
    ``ChannelOutcomeUnknown`` (the dispatcher records it and never sends that SMS again)."""

    def __init__(self, client: Any = None) -> None:
        super().__init__(
            client if client is not None else boto3.client("sns", config=SINGLE_ATTEMPT)
        )

    def send(self, phone: str, text: SmsText, policy: NotifyPolicy) -> str:
        try:
            return super().send(phone, text, policy)
        except AMBIGUOUS as error:
            raise ChannelOutcomeUnknown(type(error).__name__) from None
