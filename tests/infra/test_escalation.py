"""The escalation stage in the synthesised stack: the state machine's states and direct
integrations, routing, least privilege; and that the local runtime runs the same definition."""

from __future__ import annotations

import json
from typing import Any

import pytest

from samvad import resources
from tests.infra.conftest import (
    Synthesis,
    actions_by_resource,
    actions_on,
    get_att,
    machine_definition,
    props,
    role_statements,
)

pytestmark = pytest.mark.infra


def _definition(synth: Synthesis) -> dict[str, Any]:
    return machine_definition(synth, synth.stack.escalation.state_machine)


def test_states_use_direct_integrations_only(synth: Synthesis) -> None:
    """Given the definition, then every Task is a direct SNS/DynamoDB/EventBridge/SQS
    integration (no Lambda), the waits use SNS .waitForTaskToken, and the per-level states are
    present."""
    states = _definition(synth)["States"]
    resources_used = {s["Resource"].split(":::")[1] for s in states.values() if s["Type"] == "Task"}
    assert resources_used == {
        "sns:publish.waitForTaskToken",
        "dynamodb:updateItem",
        "events:putEvents",
        "sqs:sendMessage",
    }
    for name in ("Assign", "NotifyOfficial", "RemindOfficial", "AwaitCitizen", "AwaitOverdueAtr"):
        assert states[name]["Resource"].endswith("sns:publish.waitForTaskToken"), name
    assert _definition(synth)["StartAt"] == "Assign"
    assert states["NotifyOfficial"]["TimeoutSecondsPath"] == "$.assignment.reminder_seconds"
    assert states["RemindOfficial"]["TimeoutSecondsPath"] == "$.assignment.final_seconds"
    assert states["AwaitCitizen"]["TimeoutSecondsPath"] == "$.assignment.confirm_seconds"


def test_timeouts_escalate_and_tokens_go_only_to_the_stage_queue(synth: Synthesis) -> None:
    """Given the waits, then States.Timeout leads on (reminder → deadline → next level or
    overdue; no answer → next level), and the task token is only in the ``sqs`` message of a
    per-protocol message (officials' SMS/e-mail bodies never carry it)."""
    states = _definition(synth)["States"]

    def on_timeout(name):
        (catch,) = [c for c in states[name]["Catch"] if c["ErrorEquals"] == ["States.Timeout"]]
        return catch["Next"]

    assert on_timeout("NotifyOfficial") == "RemindOfficial"
    assert on_timeout("RemindOfficial") == "DeadlinePassed"
    assert on_timeout("AwaitCitizen") == "NoAnswer"
    assert on_timeout("AwaitOverdueAtr") == "AwaitOverdueAtr"
    notices = {"NotifyOfficial": "notice", "RemindOfficial": "reminder",
               "AwaitOverdueAtr": "overdue"}  # fmt: skip
    for name, notice in notices.items():
        parameters = states[name]["Parameters"]
        message = parameters["Message"]
        assert parameters["MessageStructure"] == "json"
        assert "Task.Token" in message["sqs.$"] and f"await_atr:{notice}|" in message["sqs.$"]
        # no notice text, no official: the clerk sends the notice from the case item
        assert set(message) == {"default", "sqs.$"} and "Task.Token" not in message["default"]
        assert set(parameters["MessageAttributes"]) == {"task", "notice", "case_id"}
        assert "assignment." not in json.dumps(parameters) and "Subject" not in parameters
    assert states["DeadlinePassed"]["Default"] == "MarkOverdue"
    assert states["Verdict"]["Choices"][0]["Next"] == "Close"


def test_every_integration_retries_and_a_persistent_failure_flags_the_case(
    synth: Synthesis,
) -> None:
    """Given the integration tasks, then each retries States.TaskFailed with backoff and the
    waits catch everything else into FlagStalled (the case stays visible)."""
    states = _definition(synth)["States"]
    for name, state in states.items():
        if state["Type"] != "Task" or name == "FlagStalled":
            continue
        retry = [r for r in state["Retry"] if "States.TaskFailed" in r["ErrorEquals"]]
        assert retry and retry[0]["MaxAttempts"] >= 10 and retry[0]["BackoffRate"] == 2, name
    for name in ("Assign", "NotifyOfficial", "AwaitCitizen", "AnnounceLevel", "MarkOverdue"):
        assert states[name]["Catch"][-1]["Next"] == "FlagStalled", name


def test_state_machine_role_is_least_privilege(synth: Synthesis) -> None:
    """Given the state machine's role, then it may publish to the notices topic, update the
    Cases table, put events on the bus and send to the dispatch queue, and nothing else
    beyond keys, logs delivery and X-Ray."""
    escalation, store = synth.stack.escalation, synth.stack.store
    grant = actions_by_resource(role_statements(synth, escalation.state_machine.role))
    topic = json.dumps({"Ref": synth.logical_id(escalation.topic)}, sort_keys=True)
    assert grant.pop(topic) == {"sns:Publish"}
    assert grant.pop(json.dumps(get_att(synth, store.bus), sort_keys=True)) == {"events:PutEvents"}
    queue = get_att(synth, synth.stack.sampler.dispatch_queue)
    assert grant.pop(json.dumps(queue, sort_keys=True)) == {"sqs:SendMessage"}
    (table,) = [k for k in grant if synth.logical_id(store.tables["Cases"]) in k]
    assert grant.pop(table) == {"dynamodb:UpdateItem"}
    notices_key = json.dumps(get_att(synth, escalation.notices_key), sort_keys=True)
    assert grant.pop(notices_key) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert grant.pop(json.dumps(get_att(synth, store.queue_key), sort_keys=True)) == {
        "kms:Decrypt",
        "kms:GenerateDataKey*",
    }
    assert grant.pop(json.dumps(get_att(synth, store.key), sort_keys=True)) == {
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    }
    assert set(grant) == {'"*"'}  # logs delivery and X-Ray (acknowledged, with reasons)
    assert not any(a.startswith(("dynamodb:", "sns:", "sqs:", "lambda:")) for a in grant['"*"'])


