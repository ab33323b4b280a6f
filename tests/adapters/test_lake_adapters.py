"""The lake on moto (S3 buffer, partitions, the handler replayed) and Athena (botocore Stubber)."""

from __future__ import annotations

import datetime as dt
import io
import json

import boto3
import pyarrow.parquet as pq
import pytest
from botocore.stub import Stubber

from samvad import resources
from samvad.adapters.athena import AthenaLake
from samvad.lake.facts import fact_for
from samvad.lake.query import QueryError
from samvad.lake.wiring import ports_from_env
from samvad_dev.demo import report_events as ev
from samvad_dev.local.cloud import REGION, LambdaContext
from tests.conftest import load_handler

DAY = dt.date(2026, 11, 23)
BUCKET = "samvad-test-data"
OFFICE = ev.offices(1, 1)[0]


@pytest.fixture
def bucket(aws, monkeypatch):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    monkeypatch.setenv(resources.DATA_BUCKET_ENV, BUCKET)
    ports_from_env.cache_clear()  # clients from an earlier test point at a closed mock
    yield s3
    ports_from_env.cache_clear()


def _batch(events: list[dict]) -> dict:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": json.dumps(event),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:samvad-test-lake",
                "awsRegion": REGION,
            }
            for i, event in enumerate(events)
        ]
    }


def _keys(s3, prefix: str) -> list[str]:
    return sorted(
        o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    )


def test_handler_buffers_replayed_events_once_and_the_schedule_exports_them(bucket) -> None:
    """Given a batch of feedback and contact events delivered twice to the lake handler, when
    the daily schedule fires on the 24th (India time), then the 23rd's partitions hold each fact
    once, with the day's sampler selection; firing again replaces, never adds, objects."""
    handler = load_handler("lake")
    keys = [ev.visit_key(OFFICE, DAY, n) for n in range(4)]
    events = [
        ev.envelope(resources.FEEDBACK_RECORDED, ev.feedback(OFFICE, k, DAY, 5, True)) for k in keys
    ] + [ev.envelope(resources.CONTACT_OUTCOME, ev.outcome(OFFICE, keys[0], DAY, "answered"))]
    for _ in range(2):
        assert handler.lambda_handler(_batch(events), LambdaContext("lake")) == {
            "batchItemFailures": []
        }
    assert len(_keys(bucket, resources.LAKE_BUFFER_PREFIX)) == 2  # a table's day: one object
    selection = {
        "run_date": DAY.isoformat(),
        "selected": [{"visit_key": keys[0], "stratum": "a#b#c"}],
    }
    bucket.put_object(
        Bucket=BUCKET,
        Key=f"{resources.SAMPLES_PREFIX}{DAY}/selection.json",
        Body=json.dumps(selection),
    )
    schedule = {"scheduled_time": "2026-11-24T01:00:00Z"}  # 06:30 IST on the 24th
    result = handler.lambda_handler(schedule, LambdaContext("lake"))
    assert [r["date"] for r in result["exported"]] == ["2026-11-21", "2026-11-22", "2026-11-23"]
    assert result["exported"][-1]["rows"] == {
        "samples": 1, "contacts": 1, "feedback": 4, "case_events": 0,
    }  # fmt: skip
    first = _keys(bucket, resources.LAKE_PREFIX)
    handler.lambda_handler(schedule, LambdaContext("lake"))
    assert _keys(bucket, resources.LAKE_PREFIX) == first
    body = bucket.get_object(Bucket=BUCKET, Key=f"lake/feedback/date={DAY}/part-00000.parquet")
    table = pq.read_table(io.BytesIO(body["Body"].read()))
    assert sorted(table.column("visit_key").to_pylist()) == sorted(keys)


def test_facts_redelivered_in_other_batches_and_the_earlier_layout_are_exported_once(
    bucket,
) -> None:
    """Given a fact buffered in the earlier layout (one object named after its key), and
    feedback delivered in one batch and again split across two others, When the day is
    exported, Then each fact is in the partition once."""
    handler = load_handler("lake")
    details = [ev.feedback(OFFICE, ev.visit_key(OFFICE, DAY, n), DAY, 5, True) for n in range(4)]
    events = [ev.envelope(resources.FEEDBACK_RECORDED, d) for d in details]
    for batch in (events, events[:1], events[1:]):
        assert handler.lambda_handler(_batch(batch), LambdaContext("lake")) == {
            "batchItemFailures": []
        }
    earlier = fact_for(resources.FEEDBACK_RECORDED, ev.feedback(OFFICE, "k-old", DAY, 3, True))
    assert earlier is not None
    bucket.put_object(
        Bucket=BUCKET,
        Key=f"{resources.LAKE_BUFFER_PREFIX}feedback/date={DAY}/{earlier.key}.json",
        Body=json.dumps(earlier.row),
    )
    assert len(_keys(bucket, resources.LAKE_BUFFER_PREFIX)) == 4
    result = handler.lambda_handler({"date": DAY.isoformat()}, LambdaContext("lake"))
    assert result["exported"][0]["rows"]["feedback"] == 5
    body = bucket.get_object(Bucket=BUCKET, Key=f"lake/feedback/date={DAY}/part-00000.parquet")
    exported = pq.read_table(io.BytesIO(body["Body"].read())).column("visit_key").to_pylist()
    assert sorted(exported) == sorted([d["visit_key"] for d in details] + ["k-old"])


