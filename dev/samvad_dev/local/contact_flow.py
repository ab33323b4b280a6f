"""Runs an Amazon Connect flow-language document locally, as Connect would for one call.

moto has no Amazon Connect runtime, so this walks a flow's actions itself (the survey flow,
the inbound flow, the call desk's bridge): the function is a callable, the citizen a list of
key presses (``""``/``None``: silence; ``"1002"`` several keys where the flow stores up to that
many; at a transfer to a phone number, whether the third party answers).
Supports the actions those flows use; anything else raises ``FlowError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

InvokeFeedback = Callable[[dict[str, str], dict[str, str]], Mapping[str, str]]
"""``(parameters, contact attributes) -> response``; raising is a failed invocation."""
MAX_STEPS = 1000


class FlowError(RuntimeError):
    """The flow cannot go on: an unsupported action, a missing branch, or a loop."""


@dataclass
class FlowRun:
    """What happened on the call."""

    attributes: dict[str, str]
    said: list[tuple[str, str]] = field(default_factory=list)
    """``("text", words)``, ``("prompt", id)`` or ``("media", s3 uri)``, in order, questions
    included."""
    invocations: list[dict[str, str]] = field(default_factory=list)
    """The parameters of each feedback-function invocation."""
    voice: str = "Joanna"
    recording: bool = False
    recorded: bool = False
    """IVR recording was on at some point: Connect writes the contact's recording at the end."""
    path: list[str] = field(default_factory=list)
    transfers: list[tuple[str, str]] = field(default_factory=list)
    """``(number, caller id)`` of each transfer to a phone number."""


class _Call:
    def __init__(self, doc: dict, invoke: InvokeFeedback, keys: Iterable[str | None], attrs):
        self.actions = {a["Identifier"]: a for a in doc["Actions"]}
        self.start = doc["StartAction"]
        self.invoke = invoke
        self.keys = iter(keys)
        self.external: dict[str, str] = {}
        self.stored: str | None = None
        self.run = FlowRun(attributes=dict(attrs))

    def value(self, expression: object) -> str | None:
        text = str(expression)
        if text.startswith("$.External."):
            return self.external.get(text.removeprefix("$.External."))
        if text.startswith("$.Attributes."):
            return self.run.attributes.get(text.removeprefix("$.Attributes."))
        if text == "$.StoredCustomerInput":
            return self.stored
        if text.startswith("$."):
            raise FlowError(f"unsupported reference {text}")
        return text

    def go(self) -> FlowRun:
        current: str | None = self.start
        for _ in range(MAX_STEPS):
            if current is None:
                return self.run
            self.run.path.append(current)
            current = self.step(self.actions[current])
        raise FlowError(f"more than {MAX_STEPS} steps: a loop?")

    def step(self, action: dict) -> str | None:
        kind, parameters = action["Type"], action.get("Parameters", {})
        transitions = action.get("Transitions", {})
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            raise FlowError(f"{action['Identifier']}: unsupported action type {kind}")
        outcome = handler(parameters)
        if outcome is None:
            return transitions.get("NextAction")
        if outcome.startswith("="):
            for condition in transitions.get("Conditions", []):
                if condition["Condition"]["Operands"] == [outcome[1:]]:
                    return condition["NextAction"]
            outcome = "NoMatchingCondition"
        errors = {e["ErrorType"]: e["NextAction"] for e in transitions.get("Errors", [])}
        target = errors.get(outcome) or errors.get("NoMatchingError")
        if target is None:
            raise FlowError(f"{action['Identifier']}: {outcome} has no branch")
        return target

    # Each handler returns None (go on), "=<result>" (match conditions) or an error type.
    def _UpdateContactTextToSpeechVoice(self, parameters: dict) -> str | None:
        voice = self.value(parameters["TextToSpeechVoice"])
        if not voice:
            return "NoMatchingError"
        self.run.voice = voice
        return None

    def _InvokeLambdaFunction(self, parameters: dict) -> str | None:
        given = {
            k: self.value(v) or "" for k, v in parameters["LambdaInvocationAttributes"].items()
        }
        self.run.invocations.append(given)
        try:
            response = dict(self.invoke(given, dict(self.run.attributes)))
        except Exception:  # a failed invocation takes the error branch, as on Connect
            return "NoMatchingError"
        if not all(isinstance(v, str) for v in response.values()):
            return "NoMatchingError"  # ResponseValidation STRING_MAP
        self.external = response
        return None

    def _Compare(self, parameters: dict) -> str:
        return "=" + str(self.value(parameters["ComparisonValue"]))

    def _speak(self, parameters: dict) -> bool:
        if "Media" in parameters:  # an audio file in S3: ``("media", uri)``
            uri = self.value((parameters["Media"] or {}).get("Uri", ""))
            if not uri:
                return False
            self.run.said.append(("media", uri))
            return True
        for name, kind in (("Text", "text"), ("PromptId", "prompt")):
            if name in parameters:
                content = self.value(parameters[name])
                if not content:
                    return False
                self.run.said.append((kind, content))
                return True
        return False

    def _MessageParticipant(self, parameters: dict) -> str | None:
        return None if self._speak(parameters) else "NoMatchingError"

    def _GetParticipantInput(self, parameters: dict) -> str | None:
        if not self._speak(parameters):
            return "NoMatchingError"
        limit = (parameters.get("InputValidation") or {}).get("CustomValidation", {})
        pressed = (next(self.keys, None) or "")[: int(limit.get("MaximumLength") or 1)]
        if parameters.get("StoreInput") == "True":
            self.stored = pressed or "Timeout"
            return None
        return "=" + pressed if pressed else "InputTimeLimitExceeded"

    def _UpdateContactAttributes(self, parameters: dict) -> str | None:
        values = {k: self.value(v) for k, v in parameters["Attributes"].items()}
        if any(v is None for v in values.values()):
            return "NoMatchingError"
        self.run.attributes.update(values)
        return None

    def _UpdateContactRecordingBehavior(self, parameters: dict) -> None:
        behaviour = parameters.get("RecordingBehavior", {})
        self.run.recording = behaviour.get("IVRRecordingBehavior") == "Enabled"
        self.run.recorded = self.run.recorded or self.run.recording

    def _TransferParticipantToThirdParty(self, parameters: dict) -> str | None:
        """The next item of ``keys`` is the third party: ``"answered"`` (the flow goes on
        when they hang up), ``"failed"``, or silence (they never answer)."""
        number = self.value(parameters["ThirdPartyPhoneNumber"])
        caller_id = self.value((parameters.get("CallerId") or {}).get("Number", ""))
        self.run.transfers.append((number or "", caller_id or ""))
        answer = next(self.keys, None) or ""
        if not number or answer == "failed":
            return "CallFailed"
        return None if answer == "answered" else "ConnectionTimeLimitExceeded"

    def _DisconnectParticipant(self, parameters: dict) -> None:
        return None


def run_flow(
    doc: dict,
    invoke: InvokeFeedback,
    keys: Iterable[str | None] = (),
    attributes: Mapping[str, str] | None = None,
) -> FlowRun:
    """Play one call through ``doc``: ``keys`` are what the citizen presses at each prompt
    that waits for input, ``attributes`` the contact attributes dispatch set."""
    return _Call(doc, invoke, keys, attributes or {}).go()
