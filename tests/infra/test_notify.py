"""The notify function in the synthesised stack: the dispatch queue source, deferred dispatches
through EventBridge Scheduler, least privilege, and voice through Amazon Connect when (and only
when) the ``connect_*`` context is set."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constructs import notify as notify_module
from infra.constructs.connect import connect_settings
from samvad import resources
from tests.infra.conftest import (
    CONNECT_INSTANCE_ARN,
    CONNECT_REGION,
    CONNECT_SOURCE_PHONE,
    XRAY_ACTIONS,
    Synthesis,
    actions_by_resource,
    as_list,
    get_att,
    key_of,
    props,
    ref_of,
    resources_of,
    role_statements,
)

pytestmark = pytest.mark.infra

CONSUME_ACTIONS = {
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
}
CONNECT_ENV = {
    resources.CONNECT_INSTANCE_ENV,
    resources.CONNECT_FLOW_ENV,
    resources.CONNECT_SOURCE_PHONE_ENV,
}
INSTANCE_ID = CONNECT_INSTANCE_ARN.rsplit("/", 1)[1]


def _env(synth: Synthesis) -> dict[str, Any]:
    return props(synth, synth.stack.notify.function)["Environment"]["Variables"]


def _policy_statements(synth: Synthesis, type_: str, key: str, target: Any) -> list[dict]:
    """Statements of every ``type_`` policy resource whose ``key`` lists ``target``."""
    return [
        statement
        for policy in resources_of(synth, type_).values()
        if target in as_list(policy["Properties"][key])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _join(value: Any) -> str:
    """A ``Fn::Join`` of literals and pseudo-parameter refs, spelled as one string."""
    if isinstance(value, str):
        return value
    separator, parts = value["Fn::Join"]
    return separator.join(p if isinstance(p, str) else f"<{p['Ref']}>" for p in parts)


def test_notify_consumes_the_dispatch_queue_in_paced_batches(synth: Synthesis) -> None:
    """Given the notify function, then exactly one event source mapping feeds it from the
    sampler's dispatch queue (no second queue), ten messages at a time, reporting partial
    batch failures, with at most two concurrent invocations."""
    notify, sampler = synth.stack.notify, synth.stack.sampler
    assert notify.dispatch_queue is sampler.dispatch_queue
    mappings = [
        m["Properties"]
        for m in resources_of(synth, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == ref_of(synth, notify.function)
    ]
    assert len(mappings) == 1
    [mapping] = mappings
    assert mapping["EventSourceArn"] == get_att(synth, sampler.dispatch_queue)
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": notify_module.MAX_CONCURRENCY}
    assert notify_module.MAX_CONCURRENCY == 2


def test_dispatch_visibility_timeout_is_six_times_notify_timeout(synth: Synthesis) -> None:
    """Given notify's 60-second timeout, then the dispatch queue hides a received message for at
    least six times as long, and a longer notify timeout is refused at synth."""
    function = props(synth, synth.stack.notify.function)
    queue = props(synth, synth.stack.sampler.dispatch_queue)
    assert function["Timeout"] == 60
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    import aws_cdk as cdk

    with pytest.raises(ValueError, match="six times"):
        notify_module._check_visibility_timeout(cdk.Duration.seconds(61))


def test_notify_function_configuration(synth: Synthesis) -> None:
    """Given the notify function without Connect, then it is python3.13 on arm64 with its own
    log group and it learns the queue (URL and ARN), the Scheduler role, the link-signing key
    and the feedback form's URL from its environment, and nothing about Connect."""
    notify, store = synth.stack.notify, synth.stack.store
    function = props(synth, notify.function)
    assert (function["Runtime"], function["Architectures"]) == ("python3.13", ["arm64"])
    assert function["MemorySize"] == 256
    assert function["LoggingConfig"]["LogGroup"] == ref_of(synth, notify.log_group)
    env = _env(synth)
    assert env[resources.DISPATCH_QUEUE_ENV] == ref_of(synth, notify.dispatch_queue)
    assert env[resources.DISPATCH_QUEUE_ARN_ENV] == get_att(synth, notify.dispatch_queue)
    assert env[resources.SCHEDULER_ROLE_ENV] == get_att(synth, notify.schedule_role)
    assert env[resources.LINK_SECRET_ENV] == ref_of(synth, store.link_secret)
    url_id = synth.stack.get_logical_id(synth.stack.feedback.url.node.default_child)
    assert env[resources.FEEDBACK_URL_ENV] == {"Fn::GetAtt": [url_id, "FunctionUrl"]}
    assert env["POWERTOOLS_SERVICE_NAME"] == "dispatch"
    assert not CONNECT_ENV & set(env)
    secret = props(synth, store.link_secret)
    assert secret["Name"] == "samvad/dev/link-signing-key"
    assert secret["KmsKeyId"] == get_att(synth, store.key)


