"""Dispatch adapters on moto: the ledger's conditions, the shared token bucket under
concurrency (with a Connect that throttles like the real one), deferral, links."""

from __future__ import annotations

import datetime as dt
import threading
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from samvad import resources
from samvad.adapters.dispatches import DynamoDispatchLedger
from samvad.adapters.feedback_links import DynamoLinks
from samvad.adapters.queues import Deferrer
from samvad.adapters.rate_limits import DynamoRateLimiter
from samvad.adapters.sms import SnsSms
from samvad.adapters.telephony import ConnectTelephony
from samvad.dispatch.policy import NotifyPolicy, Rate
from samvad.dispatch.service import ChannelThrottled, Contact
from samvad.link_tokens import LinkSigner
from samvad_dev.local.cloud import queue_arn

NOW = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)


def contact(attempt: int = 1, **extra) -> Contact:
    return Contact.from_message(
        {"visit_key": "v1", "channel": "ivr_call", "attempt": attempt, **extra}
    )


def test_the_ledger_claims_each_attempt_once(stack):
    """Given the Dispatches table, When attempt 1 is claimed twice, placed, ended twice and the
    contact finished twice, Then only the first of each succeeds, and the reference finds it."""
    ledger = DynamoDispatchLedger(stack.table(resources.DISPATCHES))
    stale = NOW - dt.timedelta(minutes=5)
    assert ledger.claim(contact(), NOW, stale) is True
    assert ledger.claim(contact(), NOW, stale) is False
    ledger.placed(contact(), "placed", "contact-abc", NOW)
    assert ledger.by_reference("contact-abc") == ("v1", 1)
    assert ledger.ended("v1", 1, "no_answer", NOW) is True
    assert ledger.ended("v1", 1, "answered", NOW) is False
    assert ledger.attempt("v1", 1)["message"]["visit_key"] == "v1"
    assert ledger.claim(contact(2), NOW, stale) is True
    assert ledger.finish("v1", "contacted", "ivr_call", NOW) is True
    assert ledger.finish("v1", "gave_up", "ivr_call", NOW) is False
    assert ledger.claim(contact(3), NOW, stale) is False  # a finished contact takes no attempt
    assert ledger.state("v1")["status"] == "contacted"


def test_an_unplaced_or_stale_claim_can_be_claimed_again(stack):
    """Given a claim released as unplaced, and one left by a dead invocation, When claimed
    again, Then the released one at once, the dead one only once stale."""
    ledger = DynamoDispatchLedger(stack.table(resources.DISPATCHES))
    ledger.claim(contact(), NOW, NOW - dt.timedelta(minutes=5))
    ledger.unplaced(contact(), "throttled")
    assert ledger.claim(contact(), NOW, NOW - dt.timedelta(minutes=5)) is True
    later = NOW + dt.timedelta(minutes=1)
    assert ledger.claim(contact(), later, later - dt.timedelta(minutes=5)) is False
    much_later = NOW + dt.timedelta(minutes=6)
    assert ledger.claim(contact(), much_later, much_later - dt.timedelta(minutes=5)) is True


