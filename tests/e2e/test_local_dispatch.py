"""A sampled day contacted end to end on the local stack: sampler → dispatch queue → notify
(real handler) → simulated citizens (calls via the simulator, SMS via moto's SNS) →
feedback (real handler, Connect/SNS/function-URL events) → domain events."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict

import pytest

from samvad import resources
from samvad_dev.local.citizens import Citizens, Population
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.dispatching import pump_dispatch, run_contacts
from samvad_dev.local.flows import ingest_files, sample_day

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("dispatch")]

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
VISIT_DAY = dt.date(2026, 11, 22)
RUN_DAY = VISIT_DAY + dt.timedelta(days=1)


def visits_file(
    tmp_path,
    day: dt.date = VISIT_DAY,
    rows: int = 90,
    prefix: str = "98",
    languages: tuple[str, ...] = ("or", "hi", "en"),
):
    """A health department's CSV of ``rows`` visits on ``day`` at three Khordha hospitals,
    mobiles ``<prefix>00000000`` on, languages in turn."""
    lines = ["Mobile No,Date of Visit,Office Code,Office Name,Service,District,Language"]
    for i in range(rows):
        lines.append(
            f"{prefix}{i:08d},{day:%d/%m/%Y},HLT-KHU-{i % 3:03d},Hospital {i % 3},OPD,Khordha,"
            + languages[i % len(languages)]
        )
    path = tmp_path / "health.csv"
    path.write_text("\n".join(lines))
    return path


@pytest.fixture(scope="module")
def contacted_day(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("dispatch")
    with LocalCloud(stage="e2edispatch") as cloud:
        list(ingest_files(cloud, [visits_file(tmp_path)], "health"))
        cloud.simulated_now = dt.datetime.combine(RUN_DAY, dt.time(9, 0), IST)
        summary = sample_day(cloud, RUN_DAY)
        cloud.domain_events()
        sqs = cloud.client("sqs")
        url = cloud.queue_urls[cloud.names.dispatch_queue]
        first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]
        replayed = json.loads(first["Body"])
        citizens = Citizens(cloud, Population(seed=11))
        start = dt.datetime.combine(RUN_DAY, dt.time(9, 5), IST)
        until = dt.datetime.combine(RUN_DAY, dt.time(21, 0), IST)
        events: list[dict] = []
        counts = run_contacts(cloud, citizens, start, until, events)
        # the same dispatch message, delivered again three times after the day's work
        for _ in range(3):
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(replayed))
        calls_before = citizens.counts.copy()
        replay = pump_dispatch(cloud)
        citizens.answer_calls()
        events += cloud.domain_events()
        feedback = _scan(cloud, resources.FEEDBACK)
        dispatches = _scan(cloud, resources.DISPATCHES)
        contacts = _scan(cloud, resources.CONTACTS)
        yield {
            "summary": summary,
            "counts": counts,
            "events": events,
            "feedback": feedback,
            "dispatches": dispatches,
            "contacts": contacts,
            "citizens": citizens,
            "replay": replay,
            "calls_before": calls_before,
            "replayed": replayed,
        }


def _scan(cloud: LocalCloud, spec) -> list[dict]:
    from boto3.dynamodb.types import TypeDeserializer

    plain = TypeDeserializer()
    pages = (
        cloud.client("dynamodb").get_paginator("scan").paginate(TableName=cloud.names.table(spec))
    )
    return [
        {k: plain.deserialize(v) for k, v in item.items()}
        for page in pages
        for item in page["Items"]
    ]


def _of(day, detail_type):
    return [e["detail"] for e in day["events"] if e["detail-type"] == detail_type]


def test_every_sampled_visit_is_contacted_at_most_once(contacted_day):
    """Given a sampled day, When the day's dispatch runs with simulated citizens, Then every
    dispatched visit (the IVR's and SMS contacts; the human callers' are the call desk's)
    got an outcome, none got two successful contacts, and nothing failed."""
    day = contacted_day
    sampled = day["summary"]["dispatched"]
    assert sampled > 30 and day["summary"]["by_channel"]["official_call"] > 0
    outcomes = _of(day, resources.CONTACT_OUTCOME)
    successes = Counter(
        o["visit_key"] for o in outcomes if o["outcome"] in ("answered", "sms_sent")
    )
    assert successes and max(successes.values()) == 1
    touched = {o["visit_key"] for o in outcomes}
    states = {d["visit_key"]: d for d in day["dispatches"] if d["entry"] == "state"}
    assert len(states) == sampled
    assert touched == set(states)
    assert day["counts"].get("failed", 0) == 0 and day["counts"]["left_on_queue"] == 0


def test_retries_follow_unanswered_calls_and_sms_follows_the_last(contacted_day):
    """Given citizens who do not answer or are busy, When the day runs, Then their later
    attempts are recorded, and contacts that ran out of calls got an SMS attempt."""
    attempts = defaultdict(list)
    for item in contacted_day["dispatches"]:
        if item["entry"].startswith("attempt#"):
            attempts[item["visit_key"]].append((item["entry"], item["channel"], item["outcome"]))
    retried = [a for a in attempts.values() if len(a) > 1]
    assert retried, "some citizens needed a second call"
    for history in attempts.values():
        history.sort()
        for _, _, outcome in history[:-1]:
            assert outcome in ("no_answer", "busy", "failed")  # only a miss leads to another
        if len(history) == 4:
            assert history[-1][1] == "sms"


def test_feedback_is_stored_once_per_visit_and_poor_feedback_is_published(contacted_day):
    """Given the day's answers (IVR keys, SMS replies, web forms), When they are stored, Then
    one item per visit, one FeedbackRecorded each, and FeedbackPoor exactly for the poor."""
    day = contacted_day
    surveys = [f for f in day["feedback"] if not f["visit_key"].startswith("confirm#")]
    assert len(surveys) == len({f["visit_key"] for f in surveys}) > 5
    recorded = _of(day, resources.FEEDBACK_RECORDED)
    assert sorted(e["visit_key"] for e in recorded) == sorted(f["visit_key"] for f in surveys)
    poor = _of(day, resources.FEEDBACK_POOR)
    assert sorted(e["visit_key"] for e in poor) == sorted(
        f["visit_key"] for f in surveys if f["poor"]
    )
    assert {f["channel"] for f in surveys} >= {"ivr_call", "sms"}


def test_opt_outs_reach_the_registry(contacted_day):
    """Given citizens who pressed 8 or replied STOP, When the day ends, Then each is opted out
    in the Contacts registry the sampler reads."""
    day = contacted_day
    opted = {e["phone_hash"] for e in _of(day, resources.CITIZEN_OPTED_OUT)}
    registry = {c["phone_hash"] for c in day["contacts"] if c.get("opted_out")}
    assert opted == registry


def test_a_replayed_dispatch_message_places_no_second_call(contacted_day):
    """Given a dispatch message already handled, When it is delivered three more times, Then
    notify treats each as a duplicate: no call, no SMS."""
    day = contacted_day
    assert day["replay"] == Counter({"delivered": 3})
    assert day["citizens"].counts == day["calls_before"]


def test_no_phone_number_appears_in_any_event(contacted_day):
    """Given every domain event of the day, When searched, Then no phone number is there."""
    text = json.dumps(contacted_day["events"])
    assert "+9198" not in text and "98000000" not in text
