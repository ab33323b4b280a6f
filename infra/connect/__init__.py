"""The Amazon Connect survey contact flow (flow language JSON) and its validator.

``SURVEY_FLOW`` is the file to load into ``aws_connect.CfnContactFlow``: substitute
``FEEDBACK_FUNCTION_PLACEHOLDER`` with the feedback function's ARN (``Fn::Sub``), the only
``${…}`` in it. ``survey_flow.py`` generates it; ``flow_check.check_flow`` validates it.
"""

from pathlib import Path

SURVEY_FLOW = Path(__file__).with_name("survey_flow.json")
FEEDBACK_FUNCTION_PLACEHOLDER = "${FeedbackFunctionArn}"

INBOUND_FLOW = Path(__file__).with_name("inbound_flow.json")
INBOUND_FUNCTION_PLACEHOLDER = "${InboundIvrFunctionArn}"
"""``inbound_flow.json`` (``inbound_flow.py`` generates it, ``inbound_check`` validates it)
names the inbound IVR function so; its only ``${…}``."""

BRIDGE_FLOW = Path(__file__).with_name("bridge_flow.json")
BRIDGE_PHONE_PLACEHOLDER = "${ContactCentrePhone}"
"""``bridge_flow.json`` (``bridge_flow.py`` generates it, ``bridge_check`` validates it), the
call desk's bridged call, shows the contact centre's number to the citizen as this; its only
``${…}``, substituted with ``connect_source_phone``."""
