"""Transactional SMS to citizens through SNS."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import THROTTLING
from samvad.adapters.aws import client as make_client
from samvad.dispatch.policy import NotifyPolicy
from samvad.dispatch.service import ChannelRejected, ChannelThrottled
from samvad.messages.sms import SmsText


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
