"""The synthesised SamvadStack: shapes from ``samvad.resources``, security, cdk-nag, cfn-lint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from samvad import resources
from samvad.intake.departments import default_departments
from samvad.settings import IntakeSettings
from tests.infra.conftest import (
    REPO_ROOT,
    Synthesis,
    assert_cfn_lint_passes,
    resources_of,
    role_statements,
)
from tests.infra.conftest import actions_on as _actions_on
from tests.infra.conftest import as_list as _as_list
from tests.infra.conftest import get_att as _get_att
from tests.infra.conftest import props as _props

pytestmark = pytest.mark.infra


@pytest.mark.parametrize("voice", [False, True], ids=["sms-only", "connect"])
def test_synth_has_no_unacknowledged_cdk_nag_findings(
    request: pytest.FixtureRequest, voice: bool
) -> None:
    """Given the app with AwsSolutionsChecks (without Connect, and with a Connect instance),
    when it is synthesised, then nothing is reported."""
    synth: Synthesis = request.getfixturevalue("connect_synth" if voice else "synth")
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    violations = [
        v["ruleName"] for plugin in report["pluginReports"] for v in plugin.get("violations", [])
    ]
    assert synth.error is None, violations
    assert violations == []


def test_every_acknowledgement_is_needed_and_cdk_nag_really_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the app with voice on (every construct, the Connect ones too) and acknowledgements
    switched off, when it is synthesised, then cdk-nag fails with exactly the findings the
    constructs acknowledge (none stale, none extra)."""
    import aws_cdk as cdk

    from infra.app import build_app
    from infra.constructs.erasure import OBJECT_PREFIXES as ERASURE_PREFIXES
    from infra.constructs.function import arn_ref
    from tests.infra.conftest import (
        CONNECT_INSTANCE_ARN,
        CONNECT_RECORDINGS,
        CONNECT_REGION,
        connect_context,
    )
    from tests.infra.test_intake_chunks import intake_chunks_findings

    monkeypatch.setattr(cdk.Validations, "acknowledge", lambda self, *rules: None)
    app, stack = build_app(
        context=connect_context(), outdir=str(tmp_path), builtin_cloud_formation_validation=False
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    found = {
        (v["ruleName"], c["constructPath"].removeprefix(f"{stack.stack_name}/"))
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
        for c in v["violatingConstructs"]
    }
    bucket = f"<{stack.get_logical_id(stack.store.bucket.node.default_child)}.Arn>"
    intake_policy = "Intake/Role/DefaultPolicy/Resource"
    sampler_policy = "Sampler/Role/DefaultPolicy/Resource"
    notify_policy = "Notify/Role/DefaultPolicy/Resource"
    schedules = (
        f"arn:aws:scheduler:{CONNECT_REGION}:<AWS::AccountId>:schedule/"
        f"{resources.DISPATCH_SCHEDULE_GROUP}/*"
    )
    reports_policy = "Reports/Role/DefaultPolicy/Resource"
    workspace_policy = "Workspace/Role/DefaultPolicy/Resource"
    departments = default_departments().codes()
    voice_policy = "InboundIvr/Voice/Role/DefaultPolicy/Resource"
    recordings = "arn:<AWS::Partition>:s3:::" + CONNECT_RECORDINGS.removeprefix("s3://")
    erasure_policy = "Erasure/Role/DefaultPolicy/Resource"
    assert found == intake_chunks_findings(stack) | {
        ("AwsSolutions-L1", "Erasure/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", erasure_policy),
        *(
            (f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]", erasure_policy)
            for prefix in ERASURE_PREFIXES
        ),
        ("AwsSolutions-L1", "Workspace/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", workspace_policy),
        ("AwsSolutions-L1", "IntakeApi/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "IntakeApi/Role/DefaultPolicy/Resource"),
        # the push roles' mapper function and CDK's provider framework in front of it
        ("AwsSolutions-L1", "PushRoles/Mapper/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "PushRoles/Mapper/Role/DefaultPolicy/Resource"),
        (
            f"AwsSolutions-IAM5[Resource::{arn_ref(stack.push_roles.function.function)}:*]",
            "PushRoles/Provider/framework-onEvent/ServiceRole/DefaultPolicy/Resource",
        ),
        (
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "PushRoles/Provider/framework-onEvent/ServiceRole/Resource",
        ),
        (f"AwsSolutions-IAM5[Resource::{schedules}]", workspace_policy),  # call desk hand-back
        # the call desk's bridged Call: contacts of the instance (voice on: the bridge flow)
        (f"AwsSolutions-IAM5[Resource::{CONNECT_INSTANCE_ARN}/contact/*]", workspace_policy),
        ("AwsSolutions-L1", "SignInAudit/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "SignInAudit/Role/DefaultPolicy/Resource"),  # X-Ray
        *(
            (f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]", workspace_policy)
            for prefix in (
                resources.UPLOADS_PREFIX,
                resources.REJECTS_PREFIX,
                resources.INTAKE_REPORTS_PREFIX,
                resources.CASE_FILES_PREFIX,
            )
        ),
        *(
            ("AwsSolutions-APIG4", f"Workspace/Api/{route}/Resource")
            for route in ("POST--api--session", "GET--", "GET--{proxy+}")
        ),
        *(
            (
                f"AwsSolutions-IAM5[Resource::arn:aws:s3:{CONNECT_REGION}:<AWS::AccountId>:"
                f"accesspoint/samvad-dev-{d}/object/{resources.UPLOADS_PREFIX}{d}/*]",
                f"Uploads/Uploader-{d}/DefaultPolicy/Resource",
            )
            for d in departments
        ),
        ("AwsSolutions-L1", "Reports/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", reports_policy),
        *(
            (f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]", reports_policy)
            for prefix in (resources.SAMPLES_PREFIX, *resources.REPORT_PREFIXES)
        ),
        ("AwsSolutions-SQS3", "Reports/ScheduleDeadLetterQueue/Resource"),
        ("AwsSolutions-L1", "Lake/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "Lake/Role/DefaultPolicy/Resource"),
        *(
            (f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]", "Lake/Role/DefaultPolicy/Resource")
            for prefix in (
                resources.LAKE_BUFFER_PREFIX,
                resources.LAKE_PREFIX,
                resources.SAMPLES_PREFIX,
            )
        ),
        ("AwsSolutions-SQS3", "Lake/ScheduleDeadLetterQueue/Resource"),
        ("AwsSolutions-SQS3", "Lake/FactsRuleDeadLetterQueue/Resource"),
        ("AwsSolutions-SQS3", "Lake/AsyncFailures/Resource"),
        ("AwsSolutions-SMG4", "Storage/PhoneHashSecret/Resource"),
        ("AwsSolutions-SMG4", "Storage/SamplingSecret/Resource"),
        ("AwsSolutions-SMG4", "Storage/LinkSigningKey/Resource"),
        ("AwsSolutions-L1", "Intake/Function/Resource"),
        ("AwsSolutions-L1", "Sampler/Function/Resource"),
        ("AwsSolutions-L1", "Feedback/Function/Resource"),
        ("AwsSolutions-L1", "Feedback/Web/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "Feedback/Web/Role/DefaultPolicy/Resource"),
        ("AwsSolutions-L1", "Notify/Function/Resource"),
        ("AwsSolutions-L1", "InboundIvr/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "InboundIvr/Role/DefaultPolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", intake_policy),
        ("AwsSolutions-IAM5[Resource::*]", sampler_policy),
        ("AwsSolutions-IAM5[Resource::*]", "Feedback/Role/DefaultPolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", notify_policy),
        (f"AwsSolutions-IAM5[Resource::{schedules}]", notify_policy),
        (f"AwsSolutions-IAM5[Resource::{CONNECT_INSTANCE_ARN}/contact/*]", notify_policy),
        *(
            (f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]", sampler_policy)
            for prefix in (resources.SAMPLES_PREFIX, resources.AUDIT_PREFIX)
        ),
        ("AwsSolutions-SQS3", "Sampler/ScheduleDeadLetterQueue/Resource"),
        ("AwsSolutions-SQS3", "Feedback/SmsRepliesDeadLetterQueue/Resource"),
        *(
            ("AwsSolutions-SQS3", f"{owner}/{queue}/Resource")
            for owner, queue in (
                ("Feedback", "AsyncFailures"),
                ("Sampler", "AsyncFailures"),
                ("Reports", "AsyncFailures"),
                ("Reports", "TallyRuleDeadLetterQueue"),
                ("Notify", "ContactEventsDeadLetterQueue"),
                ("Notify", "DeferredDeadLetterQueue"),
            )
        ),
        ("AwsSolutions-L1", "Escalation/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "Escalation/Role/DefaultPolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "Escalation/StateMachine/Role/DefaultPolicy/Resource"),
        (
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            "Escalation/StateMachine/Role/DefaultPolicy/Resource",
        ),
        *(
            (f"AwsSolutions-IAM5[Resource::{bucket}/{prefix}*]", intake_policy)
            for prefix in (
                resources.UPLOADS_PREFIX,
                resources.REJECTS_PREFIX,
                resources.QUARANTINE_PREFIX,
                resources.INTAKE_REPORTS_PREFIX,
            )
        ),
        # inbound: voice messages copied into cases, scheduled scheme broadcasts (the SMS
        # requests' and voice messages' dead-letter queues are redrive targets: no finding)
        ("AwsSolutions-L1", "InboundIvr/Voice/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", voice_policy),
        (f"AwsSolutions-IAM5[Resource::{bucket}/{resources.CASE_FILES_PREFIX}*]", voice_policy),
        (f"AwsSolutions-IAM5[Resource::{recordings}/*]", voice_policy),
        ("AwsSolutions-L1", "SchemeBroadcast/Function/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "SchemeBroadcast/Role/DefaultPolicy/Resource"),
        ("AwsSolutions-SQS3", "SchemeBroadcast/AsyncFailures/Resource"),
        ("AwsSolutions-SQS3", "SchemeBroadcast/ScheduleDeadLetterQueue/Resource"),
        (
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource",
        ),
    }


@pytest.mark.parametrize("voice", [False, True], ids=["sms-only", "connect"])
def test_cfn_lint_passes(request: pytest.FixtureRequest, voice: bool) -> None:
    """Given the synthesised template (without Connect, and with a Connect instance), when
    cfn-lint checks it for the stack's own region, then it passes."""
    synth: Synthesis = request.getfixturevalue("connect_synth" if voice else "synth")
    assert_cfn_lint_passes(synth.template_file, synth.stack.region)


@pytest.mark.parametrize("spec", resources.TABLES, ids=lambda s: s.logical_id)
def test_tables_follow_resource_specs(synth: Synthesis, spec: resources.TableSpec) -> None:
    """Given a TableSpec, when the stack is built, then its table has the spec's shape.

    On-demand, point-in-time recovery, the data key, TTL, deletion protection and retain.
    """
    table = synth.stack.store.tables[spec.logical_id]
    resource = synth.template.to_json()["Resources"][synth.logical_id(table)]
    props = resource["Properties"]
    keys = {k["AttributeName"]: k["KeyType"] for k in props["KeySchema"]}
    expected_keys = {spec.partition_key: "HASH"} | (
        {spec.sort_key: "RANGE"} if spec.sort_key else {}
    )
    assert keys == expected_keys
    types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    index_keys = {k for i in spec.indexes for k in (i.partition_key, i.sort_key) if k}
    assert types == {name: spec.key_type(name) for name in {*expected_keys, *index_keys}}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": _get_att(synth, synth.stack.store.key),
    }
    if spec.ttl_attribute:
        assert props["TimeToLiveSpecification"] == {
            "AttributeName": spec.ttl_attribute,
            "Enabled": True,
        }
    else:
        assert "TimeToLiveSpecification" not in props
    assert props["DeletionProtectionEnabled"] is True
    assert resource["DeletionPolicy"] == "Retain"
    assert len(props.get("GlobalSecondaryIndexes", [])) == len(spec.indexes)


def test_a_new_table_spec_with_an_index_appears_without_infra_changes(monkeypatch) -> None:
    """Given an extra TableSpec with a GSI, when DataStore is built, then the table has it."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Match, Template

    from infra.constructs.storage import DataStore

    extra = resources.TableSpec(
        logical_id="Samples",
        env_var="SAMPLES_TABLE",
        partition_key="stratum_day",
        sort_key="score",
        indexes=(resources.IndexSpec("by-visit", "visit_key", projection=("score",)),),
    )
    monkeypatch.setattr(resources, "TABLES", (*resources.TABLES, extra))
    stack = cdk.Stack(cdk.App(builtin_cloud_formation_validation=False), "T")
    DataStore(stack, "Storage", stage="test", retention_days=30)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::DynamoDB::Table", len(resources.TABLES))
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "stratum_day", "KeyType": "HASH"},
                {"AttributeName": "score", "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": [
                Match.object_like(
                    {
                        "IndexName": "by-visit",
                        "KeySchema": [{"AttributeName": "visit_key", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["score"]},
                    }
                )
            ],
        },
    )


def test_data_bucket_is_private_encrypted_versioned_and_logged(synth: Synthesis) -> None:
    """Given the data bucket, then it blocks public access, uses the KMS key, keeps versions,
    logs access to the log bucket, expires old objects and refuses plain HTTP."""
    store = synth.stack.store
    props = _props(synth, store.bucket)
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["BucketKeyEnabled"] is True
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": _get_att(synth, store.key),
    }
    log_bucket = synth.logical_id(store.access_log_bucket)
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": log_bucket}
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["noncurrent-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    for prefix in (resources.UPLOADS_PREFIX, resources.REJECTS_PREFIX, resources.QUARANTINE_PREFIX):
        rule = rules[f"expire-{prefix.rstrip('/')}"]
        assert (rule["Prefix"], rule["ExpirationInDays"]) == (prefix, 400)
    bucket_id = synth.logical_id(store.bucket)
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources_of(synth, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy
    )
    log_props = _props(synth, store.access_log_bucket)
    assert log_props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}


def test_keys_rotate_and_only_the_queue_key_trusts_s3(synth: Synthesis) -> None:
    """Given the two keys, then both rotate, the data key has its alias, and only the queue key
    lets the S3 service encrypt (so S3 notifications never touch the data key)."""
    store = synth.stack.store
    for key in (store.key, store.queue_key):
        assert _props(synth, key)["EnableKeyRotation"] is True
    synth.template.has_resource_properties(
        "AWS::KMS::Alias",
        {"AliasName": "alias/samvad-dev", "TargetKeyId": _get_att(synth, store.key)},
    )

    def s3_trusted(key: Any) -> bool:
        statements = _props(synth, key)["KeyPolicy"]["Statement"]
        return any(s["Principal"].get("Service") == "s3.amazonaws.com" for s in statements)

    assert s3_trusted(store.queue_key)
    assert not s3_trusted(store.key)


def test_phone_hash_secret_is_generated_and_encrypted(synth: Synthesis) -> None:
    """Given the phone-hash secret, then it is 64 random alphanumerics under the data key."""
    store = synth.stack.store
    props = _props(synth, store.phone_hash_secret)
    assert props["GenerateSecretString"] == {"ExcludePunctuation": True, "PasswordLength": 64}
    assert props["KmsKeyId"] == _get_att(synth, store.key)


def test_intake_function_configuration(synth: Synthesis) -> None:
    """Given the intake function, then it is python3.13 on arm64 with JSON logs, X-Ray, the
    layer, its own encrypted log group and exactly the environment variables it reads."""
    intake = synth.stack.intake
    props = _props(synth, intake.function)
    assert (props["Runtime"], props["Architectures"]) == ("python3.13", ["arm64"])
    assert (props["Handler"], props["MemorySize"], props["Timeout"]) == (
        "handler.lambda_handler",
        1024,
        900,
    )
    assert props["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": {"Ref": synth.logical_id(intake.log_group)},
    }
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Layers"] == [{"Ref": synth.logical_id(synth.stack.layer.layer_version)}]
    env = props["Environment"]["Variables"]
    tuning = {resources.INTAKE_CHUNK_ROWS_ENV, resources.INTAKE_CHUNK_BYTES_ENV}  # unset: defaults
    tuning.add(resources.INTAKE_WRITE_WORKERS_ENV)
    expected = {*IntakeSettings.env_names(), "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL"}
    expected -= tuning
    assert set(env) == expected
    assert resources.CASES.env_var not in env  # another function's table
    assert env["POWERTOOLS_SERVICE_NAME"] == "intake"
    assert env[resources.RETENTION_DAYS_ENV] == "400"
    intake_tables = (resources.VISITS, resources.UPLOADS, resources.DIRECTORY)
    for spec in (*intake_tables, resources.CONFIG, resources.STRATA):
        table_id = synth.logical_id(synth.stack.store.tables[spec.logical_id])
        assert env[spec.env_var] == {"Ref": table_id}
    log_props = _props(synth, intake.log_group)
    assert log_props["RetentionInDays"] == 365
    assert log_props["KmsKeyId"] == _get_att(synth, synth.stack.store.key)
    layer = _props(synth, synth.stack.layer.layer_version)
    assert (layer["CompatibleRuntimes"], layer["CompatibleArchitectures"]) == (
        ["python3.13"],
        ["arm64"],
    )


def test_intake_queue_dead_letter_queue_and_event_source(synth: Synthesis) -> None:
    """Given the intake queue, then it is KMS-encrypted, redrives to an encrypted DLQ after the
    agreed receives, refuses plain HTTP, and feeds the function one message at a time with
    partial batch failure reporting."""
    intake = synth.stack.intake
    queue_key = _get_att(synth, synth.stack.store.queue_key)
    queue = _props(synth, intake.queue)
    dlq = _props(synth, intake.dead_letter_queue)
    assert queue["KmsMasterKeyId"] == dlq["KmsMasterKeyId"] == queue_key
    assert queue["VisibilityTimeout"] == resources.INTAKE_QUEUE_VISIBILITY_SECONDS
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": _get_att(synth, intake.dead_letter_queue),
        "maxReceiveCount": resources.INTAKE_MAX_RECEIVES,
    }
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    for q in (intake.queue, intake.dead_letter_queue):
        policies = [
            p["Properties"]["PolicyDocument"]["Statement"]
            for p in resources_of(synth, "AWS::SQS::QueuePolicy").values()
            if {"Ref": synth.logical_id(q)} in p["Properties"]["Queues"]
        ]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for statements in policies
            for s in statements
        )
    synth.template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": _get_att(synth, intake.queue),
            "FunctionName": {"Ref": synth.logical_id(intake.function)},
            "BatchSize": 1,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_uploads_notify_the_intake_queue(synth: Synthesis) -> None:
    """Given the data bucket, then objects created under uploads/ notify the intake queue."""
    [notification] = resources_of(synth, "Custom::S3BucketNotifications").values()
    props = notification["Properties"]
    assert props["BucketName"] == {"Ref": synth.logical_id(synth.stack.store.bucket)}
    assert props["NotificationConfiguration"] == {
        "QueueConfigurations": [
            {
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {
                    "Key": {"FilterRules": [{"Name": "prefix", "Value": resources.UPLOADS_PREFIX}]}
                },
                "QueueArn": _get_att(synth, synth.stack.intake.queue),
            }
        ]
    }


def test_intake_role_is_least_privilege(synth: Synthesis) -> None:
    """Given the intake role, then it holds exactly the listed actions on named resources:
    no managed policies, no service wildcards, no ``*`` resource for S3 or DynamoDB."""
    store, intake = synth.stack.store, synth.stack.intake
    role = _props(synth, intake.role)
    assert "ManagedPolicyArns" not in role
    statements = role_statements(synth, synth.stack.intake.role)
    actions = {a for s in statements for a in _as_list(s["Action"])}
    assert not {a for a in actions if a.endswith(":*") or a == "*"}
    for s in statements:
        if any(a.startswith(("s3:", "dynamodb:")) for a in _as_list(s["Action"])):
            assert "*" not in _as_list(s["Resource"]), s

    def objects(prefix: str) -> dict[str, Any]:
        return {"Fn::Join": ["", [_get_att(synth, store.bucket), f"/{prefix}*"]]}

    assert _actions_on(statements, objects(resources.UPLOADS_PREFIX)) == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:DeleteObject",
    }
    for prefix in (
        resources.REJECTS_PREFIX,
        resources.QUARANTINE_PREFIX,
        resources.INTAKE_REPORTS_PREFIX,
    ):
        assert _actions_on(statements, objects(prefix)) == {"s3:PutObject"}
    assert _actions_on(statements, _get_att(synth, store.bucket)) == set()
    expected_tables = {
        "Visits": {"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"},
        "Uploads": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "Directory": {"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"},
        "Config": {"dynamodb:GetItem", "dynamodb:Query"},
        "Strata": {"dynamodb:BatchWriteItem"},
    }
    for logical_id, expected in expected_tables.items():
        assert _actions_on(statements, _get_att(synth, store.tables[logical_id])) == expected
    assert _actions_on(statements, _get_att(synth, store.bus)) == {"events:PutEvents"}
    secret = {"Ref": synth.logical_id(store.phone_hash_secret)}
    assert _actions_on(statements, secret) == {"secretsmanager:GetSecretValue"}
    assert {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} <= _actions_on(
        statements, _get_att(synth, store.key)
    )
    assert "sqs:ReceiveMessage" in _actions_on(statements, _get_att(synth, intake.queue))


def test_layer_ships_samvad_runtime_and_dependencies_only() -> None:
    """Given pyproject's dependencies, when the layer is built, then python/ holds samvad and
    the runtime dependencies, not boto3, no bytecode and none of the developer tools."""
    from infra.layer_build import build_layer, runtime_dependencies

    deps = runtime_dependencies(REPO_ROOT)
    assert deps and not any(d.lower().startswith("boto3") for d in deps)
    site = build_layer(REPO_ROOT) / "python"
    assert (site / "samvad" / "resources.py").is_file()
    assert (site / "aws_lambda_powertools").is_dir()
    # .ods: calamine's extension built for the functions' runtime (arm64, CPython 3.13)
    assert list((site / "python_calamine").glob("*.cpython-313-aarch64-linux-gnu.so"))
    assert not (site / "boto3").exists()
    assert not list((site / "samvad").rglob("*.pyc"))
    assert (site / "samvad" / "intake" / "service.py").is_file()
    assert not any((site / "samvad" / tool).exists() for tool in ("local", "demo", "bench"))


def test_app_script_synthesises_with_full_validation(tmp_path: Path) -> None:
    """Given cdk.json's context, when infra/app.py runs as a script (CloudFormation validation
    and cdk-nag on), then it writes the stack template and an empty validation report."""
    env = os.environ | {"CDK_OUTDIR": str(tmp_path)}
    env.pop("CDK_CONTEXT_JSON", None)
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "infra" / "app.py")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "Samvad-dev.template.json").is_file()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert report["pluginReports"] == []


def test_intake_handler_imports_from_the_built_layer_alone() -> None:
    """Given the built layer (as Lambda mounts it at /opt/python) and the function folder,
    when the handler is imported, then samvad comes from the layer and no developer tool or
    AWS client is loaded at import time."""
    from infra.layer_build import build_layer

    site = build_layer(REPO_ROOT) / "python"
    probe = "\n".join(
        [
            "import sys",
            f"sys.path[:0] = [{str(REPO_ROOT / 'functions' / 'intake')!r}, {str(site)!r}]",
            "import boto3",
            "def refuse(*a, **k): raise AssertionError('AWS client created at import time')",
            "boto3.client = boto3.Session.client = boto3.resource = refuse",
            "import handler, samvad",
            "assert samvad.__file__.startswith(sys.path[1]), samvad.__file__",
            "tools = ('samvad_dev.local', 'samvad_dev.demo', 'samvad_dev.bench', 'moto')",
            "loaded = [m for m in sys.modules if m.startswith(tools)]",
            "assert not loaded, loaded",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd="/",
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": ""},
    )
    assert result.returncode == 0, result.stderr[-2000:]
