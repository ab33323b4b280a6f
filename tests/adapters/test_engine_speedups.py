"""The local runtime's Step Functions engine speed-ups keep moto's results."""

from __future__ import annotations

import enum
import json
import subprocess
import sys
import uuid
from pathlib import Path

from samvad_dev.local import engine_speedups


def _components(value: object, seen: dict[int, object]) -> dict[int, object]:
    """Every mutable object reachable from ``value`` (components, dicts, lists; not enum
    members, which are constants), by id."""
    if id(value) in seen or isinstance(value, type | enum.Enum):
        return seen
    if not isinstance(value, dict | list) and not hasattr(value, "__dict__"):
        return seen
    seen[id(value)] = value
    children = value.values() if isinstance(value, dict) else value
    if hasattr(value, "__dict__") and not isinstance(value, dict | list):
        children = vars(value).values()
    for child in children:
        _components(child, seen)
    return seen


def test_a_definition_is_parsed_once_and_each_execution_gets_a_program_of_its_own(monkeypatch):
    """Given the speed-ups and a definition not seen before (a Pass with a map as its Result),
    When the execution worker asks for its program three times, Then ANTLR parses it once,
    and the three programs share no component, map or list: what one execution leaves in its
    program (a retrier's heap key, a Result it changes) cannot reach another."""
    from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser
    from moto.stepfunctions.parser.backend import execution_worker

    engine_speedups.install()
    parses = []
    original = ASLParser.state_machine
    monkeypatch.setattr(ASLParser, "state_machine", lambda self: parses.append(1) or original(self))
    marker = uuid.uuid4().hex
    definition = json.dumps(
        {
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Result": {"marker": marker}, "End": True}},
        }
    )

    programs = [execution_worker.AmazonStateLanguageParser.parse(definition)[0] for _ in "abc"]

    assert len(parses) == 1
    owned = [set(_components(program, {})) for program in programs]
    assert owned[0] and not owned[0] & owned[1] and not owned[1] & owned[2]
    result = programs[0].states.states["P"].result.result_obj
    result["marker"] = "changed by one execution"
    assert programs[1].states.states["P"].result.result_obj == {"marker": marker}


def test_executions_answer_as_on_unpatched_moto():
    """Given four executions of one state machine started at once (a Retry, a Result map read
    by the next state, a Choice, intrinsics, a Task that succeeds and one caught), When they
    run on moto with and without ``install()``, each in a process of its own, Then their
    statuses, outputs, histories and writes are the same."""
    scenario = Path(__file__).with_name("engine_speedups_scenario.py")

    def run(*args: str) -> dict:
        done = subprocess.run(
            [sys.executable, str(scenario), *args], capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)

    unpatched, patched = run(), run("patched")
    assert [patched[n]["status"] for n in "abcd"] == ["SUCCEEDED"] * 4
    assert patched["b"]["output"]["error"]["Error"] == "DynamoDB.ResourceNotFoundException"
    assert [item["pk"]["S"] for item in patched["items"]] == ["a", "c"]
    assert patched == unpatched


def test_a_json_path_is_parsed_once_and_reads_every_input():
    """Given the speed-ups, When one JSONPath is read from two inputs and written into a
    third, Then it was parsed once (the same expression both times) and each read and write
    sees its own input."""
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    engine_speedups.install()

    assert json_path.parse("$.step.level") is json_path.parse("$.step.level")
    assert json_path.extract_json("$.step.level", {"step": {"level": 2}}) == 2
    assert json_path.extract_json("$.step.level", {"step": {"level": 3}}) == 3
    written = result_path.parse("$.step").update_or_create({"a": 1}, {"level": 4})
    assert written == {"a": 1, "step": {"level": 4}}
    assert result_path.parse("$.step") is result_path.parse("$.step")
