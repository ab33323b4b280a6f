"""Checks an Amazon Connect flow-language document, since ``CfnContactFlow`` does not.

``check_flow(doc)`` returns the problems found (empty: none): the structure Connect requires
(version, unique identifiers within its rules, at most 250 actions, start and transition
targets that exist, empty transitions on terminal actions), no unreachable action, an error
path on every action that can fail, the feedback function invoked only through the ``Fn::Sub``
placeholder with the parameters the feedback function reads, every ``$.External.<key>``
produced by ``connect_prompts`` in all three languages, and the documented keys answered at
every question.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from infra.connect import FEEDBACK_FUNCTION_PLACEHOLDER
from samvad.messages import LANGUAGES, connect_prompts
from samvad.messages.voice import KINDS

VERSION = "2019-10-30"
MAX_ACTIONS = 250
MAX_CONTENT = 256_000
IDENTIFIER_FORBIDDEN = set("%:(\\/)=$,;[]{}")
TERMINAL = frozenset({"DisconnectParticipant", "EndFlowExecution"})
NO_ERRORS = TERMINAL | {"UpdateContactRecordingBehavior"}
"""Actions documented with no error branch."""
LAMBDA_ACTIONS = {
    "prompts": frozenset(),
    "record": frozenset({"work_done", "rating", "bribe", "officer"}),
    "confirm": frozenset({"resolved"}),
    "opt_out": frozenset(),
}
"""``action`` values the feedback function answers, with the parameters each must carry."""
QUESTION_DIGITS = {
    "q_work_done": frozenset("128"),
    "q_rating": frozenset("123458"),
    "q_bribe": frozenset("128"),
    "q_officer": frozenset("98"),
    "q_confirm": frozenset("128"),
}
"""The keys each question documents (8 stops the calls at every question)."""
_EXTERNAL = re.compile(r"\$\.External\.([A-Za-z0-9_]+)")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_SAMPLE = {"office": "Tahasil Office, Khordha", "service": "Income certificate"}


def produced_keys() -> frozenset[str]:
    """Keys ``connect_prompts`` returns for every language, kind and caller."""
    keys: frozenset[str] | None = None
    for language in LANGUAGES:
        for kind in KINDS:
            for caller in ("cmo", "contact-centre", "collector-khordha"):
                found = frozenset(connect_prompts(language, caller, kind, **_SAMPLE))
                keys = found if keys is None else keys & found
    return keys or frozenset()


@dataclass(frozen=True)
class FlowSpec:
    """What a flow may invoke and must ask: the survey flow's (``SURVEY``) or another's."""

    placeholder: str
    """The only ``${…}``: the function's ARN, substituted by ``Fn::Sub``."""
    lambda_actions: Mapping[str, frozenset[str]]
    question_digits: Mapping[str, frozenset[str]]
    produced: Callable[[], frozenset[str]]
    """Every ``$.External`` key the function's answers carry."""


def _targets(action: dict) -> list[str]:
    transitions = action.get("Transitions") or {}
    found = [transitions["NextAction"]] if "NextAction" in transitions else []
    found += [c.get("NextAction") for c in transitions.get("Conditions", [])]
    found += [e.get("NextAction") for e in transitions.get("Errors", [])]
    return found


def _structure(doc: dict, actions: list[dict]) -> list[str]:
    problems = []
    if doc.get("Version") != VERSION:
        problems.append(f"Version must be {VERSION!r}")
    if len(actions) > MAX_ACTIONS:
        problems.append(f"{len(actions)} actions: Connect allows at most {MAX_ACTIONS}")
    if len(json.dumps(doc, ensure_ascii=False)) > MAX_CONTENT:
        problems.append(f"content longer than {MAX_CONTENT} characters")
    seen: set[str] = set()
    for action in actions:
        identifier = str(action.get("Identifier", ""))
        if not identifier or len(identifier) > 50 or IDENTIFIER_FORBIDDEN & set(identifier):
            problems.append(
                f"identifier {identifier!r}: 1-50 characters, none of %:()\\/=$,;[]{{}}"
            )
        if identifier in seen:
            problems.append(f"identifier {identifier!r} is used twice")
        seen.add(identifier)
    return problems


def _graph(doc: dict, by_id: dict[str, dict]) -> list[str]:
    problems = []
    start = doc.get("StartAction")
    if start not in by_id:
        problems.append(f"StartAction {start!r} is not an action")
    for identifier, action in by_id.items():
        for target in _targets(action):
            if target not in by_id:
                problems.append(f"{identifier}: transition to missing action {target!r}")
    reached, queue = set(), deque([start] if start in by_id else [])
    while queue:
        current = queue.popleft()
        if current in reached:
            continue
        reached.add(current)
        queue.extend(t for t in _targets(by_id[current]) if t in by_id)
    problems += [f"{i}: unreachable from StartAction" for i in by_id if i not in reached]
    return problems


