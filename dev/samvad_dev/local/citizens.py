"""A population of simulated citizens who answer (or not) the calls and SMS of the local run.

Calls: the notify function "dials" by queueing the call (``adapters.simulated``); for each,
a citizen answers, does not answer or is busy, with the population's rates. One who answers
goes through the real survey flow, played by ``local.contact_flow`` as Amazon Connect would
run it — every feedback-function block invokes the feedback handler with Connect's
``ContactFlowEvent`` — pressing the keys this citizen chooses, and the end of every call is
published as Connect's DISCONNECTED contact event on the default bus, which routes it to the
dispatch queue.

SMS: each SMS moto recorded is read once; a citizen replies by SMS (an SNS two-way
message, with ``previousPublishedMessageId``), opens the link and submits the web form
(function-URL requests), replies STOP, or ignores it.

Every decision is drawn from ``random.Random(seed | contact)`` (the call's contact id, or the
SMS's number and text less its random link): the same seed gives the same citizens, whatever
the order of events.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
import re
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass

from samvad.adapters import simulated
from samvad_dev.local.cloud import ACCOUNT, REGION, REPO_ROOT, LocalCloud
from samvad_dev.local.contact_flow import run_flow

LINK = re.compile(r"\S+/f/([A-Za-z0-9_-]+)")


@functools.cache
def survey_flow() -> dict:
    """The deployed survey flow, with a stand-in for the feedback function's ARN."""
    text = (REPO_ROOT / "infra" / "connect" / "survey_flow.json").read_text()
    return json.loads(text.replace("${FeedbackFunctionArn}", "local:feedback"))


@dataclass(frozen=True)
class Population:
    """Behaviour rates of the simulated citizens."""

    answer: float = 0.55
    busy: float = 0.10
    stop: float = 0.02
    sms_reply: float = 0.40
    sms_link: float = 0.20
    ratings: tuple[float, ...] = (0.08, 0.07, 0.15, 0.35, 0.35)
    work_not_done: float = 0.12
    money_asked: float = 0.04
    wants_officer: float = 0.03
    resolved: float = 0.6
    seed: int = 7

    def rng(self, *parts: object) -> random.Random:
        return random.Random("|".join(map(str, (self.seed, *parts))))


