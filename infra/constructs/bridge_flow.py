"""The call desk's bridge contact flow in the Connect instance (``infra/connect/bridge_flow``).

Voice on (``connect_instance_arn``) gives the workspace's **Call** this flow: an outbound
contact to the official's phone runs it, and it transfers the official to the citizen's
number (the contact attribute ``samvad_bridge_to``) with the contact centre's number
(``connect_source_phone``) as the caller id. It invokes no function.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_connect as connect
from constructs import Construct

from infra.connect import BRIDGE_FLOW, BRIDGE_PHONE_PLACEHOLDER
from infra.constructs.connect import ConnectSettings

PHONE_PARAMETER = BRIDGE_PHONE_PLACEHOLDER.removeprefix("${").removesuffix("}")


class BridgeFlow(Construct):
    """``flow``: ``samvad-bridge-<stage>``, type CONTACT_FLOW, content ``flow_file`` with
    ``${ContactCentrePhone}`` substituted by the instance's source number; ``flow_id`` is
    what ``StartOutboundVoiceContact`` takes as ``ContactFlowId``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: ConnectSettings,
        stage: str,
        flow_file: Path = BRIDGE_FLOW,
    ) -> None:
        super().__init__(scope, id)
        content = flow_file.read_text(encoding="utf-8")
        if BRIDGE_PHONE_PLACEHOLDER not in content:
            raise ValueError(f"{flow_file}: no {BRIDGE_PHONE_PLACEHOLDER} placeholder")
        self.flow = connect.CfnContactFlow(
            self,
            "Flow",
            instance_arn=settings.instance_arn,
            name=f"samvad-bridge-{stage}",
            type="CONTACT_FLOW",
            description="Samvad call desk: rings the official, then joins the citizen",
            content=cdk.Fn.sub(content, {PHONE_PARAMETER: settings.source_phone}),
        )
        self.flow_id = cdk.Fn.select(3, cdk.Fn.split("/", self.flow.attr_contact_flow_arn))
