"""The escalation stage on the local stack: the same state machine, run by moto's engine.

The definition is the stack's, committed as ``infra/escalation_state_machine.json`` (a test
keeps it equal to what the stack synthesises) with the local names substituted, and is
created on the emulator with ``execute_state_machine`` switched on. moto's EventBridge only
delivers to SQS and Lambda never runs there, so ``EscalationRuntime.pump()`` hands the inbox
and tasks queues to the real ``functions/escalation`` handler, as Lambda's SQS event source
would.

Two ways to let time pass: ``run_until`` on the wall clock (with an SLA compressed by the
execution's time factor; the tests), or ``on_clock`` — the engine waits on a simulated clock
(``samvad_dev.local.engine_clock``) that ``advance`` moves once everything has ``settle``d, so
real SLAs pass in one step and the outcome never depends on the machine's speed (the demo).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from typing import Any

from samvad import clock, resources
from samvad_dev.local import engine_clock
from samvad_dev.local.names import ACCOUNT, REGION, REPO_ROOT, Names

TEMPLATE = REPO_ROOT / "infra" / "escalation_state_machine.json"
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}


def inbox_queue(names: Names) -> str:
    return names.inbox_queue


def tasks_queue(names: Names) -> str:
    return names.tasks_queue


def topic_name(names: Names) -> str:
    return names.notices_topic


def topic_arn(names: Names) -> str:
    return names.notices_topic_arn


def definition(names: Names, dispatch_queue_url: str) -> str:
    """The committed definition with this stack's names in its ``${…}`` placeholders."""
    values = PSEUDO | {
        "AWS::AccountId": names.account,
        "CasesTable": names.table(resources.CASES),
        "NoticesTopicArn": names.notices_topic_arn,
        "EventBusArn": names.bus_arn,
        "DispatchQueueUrl": dispatch_queue_url,
    }
    return re.sub(r"\$\{([A-Za-z:]+)\}", lambda m: values[m.group(1)], TEMPLATE.read_text())