class Citizens:
    def __init__(self, cloud: LocalCloud, population: Population | None = None):
        self.cloud = cloud
        self.population = population or Population()
        self.seen_sms: set[str] = set()
        self.counts: Counter = Counter()

    # -- calls ----------------------------------------------------------------------------

    def answer_calls(self) -> int:
        sqs = self.cloud.client("sqs")
        url = self.cloud.queue_urls[self.cloud.names.calls_queue]
        handled = 0
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return handled
            for message in batch:
                self._call(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                handled += 1

    def _call(self, call: dict) -> None:
        attributes = call["attributes"]
        rng = self.population.rng(call["contact_id"])
        roll = rng.random()
        now = self._now()
        detail = {
            "eventType": "DISCONNECTED",
            "contactId": call["contact_id"],
            "channel": "VOICE",
            "initiationMethod": "API",
            "instanceArn": f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/local-simulator",
            "initiationTimestamp": now.isoformat(),
            "disconnectTimestamp": (now + dt.timedelta(minutes=2)).isoformat(),
        }
        if roll < self.population.answer:
            self.counts["calls_answered"] += 1
            detail["connectedToSystemTimestamp"] = now.isoformat()
            detail["disconnectReason"] = "CONTACT_FLOW_DISCONNECT"
            self._survey_by_phone(call, attributes, rng)
        elif roll < self.population.answer + self.population.busy:
            self.counts["calls_busy"] += 1
            detail["disconnectReason"] = "TELECOM_BUSY"
        else:
            self.counts["calls_unanswered"] += 1
            detail["disconnectReason"] = "TELECOM_TIMEOUT"
        simulated.ENDED[call["contact_id"]] = detail
        self.cloud.client("events").put_events(
            Entries=[
                {
                    "Source": "aws.connect",
                    "DetailType": "Amazon Connect Contact Event",
                    "Detail": json.dumps(detail),
                    "Resources": [detail["instanceArn"]],
                }
            ]
        )

    def _survey_by_phone(self, call: dict, attributes: dict, rng: random.Random) -> None:
        """Play the call through the real survey flow (``infra/connect/survey_flow.json``),
        pressing the keys this citizen would; the flow invokes the feedback handler."""
        if rng.random() < self.population.stop:
            self.counts["ivr_opt_outs"] += 1
            keys = ["8"]
        elif attributes.get("kind") == "confirmation":
            keys = ["1" if rng.random() < self.population.resolved else "2"]
        else:
            answers = self._answers(rng)
            keys = [
                "2" if answers["work_not_done"] else "1",
                str(answers["rating"]),
                "1" if answers["money_asked"] else "2",
                "9" if answers["officer"] else "",
                "#",  # ends the voice note, if one was offered
            ]
        run = run_flow(
            survey_flow(),
            lambda parameters, attrs: self._connect(call, attrs, parameters),
            keys,
            attributes,
        )
        if not run.invocations or run.invocations[0].get("action") != "prompts":
            raise RuntimeError("the survey flow did not fetch its prompts first")

    def _connect(self, call: dict, attributes: dict, parameters: dict) -> dict:
        event = {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    "Attributes": attributes,
                    "Channel": "VOICE",
                    "ContactId": call["contact_id"],
                    "CustomerEndpoint": {"Address": call["phone"], "Type": "TELEPHONE_NUMBER"},
                    "InitialContactId": call["contact_id"],
                    "InitiationMethod": "API",
                    "InstanceARN": f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/local-simulator",
                    "SystemEndpoint": {"Address": "+918000000000", "Type": "TELEPHONE_NUMBER"},
                },
                "Parameters": parameters,
            },
        }
        return self.cloud.invoke("feedback", event)

    # -- SMS ------------------------------------------------------------------------------

    def answer_sms(self) -> int:
        handled = 0
        for message_id, phone, text in self._new_sms():
            match = LINK.search(text)
            if match is None:
                continue  # an acknowledgement, not a question
            handled += 1
            self.counts["sms_received"] += 1
            # the number and what the message says, not its random link token or message id
            rng = self.population.rng(phone, LINK.sub("", text))
            roll = rng.random()
            confirmation = self._is_confirmation(match.group(1))
            if roll < self.population.stop:
                self.counts["sms_stop"] += 1
                self._reply(phone, message_id, "STOP")
            elif roll < self.population.stop + self.population.sms_reply:
                self.counts["sms_replies"] += 1
                self._reply(phone, message_id, self._reply_text(rng, confirmation))
            elif roll < self.population.stop + self.population.sms_reply + self.population.sms_link:
                self.counts["web_forms"] += 1
                self._web_form(match.group(1), rng)
            else:
                self.counts["sms_ignored"] += 1
        return handled

    def _new_sms(self) -> list[tuple[str, str, str]]:
        from moto.sns.models import sns_backends

        found = []
        for message_id, (phone, text) in list(
            sns_backends[self.cloud.account][REGION].sms_messages.items()
        ):
            if message_id not in self.seen_sms:
                self.seen_sms.add(message_id)
                found.append((message_id, phone, text))
        return found

    def _is_confirmation(self, token: str) -> bool:
        """What the citizen reads in the SMS: a question about a case, or about a visit."""
        page = self.cloud.invoke("feedback", function_url_event("GET", f"/f/{token}"))
        return page["statusCode"] == 200 and 'name="resolved"' in page["body"]

    def _reply_text(self, rng: random.Random, confirmation: bool) -> str:
        if confirmation:
            return "1" if rng.random() < self.population.resolved else "2"
        answers = self._answers(rng)
        text = f"{answers['rating']} {'N' if answers['work_not_done'] else 'Y'}"
        return text + (" M" if answers["money_asked"] else "")

    def _reply(self, phone: str, message_id: str, body: str) -> None:
        inbound = {
            "originationNumber": phone,
            "destinationNumber": "+918000000000",
            "messageKeyword": "SAMVAD",
            "messageBody": body,
            "inboundMessageId": str(uuid.uuid4()),
            "previousPublishedMessageId": message_id,
        }
        self.cloud.invoke("feedback", sns_event(inbound))

    def _web_form(self, token: str, rng: random.Random) -> None:
        page = self.cloud.invoke("feedback", function_url_event("GET", f"/f/{token}"))
        if page["statusCode"] != 200:
            self.counts[f"web_form_{page['statusCode']}"] += 1
            return
        if 'name="resolved"' in page["body"]:
            fields = {"token": token, "resolved": "yes" if rng.random() < 0.6 else "no"}
        else:
            answers = self._answers(rng)
            fields = {
                "token": token,
                "rating": str(answers["rating"]),
                "work_done": "no" if answers["work_not_done"] else "yes",
                "bribe_asked": "yes" if answers["money_asked"] else "no",
                "free_text": "",
            }
        body = urllib.parse.urlencode(fields)
        self.cloud.invoke("feedback", function_url_event("POST", f"/f/{token}", body=body))

    # -- an official's call from the call desk --------------------------------------------

    def answer_official(self, visit_key: str, attempt: int) -> tuple[str, dict | None]:
        """Whether the citizen picks up an official's call (attempt ``attempt`` of the call
        desk), with the population's rates, and what they say if they do:
        ``("answered", answers)``, ``("busy", None)`` or ``("no_answer", None)``."""
        rng = self.population.rng("desk", visit_key, attempt)
        roll = rng.random()
        if roll < self.population.answer:
            return "answered", self._answers(rng)
        if roll < self.population.answer + self.population.busy:
            return "busy", None
        return "no_answer", None

    # -- shared ---------------------------------------------------------------------------

    def _answers(self, rng: random.Random) -> dict:
        rating = rng.choices(range(1, 6), weights=self.population.ratings)[0]
        return {
            "rating": rating,
            "work_not_done": rng.random() < self.population.work_not_done,
            "money_asked": rng.random() < self.population.money_asked,
            "officer": rng.random() < self.population.wants_officer,
        }

    def _now(self) -> dt.datetime:
        return self.cloud.simulated_now or dt.datetime.now(dt.UTC)


def sns_event(inbound: dict) -> dict:
    """The Lambda event SNS delivers for one message on the two-way SMS topic."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:sms-replies:local",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:sms-replies",
                    "Message": json.dumps(inbound),
                    "Timestamp": dt.datetime.now(dt.UTC).isoformat(),
                    "MessageAttributes": {},
                },
            }
        ]
    }


def function_url_event(method: str, path: str, query: str = "", body: str = "") -> dict:
    """A Lambda function URL request (payload format 2.0)."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "queryStringParameters": dict(urllib.parse.parse_qsl(query)) or None,
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "host": "feedback.lambda-url.ap-south-1.on.aws",
        },
        "requestContext": {
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "samvad-simulator",
            },
            "domainName": "feedback.lambda-url.ap-south-1.on.aws",
        },
        "body": body,
        "isBase64Encoded": False,
    }
