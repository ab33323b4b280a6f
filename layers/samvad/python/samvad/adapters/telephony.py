"""Calls: Amazon Connect outbound calls, or (locally) the citizen simulator's queue."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import THROTTLING
from samvad.adapters.aws import client as make_client
from samvad.dispatch.service import ChannelRejected, ChannelThrottled


class ConnectTelephony:
    """Amazon Connect outbound calls into the survey contact flow."""

    def __init__(
        self, instance_id: str, flow_id: str, source_phone: str, client: Any = None
    ) -> None:
        self._instance = instance_id
        self._flow = flow_id
        self._source = source_phone
        self._client = make_client("connect", client)

    def start_call(self, phone: str, attributes: dict[str, str], token: str) -> str:
        request = {
            "DestinationPhoneNumber": phone,
            "ContactFlowId": self._flow,
            "InstanceId": self._instance,
            "Attributes": attributes,
            "ClientToken": token,
        }
        if self._source:
            request["SourcePhoneNumber"] = self._source
        try:
            return self._client.start_outbound_voice_contact(**request)["ContactId"]
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in THROTTLING:
                raise ChannelThrottled(code) from None
            if code in ("DestinationNotAllowedException", "InvalidParameterException"):
                raise ChannelRejected(code) from None
            raise

    def describe(self, contact_id: str) -> dict:
        """The call as a DISCONNECTED-event detail (empty ``disconnectTimestamp``: ongoing)."""
        contact = self._client.describe_contact(InstanceId=self._instance, ContactId=contact_id)[
            "Contact"
        ]
        detail = {"contactId": contact_id}
        for source, target in (
            ("ConnectedToSystemTimestamp", "connectedToSystemTimestamp"),
            ("DisconnectTimestamp", "disconnectTimestamp"),
            ("DisconnectReason", "disconnectReason"),
        ):
            value = contact.get(source)
            if value:
                detail[target] = value.isoformat() if hasattr(value, "isoformat") else value
        return detail
