"""The daily sampler in the synthesised stack: tables and indexes, the sampling key, the
schedule, the sampler function, the dispatch queue and least-privilege IAM."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.stack import sampler_schedule
from samvad import resources
from samvad.settings import SamplingSettings
from tests.infra.conftest import (
    XRAY_ACTIONS,
    Synthesis,
    actions_by_resource,
    actions_on,
    as_list,
    get_att,
    key_of,
    objects_of,
    props,
    ref_of,
    role_statements,
)

pytestmark = pytest.mark.infra

SAMPLING_TABLES = ("Strata", "Contacts", "CallLists", "SamplingRuns")


def _index(synth: Synthesis, table: str, index: resources.IndexSpec) -> dict[str, Any]:
    table_arn = get_att(synth, synth.stack.store.tables[table])
    return {"Fn::Join": ["", [table_arn, f"/index/{index.name}"]]}


def _schedule(synth: Synthesis) -> dict[str, Any]:
    schedules = synth.template.find_resources("AWS::Scheduler::Schedule")
    return schedules[synth.logical_id(synth.stack.sampler.schedule)]


def test_every_table_is_on_demand_with_pitr_and_the_data_key(synth: Synthesis) -> None:
    """Given resources.TABLES, when the stack is built, then there is exactly one table per
    spec (the sampler's among them), each on-demand, with point-in-time recovery and
    encrypted with the data key."""
    tables = synth.stack.store.tables
    assert set(tables) == {spec.logical_id for spec in resources.TABLES}
    assert set(SAMPLING_TABLES) <= set(tables)
    assert len(synth.template.find_resources("AWS::DynamoDB::Table")) == len(resources.TABLES)
    for table in tables.values():
        table_props = props(synth, table)
        assert table_props["BillingMode"] == "PAY_PER_REQUEST"
        assert table_props["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True
        }
        assert table_props["SSESpecification"] == {
            "SSEEnabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": get_att(synth, synth.stack.store.key),
        }


@pytest.mark.parametrize(
    "index", [resources.UNSAMPLED_INDEX, resources.BY_VISIT_DATE_INDEX], ids=lambda i: i.name
)
def test_visits_indexes_have_their_keys_and_an_include_projection(
    synth: Synthesis, index: resources.IndexSpec
) -> None:
    """Given a Visits IndexSpec, when the stack is built, then the Visits table has that GSI
    keyed (HASH, RANGE) as specified, projecting exactly the spec's attributes (INCLUDE)."""
    table_props = props(synth, synth.stack.store.tables["Visits"])
    indexes = {i["IndexName"]: i for i in table_props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"unsampled", "by_visit_date", "by_phone_hash"}
    gsi = indexes[index.name]
    assert gsi["KeySchema"] == [
        {"AttributeName": index.partition_key, "KeyType": "HASH"},
        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
    ]
    assert index.projection
    assert gsi["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": list(index.projection),
    }
    types = {a["AttributeName"]: a["AttributeType"] for a in table_props["AttributeDefinitions"]}
    assert types[index.partition_key] == types[index.sort_key] == "S"


def test_sampling_master_key_is_generated_and_encrypted(synth: Synthesis) -> None:
    """Given the sampling master key, then it is a separate secret of 64 random alphanumerics
    under the data key."""
    store = synth.stack.store
    secret = props(synth, store.sampling_secret)
    assert secret["GenerateSecretString"] == {"ExcludePunctuation": True, "PasswordLength": 64}
    assert secret["KmsKeyId"] == get_att(synth, store.key)
    assert synth.logical_id(store.sampling_secret) != synth.logical_id(store.phone_hash_secret)


def test_schedule_invokes_the_sampler_daily_in_india_time(synth: Synthesis) -> None:
    """Given the sampler schedule, then it runs resources.SAMPLER_SCHEDULE in
    resources.SAMPLER_TIMEZONE without a flexible window, targets the sampler function with
    Scheduler's scheduled time as input, retries a bounded number of times and dead-letters to
    an encrypted queue."""
    sampler = synth.stack.sampler
    schedule = _schedule(synth)
    schedule_props = schedule["Properties"]
    assert schedule_props["ScheduleExpression"] == resources.SAMPLER_SCHEDULE
    assert schedule_props["ScheduleExpressionTimezone"] == resources.SAMPLER_TIMEZONE
    assert schedule_props["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule_props["State"] == "ENABLED"
    assert "GroupName" not in schedule_props  # the default group
    target = schedule_props["Target"]
    assert target["Arn"] == get_att(synth, sampler.function)
    assert target["RoleArn"] == get_att(synth, sampler.schedule_role)
    assert "<aws.scheduler.scheduled-time>" in target["Input"]
    assert json.loads(target["Input"]) == {"scheduled_time": "<aws.scheduler.scheduled-time>"}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert target["DeadLetterConfig"] == {"Arn": get_att(synth, sampler.schedule_dead_letter_queue)}
    dlq = props(synth, sampler.schedule_dead_letter_queue)
    assert dlq["KmsMasterKeyId"] == get_att(synth, synth.stack.store.queue_key)
    assert synth.logical_id(sampler.schedule_role) in schedule["DependsOn"]


def test_schedule_role_can_only_invoke_the_sampler_and_dead_letter(synth: Synthesis) -> None:
    """Given the role Scheduler assumes, then only scheduler.amazonaws.com (for this account's
    default schedule group) may assume it, and it may invoke exactly the sampler function (no
    ``:*`` qualifiers) and send to its dead-letter queue with the queue key."""
    sampler, store = synth.stack.sampler, synth.stack.store
    [trust] = props(synth, sampler.schedule_role)["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    conditions = trust["Condition"]["StringEquals"]
    assert conditions["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert "schedule-group/default" in json.dumps(conditions["aws:SourceArn"])
    grant = actions_by_resource(role_statements(synth, sampler.schedule_role))
    assert grant == {
        key_of(get_att(synth, sampler.function)): {"lambda:InvokeFunction"},
        key_of(get_att(synth, sampler.schedule_dead_letter_queue)): {"sqs:SendMessage"},
        key_of(get_att(synth, store.queue_key)): {"kms:Decrypt", "kms:GenerateDataKey"},
    }


def test_sampler_schedule_context_values() -> None:
    """Given the ``sampler_schedule`` context (unset, an expression, an object or its JSON),
    when it is read, then the expression and time zone fall back to resources' defaults."""
    default = (resources.SAMPLER_SCHEDULE, resources.SAMPLER_TIMEZONE)
    assert sampler_schedule(None) == default
    assert sampler_schedule("cron(30 3 * * ? *)") == ("cron(30 3 * * ? *)", "Asia/Kolkata")
    assert sampler_schedule({"time_zone": "UTC"}) == (resources.SAMPLER_SCHEDULE, "UTC")
    assert sampler_schedule('{"expression": "rate(1 hour)", "time_zone": "UTC"}') == (
        "rate(1 hour)",
        "UTC",
    )
    with pytest.raises(ValueError, match="sampler_schedule"):
        sampler_schedule({"cron": "x"})


def test_sampler_schedule_context_overrides_the_stack_schedule() -> None:
    """Given ``sampler_schedule`` in the CDK context, when the app is synthesised, then the
    schedule uses that expression and time zone."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.stack import SamvadStack
    from tests.infra.conftest import REPO_ROOT, cdk_context

    context = cdk_context() | {
        "sampler_schedule": {"expression": "cron(30 8 * * ? *)", "time_zone": "UTC"}
    }
    app = cdk.App(context=context, builtin_cloud_formation_validation=False)
    stack = SamvadStack(app, "T", repo_root=REPO_ROOT)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Scheduler::Schedule",
        {"ScheduleExpression": "cron(30 8 * * ? *)", "ScheduleExpressionTimezone": "UTC"},
    )


def test_sampler_function_configuration(synth: Synthesis) -> None:
    """Given the sampler function, then it is python3.13 on arm64 with JSON logs to its own
    encrypted log group, X-Ray, the layer, one run at a time and exactly the variables it
    reads."""
    sampler, store = synth.stack.sampler, synth.stack.store
    function = props(synth, sampler.function)
    assert (function["Runtime"], function["Architectures"]) == ("python3.13", ["arm64"])
    assert (function["Handler"], function["MemorySize"], function["Timeout"]) == (
        "handler.lambda_handler",
        1024,
        900,
    )
    assert function["ReservedConcurrentExecutions"] == 1
    assert function["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": ref_of(synth, sampler.log_group),
    }
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["Layers"] == [ref_of(synth, synth.stack.layer.layer_version)]
    assert function["Role"] == get_att(synth, sampler.role)
    env = function["Environment"]["Variables"]
    sampling_tables = [
        spec for spec in resources.TABLES if spec.env_var in SamplingSettings.env_names()
    ]
    assert {spec.logical_id for spec in sampling_tables} == {
        "Visits", "Strata", "Contacts", "CallLists", "SamplingRuns", "Config",
    }  # fmt: skip
    assert env == {
        **{spec.env_var: ref_of(synth, store.tables[spec.logical_id]) for spec in sampling_tables},
        resources.DATA_BUCKET_ENV: ref_of(synth, store.bucket),
        resources.EVENT_BUS_ENV: ref_of(synth, store.bus),
        resources.SAMPLING_SECRET_ENV: ref_of(synth, store.sampling_secret),
        resources.DISPATCH_QUEUE_ENV: ref_of(synth, sampler.dispatch_queue),
        resources.RETENTION_DAYS_ENV: "400",
        "POWERTOOLS_SERVICE_NAME": "sampling",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    log_group = props(synth, sampler.log_group)
    assert log_group["RetentionInDays"] == 365
    assert log_group["KmsKeyId"] == get_att(synth, store.key)
    assert "ManagedPolicyArns" not in props(synth, sampler.role)


def test_dispatch_queue_redrives_to_an_encrypted_dead_letter_queue(synth: Synthesis) -> None:
    """Given the dispatch queue, then it and its DLQ use the queue key and refuse plain HTTP,
    messages stay 4 days (DLQ 14) with a 6-minute visibility timeout, and a message moves to
    the DLQ after resources.DISPATCH_MAX_RECEIVES receives."""
    sampler = synth.stack.sampler
    queue_key = get_att(synth, synth.stack.store.queue_key)
    queue = props(synth, sampler.dispatch_queue)
    dlq = props(synth, sampler.dispatch_dead_letter_queue)
    assert queue["KmsMasterKeyId"] == dlq["KmsMasterKeyId"] == queue_key
    assert queue["VisibilityTimeout"] == 6 * 60
    assert queue["MessageRetentionPeriod"] == 4 * 24 * 3600
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": get_att(synth, sampler.dispatch_dead_letter_queue),
        "maxReceiveCount": resources.DISPATCH_MAX_RECEIVES,
    }
    queue_policies = synth.template.find_resources("AWS::SQS::QueuePolicy").values()
    for q in (
        sampler.dispatch_queue,
        sampler.dispatch_dead_letter_queue,
        sampler.schedule_dead_letter_queue,
    ):
        statements = [
            s
            for p in queue_policies
            if ref_of(synth, q) in p["Properties"]["Queues"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        ]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        ), q


def test_sampler_role_holds_exactly_the_listed_actions(synth: Synthesis) -> None:
    """Given the sampler role, then its policy allows exactly the listed actions on each named
    resource (tables, the two Visits index ARNs, bucket prefixes, secrets, queue, bus, keys,
    its log group) and ``*`` only for X-Ray; no service-wide action wildcards."""
    sampler, store = synth.stack.sampler, synth.stack.store
    tables = {name: get_att(synth, table) for name, table in store.tables.items()}
    statements = role_statements(synth, sampler.role)
    expected = {
        key_of(tables["Config"]): {"dynamodb:GetItem"},
        key_of(tables["Strata"]): {"dynamodb:Query", "dynamodb:BatchWriteItem"},
        key_of(tables["Visits"]): {"dynamodb:UpdateItem", "dynamodb:BatchGetItem"},
        key_of(_index(synth, "Visits", resources.UNSAMPLED_INDEX)): {"dynamodb:Query"},
        key_of(_index(synth, "Visits", resources.BY_VISIT_DATE_INDEX)): {"dynamodb:Query"},
        key_of(tables["Contacts"]): {"dynamodb:BatchGetItem", "dynamodb:UpdateItem"},
        key_of(tables["CallLists"]): {"dynamodb:BatchWriteItem", "dynamodb:Query"},
        key_of(tables["SamplingRuns"]): {
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        },
        key_of(objects_of(synth, resources.SAMPLES_PREFIX)): {"s3:PutObject", "s3:GetObject"},
        key_of(objects_of(synth, resources.AUDIT_PREFIX)): {"s3:PutObject"},
        key_of(ref_of(synth, store.sampling_secret)): {"secretsmanager:GetSecretValue"},
        key_of(ref_of(synth, store.phone_hash_secret)): {"secretsmanager:GetSecretValue"},
        key_of(get_att(synth, sampler.dispatch_queue)): {"sqs:SendMessage"},
        key_of(get_att(synth, sampler.async_failures)): {"sqs:SendMessage"},  # on-failure
        key_of(get_att(synth, store.bus)): {"events:PutEvents"},
        key_of(get_att(synth, store.key)): {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"},
        key_of(get_att(synth, store.queue_key)): {
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:GenerateDataKey",
        },
        key_of(get_att(synth, sampler.log_group)): {"logs:CreateLogStream", "logs:PutLogEvents"},
        key_of("*"): XRAY_ACTIONS,
    }
    assert actions_by_resource(statements) == expected
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert not {a for a in actions if a == "*" or a.endswith("*")}
    for s in statements:
        if "*" in as_list(s["Resource"]):
            assert set(as_list(s["Action"])) == XRAY_ACTIONS, s
    for table in ("Uploads", "Directory"):
        assert actions_on(statements, tables[table]) == set()


def test_intake_role_updates_strata_and_reads_the_sampling_key(synth: Synthesis) -> None:
    """Given the intake function, then it may only BatchWriteItem on Strata, may read the sampling
    master key, and learns its ARN (and the Strata table) from its environment."""
    store, intake = synth.stack.store, synth.stack.intake
    statements = role_statements(synth, intake.role)
    assert actions_on(statements, get_att(synth, store.tables["Strata"])) == {
        "dynamodb:BatchWriteItem"
    }
    assert actions_on(statements, ref_of(synth, store.sampling_secret)) == {
        "secretsmanager:GetSecretValue"
    }
    env = props(synth, intake.function)["Environment"]["Variables"]
    assert env[resources.SAMPLING_SECRET_ENV] == ref_of(synth, store.sampling_secret)
    assert env[resources.STRATA.env_var] == ref_of(synth, store.tables["Strata"])