def test_function_role_is_least_privilege(synth: Synthesis) -> None:
    """Given the escalation function's role, then it reads/writes Cases, reads one visit's
    phone and config, starts and resumes executions of its own state machine only."""
    escalation, store = synth.stack.escalation, synth.stack.store
    grant = actions_by_resource(role_statements(synth, escalation.role))
    sm = json.dumps({"Ref": synth.logical_id(escalation.state_machine)}, sort_keys=True)
    assert grant[sm] == {"states:StartExecution", "states:SendTaskSuccess"}
    cases = json.dumps(get_att(synth, store.tables["Cases"]), sort_keys=True)
    assert grant[cases] == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    visits = json.dumps(get_att(synth, store.tables["Visits"]), sort_keys=True)
    assert grant[visits] == {"dynamodb:GetItem"}
    assert not any(
        "dynamodb:Scan" in actions or "states:*" in actions for actions in grant.values()
    )
    # no bearer ATR links to sign: not the link secret, only the workspace's address
    assert json.dumps({"Ref": synth.logical_id(store.link_secret)}, sort_keys=True) not in grant
    env = props(synth, escalation.function)["Environment"]["Variables"]
    assert resources.LINK_SECRET_ENV not in env and resources.FEEDBACK_URL_ENV not in env
    assert env[resources.WORKSPACE_URL_ENV] == {
        "Fn::GetAtt": [synth.logical_id(synth.stack.workspace.api), "ApiEndpoint"]
    }


def test_inbox_rule_routes_feedback_poor_and_confirmations_to_the_queue(synth: Synthesis) -> None:
    """Given the bus, then one rule sends FeedbackPoor, CaseConfirmation and (issue 11)
    GrievanceRegistered to the inbox queue
    (with a dead-letter queue), and the function consumes both of its queues."""
    escalation = synth.stack.escalation
    rule = props(synth, escalation.rule)
    assert rule["EventPattern"] == {
        "source": [resources.EVENT_SOURCE],
        "detail-type": [
            resources.FEEDBACK_POOR,
            resources.CASE_CONFIRMATION,
            resources.GRIEVANCE_REGISTERED,
        ],
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == get_att(synth, escalation.inbox)
    assert target["DeadLetterConfig"]["Arn"] == get_att(synth, escalation.inbox_dead_letters)
    mappings = synth.template.find_resources("AWS::Lambda::EventSourceMapping")
    sources = {
        json.dumps(m["Properties"]["EventSourceArn"], sort_keys=True)
        for m in mappings.values()
        if m["Properties"]["FunctionName"] == {"Ref": synth.logical_id(escalation.function)}
    }
    assert sources == {
        json.dumps(get_att(synth, q), sort_keys=True) for q in (escalation.inbox, escalation.tasks)
    }


def test_the_committed_definition_is_the_stacks(synth: Synthesis) -> None:
    """Given the stack's synthesised definition, with its references to the Cases table, the
    notices topic, the bus and the dispatch queue written as the template's placeholders,
    then it equals ``infra/escalation_state_machine.json`` (what the local runtime runs):
    after a change to the builder, ``python -m infra.constructs.escalation_definition``."""
    from infra.constructs.escalation_definition import TEMPLATE_FILE, canonical, join_references

    stack = synth.stack
    names = {
        synth.logical_id(stack.store.tables[resources.CASES.logical_id]): "CasesTable",
        synth.logical_id(stack.escalation.topic): "NoticesTopicArn",
        synth.logical_id(stack.store.bus): "EventBusArn",
        synth.logical_id(stack.sampler.dispatch_queue): "DispatchQueueUrl",
    }
    definition = props(synth, stack.escalation.state_machine)["DefinitionString"]
    assert canonical(join_references(definition, names)) == TEMPLATE_FILE.read_text()


def test_the_clerk_sends_the_notices_and_the_stage_queue_takes_only_tasks(
    synth: Synthesis,
) -> None:
    """Given the escalation function, then it may publish to the notices topic (and use its
    key) to send officials' notices, and the stage queue's subscription to that topic takes
    only messages without the clerk's ``sender`` mark (the state machine's, whatever the
    version that started them), not the notices."""
    escalation = synth.stack.escalation
    statements = role_statements(synth, escalation.role)
    topic = {"Ref": synth.logical_id(escalation.topic)}
    assert actions_on(statements, topic) == {"sns:Publish"}
    assert actions_on(statements, get_att(synth, escalation.notices_key)) == {
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    [subscription] = [
        s["Properties"]
        for s in synth.template.find_resources("AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == topic and s["Properties"]["Protocol"] == "sqs"
    ]
    assert subscription["FilterPolicy"] == {"sender": [{"exists": False}]}
    env = props(synth, escalation.function)["Environment"]["Variables"]
    assert env[resources.CASE_NOTICES_TOPIC_ENV] == topic