def test_a_malformed_event_fails_alone(bucket) -> None:
    """Given a batch with one feedback whose rating is 9 and a body that is not JSON, then
    only those records are reported as failed (they go back to the queue, then the DLQ) and
    their neighbour is buffered."""
    handler = load_handler("lake")
    good = ev.feedback(OFFICE, "k-good", DAY, 4, True)
    bad = ev.feedback(OFFICE, "k-bad", DAY, 4, True) | {"rating": 9}
    batch = _batch([ev.envelope(resources.FEEDBACK_RECORDED, d) for d in (good, bad, good)])
    batch["Records"][2]["body"] = '{"detail-type": '
    assert handler.lambda_handler(batch, LambdaContext("lake")) == {
        "batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]
    }
    assert len(_keys(bucket, resources.LAKE_BUFFER_PREFIX)) == 1


# -- Athena ----------------------------------------------------------------------------------


def _athena() -> tuple[AthenaLake, Stubber]:
    client = boto3.client(
        "athena", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    return AthenaLake("samvad_test_lake", "samvad-test-lake", client, sleep=lambda _: None), stubber


def _status(state: str, reason: str = "") -> dict:
    status = {"State": state} | ({"StateChangeReason": reason} if reason else {})
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": status}}


def test_athena_runs_in_the_workgroup_waits_and_types_the_rows() -> None:
    """Given a query Athena runs for two polls, when AthenaLake runs it, then it is started in
    the workgroup against the database, and the rows (header dropped, two pages) come back
    with numbers as numbers and NULL as None."""
    lake, stubber = _athena()
    sql = "SELECT service, count(*) AS n FROM feedback GROUP BY service"
    stubber.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q-1"},
        {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": "samvad_test_lake"},
            "WorkGroup": "samvad-test-lake",
        },
    )
    stubber.add_response("get_query_execution", _status("RUNNING"), {"QueryExecutionId": "q-1"})
    stubber.add_response("get_query_execution", _status("SUCCEEDED"), {"QueryExecutionId": "q-1"})
    columns = [{"Name": "service", "Type": "varchar"}, {"Name": "n", "Type": "bigint"}]

    def page(rows: list[list[str | None]], token: str | None) -> dict:
        data = [{"Data": [{} if v is None else {"VarCharValue": v} for v in r]} for r in rows]
        return {"ResultSet": {"Rows": data, "ResultSetMetadata": {"ColumnInfo": columns}}} | (
            {"NextToken": token} if token else {}
        )

    stubber.add_response(
        "get_query_results", page([["service", "n"], ["a", "3"]], "t2"), {"QueryExecutionId": "q-1"}
    )
    stubber.add_response(
        "get_query_results",
        page([[None, "1"]], None),
        {"QueryExecutionId": "q-1", "NextToken": "t2"},
    )
    with stubber:
        assert lake.run(sql) == (["service", "n"], [["a", 3], [None, 1]])
    stubber.assert_no_pending_responses()


def test_athena_failures_are_query_errors() -> None:
    """Given SQL Athena refuses at once (InvalidRequestException) or fails while running
    (FAILED with a reason), then each is a QueryError with Athena's reason on one line."""
    lake, stubber = _athena()
    stubber.add_client_error(
        "start_query_execution", "InvalidRequestException", "line 1:1: mismatched input 'SELEC'"
    )
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stubber.add_response(
        "get_query_execution",
        _status("FAILED", "Query exhausted resources\nor scanned too much"),
        {"QueryExecutionId": "q-1"},
    )
    with stubber:
        with pytest.raises(QueryError, match="mismatched input"):
            lake.run("SELEC 1")
        with pytest.raises(
            QueryError, match=r"^Athena failed: Query exhausted resources or scanned"
        ):
            lake.run("SELECT * FROM feedback")


def test_query_athena_without_the_stack_names_is_a_usage_error(monkeypatch, capsys) -> None:
    """Given no $LAKE_DATABASE, when `samvad query --athena` runs, then exit 2 names it."""
    from samvad.cli import main

    monkeypatch.delenv(resources.LAKE_DATABASE_ENV, raising=False)
    assert main(["query", "SELECT 1", "--athena"]) == 2
    assert resources.LAKE_DATABASE_ENV in capsys.readouterr().err


def test_query_athena_prints_rows_and_refused_sql_is_a_usage_error(capsys) -> None:
    """Given `samvad query --athena` on a stubbed Athena, when the SQL succeeds then the rows
    are printed as JSON lines; when Athena refuses it then the command raises the one-line
    usage error that main turns into exit 2."""
    from samvad.cli import build_parser
    from samvad.cli_input import UsageError
    from samvad.lake.cli import run_query

    lake, stubber = _athena()
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stubber.add_response("get_query_execution", _status("SUCCEEDED"))
    columns = [{"Name": "ok", "Type": "boolean"}]
    rows = [{"Data": [{"VarCharValue": "ok"}]}, {"Data": [{"VarCharValue": "true"}]}]
    stubber.add_response(
        "get_query_results",
        {"ResultSet": {"Rows": rows, "ResultSetMetadata": {"ColumnInfo": columns}}},
    )
    stubber.add_client_error("start_query_execution", "InvalidRequestException", "bad\nsql")
    parse = build_parser().parse_args
    with stubber:
        assert (
            run_query(parse(["query", "--athena", "SELECT true AS ok", "--format", "jsonl"]), lake)
            == 0
        )
        assert capsys.readouterr().out == '{"ok": true}\n'
        with pytest.raises(UsageError, match=r"^samvad query: .*bad sql"):
            run_query(parse(["query", "--athena", "SELEC"]), lake)
