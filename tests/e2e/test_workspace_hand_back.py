"""The call desk's hand-back on the local stack: the workspace function (real handler, real
adapters on moto) schedules a no-answer's return to the official's own list, and the local
runtime's serve loop (``WorkspaceFront.pump_once``) fires it when due, as Scheduler would:
the call is back on the list, never on the dispatch queue (the IVR)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from samvad import resources
from samvad.adapters.call_lists import DynamoCallLists
from samvad_dev.local.authorizer import authorized_event
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.dispatching import pending_schedules, queue_depth
from samvad_dev.local.serve import WorkspaceFront

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("workspace-hand-back")]

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
DAY = dt.date(2026, 11, 30)
MORNING = dt.datetime.combine(DAY, dt.time(11, 30), IST)
CMO = {"cognito:groups": ["cmo"], "token_use": "id", "custom:official_id": "cmo"}


def _event(method: str, path: str, body: dict | None = None) -> dict:
    return authorized_event(CMO, method, path, body)


def _call(cloud: LocalCloud, method: str, path: str, body: dict | None = None) -> dict:
    response = cloud.invoke("workspace", _event(method, path, body))
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])


def _desk(cloud: LocalCloud) -> dict[str, tuple[str, int]]:
    calls = _call(cloud, "GET", "/api/calls")["calls"]
    return {c["visit_key"]: (c["status"], c["attempts"]) for c in calls}


def test_a_no_answer_returns_to_the_officials_list_when_due_not_to_the_ivr():
    """Given the CMO's list of two calls on the local stack, When one rings out (no answer)
    and one is busy, Then each is scheduled to return to the CMO's list (the desk shows them
    as handed back); When the serve loop runs 30 minutes later, the busy one is back on the
    list to call again, and 2 hours later the other; nothing reaches the dispatch queue."""
    with LocalCloud(stage="handback") as cloud:
        DynamoCallLists(cloud.env[resources.CALL_LISTS.env_var], cloud.client("dynamodb")).write(
            DAY.isoformat(),
            [
                {"caller": "cmo", "visit_key": key, "channel": "official_call",
                 "stratum": "health#Khordha", "visit_date": "2026-11-29", "district": "Khordha",
                 "language": "or"}
                for key in ("v-1", "v-2")
            ],
        )  # fmt: skip
        cloud.simulated_now = MORNING
        assert _desk(cloud) == {"v-1": ("to_call", 0), "v-2": ("to_call", 0)}
        gone = _call(cloud, "POST", "/api/calls/v-1/outcome", {"outcome": "no_answer"})
        busy = _call(cloud, "POST", "/api/calls/v-2/outcome", {"outcome": "busy"})
        assert (gone["retry_at"], busy["retry_at"]) == ("2026-11-30T08:00:00Z",
                                                        "2026-11-30T06:30:00Z")  # fmt: skip
        assert _desk(cloud) == {"v-1": ("requeued", 1), "v-2": ("requeued", 1)}
        assert len(pending_schedules(cloud)) == 2
        front = WorkspaceFront(cloud, authorizer=None)  # type: ignore[arg-type]
        for minutes, expected in (
            (29, {"v-1": ("requeued", 1), "v-2": ("requeued", 1)}),
            (31, {"v-1": ("requeued", 1), "v-2": ("retry", 1)}),
            (121, {"v-1": ("retry", 1), "v-2": ("retry", 1)}),
        ):
            front.clock = lambda m=minutes: MORNING + dt.timedelta(minutes=m)
            front.pump_once()
            cloud.simulated_now = front.clock()
            assert _desk(cloud) == expected, minutes
        assert pending_schedules(cloud) == []
        assert queue_depth(cloud, cloud.names.dispatch_queue) == 0
        again = _call(cloud, "POST", "/api/calls/v-2/outcome", {"outcome": "no_answer"})
        assert again["attempt"] == 2 and again["retry_at"]
        assert _desk(cloud)["v-2"] == ("requeued", 2)
