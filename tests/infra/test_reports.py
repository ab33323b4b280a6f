"""The reports construct: rule → queue → function, schedules, topic and least privilege."""

from __future__ import annotations

import json

import pytest

from samvad import resources
from samvad.reports.tally import TALLIED
from tests.infra.conftest import (
    XRAY_ACTIONS,
    Synthesis,
    actions_by_resource,
    as_list,
    get_att,
    key_of,
    objects_of,
    props,
    ref_of,
    role_statements,
)

pytestmark = pytest.mark.infra


def test_synth_is_cdk_nag_clean(synth: Synthesis) -> None:
    """Given the stack with the reports construct, when synthesised with cdk-nag, then no
    finding is left unacknowledged."""
    assert synth.error is None, str(synth.error)[:3000]


def test_tally_rule_sends_the_tallied_events_to_the_reports_queue(synth: Synthesis) -> None:
    """Given the tally rule, then it listens on the Samvad bus for exactly the tallied event
    types from source samvad and targets the reports queue, which EventBridge may send to."""
    reports = synth.stack.reports
    rule = props(synth, reports.rule)
    assert rule["EventBusName"] == ref_of(synth, synth.stack.store.bus)
    assert rule["EventPattern"] == {
        "source": [resources.EVENT_SOURCE],
        "detail-type": list(TALLIED),
    }
    assert set(TALLIED) >= {resources.FEEDBACK_RECORDED, resources.CASE_OVERDUE}
    assert [t["Arn"] for t in rule["Targets"]] == [get_att(synth, reports.queue)]
    statements = [
        s
        for p in synth.template.find_resources("AWS::SQS::QueuePolicy").values()
        if ref_of(synth, reports.queue) in p["Properties"]["Queues"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert any(
        s["Effect"] == "Allow"
        and s["Principal"] == {"Service": "events.amazonaws.com"}
        and "sqs:SendMessage" in as_list(s["Action"])
        for s in statements
    )


def test_queue_triggers_the_function_with_partial_batch_failures(synth: Synthesis) -> None:
    """Given the reports queue, then it is encrypted with the queue key, redrives to a DLQ after
    resources.REPORTS_MAX_RECEIVES receives, and feeds the function in batches of 10 that report
    item failures (a bad event never fails its neighbours)."""
    reports, store = synth.stack.reports, synth.stack.store
    queue = props(synth, reports.queue)
    assert queue["KmsMasterKeyId"] == get_att(synth, store.queue_key)
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": get_att(synth, reports.dead_letter_queue),
        "maxReceiveCount": resources.REPORTS_MAX_RECEIVES,
    }
    assert queue["VisibilityTimeout"] >= 6 * props(synth, reports.function)["Timeout"]
    [mapping] = [
        m["Properties"]
        for m in synth.template.find_resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == get_att(synth, reports.queue)
    ]
    assert mapping["FunctionName"] == ref_of(synth, reports.function)
    assert mapping["BatchSize"] == resources.EVENTS_BATCH_SIZE == 100
    assert mapping["MaximumBatchingWindowInSeconds"] == 5  # required above 10 messages
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize(
    ("attribute", "expression", "period"),
    [
        ("daily_schedule", resources.REPORTS_DAILY_SCHEDULE, "day"),
        ("monthly_schedule", resources.REPORTS_MONTHLY_SCHEDULE, "month"),
    ],
)
def test_schedules_invoke_the_function_in_india_time(
    synth: Synthesis, attribute: str, expression: str, period: str
) -> None:
    """Given each report schedule, then it runs its cron in Asia/Kolkata without a flexible
    window, invokes the reports function with the period and Scheduler's time, retries and
    dead-letters to an encrypted queue."""
    reports = synth.stack.reports
    schedule = synth.template.find_resources("AWS::Scheduler::Schedule")[
        synth.logical_id(getattr(reports, attribute))
    ]
    p = schedule["Properties"]
    assert (p["ScheduleExpression"], p["ScheduleExpressionTimezone"]) == (
        expression,
        resources.REPORTS_TIMEZONE,
    )
    assert p["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = p["Target"]
    assert target["Arn"] == get_att(synth, reports.function)
    assert target["RoleArn"] == get_att(synth, reports.schedule_role)
    assert json.loads(target["Input"]) == {
        "period": period,
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }
    assert target["DeadLetterConfig"] == {"Arn": get_att(synth, reports.schedule_dead_letter_queue)}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert synth.logical_id(reports.schedule_role) in schedule["DependsOn"]


def test_schedule_role_only_invokes_the_reports_function(synth: Synthesis) -> None:
    """Given the role Scheduler assumes for reports, then it may invoke exactly the reports
    function and dead-letter to its queue with the queue key."""
    reports, store = synth.stack.reports, synth.stack.store
    grant = actions_by_resource(role_statements(synth, reports.schedule_role))
    assert grant == {
        key_of(get_att(synth, reports.function)): {"lambda:InvokeFunction"},
        key_of(get_att(synth, reports.schedule_dead_letter_queue)): {"sqs:SendMessage"},
        key_of(get_att(synth, store.queue_key)): {"kms:Decrypt", "kms:GenerateDataKey"},
    }


def test_topic_is_encrypted_and_the_function_knows_it(synth: Synthesis) -> None:
    """Given the reports topic, then it is encrypted with the data key and the function's
    environment names it and the Tallies table."""
    reports, store = synth.stack.reports, synth.stack.store
    assert props(synth, reports.topic)["KmsMasterKeyId"] == get_att(synth, store.key)
    env = props(synth, reports.function)["Environment"]["Variables"]
    assert env[resources.REPORTS_TOPIC_ENV] == ref_of(synth, reports.topic)
    assert env[resources.TALLIES.env_var] == ref_of(synth, store.tables["Tallies"])
    assert env["POWERTOOLS_SERVICE_NAME"] == "reports"


def test_reports_role_holds_exactly_the_listed_actions(synth: Synthesis) -> None:
    """Given the reports function's role, then it may write and query Tallies, read visits'
    phones (BatchGetItem on Visits), read its settings, read selections, write and read its
    report prefixes, publish to its topic, use the data key, consume its queue, and nothing
    else (no Scan anywhere, no Feedback access)."""
    reports, store = synth.stack.reports, synth.stack.store
    tables = {name: get_att(synth, table) for name, table in store.tables.items()}
    grant = actions_by_resource(role_statements(synth, reports.role))
    expected = {
        key_of(tables["Tallies"]): {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"},
        key_of(tables["Visits"]): {"dynamodb:BatchGetItem"},
        key_of(tables["Config"]): {"dynamodb:GetItem"},
        key_of(objects_of(synth, resources.SAMPLES_PREFIX)): {"s3:GetObject"},
        **{
            key_of(objects_of(synth, prefix)): {"s3:PutObject", "s3:GetObject"}
            for prefix in resources.REPORT_PREFIXES
        },
        key_of(ref_of(synth, reports.topic)): {"sns:Publish"},
        key_of(get_att(synth, store.key)): {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
        key_of(get_att(synth, store.queue_key)): {"kms:Decrypt", "kms:GenerateDataKey"},
        key_of(get_att(synth, reports.async_failures)): {"sqs:SendMessage"},  # on-failure
        key_of(get_att(synth, reports.queue)): {
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        },
        key_of(get_att(synth, reports.log_group)): {"logs:CreateLogStream", "logs:PutLogEvents"},
        key_of("*"): XRAY_ACTIONS,
    }
    assert grant == expected
