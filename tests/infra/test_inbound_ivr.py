"""The inbound IVR in the CDK app: only with a Connect instance; the inbound flow names the
inbound function; Connect may invoke it for that instance only; least privilege."""

from __future__ import annotations

import json

import pytest

from infra.constructs.inbound_ivr import FLOW_FILE, recordings_setting
from samvad import resources
from tests.infra.conftest import (
    CONNECT_INSTANCE_ARN,
    Synthesis,
    actions_on,
    get_att,
    props,
    role_statements,
)

pytestmark = pytest.mark.infra


def _flows(synth: Synthesis) -> dict[str, dict]:
    return {
        f["Properties"]["Name"]: f
        for f in synth.template.find_resources("AWS::Connect::ContactFlow").values()
    }


def test_without_connect_there_is_no_inbound_ivr(synth: Synthesis) -> None:
    assert synth.stack.inbound_ivr is None
    assert "samvad-inbound-dev" not in _flows(synth)


def test_the_inbound_flow_invokes_the_inbound_function(connect_synth: Synthesis) -> None:
    """Given a Connect instance, Then the inbound flow's content is the committed file with
    ``${InboundIvrFunctionArn}`` substituted, created after Connect may invoke the function,
    whose timeout exceeds every invocation's limit."""
    synth, ivr = connect_synth, connect_synth.stack.inbound_ivr
    flow = _flows(synth)["samvad-inbound-dev"]
    text, variables = flow["Properties"]["Content"]["Fn::Sub"]
    assert text == FLOW_FILE.read_text(encoding="utf-8")
    assert variables == {"InboundIvrFunctionArn": get_att(synth, ivr.function)}
    assert flow["Properties"]["InstanceArn"] == CONNECT_INSTANCE_ARN
    timeout = props(synth, ivr.function)["Timeout"]
    for action in json.loads(text)["Actions"]:
        if action["Type"] == "InvokeLambdaFunction":
            assert int(action["Parameters"]["InvocationTimeLimitSeconds"]) <= 8 < timeout
    assert set(flow["DependsOn"]) >= {
        synth.stack.get_logical_id(ivr.permission),
        synth.stack.get_logical_id(ivr.integration),
    }
    outputs = synth.template.to_json()["Outputs"]
    assert any(k.startswith("InboundIvrInboundFlowId") for k in outputs)


def test_connect_may_invoke_the_inbound_function_for_its_instance_only(connect_synth) -> None:
    synth, ivr = connect_synth, connect_synth.stack.inbound_ivr
    [permission] = [
        p["Properties"]
        for p in synth.template.find_resources("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == get_att(synth, ivr.function)
    ]
    assert (permission["Principal"], permission["SourceArn"]) == (
        "connect.amazonaws.com", CONNECT_INSTANCE_ARN)  # fmt: skip


def test_the_inbound_function_has_its_settings_and_least_privilege(connect_synth) -> None:
    """Given the function, Then its environment is exactly its settings' variables (and
    Powertools'), and it may not scan, delete or update any table."""
    synth, ivr = connect_synth, connect_synth.stack.inbound_ivr
    env = props(synth, ivr.function)["Environment"]["Variables"]
    assert {resources.GRIEVANCES.env_var, resources.CONFIG.env_var} <= set(env)
    assert resources.FEEDBACK.env_var not in env and resources.CONTACTS.env_var not in env
    statements = role_statements(synth, ivr.role)
    grievances = synth.stack.store.tables[resources.GRIEVANCES.logical_id]
    assert actions_on(statements, get_att(synth, grievances)) == {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchGetItem",
    }  # fmt: skip
    actions = {a for s in statements if s["Effect"] == "Allow" for a in
               (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}  # fmt: skip
    assert not {"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:UpdateItem"} & actions


@pytest.mark.parametrize("bad", ["bucket/x", "s3://", "https://x/y"])
def test_a_bad_recordings_location_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="connect_recordings"):
        recordings_setting(bad)
    assert recordings_setting("s3://rec-bucket/connect/samvad/CallRecordings")


def test_the_bus_admits_the_inbound_function(connect_synth: Synthesis) -> None:
    """Given the bus's resource policy (only the stack's publishing roles), Then the inbound
    function's role is among them: its GrievanceRegistered events reach escalation."""
    synth = connect_synth
    [policy] = synth.template.find_resources("AWS::Events::EventBusPolicy").values()
    role = json.dumps(get_att(synth, synth.stack.inbound_ivr.role))
    assert role in json.dumps(policy)
