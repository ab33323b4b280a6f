"""Business metrics: the handlers' EMF lines (stderr), captured and read back, on moto."""

from __future__ import annotations

import json

import pytest

from samvad import telemetry
from samvad_dev.local.citizens import function_url_event, sns_event
from tests.adapters.test_dispatch_handler import sampled, sqs_event
from tests.adapters.test_intake_handler import Context as IntakeContext
from tests.adapters.test_intake_handler import put, s3_message
from tests.adapters.test_intake_handler import sqs_event as intake_event
from tests.adapters.test_sampling_handler import Context
from tests.conftest import load_handler

__all__ = ["sampled"]  # the fixture, imported for the feedback tests


@pytest.fixture(autouse=True)
def emf_outside_lambda(monkeypatch):
    """Print EMF here as Lambda would (the local runtime drops it)."""
    monkeypatch.setenv(telemetry.LOCAL_METRICS_ENV, "true")


def emitted(text: str) -> list[dict]:
    """The EMF documents among the captured lines."""
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"') and line]


def totals(text: str, service: str) -> dict[str, float]:
    """Metric name → the sum of its values in the ``Samvad`` namespace for ``service``."""
    found: dict[str, float] = {}
    for document in emitted(text):
        directives = document["_aws"]["CloudWatchMetrics"]
        assert [d["Namespace"] for d in directives] == [telemetry.NAMESPACE]
        assert document["service"] == service
        for directive in directives:
            for metric in directive["Metrics"]:
                values = document[metric["Name"]]
                found[metric["Name"]] = found.get(metric["Name"], 0) + sum(
                    values if isinstance(values, list) else [values]
                )
    return found


def test_intake_counts_accepted_and_rejected_visits_once(stack, capsys):
    """Given an upload of two good rows and one bad, When its S3 event reaches the intake
    handler and is then replayed, Then the first invocation emits VisitsAccepted 2 and
    VisitsRejected 1 (EMF, namespace Samvad, service intake) and the replay emits nothing."""
    handler = load_handler("intake")
    key = "uploads/health/metrics.csv"
    etag, version = put(stack, key)
    message = s3_message(stack.bucket, key, etag, version)
    capsys.readouterr()

    handler.lambda_handler(intake_event(message), IntakeContext())
    first = capsys.readouterr()
    handler.lambda_handler(intake_event(message), IntakeContext())
    replay = capsys.readouterr()

    assert totals(first.err, "intake") == {"VisitsAccepted": 2, "VisitsRejected": 1}
    assert emitted(first.out) == []  # stdout stays the CLI's
    assert totals(replay.err, "intake") == {}


def test_feedback_counts_each_stored_answer_by_every_route(stack, sampled, capsys):
    """Given an SMS sent to a sampled citizen, When the citizen replies, the same reply is
    delivered again, and a stranger opens a forged link, Then notify emitted SmsSent 1 and
    feedback FeedbackRecorded 1 in all: a repeat and a page view count nothing."""
    notify, feedback = load_handler("dispatch"), load_handler("feedback")
    sms = next(m for m in sampled if m["channel"] == "sms")
    capsys.readouterr()
    notify.lambda_handler(sqs_event(json.dumps(sms)), Context())
    assert totals(capsys.readouterr().err, "dispatch") == {"SmsSent": 1}

    from moto.sns.models import sns_backends

    [(message_id, (phone, _))] = sns_backends["123456789012"]["ap-south-1"].sms_messages.items()
    inbound = {"originationNumber": phone, "messageBody": "1 N"}
    inbound["previousPublishedMessageId"] = message_id
    assert feedback.lambda_handler(sns_event(inbound), Context()) == ["recorded"]
    assert totals(capsys.readouterr().err, "feedback") == {"FeedbackRecorded": 1}

    feedback.lambda_handler(sns_event(inbound), Context())
    feedback.lambda_handler(function_url_event("GET", "/f/forged-token"), Context())
    assert totals(capsys.readouterr().err, "feedback") == {}


@pytest.mark.parametrize(
    ("kind", "event", "result", "statuses"),
    [
        ("connect", {}, {"status": "recorded"}, ["recorded"]),
        ("sms", {}, ["recorded", "not_understood"], ["recorded", "not_understood"]),
        ("web", function_url_event("POST", "/f/abc"), {"statusCode": 200}, ["recorded"]),
        ("web", function_url_event("POST", "/f/abc"), {"statusCode": 409}, []),
        ("web", function_url_event("GET", "/f/abc"), {"statusCode": 200}, []),
        ("web", function_url_event("POST", "/atr/abc"), {"statusCode": 200}, []),
    ],
)
def test_feedback_outcomes_per_route(kind, event, result, statuses):
    """Given each route's result, Then only stored answers read as ``recorded``: a thanked
    form POST, not a form view, a repeat (409) or an official's ATR page."""
    assert telemetry.feedback_statuses(kind, event, result) == statuses


def test_the_local_runtime_prints_no_metrics(stack, capsys, monkeypatch):
    """Given a handler run outside Lambda without SAMVAD_METRICS_LOCAL (the demo), When it
    counts, Then nothing is printed (and nothing is carried into the next invocation)."""
    monkeypatch.delenv(telemetry.LOCAL_METRICS_ENV)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    handler = load_handler("intake")
    etag, version = put(stack, "uploads/health/quiet.csv")
    capsys.readouterr()
    handler.lambda_handler(
        intake_event(s3_message(stack.bucket, "uploads/health/quiet.csv", etag, version)),
        IntakeContext(),
    )
    assert emitted(capsys.readouterr().err) == []
    assert handler.metrics.provider.metric_set == {}
