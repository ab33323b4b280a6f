"""The call desk's bridge contact flow in the Connect instance (``infra/connect/bridge_flow``).

Voice on (``connect_instance_arn``) gives the workspace's **Call** this flow: an outbound
contact to the official's phone runs it, and it transfers the official to the citizen's
number (the contact attribute ``samvad_bridge_to``) with the contact centre's number
(``connect_source_phone``) as the caller id. It invokes no function.
"""

from __future__ import annotations

from pathlib import Path

from constructs import Construct

from infra.connect import BRIDGE_FLOW, BRIDGE_PHONE_PLACEHOLDER
from infra.constructs.connect import ConnectSettings, contact_flow, flow_content

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
        self.flow, self.flow_id = contact_flow(
            self,
            settings,
            name=f"samvad-bridge-{stage}",
            description="Samvad call desk: rings the official, then joins the citizen",
            content=flow_content(flow_file, PHONE_PARAMETER, settings.source_phone),
        )
