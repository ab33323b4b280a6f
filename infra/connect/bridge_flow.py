"""Generates ``bridge_flow.json``, the call desk's bridge: the official, then the citizen.

Run ``python -m infra.connect.bridge_flow`` after changing this file; a test fails while the
JSON and this generator disagree. The workspace's **Call** starts an outbound contact to the
official's registered phone into this flow (``StartOutboundVoiceContact``, the citizen's
number only as the contact attribute ``samvad_bridge_to``). When the official answers:

1. a default voice, then "connecting you to the citizen" (Hindi and English);
2. *Transfer to phone number*: the citizen's number from ``$.Attributes.samvad_bridge_to``,
   with the contact centre's number as the caller id (``${ContactCentrePhone}``), so neither
   side sees the other's number; the flow waits up to ``RING_SECONDS`` for the citizen;
3. when the citizen hangs up, the official hears "record the answers on the call desk"; when
   the citizen cannot be reached, "record no answer or busy on the call desk"; disconnect.

The flow invokes no function and never speaks, stores or records the citizen's number.
"""

from __future__ import annotations

import sys

from infra.connect import BRIDGE_FLOW, BRIDGE_PHONE_PLACEHOLDER
from infra.connect.survey_flow import DEFAULT_VOICE, DISCONNECT, VERSION, Flow, render
from samvad.adapters.calldesk import BRIDGE_ATTRIBUTE

RING_SECONDS = "40"
CONNECTING = (
    "संवाद: आपको अब नागरिक से जोड़ा जा रहा है, कृपया लाइन पर बने रहें। Samvad: connecting you "
    "to the citizen now. Please stay on the line."
)
ENDED = (
    "नागरिक ने कॉल समाप्त कर दी है। कृपया कॉल डेस्क पर उत्तर दर्ज करें। The citizen has left "
    "the call. Please record the answers on the call desk."
)
NOT_REACHED = (
    "नागरिक से संपर्क नहीं हो सका। कृपया कॉल डेस्क पर 'उत्तर नहीं' या 'व्यस्त' दर्ज करें। The "
    "citizen could not be reached. Please record no answer or busy on the call desk."
)
"""What the official hears (Polly's Hindi voice speaks Hindi and English; it has no Odia)."""

JOIN, ENDED_ID, NOT_REACHED_ID = "join-citizen", "say-call-ended", "say-not-reached"


def build_bridge_flow() -> dict:
    """The flow document (``Version``, ``StartAction``, ``Actions``)."""
    flow = Flow()
    flow.add(
        "set-voice",
        "UpdateContactTextToSpeechVoice",
        dict(DEFAULT_VOICE),
        next_action="say-connecting",
        errors={"NoMatchingError": "say-connecting"},
    )
    flow.add(
        "say-connecting",
        "MessageParticipant",
        {"Text": CONNECTING},
        next_action=JOIN,
        errors={"NoMatchingError": JOIN},
    )
    flow.add(
        JOIN,
        "TransferParticipantToThirdParty",
        {
            "ThirdPartyPhoneNumber": f"$.Attributes.{BRIDGE_ATTRIBUTE}",
            "ThirdPartyConnectionTimeLimitSeconds": RING_SECONDS,
            "ContinueFlowExecution": "True",
            "CallerId": {"Number": BRIDGE_PHONE_PLACEHOLDER},
        },
        next_action=ENDED_ID,
        errors={
            "CallFailed": NOT_REACHED_ID,
            "ConnectionTimeLimitExceeded": NOT_REACHED_ID,
            "NoMatchingError": NOT_REACHED_ID,
        },
    )
    for identifier, text in ((ENDED_ID, ENDED), (NOT_REACHED_ID, NOT_REACHED)):
        flow.add(
            identifier,
            "MessageParticipant",
            {"Text": text},
            next_action=DISCONNECT,
            errors={"NoMatchingError": DISCONNECT},
        )
    flow.add(DISCONNECT, "DisconnectParticipant", {})
    return {"Version": VERSION, "StartAction": "set-voice", "Actions": flow.actions}


def main() -> int:
    BRIDGE_FLOW.write_text(render(build_bridge_flow()), encoding="utf-8")
    print(f"wrote {BRIDGE_FLOW}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