class ThrottlingConnect:
    """A Connect client that enforces its quota as AWS does: beyond it, ThrottlingException."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens, self.at = float(burst), time.monotonic()
        self.lock = threading.Lock()
        self.placed = 0
        self.throttled = 0

    def start_outbound_voice_contact(self, **request):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens < 1:
                self.throttled += 1
                raise ClientError(
                    {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                    "StartOutboundVoiceContact",
                )
            self.tokens -= 1
            self.placed += 1
            return {"ContactId": f"c-{self.placed}"}


def _dial_concurrently(stack, limiter_for, calls: int, workers: int, quota: Rate):
    connect = ThrottlingConnect(quota.per_second, quota.burst)
    rate = NotifyPolicy(rates={"voice": quota}).pace("voice")
    telephony = ConnectTelephony("instance", "flow", "+918000000000", client=connect)
    queue = list(range(calls))
    lock = threading.Lock()

    def worker():
        limiter = limiter_for()
        while True:
            with lock:
                if not queue:
                    return
                number = queue.pop()
            while True:
                wait = limiter.acquire("voice", rate, time.time())
                if wait > 0:
                    time.sleep(wait)
                    continue
                try:
                    telephony.start_call("+919876543210", {}, f"t{number}")
                    break
                except ChannelThrottled:
                    time.sleep(0.05)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return connect


def test_the_shared_token_bucket_keeps_concurrent_dispatchers_under_connects_quota(stack):
    """Given Connect's quota (here 20 calls/s, burst 5, scaled up from 2/s to keep the test
    short) and four concurrent dispatchers, When 60 calls are placed through the shared
    DynamoDB token bucket (paced at the policy's 90% of the quota), Then Connect throttles
    none of them; without the bucket, the same load is throttled (so the test can fail)."""
    rate = Rate(20.0, 5)
    table = stack.table(resources.RATE_LIMITS)
    client = boto3.client("dynamodb")
    paced = _dial_concurrently(stack, lambda: DynamoRateLimiter(table, client), 60, 4, rate)
    assert (paced.placed, paced.throttled) == (60, 0)

    class NoLimit:
        def acquire(self, *args):
            return 0.0

    unpaced = _dial_concurrently(stack, NoLimit, 60, 4, rate)
    assert unpaced.placed == 60 and unpaced.throttled > 0


def test_deferrals_use_sqs_delay_up_to_15_minutes_then_a_one_time_schedule(stack):
    """Given the Deferrer, When a message is deferred 10 minutes and another 3 hours (twice,
    as a replay would), Then the first is an SQS message with DelaySeconds, the second one
    EventBridge Scheduler ``at()`` schedule targeting the dispatch queue."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=stack.dispatch_queue)["QueueUrl"]
    deferrer = Deferrer(url, queue_arn(stack.dispatch_queue), stack.scheduler_role_arn)
    deferrer.defer({"visit_key": "v1"}, NOW + dt.timedelta(minutes=10), NOW)
    later = NOW + dt.timedelta(hours=3)
    deferrer.defer({"visit_key": "v2"}, later, NOW)
    deferrer.defer({"visit_key": "v2"}, later, NOW)

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesDelayed"]) == 1
    scheduler = boto3.client("scheduler")
    [summary] = scheduler.list_schedules(GroupName=resources.DISPATCH_SCHEDULE_GROUP)["Schedules"]
    schedule = scheduler.get_schedule(
        Name=summary["Name"], GroupName=resources.DISPATCH_SCHEDULE_GROUP
    )
    assert schedule["ScheduleExpression"] == "at(2026-11-23T08:00:00)"
    assert schedule["Target"]["Arn"] == queue_arn(stack.dispatch_queue)
    assert '"v2"' in schedule["Target"]["Input"]


def test_a_deferral_schedule_dead_letters_what_it_cannot_deliver(stack):
    """Given the Deferrer with the stack's deferred dead-letter queue, When a contact is
    deferred by hours, Then its one-time schedule retries and then dead-letters to that queue:
    a deferred contact is never dropped silently."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=stack.dispatch_queue)["QueueUrl"]
    dead = sqs.create_queue(QueueName="deferred-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    deferrer = Deferrer(
        url, queue_arn(stack.dispatch_queue), stack.scheduler_role_arn, dead_letter_arn=dead_arn
    )
    deferrer.defer({"visit_key": "v3"}, NOW + dt.timedelta(hours=5), NOW)
    scheduler = boto3.client("scheduler")
    [summary] = scheduler.list_schedules(GroupName=resources.DISPATCH_SCHEDULE_GROUP)["Schedules"]
    target = scheduler.get_schedule(
        Name=summary["Name"], GroupName=resources.DISPATCH_SCHEDULE_GROUP
    )["Target"]
    assert target["DeadLetterConfig"] == {"Arn": dead_arn}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 10


def test_links_are_signed_expiring_and_single_use(stack):
    """Given a link issued for a contact, When it is looked up, tampered with, and used twice,
    Then the genuine token finds its record, a tampered one finds nothing, and only the first
    use succeeds."""
    links = DynamoLinks(
        stack.table(resources.LINKS), LinkSigner(b"k" * 32), "https://x.lambda-url.on.aws/"
    )
    url = links.issue(contact(), "hi", NOW + dt.timedelta(hours=72))
    token = url.rsplit("/", 1)[1]
    assert url == f"x.lambda-url.on.aws/f/{token}" and len(token) == 19
    record = links.lookup(token)
    assert record["visit_key"] == "v1" and record["language"] == "hi"
    assert record["expires_at"] == int((NOW + dt.timedelta(hours=72)).timestamp())
    for position in range(len(token)):  # any one character changed: refused
        swapped = "A" if token[position] != "A" else "B"
        assert links.lookup(token[:position] + swapped + token[position + 1 :]) is None
    assert links.lookup("not-a-token") is None
    assert links.use(record["token_id"], NOW) is True
    assert links.use(record["token_id"], NOW) is False
    other_key = DynamoLinks(stack.table(resources.LINKS), LinkSigner(b"z" * 32), "https://x/")
    assert other_key.lookup(token) is None


def test_sms_carry_the_sender_id_and_dlt_ids(stack):
    """Given DLT ids in the notify settings, When an SMS is sent through SNS, Then the
    publish request carries the sender ID, Transactional type, entity and template ids."""
    sns = boto3.client("sns")
    requests = []
    sns.meta.events.register("before-call.sns.Publish", lambda params, **_: requests.append(params))
    policy = NotifyPolicy.from_document(
        {
            "sms_sender_id": "ODGOVT",
            "dlt_entity_id": "1101234567890",
            "dlt_template_ids": {"survey.or": "1107000000000001"},
        }
    )

    class Text:
        body, template, language = "ନମସ୍କାର", "survey", "or"

    message_id = SnsSms(sns).send("+919876543210", Text(), policy)
    assert message_id
    attributes = requests[0]["body"]
    assert attributes["MessageAttributes.entry.1.Name"] == "AWS.SNS.SMS.SMSType"
    flat = " ".join(str(v) for v in attributes.values())
    for expected in ("ODGOVT", "Transactional", "1101234567890", "1107000000000001"):
        assert expected in flat


def test_connect_adapter_sends_the_flow_attributes_and_idempotency_token():
    """Given botocore's Stubber on a Connect client, When a call is started, Then the request
    names the instance, flow, source number, attributes and ClientToken; throttling maps to
    ChannelThrottled."""
    from botocore.stub import Stubber

    client = boto3.client("connect", region_name="ap-south-1")
    stubber = Stubber(client)
    expected = {
        "DestinationPhoneNumber": "+919876543210",
        "ContactFlowId": "flow-1",
        "InstanceId": "inst-1",
        "SourcePhoneNumber": "+918000000000",
        "Attributes": {"visit_key": "v1"},
        "ClientToken": "tok",
    }
    stubber.add_response("start_outbound_voice_contact", {"ContactId": "c-42"}, expected)
    stubber.add_client_error("start_outbound_voice_contact", "ThrottlingException")
    with stubber:
        telephony = ConnectTelephony("inst-1", "flow-1", "+918000000000", client=client)
        assert telephony.start_call("+919876543210", {"visit_key": "v1"}, "tok") == "c-42"
        with pytest.raises(ChannelThrottled):
            telephony.start_call("+919876543210", {"visit_key": "v1"}, "tok")