def test_schedule_group_and_the_role_scheduler_assumes(synth: Synthesis) -> None:
    """Given deferred dispatches, then the ``samvad-dispatch`` schedule group exists, and the
    role Scheduler assumes trusts only scheduler.amazonaws.com for this account and that group,
    and may only send to the dispatch queue with the queue key."""
    notify, store = synth.stack.notify, synth.stack.store
    [group] = resources_of(synth, "AWS::Scheduler::ScheduleGroup").values()
    assert group["Properties"]["Name"] == resources.DISPATCH_SCHEDULE_GROUP
    [trust] = props(synth, notify.schedule_role)["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": {"Ref": "AWS::AccountId"},
            "aws:SourceArn": get_att(synth, notify.schedule_group),
        }
    }
    assert "ManagedPolicyArns" not in props(synth, notify.schedule_role)
    assert actions_by_resource(role_statements(synth, notify.schedule_role)) == {
        key_of(get_att(synth, notify.dispatch_queue)): {"sqs:SendMessage"},
        key_of(get_att(synth, notify.deferred_dead_letter_queue)): {"sqs:SendMessage"},
        key_of(get_att(synth, store.queue_key)): {"kms:Decrypt", "kms:GenerateDataKey"},
    }


def test_notify_role_holds_exactly_the_listed_actions(synth: Synthesis) -> None:
    """Given the notify role without Connect, then its policy allows exactly the listed actions
    on each named resource; ``*`` only for X-Ray and SMS (sns:Publish to a phone number), the
    schedules of the dispatch group only, and the Scheduler role passed to Scheduler only."""
    notify, store = synth.stack.notify, synth.stack.store
    tables = {name: get_att(synth, table) for name, table in store.tables.items()}
    statements = role_statements(synth, notify.role)
    by_reference = {
        "Fn::Join": ["", [tables["Dispatches"], f"/index/{resources.BY_REFERENCE_INDEX.name}"]]
    }
    schedules = {
        "Fn::Join": [
            "",
            [
                "arn:aws:scheduler:ap-south-1:",
                {"Ref": "AWS::AccountId"},
                f":schedule/{resources.DISPATCH_SCHEDULE_GROUP}/*",
            ],
        ]
    }
    assert actions_by_resource(statements) == {
        key_of(tables["Dispatches"]): {
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
        },
        key_of(by_reference): {"dynamodb:Query"},
        key_of(tables["RateLimits"]): {
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        },
        key_of(tables["Visits"]): {"dynamodb:GetItem"},
        key_of(tables["Contacts"]): {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        key_of(tables["Links"]): {"dynamodb:PutItem"},
        key_of(tables["Config"]): {"dynamodb:GetItem", "dynamodb:Query"},
        key_of(get_att(synth, notify.dispatch_queue)): {"sqs:SendMessage", *CONSUME_ACTIONS},
        key_of(get_att(synth, store.bus)): {"events:PutEvents"},
        key_of(ref_of(synth, store.link_secret)): {"secretsmanager:GetSecretValue"},
        key_of(ref_of(synth, store.phone_hash_secret)): {"secretsmanager:GetSecretValue"},
        key_of(get_att(synth, store.key)): {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"},
        key_of(get_att(synth, store.queue_key)): {
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:GenerateDataKey",
        },
        key_of(schedules): {"scheduler:CreateSchedule"},
        key_of(get_att(synth, notify.schedule_role)): {"iam:PassRole"},
        key_of(get_att(synth, notify.log_group)): {"logs:CreateLogStream", "logs:PutLogEvents"},
        key_of("*"): XRAY_ACTIONS | {"sns:Publish"},
    }
    [pass_role] = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}
    }
    [sms] = [
        s for s in statements if "sns:Publish" in as_list(s["Action"]) and s["Effect"] == "Allow"
    ]
    assert as_list(sms["Action"]) == ["sns:Publish"]
    assert not any(a.startswith("connect:") for s in statements for a in as_list(s["Action"]))
    assert "ManagedPolicyArns" not in props(synth, notify.role)


def test_without_connect_context_there_are_no_connect_resources(synth: Synthesis) -> None:
    """Given cdk.json's context (no ``connect_instance_arn``), then the stack has no Connect
    resource, no survey flow, no permission for Connect to invoke anything, no contact-event
    rule and no Connect environment: notify sends SMS only."""
    assert synth.stack.survey_flow is None
    assert synth.stack.notify.contact_events_rule is None
    template = synth.template.to_json()["Resources"]
    assert not [r for r in template.values() if r["Type"].startswith("AWS::Connect::")]
    assert not [
        r
        for r in resources_of(synth, "AWS::Lambda::Permission").values()
        if r["Properties"]["Principal"] == "connect.amazonaws.com"
    ]
    assert not [
        r
        for r in resources_of(synth, "AWS::Events::Rule").values()
        if "aws.connect" in json.dumps(r)
    ]
    assert "aws.connect" not in json.dumps(template)
    assert not CONNECT_ENV & set(_env(synth))


