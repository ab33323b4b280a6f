"""Local routing for dispatch: the dispatch queue → notify, and EventBridge Scheduler's
one-time schedules fired on the local runtime's (simulated) clock.

moto stores schedules but never fires them (EMULATOR.md), so ``fire_schedules`` does what
Scheduler would: at the schedule's time, put its input on its target queue, then delete it
(``ActionAfterCompletion=DELETE``); a universal target's API call is made instead.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable

from botocore import xform_name

from samvad import resources
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.names import queue_arn

TICK = dt.timedelta(minutes=5)


def pump_dispatch(cloud: LocalCloud, batch_size: int = 10) -> Counter:
    """Deliver the dispatch queue to notify in batches until it is empty; count outcomes."""
    return cloud.queue(cloud.names.dispatch_queue, "dispatch", batch_size).drain()


def pending_schedules(cloud: LocalCloud) -> list[tuple[dt.datetime, str]]:
    """``(when, name)`` of every one-time dispatch schedule not yet fired, soonest first.

    Each schedule is read once (ListSchedules does not return its time or target) and kept in
    ``cloud.schedules``: schedules are created once and deleted when fired.
    """
    scheduler = cloud.client("scheduler")
    found = []
    pages = scheduler.get_paginator("list_schedules").paginate(
        GroupName=resources.DISPATCH_SCHEDULE_GROUP
    )
    for page in pages:
        for summary in page["Schedules"]:
            name = summary["Name"]
            if name not in cloud.schedules:
                cloud.schedules[name] = scheduler.get_schedule(
                    Name=name, GroupName=resources.DISPATCH_SCHEDULE_GROUP
                )
            found.append((_at(cloud.schedules[name]["ScheduleExpression"]), name))
    return sorted(found)


def fire_schedules(cloud: LocalCloud, until: dt.datetime) -> int:
    """Fire every dispatch schedule due by ``until``, as Scheduler would; return how many."""
    scheduler = cloud.client("scheduler")
    sqs = cloud.client("sqs")
    urls = {queue_arn(name, cloud.account): url for name, url in cloud.queue_urls.items()}
    fired = 0
    for when, name in pending_schedules(cloud):
        if when > until:
            break
        target = cloud.schedules.pop(name)["Target"]
        if target["Arn"].startswith(UNIVERSAL_TARGET):
            call_universal_target(cloud, target)
        else:
            sqs.send_message(QueueUrl=urls[target["Arn"]], MessageBody=target["Input"])
        scheduler.delete_schedule(Name=name, GroupName=resources.DISPATCH_SCHEDULE_GROUP)
        fired += 1
    return fired


UNIVERSAL_TARGET = "arn:aws:scheduler:::aws-sdk:"


def call_universal_target(cloud: LocalCloud, target: dict) -> None:
    """A universal target (``arn:aws:scheduler:::aws-sdk:<service>:<apiAction>``, the input
    the request): make that call, as Scheduler would (the call desk's hand-back: PutItem)."""
    service, action = target["Arn"].removeprefix(UNIVERSAL_TARGET).split(":", 1)
    getattr(cloud.client(service), xform_name(action))(**json.loads(target["Input"]))


def queue_depth(cloud: LocalCloud, queue: str) -> int:
    attributes = cloud.client("sqs").get_queue_attributes(
        QueueUrl=cloud.queue_urls[queue],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def _at(expression: str) -> dt.datetime:
    """``at(2026-11-24T03:30:00)`` (UTC, as the Deferrer writes it) → an aware datetime."""
    inner = expression.removeprefix("at(").removesuffix(")")
    return dt.datetime.fromisoformat(inner).replace(tzinfo=dt.UTC)


def run_contacts(
    cloud: LocalCloud,
    citizens,
    start: dt.datetime,
    until: dt.datetime,
    events: list[dict] | None = None,
    max_rounds: int = 2000,
    progress: Callable[[dt.datetime], None] | None = None,
) -> dict:
    """Run the dispatch cycle on the simulated clock from ``start`` to ``until``.

    Each round fires the schedules that are due, delivers the dispatch queue to notify, lets
    the citizens answer the calls and SMS, and delivers the resulting contact events; when
    nothing moves, the clock jumps to the next schedule. Returns the counts; the domain
    events published meanwhile are appended to ``events`` (the observer queue is drained
    every round: moto's SQS slows down with every message a queue holds). ``progress`` is
    told the simulated time after every round.
    """
    cloud.simulated_now = start
    counts: Counter = Counter()
    for _ in range(max_rounds):
        counts["schedules_fired"] += fire_schedules(cloud, cloud.simulated_now)
        before = counts["delivered"] + counts["failed"]
        counts.update(pump_dispatch(cloud))
        answered = citizens.answer_calls() + citizens.answer_sms()
        counts.update(pump_dispatch(cloud))
        drained = cloud.domain_events()
        if events is not None:
            events.extend(drained)
        moved = answered + counts["delivered"] + counts["failed"] - before
        if progress is not None:
            progress(cloud.simulated_now)
        if moved:
            continue
        pending = pending_schedules(cloud)
        if not pending or pending[0][0] > until:
            counts["deferred_past_the_day"] = len(pending)
            break
        # Jump to the next schedule, five minutes at least: schedules due within the same
        # five minutes fire together (the local clock's granularity: a retry may come up to
        # five minutes late), which keeps a day to about 150 rounds.
        cloud.simulated_now = max(cloud.simulated_now + TICK, pending[0][0])
    counts["left_on_queue"] = queue_depth(cloud, cloud.names.dispatch_queue)
    return dict(counts)
