"""Scheme broadcasts run by the stack: a schedule in calling hours invokes one function at a
time, which may read notices and subscribers, claim sends, take SMS tokens and text phone
numbers, and nothing else (issue 11)."""

from __future__ import annotations

import json

import pytest

from infra.constructs.scheme_broadcast import SCHEDULE
from samvad import resources
from tests.infra.conftest import Synthesis, actions_by_resource, get_att, props, role_statements

pytestmark = pytest.mark.infra


def test_a_schedule_in_calling_hours_runs_one_broadcast_at_a_time(synth: Synthesis) -> None:
    """Given the stack, Then a schedule every half hour from 09:00 to 20:30 India time
    invokes the broadcast function (with a dead-letter queue), which runs one at a time."""
    broadcast = synth.stack.scheme_broadcast
    schedule = props(synth, broadcast.schedule)
    assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
        SCHEDULE, "Asia/Kolkata")  # fmt: skip
    target = schedule["Target"]
    assert target["Arn"] == get_att(synth, broadcast.function)
    assert target["DeadLetterConfig"] == {
        "Arn": get_att(synth, broadcast.schedule_dead_letter_queue)
    }
    function = props(synth, broadcast.function)
    assert function["ReservedConcurrentExecutions"] == 1 and function["Timeout"] == 900
    env = function["Environment"]["Variables"]
    assert {
        resources.CONFIG.env_var,
        resources.CONTACTS.env_var,
        resources.RATE_LIMITS.env_var,
    } <= set(env)
    assert resources.VISITS.env_var not in env


def test_the_broadcast_role_holds_exactly_what_a_broadcast_needs(synth: Synthesis) -> None:
    broadcast, store = synth.stack.scheme_broadcast, synth.stack.store
    tables = {name: get_att(synth, table) for name, table in store.tables.items()}
    index = {"Fn::Join": ["", [tables["Contacts"], f"/index/{resources.SCHEME_NEWS_INDEX.name}"]]}
    grant = actions_by_resource(role_statements(synth, broadcast.role))

    def key(resource):
        return json.dumps(resource, sort_keys=True)

    assert grant[key(tables["Config"])] == {"dynamodb:GetItem"}
    assert grant[key(tables["Contacts"])] == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    assert grant[key(tables["RateLimits"])] == {"dynamodb:GetItem", "dynamodb:PutItem"}
    assert grant[key(index)] == {"dynamodb:Query"}
    assert "sns:Publish" in grant[key("*")]  # SMS to phone numbers only (NoTopicPublish)
    assert not any(
        key(t) in grant for n, t in tables.items() if n not in ("Config", "Contacts", "RateLimits")
    )