def test_with_connect_notify_may_start_calls_on_that_instance_only(
    connect_synth: Synthesis,
) -> None:
    """Given the ``connect_*`` context, then notify learns the instance id, the survey flow's
    id (the last part of the flow's ARN) and the source number, and may start outbound calls
    only as contacts of that instance, besides everything it holds without Connect."""
    synth = connect_synth
    notify, flow = synth.stack.notify, synth.stack.survey_flow
    env = _env(synth)
    flow_id = synth.stack.get_logical_id(flow.flow)
    assert env[resources.CONNECT_INSTANCE_ENV] == INSTANCE_ID
    assert env[resources.CONNECT_SOURCE_PHONE_ENV] == CONNECT_SOURCE_PHONE
    assert env[resources.CONNECT_FLOW_ENV] == {
        "Fn::Select": [
            3,
            {"Fn::Split": ["/", {"Fn::GetAtt": [flow_id, "ContactFlowArn"]}]},
        ]
    }
    grant = actions_by_resource(role_statements(synth, notify.role))
    assert grant[key_of(f"{CONNECT_INSTANCE_ARN}/contact/*")] == {
        "connect:StartOutboundVoiceContact"
    }
    connect_actions = {
        (resource, action)
        for resource, actions in grant.items()
        for action in actions
        if action.startswith("connect:")
    }
    assert connect_actions == {
        (key_of(f"{CONNECT_INSTANCE_ARN}/contact/*"), "connect:StartOutboundVoiceContact")
    }


def test_disconnected_contact_events_reach_the_dispatch_queue(connect_synth: Synthesis) -> None:
    """Given the ``connect_*`` context, then a rule on the default bus sends the instance's
    DISCONNECTED contact events to the dispatch queue, and only that rule (by its ARN) may send
    to the queue and use the queue key on EventBridge's behalf."""
    synth = connect_synth
    notify, store = synth.stack.notify, synth.stack.store
    [(rule_id, rule)] = [
        (rule_id, rule)
        for rule_id, rule in resources_of(synth, "AWS::Events::Rule").items()
        if "EventBusName" not in rule["Properties"]  # the stages' rules are on Samvad's bus
    ]
    assert rule_id == synth.logical_id(notify.contact_events_rule)
    rule_props = rule["Properties"]
    assert "EventBusName" not in rule_props  # the default bus, where Connect publishes
    assert rule_props["EventPattern"] == {
        "source": ["aws.connect"],
        "detail-type": ["Amazon Connect Contact Event"],
        "detail": {"eventType": ["DISCONNECTED"], "instanceArn": [CONNECT_INSTANCE_ARN]},
    }
    assert rule_props["Targets"] == [
        {
            "Arn": get_att(synth, notify.dispatch_queue),
            "Id": "Target0",
            "DeadLetterConfig": {"Arn": get_att(synth, notify.contact_events_dead_letter_queue)},
            "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 20},
        }
    ]
    rule_arn = f"arn:aws:events:{CONNECT_REGION}:<AWS::AccountId>:rule/{rule_props['Name']}"

    def from_events(statements: list[dict]) -> list[dict]:
        return [s for s in statements if s.get("Principal") == {"Service": "events.amazonaws.com"}]

    [to_queue] = from_events(
        _policy_statements(
            synth, "AWS::SQS::QueuePolicy", "Queues", ref_of(synth, notify.dispatch_queue)
        )
    )
    assert (to_queue["Effect"], to_queue["Action"]) == ("Allow", "sqs:SendMessage")
    assert to_queue["Resource"] == get_att(synth, notify.dispatch_queue)
    assert _join(to_queue["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arn
    key_statements = props(synth, store.queue_key)["KeyPolicy"]["Statement"]
    # the contact-event rule's grant, scoped to it (escalation's inbox rule has its own)
    [use_key] = [s for s in from_events(key_statements) if s["Condition"] == to_queue["Condition"]]
    assert set(use_key["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert not from_events(props(synth, store.key)["KeyPolicy"]["Statement"])


ARN = CONNECT_INSTANCE_ARN


@pytest.mark.parametrize(
    ("arn", "phone", "account", "error"),
    [
        ("arn:aws:connect:ap-southeast-1:123456789012:queue/x", "+6531234567", None, "expected"),
        (ARN.replace(CONNECT_REGION, "ap-south-1"), "+6531234567", None, "deploys to"),
        (ARN, "+6531234567", "210987654321", "account"),
        (ARN, None, None, "connect_source_phone"),
        (ARN, "98765 43210", None, "connect_source_phone"),
    ],
    ids=["not-an-instance", "other-region", "other-account", "no-phone", "not-e164"],
)
def test_connect_context_is_checked(arn: str, phone: Any, account: Any, error: str) -> None:
    """Given a wrong ``connect_*`` context, when it is read for a stack in CONNECT_REGION, then
    synth stops with a message that names the problem."""
    with pytest.raises(ValueError, match=error):
        connect_settings(arn, phone, region=CONNECT_REGION, account=account)


def test_connect_context_unset_or_valid() -> None:
    """Given no instance ARN, then there is no voice; given a valid one, then its parts."""
    assert connect_settings(None, None, region="ap-south-1") is None
    assert connect_settings("", "+6531234567", region="ap-south-1") is None
    settings = connect_settings(
        ARN, CONNECT_SOURCE_PHONE, region=CONNECT_REGION, account="123456789012"
    )
    assert settings is not None
    assert (settings.instance_id, settings.region, settings.account) == (
        INSTANCE_ID,
        CONNECT_REGION,
        "123456789012",
    )