def _error_paths(identifier: str, action: dict) -> list[str]:
    kind, transitions = action.get("Type"), action.get("Transitions") or {}
    errors = {e.get("ErrorType") for e in transitions.get("Errors", [])}
    if kind in TERMINAL:
        return [] if transitions == {} else [f"{identifier}: a terminal action has no transitions"]
    problems = [] if "NextAction" in transitions else [f"{identifier}: no NextAction"]
    if kind in NO_ERRORS:
        return problems
    needed = {"NoMatchingCondition"} if kind == "Compare" else {"NoMatchingError"}
    if kind == "GetParticipantInput" and action.get("Parameters", {}).get("StoreInput") != "True":
        needed |= {"NoMatchingCondition", "InputTimeLimitExceeded"}
    return problems + [f"{identifier}: no {e} error path" for e in sorted(needed - errors)]


def _parameters(identifier: str, action: dict, spec: FlowSpec) -> list[str]:
    kind, parameters = action.get("Type"), action.get("Parameters") or {}
    problems = []
    if kind in ("MessageParticipant", "GetParticipantInput"):
        given = [p for p in ("Text", "SSML", "PromptId", "Media") if p in parameters]
        if len(given) != 1:
            problems.append(f"{identifier}: needs exactly one of Text, SSML, PromptId, Media")
    if kind == "GetParticipantInput" and parameters.get("StoreInput") == "True":
        if "InputValidation" not in parameters:
            problems.append(f"{identifier}: StoreInput needs InputValidation")
        if (action.get("Transitions") or {}).get("Conditions"):
            problems.append(f"{identifier}: StoreInput allows no conditions (use a Compare)")
    if kind == "InvokeLambdaFunction":
        if parameters.get("LambdaFunctionARN") != spec.placeholder:
            problems.append(f"{identifier}: LambdaFunctionARN must be {spec.placeholder}")
        if parameters.get("InvocationTimeLimitSeconds") not in {str(n) for n in range(1, 9)}:
            problems.append(f"{identifier}: InvocationTimeLimitSeconds must be 1-8")
        attributes = parameters.get("LambdaInvocationAttributes") or {}
        action_name = attributes.get("action")
        if action_name not in spec.lambda_actions:
            problems.append(
                f"{identifier}: action {action_name!r} is not one of {sorted(spec.lambda_actions)}"
            )
        elif missing := spec.lambda_actions[action_name] - attributes.keys():
            problems.append(f"{identifier}: action {action_name} lacks {sorted(missing)}")
    return problems


def _prompt_keys(actions: list[dict], spec: FlowSpec) -> list[str]:
    produced = spec.produced()
    problems = []
    for action in actions:
        for key in _EXTERNAL.findall(json.dumps(action.get("Parameters", {}))):
            if key not in produced:
                problems.append(
                    f"{action.get('Identifier')}: $.External.{key} is not produced by "
                    "connect_prompts for every language"
                )
    return problems


def _question_key(action: dict, questions: Mapping[str, frozenset[str]]) -> str | None:
    parameters = action.get("Parameters") or {}
    for name in ("Text", "PromptId"):
        match = _EXTERNAL.fullmatch(str(parameters.get(name, "")))
        if match and match.group(1) in questions:
            return match.group(1)
    return None


def _digits(by_id: dict[str, dict], spec: FlowSpec) -> list[str]:
    problems, asked = [], set()
    questions = spec.question_digits
    for identifier, action in by_id.items():
        key = _question_key(action, questions)
        if action.get("Type") != "GetParticipantInput" or key is None:
            continue
        asked.add(key)
        check = by_id.get((action.get("Transitions") or {}).get("NextAction", ""), {})
        if (
            check.get("Type") != "Compare"
            or check.get("Parameters", {}).get("ComparisonValue") != "$.StoredCustomerInput"
        ):
            problems.append(f"{identifier}: the key pressed is not checked by a Compare")
            continue
        offered = {
            operand
            for condition in check.get("Transitions", {}).get("Conditions", [])
            for operand in condition["Condition"]["Operands"]
        }
        if missing := questions[key] - offered:
            problems.append(f"{identifier}: keys {sorted(missing)} of {key} are not handled")
        if extra := offered - questions[key]:
            problems.append(f"{identifier}: keys {sorted(extra)} are not documented for {key}")
    problems += [f"question {key} is never asked" for key in sorted(questions.keys() - asked)]
    return problems


SURVEY = FlowSpec(FEEDBACK_FUNCTION_PLACEHOLDER, LAMBDA_ACTIONS, QUESTION_DIGITS, produced_keys)


def check_flow(doc: dict, spec: FlowSpec = SURVEY) -> list[str]:
    """Every problem found in the flow document, as sentences; empty when it is sound."""
    actions = doc.get("Actions")
    if not isinstance(actions, list) or not actions:
        return ["Actions must be a non-empty list"]
    problems = _structure(doc, actions)
    by_id = {str(a.get("Identifier")): a for a in actions}
    problems += _graph(doc, by_id)
    for identifier, action in by_id.items():
        problems += _error_paths(identifier, action) + _parameters(identifier, action, spec)
    text = json.dumps(doc, ensure_ascii=False)
    if others := set(_PLACEHOLDER.findall(text)) - {spec.placeholder}:
        problems.append(f"only {spec.placeholder} may be substituted: found {sorted(others)}")
    return problems + _prompt_keys(actions, spec) + _digits(by_id, spec)
