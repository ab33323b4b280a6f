"""SMS through SNS, at most once: the publish is never retried once it may have reached SNS."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from samvad.adapters.dispatch import SnsSms
from samvad.dispatch.policy import NotifyPolicy
from samvad.dispatch.service import ChannelOutcomeUnknown

SINGLE_ATTEMPT = Config(
    retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=15
)
"""No SDK retries: botocore would re-send a publish whose response timed out (a second SMS).
Throttling surfaces as ``ChannelThrottled`` and the dispatcher defers the contact instead; a
connection that never opened is an ordinary error, retried by SQS redelivery."""
AMBIGUOUS = (ReadTimeoutError, ConnectionClosedError)
"""The request went out and no answer came back: SNS may have accepted it."""


class AtMostOnceSms(SnsSms):
    """``SnsSms`` on a single-attempt client; an answer lost in transit is
    ``ChannelOutcomeUnknown`` (the dispatcher records it and never sends that SMS again)."""

    def __init__(self, client: Any = None) -> None:
        super().__init__(
            client if client is not None else boto3.client("sns", config=SINGLE_ATTEMPT)
        )

    def send(self, phone: str, text: Any, policy: NotifyPolicy) -> str:
        try:
            return super().send(phone, text, policy)
        except AMBIGUOUS as error:
            raise ChannelOutcomeUnknown(type(error).__name__) from None
