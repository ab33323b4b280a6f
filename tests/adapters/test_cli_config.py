"""``samvad config publish`` and ``samvad directory load`` against the stack (moto in-process):
the documents intake's department and office checks read."""

from __future__ import annotations

import json

import boto3

from samvad import cli, resources
from samvad.adapters.config import DynamoConfig
from tests.adapters.test_intake_handler import Context, put, s3_message, sqs_event
from tests.conftest import load_handler

DIRECTORY = {
    "officials": {
        "cmo": {"name": "CM's grievance cell", "email": "cmo@example.org"},
        "head-1": {"name": "Head, CHC Tangi", "phone": "+919876543210"},
    },
    "office_heads": {"HLT-KHU-001": "head-1"},
    "cm_office": "cmo",
    "offices": {"health": ["HLT-KHU-001"]},
}


def test_a_published_departments_document_decides_who_may_upload(stack, tmp_path, capsys):
    """Given `samvad config publish departments` with only tourism, When a health file
    arrives, Then intake quarantines it naming tourism as the known department."""
    document = tmp_path / "departments.json"
    document.write_text(json.dumps({"departments": {"tourism": {"name": "Tourism"}}}))

    assert cli.main(["config", "publish", "departments", str(document)]) == 0

    assert json.loads(capsys.readouterr().out) == {"name": "departments", "version": 1}
    etag, _ = put(stack, "uploads/health/day.csv")
    load_handler("intake").lambda_handler(
        sqs_event(s3_message(stack.bucket, "uploads/health/day.csv", etag)), Context()
    )
    body = boto3.client("s3").get_object(
        Bucket=stack.bucket, Key="reports/intake/health/day.csv.json"
    )["Body"]
    report = json.loads(body.read())
    assert report["quarantine_code"] == "unknown_department"
    assert report["quarantine_reason"].endswith(
        "known departments: tourism; upload under one of their folders"
    )


def test_directory_load_publishes_the_offices_intake_checks(stack, tmp_path, capsys, monkeypatch):
    """Given a directory with an offices section, When loaded, Then it is the published
    escalation directory (offices included) and each official is subscribed once."""
    topic = boto3.client("sns").create_topic(Name="case-notices")["TopicArn"]
    monkeypatch.setenv(resources.CASE_NOTICES_TOPIC_ENV, topic)
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(DIRECTORY))

    assert cli.main(["directory", "load", str(path)]) == 0

    printed = json.loads(capsys.readouterr().out)
    assert (printed["version"], printed["subscriptions_added"]) == (1, 2)
    published = DynamoConfig(stack.table(resources.CONFIG)).latest("escalation/directory")
    assert published["offices"] == {"health": ["HLT-KHU-001"]}