class EscalationRuntime:
    """Creates the state machine and delivers the stage's queues."""

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        names = cloud.names
        self.queue_urls = {q: cloud.queue_urls[q] for q in (names.inbox_queue, names.tasks_queue)}
        self.queues = [cloud.queue(q, "escalation") for q in self.queue_urls]
        self.arn = names.state_machine_arn
        self.clock: engine_clock.EngineClock | None = None
        self._time_before: dt.datetime | None = None
        self._enable_execution()
        cloud.client("stepfunctions").create_state_machine(
            name=names.state_machine,
            definition=definition(names, cloud.queue_urls[names.dispatch_queue]),
            roleArn=f"arn:aws:iam::{names.account}:role/samvad-{names.stage}-escalation",
        )

    def _enable_execution(self) -> None:
        if self.cloud.in_process:
            return  # mock_aws(config=…) has it on
        request = urllib.request.Request(
            f"{self.cloud.endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()

    def pump(self) -> Counter:
        """Deliver both queues to the escalation handler until they are empty (a batch of up
        to 10 per invocation); failed records stay on the queue. Counts ``delivered`` and
        ``failed`` records."""
        counts: Counter = Counter()
        while True:
            moved = sum((queue.batch() for queue in self.queues), Counter())
            if not moved:
                return counts
            counts.update(moved)

    def discard(self, queue: str) -> int:
        """Receive and delete every message ``queue`` (this cloud's, by name) holds, unread;
        how many."""
        sqs, url, count = self.cloud.client("sqs"), self.cloud.queue_urls[queue], 0
        while self.held(queue):
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return count
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)
                ],
            )
            count += len(batch)
        return count

    def held(self, queue: str) -> bool:
        """Whether ``queue`` (this cloud's, by name) holds a message to receive now, read in
        moto's state (the cloud's own, in this process) without a ``ReceiveMessage``. Not
        used to skip the stage's own polls: a record handed back for redelivery at once
        (``--faults``) becomes visible a moment later, and a pump that skipped its queue then
        left it for a later step (the faulty demo's figures changed)."""
        from moto.sqs.models import sqs_backends

        held = sqs_backends[self.cloud.account][REGION].queues.get(queue)
        return held is None or bool(held.messages)  # visible and not delayed, as received

    # -- the wall clock (tests, with compressed SLAs) ---------------------------------------

    def run_until(self, done: Callable[[], bool], timeout: float = 60, poll: float = 0.2) -> bool:
        """Pump until ``done()`` (True) or ``timeout`` seconds have passed (False)."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if done():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(poll)

    # -- the simulated clock (the demo) ----------------------------------------------------

    def on_clock(self, start: dt.datetime) -> engine_clock.EngineClock:
        """From now on executions wait on a simulated clock starting at ``start`` (and the
        handlers see it as their time) until ``off_clock``."""
        self.clock = engine_clock.EngineClock(start)
        engine_clock.activate(self.clock)
        self._time_before, self.cloud.simulated_now = self.cloud.simulated_now, start
        return self.clock

    def off_clock(self) -> None:
        """Executions started from now on wait on the wall clock; the handlers' time is
        what it was before ``on_clock``."""
        if self.clock is not None:
            engine_clock.deactivate()
            self.clock = None
            self.cloud.simulated_now = self._time_before

    def settle(self) -> Counter:
        """Pump until the queues are empty and every execution is parked on the clock."""
        assert self.clock is not None, "settle() needs on_clock() first"
        counts: Counter = Counter()
        while True:
            self.clock.wait_idle()
            moved = self.pump()
            if not moved:
                return counts
            counts.update(moved)

    def advance(self, to: dt.datetime) -> int:
        """Move the clock (the engine's and the handlers') to ``to``; the waits ending by then
        time out. Returns how many did."""
        assert self.clock is not None, "advance() needs on_clock() first"
        self.cloud.simulated_now = to
        return self.clock.advance(to)

    # -- inspection -----------------------------------------------------------------------

    def executions(self, status: str | None = None) -> list[dict]:
        client = self.cloud.client("stepfunctions")
        kwargs = {"stateMachineArn": self.arn}
        if status:
            kwargs["statusFilter"] = status
        return [
            e
            for page in client.get_paginator("list_executions").paginate(**kwargs)
            for e in page["executions"]
        ]

    def history(self, case_id: str) -> list[dict]:
        from samvad.escalation.model import execution_name

        arn = self.arn.replace(":stateMachine:", ":execution:") + ":" + execution_name(case_id)
        client = self.cloud.client("stepfunctions")
        return [
            e
            for page in client.get_paginator("get_execution_history").paginate(executionArn=arn)
            for e in page["events"]
        ]

    def stop_all(self) -> None:
        """Stop executions still running (an overdue case waits for a year on AWS)."""
        self.off_clock()
        client = self.cloud.client("stepfunctions")
        for execution in self.executions("RUNNING"):
            client.stop_execution(executionArn=execution["executionArn"], cause="local stop")


def local_ports(cloud: Any) -> Any:
    """The clerk's ports over the local stack (what the CLI and the demo call), on the
    local runtime's clock when it has one."""
    from samvad.adapters.cases import DynamoCases
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.state_machine import StepFunctionsTasks
    from samvad.adapters.visits import DynamoVisits
    from samvad.escalation.cases import EscalationPorts

    env = cloud.env
    return EscalationPorts(
        cases=DynamoCases(env[resources.CASES.env_var], cloud.client("dynamodb")),
        tasks=StepFunctionsTasks(
            env[resources.ESCALATION_STATE_MACHINE_ENV], cloud.client("stepfunctions")
        ),
        phone_of=DynamoVisits(env[resources.VISITS.env_var], cloud.client("dynamodb")).phone,
        config=DynamoConfig(env[resources.CONFIG.env_var], cloud.client("dynamodb")),
        clock=lambda: cloud.simulated_now or clock.now(),
    )
