"""The feedback function in the synthesised stack: the public form URL (and only there), the
SMS-replies topic, least privilege, and the Connect survey flow that invokes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.constructs.connect import FLOW_FILE
from samvad import resources
from tests.infra.conftest import (
    CONNECT_INSTANCE_ARN,
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


def _cfn_id(synth: Synthesis, cfn_resource: Any) -> str:
    return synth.stack.get_logical_id(cfn_resource)


def test_feedback_function_configuration(synth: Synthesis) -> None:
    """Given the feedback function, then it has 512 MB and a 10-second timeout (Connect waits
    at most 8 s), its own log group, and reads the link-signing key from its environment."""
    feedback, store = synth.stack.feedback, synth.stack.store
    function = props(synth, feedback.function)
    assert (function["Runtime"], function["Architectures"]) == ("python3.13", ["arm64"])
    assert (function["MemorySize"], function["Timeout"]) == (512, 10)
    assert function["LoggingConfig"]["LogGroup"] == ref_of(synth, feedback.log_group)
    env = function["Environment"]["Variables"]
    assert env[resources.LINK_SECRET_ENV] == ref_of(synth, store.link_secret)
    assert env[resources.PHONE_HASH_SECRET_ENV] == ref_of(synth, store.phone_hash_secret)
    assert env["POWERTOOLS_SERVICE_NAME"] == "feedback"


def test_the_public_web_entry_cannot_starve_the_ivr_answers(synth: Synthesis) -> None:
    """Given the two feedback functions (one handler), then the web entry (the URL) and the
    IVR/SMS function each have their own reserved concurrency: a flood of web requests is
    throttled at the web function's and Connect's invocations keep theirs."""
    from infra.constructs.feedback import IVR_CONCURRENCY, WEB_CONCURRENCY

    feedback = synth.stack.feedback
    ivr, web = props(synth, feedback.function), props(synth, feedback.web.function)
    assert ivr["ReservedConcurrentExecutions"] == IVR_CONCURRENCY
    assert web["ReservedConcurrentExecutions"] == WEB_CONCURRENCY
    assert ivr["Handler"] == web["Handler"] and ivr["Code"] == web["Code"]
    assert web["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "feedback"
    assert web["Timeout"] == 10 and web["MemorySize"] == 512


def test_only_the_feedback_form_is_public(synth: Synthesis) -> None:
    """Given the stack, then its one function URL is feedback's web entry: auth NONE,
    buffered, no CORS; and the only permissions for principal ``*`` are that URL's, on it."""
    feedback = synth.stack.feedback
    [(url_id, url)] = resources_of(synth, "AWS::Lambda::Url").items()
    assert url_id == _cfn_id(synth, feedback.url.node.default_child)
    assert url["Properties"] == {
        "AuthType": "NONE",
        "InvokeMode": "BUFFERED",
        "TargetFunctionArn": get_att(synth, feedback.web.function),
    }
    public = [
        p["Properties"]
        for p in resources_of(synth, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "*"
    ]
    assert public, "the form must be reachable"
    for permission in public:
        assert permission["FunctionName"] == get_att(synth, feedback.web.function)
        assert (
            permission.get("FunctionUrlAuthType") == "NONE"
            or permission.get("InvokedViaFunctionUrl") is True
        ), permission
    [output] = [
        o for name, o in synth.template.to_json()["Outputs"].items() if name == "FeedbackUrl"
    ]
    assert output["Value"] == {"Fn::GetAtt": [url_id, "FunctionUrl"]}


def test_sms_replies_topic_feeds_the_function(synth: Synthesis) -> None:
    """Given the SMS-replies topic, then it is encrypted with the data key and refuses plain
    HTTP, only End User Messaging (this account) may publish to it besides the account, the
    feedback function is subscribed with an encrypted dead-letter queue, and the keys let End
    User Messaging encrypt (data key) and SNS dead-letter (queue key, this topic only)."""
    feedback, store = synth.stack.feedback, synth.stack.store
    topic = ref_of(synth, feedback.replies_topic)
    topic_props = props(synth, feedback.replies_topic)
    assert topic_props["KmsMasterKeyId"] == get_att(synth, store.key)
    assert topic_props["TopicName"] == "Samvad-dev-sms-replies"
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources_of(synth, "AWS::SNS::TopicPolicy").values()
        if topic in p["Properties"]["Topics"]
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy
    )
    [allow] = [s for s in policy if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "sms-voice.amazonaws.com"}
    assert (allow["Action"], allow["Resource"]) == ("sns:Publish", topic)
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    [subscription] = [
        s["Properties"]
        for s in resources_of(synth, "AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == topic
    ]
    assert subscription["Protocol"] == "lambda"
    assert subscription["Endpoint"] == get_att(synth, feedback.function)
    assert subscription["RedrivePolicy"] == {
        "deadLetterTargetArn": get_att(synth, feedback.replies_dead_letter_queue)
    }
    dlq = props(synth, feedback.replies_dead_letter_queue)
    assert dlq["KmsMasterKeyId"] == get_att(synth, store.queue_key)
    data_key = props(synth, store.key)["KeyPolicy"]["Statement"]
    [sms] = [s for s in data_key if s["Principal"] == {"Service": "sms-voice.amazonaws.com"}]
    assert set(sms["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    assert sms["Condition"] == allow["Condition"]
    queue_key = props(synth, store.queue_key)["KeyPolicy"]["Statement"]
    from_sns = [s for s in queue_key if s["Principal"] == {"Service": "sns.amazonaws.com"}]
    # the replies topic's is scoped to it (escalation adds one for its own topic)
    assert {"ArnEquals": {"aws:SourceArn": topic}} in [s["Condition"] for s in from_sns]
    [output] = [
        o for name, o in synth.template.to_json()["Outputs"].items() if name == "SmsRepliesTopicArn"
    ]
    assert output["Value"] == topic


def test_feedback_role_holds_exactly_the_listed_actions(synth: Synthesis) -> None:
    """Given the feedback role, then its policy allows exactly the listed actions on each named
    resource (tables, the Dispatches ``by_reference`` index, bus, secrets, data key, its log
    group) and ``*`` only for X-Ray and SMS acknowledgements; nothing on queues, topics or
    Connect."""
    feedback, store = synth.stack.feedback, synth.stack.store
    tables = {name: get_att(synth, table) for name, table in store.tables.items()}
    by_reference = {
        "Fn::Join": ["", [tables["Dispatches"], f"/index/{resources.BY_REFERENCE_INDEX.name}"]]
    }
    statements = role_statements(synth, feedback.role)
    common = {
        key_of(tables["Feedback"]): {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        key_of(tables["Visits"]): {"dynamodb:GetItem", "dynamodb:PutItem"},  # a grievance's citizen
        key_of(tables["Grievances"]): {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
        key_of(tables["RateLimits"]): {"dynamodb:GetItem", "dynamodb:PutItem"},
        key_of(tables["Directory"]): {"dynamodb:BatchGetItem"},
        key_of(tables["Cases"]): {"dynamodb:GetItem"},
        key_of(tables["Links"]): {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        key_of(tables["Dispatches"]): {
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
        },
        key_of(by_reference): {"dynamodb:Query"},
        key_of(tables["Contacts"]): {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        key_of(tables["Config"]): {"dynamodb:GetItem"},
        key_of(get_att(synth, store.bus)): {"events:PutEvents"},
        key_of(ref_of(synth, store.link_secret)): {"secretsmanager:GetSecretValue"},
        key_of(ref_of(synth, store.phone_hash_secret)): {"secretsmanager:GetSecretValue"},
        key_of(get_att(synth, store.key)): {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"},
    }
    ivr = actions_by_resource(statements)
    assert ivr == common | {
        key_of(get_att(synth, feedback.log_group)): {"logs:CreateLogStream", "logs:PutLogEvents"},
        key_of("*"): XRAY_ACTIONS | {"sns:Publish"},  # SMS acknowledgements to phone numbers
        # replies still failing after Lambda's async retries: its on-failure queue
        key_of(get_att(synth, feedback.async_failures)): {"sqs:SendMessage"},
        key_of(get_att(synth, store.queue_key)): {"kms:Decrypt", "kms:GenerateDataKey"},
        # the grievance SMS the workspace requests (its event source)
        key_of(get_att(synth, feedback.sms_requests)): {
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        },
    }
    web = actions_by_resource(role_statements(synth, feedback.web.role))
    assert web == common | {
        key_of(get_att(synth, feedback.web.log_group)): {
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        },
        key_of("*"): XRAY_ACTIONS | {"sns:Publish"},  # SMS: the grievance form's codes (/g)
        # nothing on the state machine: the bearer ATR link is retired (410)
    }
    assert "ManagedPolicyArns" not in props(synth, feedback.role)


def test_survey_flow_invokes_the_feedback_function(connect_synth: Synthesis) -> None:
    """Given the ``connect_*`` context, then the survey contact flow is created in the instance
    with the flow file as content, ``${FeedbackFunctionArn}`` substituted by the feedback
    function's ARN; the content parses as JSON and its Lambda invocations wait at most 8 s,
    under the function's timeout; it is created after Connect may invoke the function."""
    synth = connect_synth
    survey, feedback = synth.stack.survey_flow, synth.stack.feedback
    flow_id = _cfn_id(synth, survey.flow)
    [(found_id, flow)] = [
        (i, f)
        for i, f in resources_of(synth, "AWS::Connect::ContactFlow").items()
        if f["Properties"]["Name"].startswith("samvad-survey")  # the inbound flow: its own test
    ]
    assert found_id == flow_id
    flow_props = flow["Properties"]
    assert flow_props["InstanceArn"] == CONNECT_INSTANCE_ARN
    assert (flow_props["Name"], flow_props["Type"]) == ("samvad-survey-dev", "CONTACT_FLOW")
    text, variables = flow_props["Content"]["Fn::Sub"]
    assert text == FLOW_FILE.read_text(encoding="utf-8")
    assert variables == {"FeedbackFunctionArn": get_att(synth, feedback.function)}
    content = json.loads(text)
    invocations = [a for a in content["Actions"] if a["Type"] == "InvokeLambdaFunction"]
    assert invocations
    timeout = props(synth, feedback.function)["Timeout"]
    for action in invocations:
        assert action["Parameters"]["LambdaFunctionARN"] == "${FeedbackFunctionArn}"
        assert int(action["Parameters"]["InvocationTimeLimitSeconds"]) <= 8 < timeout
    identifiers = {a["Identifier"] for a in content["Actions"]}
    assert content["StartAction"] in identifiers
    assert set(flow["DependsOn"]) >= {
        _cfn_id(synth, survey.permission),
        _cfn_id(synth, survey.integration),
    }


def test_connect_may_invoke_feedback_for_its_instance_only(connect_synth: Synthesis) -> None:
    """Given the ``connect_*`` context, then the feedback function is associated with the
    instance, and connect.amazonaws.com may invoke it only for that instance in this account."""
    synth = connect_synth
    feedback = synth.stack.feedback
    [association] = [
        a
        for a in resources_of(synth, "AWS::Connect::IntegrationAssociation").values()
        if a["Properties"]["IntegrationArn"] == get_att(synth, feedback.function)
    ]
    assert {k: v for k, v in association["Properties"].items() if k != "Tags"} == {
        "InstanceId": CONNECT_INSTANCE_ARN,
        "IntegrationType": "LAMBDA_FUNCTION",
        "IntegrationArn": get_att(synth, feedback.function),
    }
    [permission] = [
        p["Properties"]
        for p in resources_of(synth, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "connect.amazonaws.com"
        and p["Properties"]["FunctionName"] == get_att(synth, feedback.function)
    ]
    assert permission == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": get_att(synth, feedback.function),
        "Principal": "connect.amazonaws.com",
        "SourceArn": CONNECT_INSTANCE_ARN,
        "SourceAccount": {"Ref": "AWS::AccountId"},
    }
    connect_actions = [
        a
        for s in role_statements(synth, feedback.role)
        for a in as_list(s["Action"])
        if a.startswith("connect:")
    ]
    assert connect_actions == []


def test_a_flow_file_without_the_function_placeholder_is_refused(tmp_path: Path) -> None:
    """Given a flow file that does not name ``${FeedbackFunctionArn}``, when the survey flow is
    built, then it is refused: the flow would not reach the feedback function."""
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.connect import SurveyFlow, connect_settings
    from tests.infra.conftest import CONNECT_REGION, CONNECT_SOURCE_PHONE

    settings = connect_settings(CONNECT_INSTANCE_ARN, CONNECT_SOURCE_PHONE, region=CONNECT_REGION)
    assert settings is not None
    flow_file = tmp_path / "flow.json"
    flow_file.write_text(json.dumps({"Version": "2019-10-30", "Actions": []}))
    stack = cdk.Stack(cdk.App(), "T", env=cdk.Environment(region=CONNECT_REGION))
    function = lambda_.Function.from_function_arn(
        stack, "F", f"arn:aws:lambda:{CONNECT_REGION}:123456789012:function:f"
    )
    with pytest.raises(ValueError, match="FeedbackFunctionArn"):
        SurveyFlow(
            stack, "Flow", settings=settings, feedback=function, stage="t", flow_file=flow_file
        )


def test_the_workspaces_sms_requests_reach_the_feedback_function(synth: Synthesis) -> None:
    """Given ``GrievanceSmsRequested`` (the workspace may not send SMS), Then a rule on the
    bus sends exactly that event to an encrypted queue with a dead-letter queue (for the
    rule's target and the queue's redrive), the feedback function (not its web entry)
    consumes it reporting failed records, and it has the form's URL as FEEDBACK_URL (the
    relayed questions' link); the workspace's role still has no SMS."""
    feedback, store = synth.stack.feedback, synth.stack.store
    queue = get_att(synth, feedback.sms_requests)
    dead = get_att(synth, feedback.sms_requests_dead_letters)
    [rule] = [
        r["Properties"]
        for r in resources_of(synth, "AWS::Events::Rule").values()
        if any(t["Arn"] == queue for t in r["Properties"].get("Targets", []))
    ]
    assert rule["EventPattern"] == {
        "source": [resources.EVENT_SOURCE],
        "detail-type": [resources.GRIEVANCE_SMS_REQUESTED],
    }
    assert rule["EventBusName"] == ref_of(synth, store.bus)
    [target] = rule["Targets"]
    assert target["DeadLetterConfig"] == {"Arn": dead}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    queue_props = props(synth, feedback.sms_requests)
    assert queue_props["KmsMasterKeyId"] == get_att(synth, store.queue_key)
    assert queue_props["RedrivePolicy"]["deadLetterTargetArn"] == dead
    [mapping] = [
        m["Properties"]
        for m in resources_of(synth, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == queue
    ]
    assert mapping["FunctionName"] == ref_of(synth, feedback.function)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    env = props(synth, feedback.function)["Environment"]["Variables"]
    url_id = synth.stack.get_logical_id(feedback.url.node.default_child)
    assert env[resources.FEEDBACK_URL_ENV] == {"Fn::GetAtt": [url_id, "FunctionUrl"]}
    workspace = role_statements(synth, synth.stack.workspace.role)
    assert not any(
        s["Effect"] == "Allow" and "sns:Publish" in as_list(s["Action"])
        and "*" in as_list(s["Resource"])
        for s in workspace
    )  # fmt: skip
