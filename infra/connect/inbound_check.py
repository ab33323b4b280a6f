"""Checks the inbound contact flow: the survey flow's checks (``flow_check``) with the inbound
function's placeholder, actions and keys, plus the menus' routing.

Every ``action=choose`` invocation must be followed by a Compare on ``$.External.result``
that handles ``ok`` (and ``list`` for the office, where 0 opens the district's list);
``action=register``, ``status`` and ``schemes`` likewise handle ``ok``.
"""

from __future__ import annotations

from infra.connect import INBOUND_FUNCTION_PLACEHOLDER
from infra.connect.flow_check import FlowSpec, check_flow
from samvad.inbound_ivr.prompts import produced_keys

CONTEXT = frozenset({"language", "department", "service", "district"})
INBOUND = FlowSpec(
    placeholder=INBOUND_FUNCTION_PLACEHOLDER,
    lambda_actions={
        "languages": frozenset(),
        "prompts": frozenset({"language_key"}),
        "menu": CONTEXT | {"step"},
        "choose": CONTEXT | {"step", "key"},
        "register": CONTEXT | {"office", "category", "voice_message"},
        "status": frozenset({"language", "reference"}),
        "schemes": frozenset({"language"}),
        "scheme": frozenset({"language", "key"}),
        "scheme_sms": frozenset({"language", "scheme"}),
    },
    question_digits={
        "q_language": frozenset("123"),
        "q_main": frozenset("123"),
        "q_voice": frozenset("12"),
        "q_scheme_sms": frozenset("12"),
    },
    produced=produced_keys,
)
MENU_STEPS = frozenset({"department", "service", "office", "district", "office_list", "category"})
ROUTED = {"register": {"ok"}, "status": {"ok"}, "schemes": {"ok"}, "scheme": {"ok"}}


def _results_needed(action: dict) -> tuple[str, set[str]] | None:
    attributes = (action.get("Parameters") or {}).get("LambdaInvocationAttributes") or {}
    name = attributes.get("action")
    if name == "choose":
        step = attributes.get("step")
        return f"choose {step}", {"ok", "list"} if step == "office" else {"ok"}
    if name in ROUTED:
        return str(name), ROUTED[name]
    return None


def _routing(doc: dict) -> list[str]:
    by_id = {str(a.get("Identifier")): a for a in doc.get("Actions") or []}
    problems, steps = [], set()
    for identifier, action in by_id.items():
        if action.get("Type") != "InvokeLambdaFunction":
            continue
        attributes = (action.get("Parameters") or {}).get("LambdaInvocationAttributes") or {}
        if attributes.get("action") == "menu":
            steps.add(attributes.get("step"))
        needed = _results_needed(action)
        if needed is None:
            continue
        what, results = needed
        after = by_id.get((action.get("Transitions") or {}).get("NextAction", ""), {})
        if (
            after.get("Type") != "Compare"
            or (after.get("Parameters") or {}).get("ComparisonValue") != "$.External.result"
        ):
            problems.append(f"{identifier}: the result of {what} is not checked by a Compare")
            continue
        handled = {
            operand
            for condition in (after.get("Transitions") or {}).get("Conditions", [])
            for operand in condition["Condition"]["Operands"]
        }
        if missing := results - handled:
            problems.append(f"{identifier}: results {sorted(missing)} of {what} are not handled")
    problems += [f"menu {step} is never offered" for step in sorted(MENU_STEPS - steps)]
    return problems


def check_inbound_flow(doc: dict) -> list[str]:
    """Every problem found in the inbound flow document; empty when it is sound."""
    problems = check_flow(doc, INBOUND)
    return problems + (_routing(doc) if isinstance(doc.get("Actions"), list) else [])
