"""The chunked intake in the synthesised stack: split → Distributed Map → reduce, its
concurrency bound, the failure path, and least privilege for each step."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constructs.intake_chunks import (
    CHUNK_VISITS_PER_SECOND,
    ON_DEMAND_TABLE_WCU,
    VISIT_WRITE_UNITS,
    max_concurrency,
)
from samvad import resources
from tests.infra.conftest import (
    Synthesis,
    actions_by_resource,
    get_att,
    machine_definition,
    props,
    role_statements,
)

pytestmark = pytest.mark.infra


def _definition(synth: Synthesis) -> dict[str, Any]:
    return machine_definition(synth, synth.stack.intake_chunks.state_machine)


def _ref(synth: Synthesis, construct: Any) -> str:
    return f"<{synth.logical_id(construct)}>"


def test_split_then_a_distributed_map_over_the_manifest_then_reduce(synth: Synthesis) -> None:
    """Given the definition, then Split → Chunks → Reduce; Chunks is a Distributed Map whose
    ItemReader reads the split's chunks.json (a JSON array) from the data bucket, runs each
    item in an EXPRESS child invoking the chunk function, keeps no results in the state
    (they are in S3) and is bounded by MaxConcurrency."""
    definition = _definition(synth)
    states = definition["States"]
    chunks_construct = synth.stack.intake_chunks
    assert definition["StartAt"] == "Split"
    assert (states["Split"]["Next"], states["Chunks"]["Next"]) == ("Chunks", "Reduce")
    assert states["Reduce"]["End"] is True
    chunks = states["Chunks"]
    assert chunks["Type"] == "Map"
    assert chunks["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "EXPRESS",
    }
    assert chunks["ItemReader"]["Resource"].endswith(":states:::s3:getObject")
    assert chunks["ItemReader"]["ReaderConfig"] == {"InputType": "JSON"}
    assert chunks["ItemReader"]["Parameters"] == {
        "Bucket": _ref(synth, synth.stack.store.bucket),
        "Key.$": "$.items_key",
    }
    assert chunks["MaxConcurrency"] == chunks_construct.max_concurrency
    assert chunks["ResultPath"] is None
    assert "ResultWriter" not in chunks
    (step,) = chunks["ItemProcessor"]["States"].values()
    assert step["Resource"] == _ref(synth, chunks_construct.chunk.function)
    retry_all = [r for r in step["Retry"] if r["ErrorEquals"] == ["States.ALL"]]
    assert retry_all and retry_all[0]["MaxAttempts"] >= 3 and retry_all[0]["JitterStrategy"]
    assert states["Split"]["Resource"] == _ref(synth, chunks_construct.split.function)
    assert states["Reduce"]["Resource"] == _ref(synth, chunks_construct.reduce.function)


def test_max_concurrency_cannot_exceed_the_tables_write_capacity(synth: Synthesis) -> None:
    """Given the default on-demand table limit, then the map's concurrency times one chunk's
    write units a second fits in it (with headroom), and a smaller table gets fewer chunks."""
    concurrency = synth.stack.intake_chunks.max_concurrency
    per_chunk = CHUNK_VISITS_PER_SECOND * VISIT_WRITE_UNITS
    assert concurrency >= 1
    assert concurrency * per_chunk <= ON_DEMAND_TABLE_WCU
    assert (concurrency + 1) * per_chunk > 0.8 * ON_DEMAND_TABLE_WCU
    assert max_concurrency(10_000) < concurrency
    assert max_concurrency(1_000) == 1


def test_every_failure_is_caught_and_marks_the_upload_failed(synth: Synthesis) -> None:
    """Given the definition, then Split, Chunks and Reduce catch States.ALL into $.error and go
    to MarkFailed (the reduce function, which records the reason), then to a Fail state."""
    states = _definition(synth)["States"]
    for name in ("Split", "Chunks", "Reduce"):
        assert states[name]["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "MarkFailed"}
        ], name
    assert states["MarkFailed"]["Resource"] == _ref(
        synth, synth.stack.intake_chunks.reduce.function
    )
    assert states["Failed"]["Type"] == "Fail"


def test_the_state_machine_logs_without_execution_data_and_is_traced(synth: Synthesis) -> None:
    """Given the state machine, then it is Standard, traced, and logs ALL events without
    execution data (no upload keys or counts in the logs)."""
    machine = props(synth, synth.stack.intake_chunks.state_machine)
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_the_intake_function_may_start_the_state_machine_and_knows_its_arn(
    synth: Synthesis,
) -> None:
    """Given the intake function, then its environment names the state machine and its role
    may StartExecution on exactly that one."""
    machine = synth.stack.intake_chunks.state_machine
    function = props(synth, synth.stack.intake.function)
    env = function["Environment"]["Variables"]
    assert env[resources.INTAKE_CHUNKS_STATE_MACHINE_ENV] == {"Ref": synth.logical_id(machine)}
    grant = actions_by_resource(role_statements(synth, synth.stack.intake.role))
    assert grant[json.dumps({"Ref": synth.logical_id(machine)})] == {"states:StartExecution"}


def _objects(synth: Synthesis, prefix: str) -> str:
    bucket = get_att(synth, synth.stack.store.bucket)
    return json.dumps({"Fn::Join": ["", [bucket, f"/{prefix}*"]]}, sort_keys=True)


def _table(synth: Synthesis, logical_id: str) -> str:
    return json.dumps(get_att(synth, synth.stack.store.tables[logical_id]), sort_keys=True)


def _step_grant(synth: Synthesis, step: Any) -> dict[str, set[str]]:
    grant = actions_by_resource(role_statements(synth, step.role))
    grant.pop('"*"')  # X-Ray (tracing), checked by the function tests
    grant.pop(json.dumps(get_att(synth, step.log_group), sort_keys=True))  # its own log group
    grant.pop(json.dumps(get_att(synth, synth.stack.store.key), sort_keys=True))  # data key
    return grant


def test_the_chunk_function_reads_its_chunk_and_writes_visits_nothing_else(
    synth: Synthesis,
) -> None:
    """Given the chunk function's role, then it may read and write intake-chunks/ objects,
    BatchGet/BatchWrite visits and update the ledger, and nothing else (no secrets, no
    uploads, no events)."""
    grant = _step_grant(synth, synth.stack.intake_chunks.chunk)
    assert grant == {
        _objects(synth, resources.INTAKE_CHUNKS_PREFIX): {"s3:GetObject", "s3:PutObject"},
        _table(synth, "Visits"): {"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"},
        _table(synth, "Uploads"): {"dynamodb:UpdateItem"},
    }


def test_the_split_function_reads_uploads_and_writes_only_chunks(synth: Synthesis) -> None:
    """Given the split function's role, then it reads uploads and the config, reads the two
    keys it hashes with, writes only under intake-chunks/, and touches no visit."""
    grant = _step_grant(synth, synth.stack.intake_chunks.split)
    store = synth.stack.store
    assert grant == {
        _objects(synth, resources.UPLOADS_PREFIX): {"s3:GetObject", "s3:GetObjectVersion"},
        _objects(synth, resources.INTAKE_CHUNKS_PREFIX): {"s3:GetObject", "s3:PutObject"},
        _table(synth, "Config"): {"dynamodb:GetItem", "dynamodb:Query"},
        json.dumps({"Ref": synth.logical_id(store.phone_hash_secret)}): {
            "secretsmanager:GetSecretValue"
        },
        json.dumps({"Ref": synth.logical_id(store.sampling_secret)}): {
            "secretsmanager:GetSecretValue"
        },
    }


def test_the_reduce_function_writes_the_report_and_no_visit(synth: Synthesis) -> None:
    """Given the reduce function's role, then it reads chunk objects, writes rejects, reports
    and quarantine, may move an unreadable upload aside, updates the ledger, strata and
    directory, publishes on the bus, and reads no secret and writes no visit."""
    grant = _step_grant(synth, synth.stack.intake_chunks.reduce)
    assert grant == {
        _objects(synth, resources.INTAKE_CHUNKS_PREFIX): {"s3:GetObject"},
        _objects(synth, resources.UPLOADS_PREFIX): {
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:DeleteObject",
        },
        **{
            _objects(synth, prefix): {"s3:PutObject"}
            for prefix in (
                resources.REJECTS_PREFIX,
                resources.QUARANTINE_PREFIX,
                resources.INTAKE_REPORTS_PREFIX,
            )
        },
        _table(synth, "Uploads"): {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        _table(synth, "Strata"): {"dynamodb:BatchWriteItem"},
        _table(synth, "Directory"): {"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"},
        json.dumps(get_att(synth, synth.stack.store.bus), sort_keys=True): {"events:PutEvents"},
    }


def test_the_state_machine_reads_only_the_chunks_of_the_data_bucket(synth: Synthesis) -> None:
    """Given the state machine's role, then the ItemReader's GetObject on the bucket's
    objects is narrowed by an explicit Deny of everything outside intake-chunks/."""
    statements = role_statements(synth, synth.stack.intake_chunks.state_machine.role)
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Action"] == "s3:GetObject"
    assert json.dumps(deny["NotResource"], sort_keys=True) == _objects(
        synth, resources.INTAKE_CHUNKS_PREFIX
    )


def test_the_working_objects_expire_after_two_weeks(synth: Synthesis) -> None:
    """Given the data bucket, then objects under intake-chunks/ (chunks hold phone numbers)
    expire after 14 days, as long as an execution can be redriven."""
    rules = props(synth, synth.stack.store.bucket)["LifecycleConfiguration"]["Rules"]
    (rule,) = [r for r in rules if r.get("Prefix") == resources.INTAKE_CHUNKS_PREFIX]
    assert (rule["ExpirationInDays"], rule["Status"]) == (14, "Enabled")


def test_synth_is_clean(synth: Synthesis) -> None:
    """Given the app with the chunked intake, then cdk-nag reports nothing."""
    assert synth.error is None


def intake_chunks_findings(stack: Any) -> set[tuple[str, str]]:
    """The cdk-nag findings the chunked intake acknowledges (for test_stack's full list)."""
    bucket = f"<{stack.get_logical_id(stack.store.bucket.node.default_child)}.Arn>"
    data = stack.get_logical_id(stack.store.bucket.node.default_child)
    machine = stack.intake_chunks.state_machine
    own = stack.get_logical_id(machine.node.default_child)
    name = f'{{"Fn::Select":[6,{{"Fn::Split":[":",{{"Ref":"{own}"}}]}}]}}'
    executions = f"arn:aws:states:{stack.region}:<AWS::AccountId>:execution:{name}"
    machine_policy = "IntakeChunks/StateMachine/Role/DefaultPolicy/Resource"
    found = {
        ("AwsSolutions-IAM5[Resource::*]", machine_policy),
        (f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<{data}>/*]", machine_policy),
        (
            f"AwsSolutions-IAM5[Resource::{executions}:*]",
            "IntakeChunks/StateMachine/DistributedMapPolicy/Resource",
        ),
        (
            f"AwsSolutions-IAM5[Resource::{executions}/*:*]",
            "IntakeChunks/StateMachine/DistributedMapPolicy/Resource",
        ),
    }
    prefixes = {
        "Split": (resources.UPLOADS_PREFIX, resources.INTAKE_CHUNKS_PREFIX),
        "Chunk": (resources.INTAKE_CHUNKS_PREFIX,),
        "Reduce": (
            resources.INTAKE_CHUNKS_PREFIX,
            resources.UPLOADS_PREFIX,
            resources.REJECTS_PREFIX,
            resources.QUARANTINE_PREFIX,
            resources.INTAKE_REPORTS_PREFIX,
        ),
    }
    for step, step_prefixes in prefixes.items():
        function = getattr(stack.intake_chunks, step.lower()).function
        arn = f"<{stack.get_logical_id(function.node.default_child)}.Arn>"
        policy = f"IntakeChunks/{step}/Role/DefaultPolicy/Resource"
        found |= {
            ("AwsSolutions-L1", f"IntakeChunks/{step}/Function/Resource"),
            ("AwsSolutions-IAM5[Resource::*]", policy),
            (f"AwsSolutions-IAM5[Resource::{arn}:*]", machine_policy),
            *((f"AwsSolutions-IAM5[Resource::{bucket}/{p}*]", policy) for p in step_prefixes),
        }
    return found
