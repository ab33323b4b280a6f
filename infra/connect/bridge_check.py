"""Checks the call desk's bridge flow: the flow language's rules (``flow_check``, with no
function to invoke, no question and no prompt key), plus what keeps the two numbers apart.

- exactly one *Transfer to phone number*, to ``$.Attributes.samvad_bridge_to``, with the
  contact centre's number (the placeholder) as the caller id, a ring limit of 1-600 s, and
  ``ContinueFlowExecution`` on with the ``CallFailed`` and ``ConnectionTimeLimitExceeded``
  paths (the official hears that the citizen was not reached);
- the citizen's number is read nowhere else (never spoken, stored, compared or logged);
- no phone number is written into the flow, and nothing is recorded.
"""

from __future__ import annotations

import json
import re

from infra.connect import BRIDGE_PHONE_PLACEHOLDER
from infra.connect.flow_check import FlowSpec, check_flow
from samvad.adapters.calldesk import BRIDGE_ATTRIBUTE

BRIDGE = FlowSpec(
    placeholder=BRIDGE_PHONE_PLACEHOLDER,
    lambda_actions={},
    question_digits={},
    produced=frozenset,
)
TRANSFER = "TransferParticipantToThirdParty"
CITIZEN = f"$.Attributes.{BRIDGE_ATTRIBUTE}"
_NUMBER = re.compile(r"\+?\d[\d ]{6,}\d")


def _transfer(identifier: str, action: dict) -> list[str]:
    parameters = action.get("Parameters") or {}
    problems = []
    if parameters.get("ThirdPartyPhoneNumber") != CITIZEN:
        problems.append(f"{identifier}: must transfer to {CITIZEN}")
    if (parameters.get("CallerId") or {}).get("Number") != BRIDGE_PHONE_PLACEHOLDER:
        problems.append(
            f"{identifier}: the caller id must be the contact centre's number "
            f"({BRIDGE_PHONE_PLACEHOLDER}), or the citizen sees the official's"
        )
    seconds = str(parameters.get("ThirdPartyConnectionTimeLimitSeconds", ""))
    if not (seconds.isdigit() and 1 <= int(seconds) <= 600):
        problems.append(f"{identifier}: ThirdPartyConnectionTimeLimitSeconds must be 1-600")
    if parameters.get("ContinueFlowExecution") != "True":
        problems.append(f"{identifier}: ContinueFlowExecution must be True (tell the official)")
    errors = {e.get("ErrorType") for e in (action.get("Transitions") or {}).get("Errors", [])}
    for needed in ("CallFailed", "ConnectionTimeLimitExceeded"):
        if needed not in errors:
            problems.append(f"{identifier}: no {needed} error path")
    return problems


def check_bridge_flow(doc: dict) -> list[str]:
    """Every problem found in the bridge flow document; empty when it is sound."""
    problems = check_flow(doc, BRIDGE)
    actions = doc.get("Actions")
    if not isinstance(actions, list):
        return problems
    transfers = [a for a in actions if a.get("Type") == TRANSFER]
    if len(transfers) != 1:
        problems.append(f"{len(transfers)} transfers to a phone number: exactly one is needed")
    for action in actions:
        identifier = str(action.get("Identifier"))
        if action.get("Type") == TRANSFER:
            problems += _transfer(identifier, action)
            rest = {
                k: v
                for k, v in action.get("Parameters", {}).items()
                if k != "ThirdPartyPhoneNumber"
            }
        else:
            rest = action.get("Parameters") or {}
        if BRIDGE_ATTRIBUTE in json.dumps(rest):
            problems.append(f"{identifier}: reads the citizen's number ({CITIZEN})")
        if action.get("Type") == "UpdateContactRecordingBehavior":
            problems.append(f"{identifier}: the bridged call is not recorded")
        if _NUMBER.search(json.dumps(action.get("Parameters") or {})):
            problems.append(f"{identifier}: a phone number is written into the flow")
    return problems
