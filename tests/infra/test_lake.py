"""The lake construct: rule → queue → exporter, schedule, least privilege, Glue tables with
partition projection, the Athena workgroup and the saved queries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from samvad import resources
from samvad.lake import schema
from samvad.lake.facts import EXPORTED
from samvad.lake.saved import saved_queries
from tests.infra.conftest import (
    REPO_ROOT,
    XRAY_ACTIONS,
    Synthesis,
    actions_by_resource,
    get_att,
    key_of,
    objects_of,
    props,
    ref_of,
    role_statements,
)

pytestmark = pytest.mark.infra


def _cfn(synth: Synthesis, resource: Any) -> dict[str, Any]:
    """The synthesised Properties of an L1 (Cfn…) resource."""
    logical_id = synth.stack.get_logical_id(resource)
    return synth.template.to_json()["Resources"][logical_id]["Properties"]


def test_synth_is_cdk_nag_clean(synth: Synthesis) -> None:
    """Given the stack with the lake construct, when synthesised with cdk-nag, then no finding
    is left unacknowledged."""
    assert synth.error is None, str(synth.error)[:3000]


def test_rule_sends_the_facts_events_to_the_lake_queue_and_function(synth: Synthesis) -> None:
    """Given the lake's rule, then it takes exactly the exported event types from the Samvad bus
    to the lake queue (KMS, DLQ after LAKE_MAX_RECEIVES), which feeds the function in batches
    that report item failures."""
    lake = synth.stack.lake
    rule = props(synth, lake.rule)
    assert rule["EventBusName"] == ref_of(synth, synth.stack.store.bus)
    assert rule["EventPattern"] == {
        "source": [resources.EVENT_SOURCE],
        "detail-type": list(EXPORTED),
    }
    assert [t["Arn"] for t in rule["Targets"]] == [get_att(synth, lake.queue)]
    queue = props(synth, lake.queue)
    assert queue["KmsMasterKeyId"] == get_att(synth, synth.stack.store.queue_key)
    assert queue["RedrivePolicy"]["maxReceiveCount"] == resources.LAKE_MAX_RECEIVES
    assert queue["VisibilityTimeout"] >= 6 * props(synth, lake.function)["Timeout"]
    [mapping] = [
        m["Properties"]
        for m in synth.template.find_resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == ref_of(synth, lake.function)
    ]
    assert mapping["EventSourceArn"] == get_att(synth, lake.queue)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == resources.EVENTS_BATCH_SIZE
    assert mapping["MaximumBatchingWindowInSeconds"] == 5


def test_the_exporter_has_its_own_layer_with_pyarrow(synth: Synthesis) -> None:
    """Given the lake function, then it uses the lake layer (pyarrow, not the shared layer's
    matplotlib), and that layer's folder is under Lambda's 250 MB unzipped limit."""
    from infra.lake_layer_build import build_lake_layer

    lake = synth.stack.lake
    assert props(synth, lake.function)["Layers"] == [{"Ref": synth.logical_id(lake.layer)}]
    assert lake.layer is not synth.stack.layer.layer_version
    site = build_lake_layer(REPO_ROOT) / "python"
    assert (site / "pyarrow").is_dir() and (site / "samvad" / "lake").is_dir()
    assert not (site / "matplotlib").exists() and not (site / "samvad" / "demo").exists()
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    assert size < 250 * 1024**2


def test_exporter_role_is_least_privilege(synth: Synthesis) -> None:
    """Given the lake function's role, then it may write and read its buffer, write and delete
    lake partitions, read the sampler's selections, list only the lake prefixes, use the data
    key, write its logs and traces: nothing else (no table, no bus, no secret)."""
    lake, store = synth.stack.lake, synth.stack.store
    statements = role_statements(synth, lake.role)
    grant = actions_by_resource(statements)
    assert grant.pop(key_of(objects_of(synth, resources.LAKE_BUFFER_PREFIX))) == {
        "s3:PutObject", "s3:GetObject",
    }  # fmt: skip
    assert grant.pop(key_of(objects_of(synth, resources.LAKE_PREFIX))) == {
        "s3:PutObject", "s3:DeleteObject",
    }  # fmt: skip
    assert grant.pop(key_of(objects_of(synth, resources.SAMPLES_PREFIX))) == {"s3:GetObject"}
    assert grant.pop(key_of(get_att(synth, store.bucket))) == {"s3:ListBucket"}
    [listing] = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {
        "StringLike": {
            "s3:prefix": [
                f"{resources.LAKE_BUFFER_PREFIX}*",
                f"{resources.LAKE_PREFIX}*",
                f"{resources.SAMPLES_PREFIX}*",
            ]
        }
    }
    assert grant.pop(key_of(get_att(synth, store.key))) == {
        "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
    }  # fmt: skip
    assert grant.pop(key_of("*")) == XRAY_ACTIONS
    assert grant.pop(key_of(get_att(synth, lake.log_group))) == {
        "logs:CreateLogStream", "logs:PutLogEvents",
    }  # fmt: skip
    assert grant.pop(key_of(get_att(synth, lake.queue))) >= {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
    }
    assert grant.pop(key_of(get_att(synth, lake.async_failures))) == {"sqs:SendMessage"}
    assert grant.pop(key_of(get_att(synth, store.queue_key))) == {
        "kms:Decrypt", "kms:GenerateDataKey",
    }  # fmt: skip
    assert grant == {}


def test_daily_schedule_invokes_the_exporter_in_india_time(synth: Synthesis) -> None:
    """Given the lake schedule, then it runs resources.LAKE_SCHEDULE in Asia/Kolkata with the
    scheduled time as input, a dead-letter queue, and a role that may only invoke the function."""
    lake = synth.stack.lake
    schedule = props(synth, lake.schedule)
    assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
        resources.LAKE_SCHEDULE,
        resources.REPORTS_TIMEZONE,
    )
    target = schedule["Target"]
    assert target["Arn"] == get_att(synth, lake.function)
    assert json.loads(target["Input"]) == {"scheduled_time": "<aws.scheduler.scheduled-time>"}
    assert target["DeadLetterConfig"]["Arn"] == get_att(synth, lake.schedule_dead_letter_queue)
    grant = actions_by_resource(role_statements(synth, lake.schedule_role))
    assert grant[key_of(get_att(synth, lake.function))] == {"lambda:InvokeFunction"}


@pytest.mark.parametrize("table", sorted(schema.TABLES))
def test_glue_tables_match_the_schemas_with_date_projection(synth: Synthesis, table: str) -> None:
    """Given each lake table, then the Glue table has the schema's columns and Hive types,
    Parquet formats, its location under lake/<table>/, and partition projection on date
    (yyyy-MM-dd, to NOW), so no crawler or MSCK REPAIR is needed."""
    lake = synth.stack.lake
    table_input = _cfn(synth, lake.tables[table])["TableInput"]
    descriptor = table_input["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == schema.glue_columns(
        schema.TABLES[table]
    )
    assert table_input["PartitionKeys"] == [{"Name": "date", "Type": "string"}]
    assert descriptor["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    bucket = ref_of(synth, synth.stack.store.bucket)
    assert descriptor["Location"] == {"Fn::Join": ["", ["s3://", bucket, f"/lake/{table}/"]]}
    parameters = table_input["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.date.type"] == "date"
    assert parameters["projection.date.format"] == "yyyy-MM-dd"
    assert parameters["projection.date.range"].endswith(",NOW")
    assert parameters["storage.location.template"] == {
        "Fn::Join": ["", ["s3://", bucket, f"/lake/{table}/date=${{date}}/"]]
    }
    assert not [c for c in descriptor["Columns"] if schema.FORBIDDEN_COLUMN.search(c["Name"])]


def test_workgroup_enforces_encrypted_results_and_a_scan_limit(synth: Synthesis) -> None:
    """Given the Athena workgroup, then its configuration is enforced (clients cannot override
    it), results go to athena-results/ encrypted with the data key (SSE-KMS), and any query
    scanning more than the cutoff is cancelled."""
    workgroup = _cfn(synth, synth.stack.lake.workgroup)
    config = workgroup["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert 10 * 1024**2 <= config["BytesScannedCutoffPerQuery"] <= 100 * 1024**3
    results = config["ResultConfiguration"]
    assert results["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_KMS",
        "KmsKey": get_att(synth, synth.stack.store.key),
    }
    bucket = ref_of(synth, synth.stack.store.bucket)
    assert results["OutputLocation"] == {"Fn::Join": ["", ["s3://", bucket, "/athena-results/"]]}


def test_saved_queries_are_named_queries_of_the_workgroup(synth: Synthesis) -> None:
    """Given the shipped .sql files, then each is an Athena named query in the workgroup and
    database, with its parameters' defaults filled in."""
    lake = synth.stack.lake
    named = {
        p["Properties"]["Name"]: p["Properties"]
        for p in synth.template.find_resources("AWS::Athena::NamedQuery").values()
    }
    assert set(named) == set(saved_queries()) == {
        "repeat_offenders", "satisfaction_by_service", "atr_quality",
    }  # fmt: skip
    for name, query in saved_queries().items():
        assert named[name]["QueryString"] == query.sql()
        assert "{{" not in named[name]["QueryString"]
        assert named[name]["Database"] == lake.database_name
        assert named[name]["WorkGroup"] == {"Ref": synth.stack.get_logical_id(lake.workgroup)}


def test_lake_buffer_and_athena_results_expire(synth: Synthesis) -> None:
    """Given the data bucket, then the fact buffer and Athena's results expire (the Parquet
    partitions keep the facts)."""
    rules = props(synth, synth.stack.store.bucket)["LifecycleConfiguration"]["Rules"]
    expiring = {r.get("Prefix"): r.get("ExpirationInDays") for r in rules}
    assert expiring[resources.LAKE_BUFFER_PREFIX] and expiring["athena-results/"]
    assert resources.LAKE_PREFIX not in expiring or expiring[resources.LAKE_PREFIX] >= 365


def test_stack_outputs_name_the_database_and_workgroup(synth: Synthesis) -> None:
    """Given the stack, then its outputs give `samvad query --athena` its two names."""
    outputs = synth.template.to_json()["Outputs"]
    assert outputs["LakeDatabaseName"]["Value"] == synth.stack.lake.database_name
    assert outputs["LakeWorkgroupName"]["Value"] == synth.stack.lake.workgroup_name
