"""``samvad demo --faults RATE``: a fraction of the handlers' AWS calls fail, and nothing may
be lost or doubled.

The fault sits at the AWS-call boundary of the in-process emulator: every boto3 call of the
run reaches moto through one botocore ``before-send`` handler (moto's ``BotocoreStubber``),
and while a function's handler runs (``LocalCloud.invoke``), that handler decides, for each
request, whether it fails and how:

- ``throttle``: refused before it was applied (HTTP 400/429/503 with the service's throttling
  code: ``ThrottlingException``, ``Throttling``, ``SlowDown``);
- ``server_error``: refused before it was applied (HTTP 500, ``InternalFailure``);
- ``timeout_after_success``: applied by the emulator, then the answer is lost
  (``ReadTimeoutError``): "the call succeeded but the response was lost".

The decision is a hash of the seed, the operation, the request's bytes and how many times
those bytes were sent before: independent of the threads' order, and a retried request draws
again (so a retry can fail too). Requests carrying wall-clock stamps or random claim ids make
two runs of one seed fail slightly different sets; the figures must not differ either way.

What carries the day is the system's own machinery: the adapters' SDK retries, Lambda's
redelivery of a failed SQS batch (locally: the record is visible again at once, and moves to
the dead-letter queue after its queue's maximum receives, as on AWS), Lambda's asynchronous
retries (twice) for the scheduled sampler, a citizen pressing "submit" again after a 5xx, and
the idempotency ledgers behind every step. The runtime's own calls (the queue pump, the
simulated citizens and Scheduler) are not failed: they stand for AWS's side of the line.

A domain event whose ``PutEvents`` answer was lost is published again by the SDK's retry; the
observer queue then holds it twice. Every consumer counts an event once (the tallies'
ledger, the escalation's case ids), and so does the demo's observer: an exact repeat is
dropped and counted under ``duplicate_events_dropped``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

KINDS = ("throttle", "server_error", "timeout_after_success")
ASYNC_RETRIES = 2
"""Lambda retries a failed asynchronous invocation twice; a citizen resubmits a form as often."""
MAX_RECEIVES = 5
"""An SQS record failed this often goes to its dead-letter queue (``resources.*_MAX_RECEIVES``)."""


@dataclasses.dataclass
class FaultLog:
    """What was injected and what absorbed it, for ``summary.json``."""

    rate: float
    seed: int
    injected: Counter = dataclasses.field(default_factory=Counter)
    """(service, operation, kind) → count."""
    retried: Counter = dataclasses.field(default_factory=Counter)
    """(service, operation) → requests sent again after a fault (by the SDK or a redelivery)."""
    redelivered: Counter = dataclasses.field(default_factory=Counter)
    """function → SQS records handed back, or invocations made again."""
    duplicate_events: int = 0
    dead_lettered: Counter = dataclasses.field(default_factory=Counter)
    """function → SQS records that failed ``MAX_RECEIVES`` times (must stay empty)."""
    repeated_messages: Counter = dataclasses.field(default_factory=Counter)
    """queue URL → messages SQS accepted whose answer was lost (the SDK's retry sends them
    again: SQS is at least once, and every consumer deduplicates)."""

    def summary(self) -> dict:
        by_service: dict[str, dict[str, dict[str, int]]] = {}
        for (service, operation, kind), n in sorted(self.injected.items()):
            by_service.setdefault(service, {}).setdefault(operation, {})[kind] = n
        kinds: Counter = Counter()
        for (_, _, kind), n in self.injected.items():
            kinds[kind] += n
        return {
            "rate": self.rate,
            "seed": self.seed,
            "injected": sum(self.injected.values()),
            "injected_by_kind": dict(sorted(kinds.items())),
            "injected_by_service": by_service,
            "retried": sum(self.retried.values()),
            "redelivered": dict(sorted(self.redelivered.items())),
            "duplicate_events_dropped": self.duplicate_events,
            "dead_lettered": dict(sorted(self.dead_lettered.items())),
            "repeated_messages": {
                url.rsplit("/", 1)[-1]: n for url, n in sorted(self.repeated_messages.items())
            },
        }


class FaultInjector:
    """Decides and produces the faults; counts them in ``log``."""

    def __init__(self, rate: float, seed: int) -> None:
        if not 0 <= rate < 1:
            raise ValueError(f"--faults must be at least 0 and below 1, not {rate}")
        self.log = FaultLog(rate=rate, seed=seed)
        self._sent: Counter = Counter()
        self._failed: set[str] = set()
        self._lock = threading.Lock()
        self._scope = threading.local()
        self._receives: Counter = Counter()

    # -- scope: only while a function's handler runs -----------------------------------------

    @contextlib.contextmanager
    def handler_scope(self) -> Iterator[None]:
        self._scope.depth = getattr(self._scope, "depth", 0) + 1
        try:
            yield
        finally:
            self._scope.depth -= 1

    def in_scope(self) -> bool:
        return getattr(self._scope, "depth", 0) > 0

    # -- the decision --------------------------------------------------------------------

    def decide(self, service: str, operation: str, body: bytes) -> str | None:
        """The fault for this request, or None. Deterministic per (seed, request, repeat)."""
        request = hashlib.sha256(f"{service}.{operation}|".encode() + body).hexdigest()
        with self._lock:
            repeat = self._sent[request]
            self._sent[request] += 1
            if request in self._failed:
                self.log.retried[(service, operation)] += 1
                self._failed.discard(request)
        digest = hashlib.sha256(f"{self.log.seed}|{request}|{repeat}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.log.rate:
            return None
        kind = KINDS[digest[8] % len(KINDS)]
        with self._lock:
            self.log.injected[(service, operation, kind)] += 1
            self._failed.add(request)
        return kind

    def stubber_call(self, forward: Callable[..., Any]) -> Callable[..., Any]:
        """moto's ``before-send`` handler, with the faults in front of it."""
        injector = self

        def call(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            if not stubber.enabled or not injector.in_scope():
                return forward(stubber, event_name, request, **kwargs)
            _, service, operation = [*event_name.split("."), "", ""][:3]
            body = request.body if isinstance(request.body, bytes | str) else b""  # not a stream
            body = body.encode() if isinstance(body, str) else body
            kind = injector.decide(service, operation, request.url.encode() + body)
            if kind is None:
                return forward(stubber, event_name, request, **kwargs)
            if kind == "timeout_after_success":
                forward(stubber, event_name, request, **kwargs)
                injector.sent_twice(service, operation, body)
                raise ReadTimeoutError(endpoint_url=request.url)
            return refusal(service, request, kind)

        return call

    def sent_twice(self, service: str, operation: str, body: bytes) -> None:
        """Count the messages an applied ``SendMessage[Batch]`` will send again."""
        if service != "sqs" or operation not in ("SendMessage", "SendMessageBatch"):
            return
        request = json.loads(body or b"{}")
        with self._lock:
            self.log.repeated_messages[request.get("QueueUrl", "")] += len(
                request.get("Entries") or [None]
            )

    # -- the runtime's side: redelivery ----------------------------------------------------

    def invoke(self, invoke: Callable[[str, dict], dict]) -> Callable[[str, dict], dict]:
        """``LocalCloud.invoke`` under the faults, with what Lambda and callers do on error."""

        def call(function: str, event: dict) -> dict:
            for attempt in range(ASYNC_RETRIES + 1):
                records = [r["messageId"] for r in event.get("Records", []) if "messageId" in r]
                try:
                    with self.handler_scope():
                        response = invoke(function, event)
                except Exception:
                    if records:  # an SQS batch: every record goes back to the queue
                        return self._redeliver(function, records)
                    if attempt == ASYNC_RETRIES:
                        raise
                    self.log.redelivered[function] += 1
                    continue
                failures = (response or {}).get("batchItemFailures") if records else None
                if failures:
                    return self._redeliver(function, [f["itemIdentifier"] for f in failures])
                status = (response or {}).get("statusCode") if isinstance(response, dict) else None
                if isinstance(status, int) and status >= 500 and attempt < ASYNC_RETRIES:
                    self.log.redelivered[function] += 1  # the citizen submits again
                    continue
                return response
            raise AssertionError("unreachable")

        return call

    def _redeliver(self, function: str, records: list[str]) -> dict:
        """Hand ``records`` back to their queue, or, after ``MAX_RECEIVES``, to its
        dead-letter queue (here: counted, and deleted from the queue)."""
        again = []
        for record in records:
            self._receives[record] += 1
            if self._receives[record] >= MAX_RECEIVES:
                self.log.dead_lettered[function] += 1
            else:
                self.log.redelivered[function] += 1
                again.append({"itemIdentifier": record})
        return {"batchItemFailures": again}

    def unique_events(self, read: Callable[..., list[dict]]) -> Callable[..., list[dict]]:
        """The observer queue's events, each exact repeat (a retried ``PutEvents``) once."""
        seen: set[str] = set()

        def call(detail_type: str | None = None) -> list[dict]:
            fresh = []
            for event in read(detail_type):
                identity = json.dumps(
                    [event.get("detail-type"), event.get("detail")], sort_keys=True
                )
                if identity in seen:
                    self.log.duplicate_events += 1
                    continue
                seen.add(identity)
                fresh.append(event)
            return fresh

        return call


@contextlib.contextmanager
def injected(cloud: Any, rate: float, seed: int) -> Iterator[FaultLog | None]:
    """Fail ``rate`` of the handlers' AWS calls on ``cloud`` (an in-process ``LocalCloud``)
    for the block; yields the log (None, and changes nothing, when ``rate`` is 0)."""
    if not rate:
        yield None
        return
    if not cloud.in_process:
        raise ValueError(
            "fault injection needs the in-process emulator (LocalCloud(in_process=True))"
        )
    from moto.core.botocore_stubber import BotocoreStubber

    injector = FaultInjector(rate, seed)
    original_call = BotocoreStubber.__call__
    original_queue = cloud.queue
    BotocoreStubber.__call__ = injector.stubber_call(original_call)  # type: ignore[method-assign]
    cloud.fault_log = injector.log
    cloud.invoke = injector.invoke(cloud.invoke)
    cloud.domain_events = injector.unique_events(cloud.domain_events)
    cloud.queue = lambda queue, function, batch_size=10: dataclasses.replace(
        original_queue(queue, function, batch_size), retry_after=0
    )  # a failed record is delivered again at once (the simulated clock has no wall time)
    try:
        yield injector.log
    finally:
        BotocoreStubber.__call__ = original_call  # type: ignore[method-assign]
        for name in ("invoke", "domain_events", "queue", "fault_log"):
            vars(cloud).pop(name, None)


def repeated_messages(cloud: Any, queue: str) -> int:
    """Messages on ``queue`` sent twice because an applied send's answer was lost (0 without
    faults): what a count of the queue's messages must subtract to count each once."""
    log = getattr(cloud, "fault_log", None)
    return log.repeated_messages.get(cloud.queue_urls[queue], 0) if log else 0


def channel_log(cloud: Any) -> dict:
    """What the channels' simulators received in this run: SMS published to SNS (moto's
    log of every SMS, whatever the publisher's idea of what happened)."""
    from moto.sns.models import sns_backends

    from samvad_dev.local.names import ACCOUNT, REGION

    return {"sms_published": len(sns_backends[ACCOUNT][REGION].sms_messages)}


def refusal(service: str, request: Any, kind: str) -> AWSResponse:
    """A refusal in the service's protocol: throttling or an internal error."""
    from moto.core.botocore_stubber import MockRawResponse

    throttle = kind == "throttle"
    headers = {  # botocore keeps some values as bytes (a restJson body's Content-Type)
        k.lower(): v.decode("latin-1") if isinstance(v, bytes) else v
        for k, v in request.headers.items()
    }
    message = f"injected {kind} (samvad demo --faults)"
    if "x-amz-target" in headers:  # awsJson (DynamoDB, SQS, EventBridge, Step Functions…)
        code = "ThrottlingException" if throttle else "InternalFailure"
        status, body = (400 if throttle else 500), json.dumps({"__type": code, "message": message})
        out = {"Content-Type": "application/x-amz-json-1.0"}
    elif service == "s3":
        code = "SlowDown" if throttle else "InternalError"
        status = 503 if throttle else 500
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        out = {"Content-Type": "application/xml"}
    elif "form-urlencoded" in headers.get("content-type", ""):  # awsQuery (SNS, STS)
        code = "Throttling" if throttle else "InternalFailure"
        status = 400 if throttle else 500
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>0</RequestId></ErrorResponse>"
        )
        out = {"Content-Type": "text/xml"}
    else:  # restJson (Lambda, Scheduler, Connect…)
        code = "ThrottlingException" if throttle else "InternalServerException"
        status = 429 if throttle else 500
        body = json.dumps({"message": message})
        out = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
    return AWSResponse(request.url, status, out, MockRawResponse(body))  # type: ignore[arg-type]
