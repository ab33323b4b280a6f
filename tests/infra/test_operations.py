"""Operations in the template: alarms to the ops topic, no silent drops, the bus policy,
SMS-only publishing, the dashboard. Each check reads the synthesised template, not the
constructs, so whatever another construct adds is held to the same rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constructs.monitoring import SMS_SPEND_WARNING
from samvad import resources, telemetry
from tests.infra.conftest import (
    Synthesis,
    as_list,
    resources_of,
    role_statements,
)

pytestmark = pytest.mark.infra

SYNTHS = pytest.mark.parametrize("voice", [False, True], ids=["sms-only", "connect"])


def _synth(request: pytest.FixtureRequest, voice: bool) -> Synthesis:
    return request.getfixturevalue("connect_synth" if voice else "synth")


def _get_att_id(value: Any) -> str | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return value["Fn::GetAtt"][0]
    return None


def _alarms(synth: Synthesis) -> list[dict[str, Any]]:
    return [a["Properties"] for a in resources_of(synth, "AWS::CloudWatch::Alarm").values()]


def _ops_topic(synth: Synthesis) -> dict[str, str]:
    return {"Ref": synth.logical_id(synth.stack.monitoring.topic)}


def _alarmed(synth: Synthesis, namespace: str, metric: str, dimension: str) -> list[Any]:
    """The ``dimension`` values of every alarm on ``namespace``/``metric``."""
    return [
        d["Value"]
        for a in _alarms(synth)
        if a.get("Namespace") == namespace and a.get("MetricName") == metric
        for d in a.get("Dimensions", [])
        if d["Name"] == dimension
    ]


def dead_letter_queues(synth: Synthesis) -> set[str]:
    """Every queue the template names as a dead-letter queue or on-failure destination."""
    found: set[str] = set()
    for queue in resources_of(synth, "AWS::SQS::Queue").values():
        policy = queue["Properties"].get("RedrivePolicy") or {}
        found.add(_get_att_id(policy.get("deadLetterTargetArn")))
    for sub in resources_of(synth, "AWS::SNS::Subscription").values():
        policy = sub["Properties"].get("RedrivePolicy") or {}
        found.add(_get_att_id(policy.get("deadLetterTargetArn")))
    for schedule in resources_of(synth, "AWS::Scheduler::Schedule").values():
        config = schedule["Properties"]["Target"].get("DeadLetterConfig") or {}
        found.add(_get_att_id(config.get("Arn")))
    for rule in resources_of(synth, "AWS::Events::Rule").values():
        for target in rule["Properties"].get("Targets", []):
            found.add(_get_att_id((target.get("DeadLetterConfig") or {}).get("Arn")))
    for config in resources_of(synth, "AWS::Lambda::EventInvokeConfig").values():
        on_failure = (config["Properties"].get("DestinationConfig") or {}).get("OnFailure", {})
        found.add(_get_att_id(on_failure.get("Destination")))
    queues = set(resources_of(synth, "AWS::SQS::Queue"))
    return {q for q in found if q in queues}


@SYNTHS
def test_every_dead_letter_queue_has_an_alarm_on_one_visible_message(request, voice):
    """Given the template, When its dead-letter queues are listed from every redrive policy,
    SNS subscription, schedule, rule target and on-failure destination (and the deferred
    dispatches' queue, which runtime schedules name), Then each has an alarm on
    ApproximateNumberOfMessagesVisible > 0 and carries the ``samvad dlq`` tag."""
    synth = _synth(request, voice)
    deferred = synth.logical_id(synth.stack.notify.deferred_dead_letter_queue)
    queues = dead_letter_queues(synth) | {deferred}
    for queue in queues:
        tags = resources_of(synth, "AWS::SQS::Queue")[queue]["Properties"].get("Tags", [])
        assert {"Key": resources.DEAD_LETTER_TAG, "Value": "true"} in tags, queue
    assert len(queues) >= 12
    alarmed = {
        _get_att_id(name)
        for name in _alarmed(synth, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName")
    }
    assert queues <= alarmed
    for alarm in _alarms(synth):
        if alarm.get("MetricName") == "ApproximateNumberOfMessagesVisible":
            assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


@SYNTHS
def test_every_function_has_errors_and_throttles_alarms(request, voice):
    """Given every Lambda function of the template (CDK's own handlers included), Then each
    has an Errors and a Throttles alarm, and each function URL a 5xx alarm."""
    synth = _synth(request, voice)
    functions = [{"Ref": name} for name in resources_of(synth, "AWS::Lambda::Function")]
    for metric in ("Errors", "Throttles"):
        alarmed = _alarmed(synth, "AWS/Lambda", metric, "FunctionName")
        assert all(f in alarmed for f in functions), metric
    urls = resources_of(synth, "AWS::Lambda::Url").values()
    with_urls = [{"Ref": _get_att_id(u["Properties"]["TargetFunctionArn"])} for u in urls]
    assert with_urls and all(
        f in _alarmed(synth, "AWS/Lambda", "Url5xxCount", "FunctionName") for f in with_urls
    )


def test_every_state_machine_has_failure_and_timeout_alarms(synth: Synthesis):
    """Given the escalation state machine (CaseStalled ends in Fail), Then its failed and
    timed-out executions page."""
    machines = [{"Ref": name} for name in resources_of(synth, "AWS::StepFunctions::StateMachine")]
    assert machines
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut"):
        assert all(m in _alarmed(synth, "AWS/States", metric, "StateMachineArn") for m in machines)


@SYNTHS
def test_every_alarm_notifies_the_encrypted_ops_topic(request, voice):
    """Given every alarm, Then it notifies the ops topic on ALARM and OK; the topic is
    KMS-encrypted and CloudWatch may publish to it and use its key."""
    synth = _synth(request, voice)
    topic = _ops_topic(synth)
    alarms = _alarms(synth)
    assert len(alarms) >= 30
    for alarm in alarms:
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], alarm
        assert "Runbook:" in alarm["AlarmDescription"]
    props = resources_of(synth, "AWS::SNS::Topic")[topic["Ref"]]["Properties"]
    assert "KmsMasterKeyId" in props
    policies = json.dumps(resources_of(synth, "AWS::SNS::TopicPolicy"))
    assert "cloudwatch.amazonaws.com" in policies


def test_sms_and_scheduler_alarms(synth: Synthesis):
    """Given SMS sent to phone numbers and scheduled invocations, Then the SMS failure rate,
    the success rate, the month's spend (at 80% of the context's limit) and each schedule
    group's target errors and dropped invocations page."""
    by_name = {a.get("MetricName"): a for a in _alarms(synth)}
    limit = float(synth.stack.node.try_get_context("sms_spend_limit_usd") or 1.0)
    spend = by_name["SMSMonthToDateSpentUSD"]
    assert spend["Threshold"] == round(SMS_SPEND_WARNING * limit, 2)
    assert by_name["SMSSuccessRate"]["ComparisonOperator"] == "LessThanThreshold"
    [rate] = [a for a in _alarms(synth) if "Metrics" in a]
    expressions = [m for m in rate["Metrics"] if "Expression" in m]
    assert "failed" in expressions[0]["Expression"]
    groups = {"default", resources.DISPATCH_SCHEDULE_GROUP}
    for metric in ("TargetErrorCount", "InvocationDroppedCount"):
        assert set(_alarmed(synth, "AWS/Scheduler", metric, "ScheduleGroup")) == groups


def test_the_dashboard_shows_every_business_figure(synth: Synthesis):
    """Given the business metrics the handlers emit, Then the dashboard graphs each one."""
    [dashboard] = resources_of(synth, "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for name, service in telemetry.BUSINESS_METRICS.items():
        assert f'\\"{telemetry.NAMESPACE}\\",\\"{name}\\",\\"service\\",\\"{service}\\"' in body


@SYNTHS
def test_every_asynchronous_invoke_has_an_on_failure_queue(request, voice):
    """Given every function invoked asynchronously (an SNS subscription, a schedule, a rule
    target, an S3 notification), Then it has an EventInvokeConfig whose on-failure destination
    is an encrypted queue, and its role may send to that queue."""
    synth = _synth(request, voice)
    invoked: set[str] = set()
    for sub in resources_of(synth, "AWS::SNS::Subscription").values():
        if sub["Properties"]["Protocol"] == "lambda":
            invoked.add(_get_att_id(sub["Properties"]["Endpoint"]))
    for schedule in resources_of(synth, "AWS::Scheduler::Schedule").values():
        invoked.add(_get_att_id(schedule["Properties"]["Target"]["Arn"]))
    for rule in resources_of(synth, "AWS::Events::Rule").values():
        for target in rule["Properties"].get("Targets", []):
            invoked.add(_get_att_id(target["Arn"]))
    functions = resources_of(synth, "AWS::Lambda::Function")
    invoked &= set(functions)
    assert len(invoked) >= 3  # feedback (SMS replies), sampler, reports
    queues = resources_of(synth, "AWS::SQS::Queue")
    configs = {
        c["Properties"]["FunctionName"]["Ref"]: c["Properties"]
        for c in resources_of(synth, "AWS::Lambda::EventInvokeConfig").values()
    }
    for function in invoked:
        destination = configs[function]["DestinationConfig"]["OnFailure"]["Destination"]
        queue = _get_att_id(destination)
        assert queue in queues and "KmsMasterKeyId" in queues[queue]["Properties"]
        role = functions[function]["Properties"]["Role"]["Fn::GetAtt"][0]
        sends = [
            s
            for policy in resources_of(synth, "AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Properties"]["Roles"]
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
            if "sqs:SendMessage" in as_list(s["Action"])
        ]
        assert any(destination in as_list(s["Resource"]) for s in sends), function


@SYNTHS
def test_no_rule_target_without_a_dead_letter_queue(request, voice):
    """Given every EventBridge rule (the inbox, the tally rule, the contact events), Then each
    target has a DeadLetterConfig naming an encrypted queue."""
    synth = _synth(request, voice)
    queues = resources_of(synth, "AWS::SQS::Queue")
    targets = [
        t
        for rule in resources_of(synth, "AWS::Events::Rule").values()
        for t in rule["Properties"].get("Targets", [])
    ]
    assert len(targets) >= (3 if voice else 2)
    for target in targets:
        queue = _get_att_id(target["DeadLetterConfig"]["Arn"])
        assert "KmsMasterKeyId" in queues[queue]["Properties"], target


def test_only_the_stack_roles_that_publish_may_put_events_on_the_bus(synth: Synthesis):
    """Given the bus policy, Then it denies PutEvents on the bus to every principal but the
    roles the template grants events:PutEvents (so no one else can close a case)."""
    [policy] = resources_of(synth, "AWS::Events::EventBusPolicy").values()
    props = policy["Properties"]
    statement = props["Statement"]
    assert props["EventBusName"] == {"Ref": synth.logical_id(synth.stack.store.bus)}
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == (
        "Deny",
        "*",
        "events:PutEvents",
    )
    allowed = statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    publishers = {
        role
        for policy in resources_of(synth, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow" and "events:PutEvents" in as_list(s["Action"])
        for role in (r["Ref"] for r in policy["Properties"]["Roles"])
    }
    assert {_get_att_id(arn) for arn in allowed} == publishers
    assert len(publishers) >= 5  # intake, sampler, notify, feedback, the state machine


def test_notify_and_feedback_may_text_phones_but_publish_to_no_topic(synth: Synthesis):
    """Given the roles that send SMS, Then sns:Publish is allowed on * (a phone number has no
    ARN) and denied on every SNS ARN, so no topic whose key they hold is reachable."""
    for construct in (synth.stack.notify, synth.stack.feedback):
        statements = role_statements(synth, construct.role)
        [deny] = [s for s in statements if s["Effect"] == "Deny"]
        assert as_list(deny["Action"]) == ["sns:Publish"]
        assert deny["Resource"] == {
            "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sns:*:*:*"]]
        }


def test_the_citizen_is_asked_once_per_round(synth: Synthesis):
    """Given the escalation state machine, Then its confirmation message carries the case's
    round (the dispatch key), so L4 asks again each round."""
    escalation = synth.stack.escalation.state_machine
    logical_id = synth.stack.get_logical_id(escalation.node.default_child)
    machine = resources_of(synth, "AWS::StepFunctions::StateMachine")[logical_id]
    definition = json.dumps(machine["Properties"]["DefinitionString"])
    assert '\\"round.$\\":\\"$.step.round\\"' in definition
