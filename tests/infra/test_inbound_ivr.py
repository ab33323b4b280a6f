"""The inbound IVR in the CDK app: only with a Connect instance; the inbound flow names the
inbound function; Connect may invoke it for that instance only; least privilege."""

from __future__ import annotations

import json

import pytest

from infra.constructs.inbound_ivr import FLOW_FILE, recordings_setting
from samvad import resources
from tests.infra.conftest import (
    CONNECT_INSTANCE_ARN,
    CONNECT_RECORDINGS,
    CONNECT_RECORDINGS_KEY,
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


def test_voice_messages_are_copied_by_their_own_least_privileged_function(connect_synth) -> None:
    """Given the recordings location, Then IVR grievances with a voice message reach an
    encrypted, delayed queue with a dead-letter queue; its function may list and read only
    that location, decrypt with the given recordings key, write only ``cases/`` of the data
    bucket, update cases and grievance records (no scan, no delete), and has the data key's
    ARN to encrypt the copy with."""
    synth, voice = connect_synth, connect_synth.stack.inbound_ivr.voice
    store = synth.stack.store
    queue, dead = get_att(synth, voice.queue), get_att(synth, voice.dead_letters)
    rule = props(synth, voice.rule)
    assert rule["EventPattern"] == {
        "source": [resources.EVENT_SOURCE],
        "detail-type": [resources.GRIEVANCE_REGISTERED],
        "detail": {"has_voice": [True], "channel": ["ivr"]},
    }
    [target] = rule["Targets"]
    assert (target["Arn"], target["DeadLetterConfig"]) == (queue, {"Arn": dead})
    queue_props = props(synth, voice.queue)
    assert queue_props["DelaySeconds"] == 300
    assert queue_props["RedrivePolicy"]["deadLetterTargetArn"] == dead
    assert queue_props["KmsMasterKeyId"] == get_att(synth, store.queue_key)
    env = props(synth, voice.function)["Environment"]["Variables"]
    assert env[resources.CONNECT_RECORDINGS_ENV] == CONNECT_RECORDINGS
    assert env[resources.DATA_KEY_ENV] == get_att(synth, store.key)
    statements = role_statements(synth, voice.role)
    bucket, _, prefix = CONNECT_RECORDINGS.removeprefix("s3://").partition("/")
    [listing] = [s for s in statements if s.get("Sid") == "ListRecordings"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"{prefix}/*"]}}
    objects = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":s3:::{bucket}/{prefix}/*"]]}
    assert actions_on(statements, objects) == {"s3:GetObject"}
    assert actions_on(statements, CONNECT_RECORDINGS_KEY) == {"kms:Decrypt"}
    cases = {"Fn::Join": ["", [get_att(synth, store.bucket), "/cases/*"]]}
    assert actions_on(statements, cases) == {"s3:GetObject", "s3:PutObject"}
    tables = {n: get_att(synth, t) for n, t in store.tables.items()}
    assert actions_on(statements, tables["Cases"]) == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    assert actions_on(statements, tables["Grievances"]) == {
        "dynamodb:GetItem", "dynamodb:PutItem"}  # fmt: skip
    actions = {a for s in statements if s["Effect"] == "Allow" for a in
               (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}  # fmt: skip
    assert not {"dynamodb:Scan", "dynamodb:DeleteItem", "s3:DeleteObject", "sns:Publish"} & actions
