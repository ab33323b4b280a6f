"""Officials' case notices on the notices topic (``samvad.escalation.cases.NoticeSender``)."""

from __future__ import annotations

import json
from typing import Any

from samvad.adapters.aws import client as make_client
from samvad.escalation.notices import CLERK, SENDER_ATTRIBUTE


class SnsNotices:
    """One message per notice, its text per protocol (SMS, e-mail), with the attributes the
    officials' subscriptions filter on (``official_id``, ``task = await_atr``) and the
    clerk's mark (``sender = clerk``) that keeps it off the stage's own queue."""

    def __init__(self, topic_arn: str, client: Any = None) -> None:
        self._topic_arn = topic_arn
        self._client = make_client("sns", client)

    def send(self, official_id: str, texts: dict, subject: str, attributes: dict) -> None:
        message = {k: str(texts[k]) for k in ("default", "sms", "email") if texts.get(k)}
        self._client.publish(
            TopicArn=self._topic_arn,
            MessageStructure="json",
            Message=json.dumps(message, ensure_ascii=False),
            Subject=subject,
            MessageAttributes={
                name: {"DataType": "String", "StringValue": str(value)}
                for name, value in {
                    "official_id": official_id,
                    "task": "await_atr",
                    SENDER_ATTRIBUTE: CLERK,
                    **attributes,
                }.items()
            },
        )
