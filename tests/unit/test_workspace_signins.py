"""Hosted-UI sign-ins audited by Cognito's Post Authentication trigger: the thin handler and
``samvad.workspace.signins`` on a memory audit log."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from samvad.workspace.signins import NotASignIn, record_hosted_sign_in
from tests.workspace_fakes import MemoryAudit

HANDLER = Path(__file__).resolve().parents[2] / "functions" / "signin_audit" / "handler.py"
NOW = dt.datetime(2026, 11, 30, 4, 30, tzinfo=dt.UTC)


def event(user_name: str = "collector.khordha", **attributes: str) -> dict:
    return {
        "version": "1",
        "triggerSource": "PostAuthentication_Authentication",
        "region": "ap-south-1",
        "userPoolId": "ap-south-1_pool",
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown", "clientId": "workspace-client"},
        "request": {
            "userAttributes": {
                "sub": "4f1e-…",
                "email": "collector@example.gov.in",
                "phone_number": "+919876543210",
                "custom:official_id": "collector-khordha",
                "custom:district": "Khordha",
                **attributes,
            },
            "newDeviceUsed": False,
        },
        "response": {},
    }


def test_a_hosted_ui_sign_in_is_one_audit_entry_with_no_phone_or_email():
    """Given Cognito's Post Authentication event, When recorded, Then one ``sign_in`` entry
    names the official, the time and the app client, and holds no phone or e-mail."""
    audit = MemoryAudit()
    entry = record_hosted_sign_in(event(), audit, lambda: NOW)
    assert entry.pop("replayed") is False
    assert audit.entries == [entry]
    assert entry == {
        "at": "2026-11-30T04:30:00Z", "who": "collector-khordha", "role": "",
        "what": "sign_in", "target": "collector.khordha", "from": "hosted_ui",
        "client": "workspace-client", "new_device": False,
    }  # fmt: skip
    assert "9876543210" not in str(entry) and "example.gov.in" not in str(entry)


@pytest.mark.parametrize("later", [0, 4, 9, 14, 29])
@pytest.mark.parametrize("first", [NOW, NOW + dt.timedelta(seconds=28)])
def test_a_retried_trigger_is_one_sign_in(first, later):
    """Given a sign-in already logged, When Cognito retries its trigger (the same event)
    up to 15 s later, even across a time slot's edge, Then nothing more is logged and the
    replay is reported as one."""
    audit = MemoryAudit()
    assert record_hosted_sign_in(event(), audit, lambda: first)["replayed"] is False
    retried = first + dt.timedelta(seconds=later)
    assert record_hosted_sign_in(event(), audit, lambda: retried)["replayed"] is True
    assert len(audit.entries) == 1


def test_sign_ins_of_others_or_later_are_each_logged():
    """Given one sign-in logged, When another user signs in at the same moment, the same
    user signs in through another app client, or the same user signs in a minute later,
    Then each is an entry of its own."""
    audit = MemoryAudit()
    record_hosted_sign_in(event(), audit, lambda: NOW)
    record_hosted_sign_in(event(user_name="sec.health"), audit, lambda: NOW)
    other_client = event()
    other_client["callerContext"]["clientId"] = "another-client"
    record_hosted_sign_in(other_client, audit, lambda: NOW)
    record_hosted_sign_in(event(), audit, lambda: NOW + dt.timedelta(seconds=61))
    assert len(audit.entries) == 4


def test_a_username_that_is_a_phone_number_is_masked():
    entry = record_hosted_sign_in(event(user_name="9876543210"), MemoryAudit(), lambda: NOW)
    assert "9876543210" not in entry["target"] and "•" in entry["target"]


@pytest.mark.parametrize(
    "bad", [{}, {"triggerSource": "PreSignUp_SignUp"}, [], {"triggerSource": None}]
)
def test_another_event_is_refused_and_nothing_is_written(bad):
    audit = MemoryAudit()
    with pytest.raises(NotASignIn):
        record_hosted_sign_in(bad, audit, lambda: NOW)
    assert audit.entries == []


def test_the_handler_returns_the_event_cognito_expects(monkeypatch):
    """Given the trigger's handler, When Cognito invokes it, Then it appends through the
    audit adapter of its table and returns the event unchanged."""
    import samvad.adapters.audit as adapter

    written = []

    class Recording:
        def __init__(self, table, client=None):
            written.append(("table", table))

        def append_once(self, entry, key, unless=()):
            written.append(("entry", entry["who"]))
            return True

    monkeypatch.setattr(adapter, "DynamoAuditLog", Recording)
    monkeypatch.setenv("AUDIT_TABLE", "samvad-test-audit")
    spec = importlib.util.spec_from_file_location("signin_audit_under_test", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    given = event()

    class Context:
        function_name = "signin_audit"
        memory_limit_in_mb = 256
        invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:signin"
        aws_request_id = "test"

    assert module.lambda_handler(given, Context()) == given
    assert written == [("table", "samvad-test-audit"), ("entry", "collector-khordha")]
