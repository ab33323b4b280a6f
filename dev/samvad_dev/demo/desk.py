"""The demo's call desk: simulated officials work the human callers' lists of the day.

Every caller of the sampling plan whose channel is ``official_call`` (the CMO, ministers,
district officials) has a list the sampler wrote and the dispatcher never sees. Here that
official, signed in with their role and scope (the claims API Gateway's JWT authorizer
passes on), opens the call desk (``GET /api/calls``) and records what each call gave
(``POST /api/calls/{visit}/outcome``) through the real workspace function, its wiring and
the ``samvad.workspace.calls`` domain. Whether the citizen picks up, and what they say, is
drawn from the seed (``Citizens.answer_official``). A no-answer or busy is handed back by
the workspace's one-time schedule, which the contact day's loop fires when due; the official
looks at the list again then. After the last unanswered attempt the workspace hands the SMS
survey to the dispatcher, which sends it in the same loop.

A request that fails (``--faults``) is made again after the list is read again, as an
official would after an error page: the workspace's idempotence does the rest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from samvad import resources
from samvad.sampling.plan import Caller, SamplingPlan, default_plan_document
from samvad_dev.local.authorizer import authorized_event
from samvad_dev.local.citizens import Citizens
from samvad_dev.local.cloud import LocalCloud

DESK_CHANNEL = "official_call"
CALLABLE = ("to_call", "retry")
TRIES = 5
"""Times an official sends a request that failed before leaving that call for the round."""
ROLE_BY_PREFIX = (("cmo", "cmo"), ("minister-", "minister"), ("secretary-", "secretary"),
                  ("collector-", "collector"), ("sp-", "sp"))  # fmt: skip
"""The plan's caller ids (``samvad/sampling/default_plan.json``) → the workspace role."""


@dataclass
class DeskOfficial:
    caller: str
    claims: dict[str, Any]
    look_at: dt.datetime | None = None
    """When the list has a call to make again (a hand-back's return); None: look now."""
    done: bool = False


def claims_of(caller: Caller) -> dict[str, Any]:
    """The ID token's claims of the official behind a plan's caller: their role group,
    directory entry and scope (``samvad.workspace.roles.official_from_claims`` reads them)."""
    role = next((r for prefix, r in ROLE_BY_PREFIX if caller.id.startswith(prefix)), "caller")
    claims: dict[str, Any] = {
        "cognito:groups": [role],
        "token_use": "id",
        "custom:official_id": caller.id,
    }
    if caller.department:
        claims["custom:department"] = caller.department
    if caller.district:
        claims["custom:district"] = caller.district
    return claims


class Desks:
    """The day's desk officials; ``work`` is called after every round of the contact day."""

    def __init__(self, cloud: LocalCloud, citizens: Citizens) -> None:
        self.cloud = cloud
        self.citizens = citizens
        self.counts: Counter[str] = Counter()
        self.officials = [
            DeskOfficial(c.id, claims_of(c))
            for c in _plan(cloud).callers
            if c.channel == DESK_CHANNEL
        ]

    def work(self) -> None:
        now = self.cloud.simulated_now
        for official in self.officials:
            if official.done or (official.look_at and now and official.look_at > now):
                continue
            self._work_list(official)

    def summary(self) -> dict:
        return {
            "lists": self.counts["lists"],
            "calls_on_lists": self.counts["calls_on_lists"],
            "calls_made": self.counts["calls_made"],
            "answered": self.counts["answered"],
            "handed_back": self.counts["handed_back"],
            "sms_fallbacks": self.counts["sms_fallbacks"],
            "unreachable": self.counts["unreachable"],
        }

    def _work_list(self, official: DeskOfficial) -> None:
        listing = self._request(official, "GET", "/api/calls")
        if listing is None:
            return  # the desk did not open: the next round tries again
        if official.look_at is None and not official.done and listing["total"]:
            self.counts["lists"] += 1
            self.counts["calls_on_lists"] += listing["total"]
        returns = []
        for call in listing["calls"]:
            if call["status"] in CALLABLE:
                result = self._call(official, call)
                if result and result.get("retry_at"):
                    returns.append(result["retry_at"])
            elif call["status"] == "requeued" and call.get("retry_at"):
                returns.append(call["retry_at"])
        official.look_at = _at(min(returns)) if returns else None
        official.done = not returns

    def _call(self, official: DeskOfficial, call: dict) -> dict | None:
        key = call["visit_key"]
        outcome, answers = self.citizens.answer_official(key, int(call["attempts"]) + 1)
        body: dict[str, Any] = {"outcome": outcome}
        if answers is not None:
            body["answers"] = {
                "rating": answers["rating"],
                "work_done": not answers["work_not_done"],
                "bribe_asked": answers["money_asked"],
                "wants_officer": answers["officer"],
            }
        path = f"/api/calls/{key}/outcome"
        for _ in range(TRIES):
            status, result = self._send(official, "POST", path, body)
            if status == 200:
                break
            recorded = self._recorded(official, key)  # an earlier try applied, its answer lost?
            if recorded is not None:
                result = recorded
                break
        else:
            self.counts["requests_failed"] += 1
            return None
        self.counts["calls_made"] += 1
        if outcome == "answered":
            self.counts["answered"] += 1
        elif result.get("retry_at"):
            self.counts["handed_back"] += 1
        elif result.get("sms_fallback"):
            self.counts["sms_fallbacks"] += 1
        else:
            self.counts["unreachable"] += 1
        return result

    def _request(self, official: DeskOfficial, method: str, path: str) -> dict | None:
        """The workspace function's answer, or None when it kept failing."""
        for _ in range(TRIES):
            status, result = self._send(official, method, path)
            if status == 200:
                return result
        self.counts["requests_failed"] += 1
        return None

    def _send(
        self, official: DeskOfficial, method: str, path: str, body: dict | None = None
    ) -> tuple[int, dict]:
        try:
            response = self.cloud.invoke(
                "workspace", authorized_event(official.claims, method, path, body, "10.0.0.1")
            )
        except Exception:  # an injected fault the handler did not turn into a response
            return 500, {}
        status = int(response["statusCode"])
        return status, json.loads(response["body"]) if status == 200 else {}

    def _recorded(self, official: DeskOfficial, key: str) -> dict | None:
        """What the list says of a call whose outcome was stored by a try that failed after
        (``retry_at`` for a hand-back, ``sms_fallback``); None while it is still to make."""
        status, listing = self._send(official, "GET", "/api/calls")
        if status != 200:
            return None
        for call in listing["calls"]:
            if call["visit_key"] == key and call["status"] not in CALLABLE:
                return {"retry_at": call.get("retry_at") if call["status"] == "requeued" else "",
                        "sms_fallback": call["status"] == "sms_sent"}  # fmt: skip
        return None


def _at(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _plan(cloud: LocalCloud) -> SamplingPlan:
    from samvad.adapters.config import DynamoConfig

    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    document = config.latest(resources.SAMPLING_PLAN_CONFIG)
    return SamplingPlan.from_document(document or default_plan_document())
