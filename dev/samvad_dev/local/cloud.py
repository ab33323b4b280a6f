"""The embedded local cloud: moto's server on loopback, the stack's resources, event routing.

``LocalCloud`` starts moto in a thread on a free 127.0.0.1 port, points boto3 at it through
``AWS_ENDPOINT_URL`` and dummy credentials, creates the resources described in
``samvad.resources`` (``samvad_dev.local.provision``) and routes events as AWS would: S3 delivers
ObjectCreated notifications to the intake queue, and ``pump()`` hands each queue message to
the real intake handler as a Lambda SQS event (``samvad_dev.local.pump``). Domain events land on
the bus and, through a rule with an SQS target (the kind moto runs), in an observer queue
the runtime reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3

from samvad import resources
from samvad.clock import SIMULATED_NOW_ENV
from samvad_dev.local import isolation, unsigned
from samvad_dev.local.names import ACCOUNT, FUNCTIONS, REGION, REPO_ROOT, Names, queue_arn
from samvad_dev.local.provision import provision
from samvad_dev.local.pump import QueueToFunction

__all__ = [
    "ACCOUNT",
    "REGION",
    "REPO_ROOT",
    "LambdaContext",
    "LocalCloud",
    "Names",
    "provision",
    "queue_arn",
]


class LocalCloud:
    """Use as a context manager; ``env`` is what the CDK stack gives each function.

    ``seed`` (optional) derives the stack's secrets from it: the same seed, the same sample.
    ``in_process``: no server; moto intercepts boto3's calls in this process (``mock_aws``),
    less than half the CPU per call — for runs that need no endpoint (the demo).

    ``account``: with a server, an account of its own that other tests' ``mock_aws()`` and
    other clouds in the process never reset (``samvad_dev.local.isolation``); in-process,
    moto's default (``ACCOUNT``).
    """

    def __init__(
        self,
        stage: str = "local",
        retention_days: int = 400,
        seed: int | None = None,
        in_process: bool = False,
    ):
        self.in_process = in_process
        self.account = ACCOUNT if in_process else isolation.new_account()
        self.names = Names(stage, self.account)
        self._mock: Any = None
        self.retention_days = retention_days
        self.seed = seed
        self._server: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._handlers: dict[str, ModuleType] = {}
        self.endpoint = ""
        self.queue_urls: dict[str, str] = {}
        self.env: dict[str, str] = {}
        self.simulated_now: dt.datetime | None = None
        """When set, handlers see this time (``samvad.clock``): a local day runs in minutes,
        and deferred dispatches fire when ``fire_schedules`` reaches them."""
        self.schedules: dict[str, dict] = {}
        """Dispatch schedules read so far, by name (``local.dispatching``)."""
        self._escalation: Any = None
        self._clients: dict[str, Any] = {}

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> LocalCloud:
        self.start()
        self.provision()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start moto's server (and make its transactions cost what DynamoDB's do)."""
        from samvad_dev.local import engine_speedups, moto_speedups

        moto_speedups.install()
        engine_speedups.install()  # the Step Functions engine's (docs/local-runtime.md)
        isolation.install()  # the engine's clients, in-process too (``_engine_client``)
        credentials = {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_SESSION_TOKEN": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }
        if self.in_process:
            from moto import mock_aws

            self._set_env(credentials)
            os.environ.pop("AWS_ENDPOINT_URL", None)  # restored by stop()
            self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
            self._mock.start()  # from nothing: moto's backends are reset
            unsigned.activate()  # moto reads no signatures in-process (``local.unsigned``)
            return
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        port = _free_port()
        self._server = isolation.start_server(self.account, port)  # a new, empty account
        self.endpoint = f"http://127.0.0.1:{port}"
        self._set_env(credentials | {"AWS_ENDPOINT_URL": self.endpoint})

    def stop(self) -> None:
        if self._escalation is not None:
            self._escalation.stop_all()
            self._escalation = None
        if self._server is not None:
            self._server.stop()
            self._server = None
            isolation.release(self.account)  # only this cloud's state
        if self._mock is not None:
            unsigned.deactivate()
            self._mock.stop()  # resets moto's backends
            self._mock = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        self._clients.clear()

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        self._saved_env.setdefault("AWS_ENDPOINT_URL", os.environ.get("AWS_ENDPOINT_URL"))

    # -- resources ------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        """A client for the emulator (one per service: botocore's clients are thread-safe)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service, region_name=REGION, endpoint_url=self.endpoint or None
            )
        return self._clients[service]

    def provision(self) -> None:
        """Create what the CDK stack defines, from the same ``samvad.resources`` specs."""
        self.env = provision(self.client, self.names, self.retention_days, seed=self.seed)
        sqs = self.client("sqs")
        self.queue_urls = {
            queue: sqs.get_queue_url(QueueName=queue)["QueueUrl"] for queue in self.names.queues
        }

    def queue(self, queue: str, function: str, batch_size: int = 10) -> QueueToFunction:
        """``queue`` delivered to ``functions/<function>`` as Lambda's event source would."""
        return QueueToFunction(
            self.client("sqs"), queue, self.queue_urls[queue], function, self.invoke, batch_size
        )

    @property
    def escalation(self) -> Any:
        """The escalation stage's runtime (``samvad_dev.local.escalation``), made on first use."""
        if self._escalation is None:
            from samvad_dev.local.escalation import EscalationRuntime

            self._escalation = EscalationRuntime(self)
        return self._escalation

    # -- routing --------------------------------------------------------------------------

    def upload(self, path: Path, department: str, name: str | None = None) -> str:
        key = f"{resources.UPLOADS_PREFIX}{department}/{name or Path(path).name}"
        self.client("s3").upload_file(str(path), self.names.bucket, key)
        return key

    def pump(self) -> dict:
        """Deliver queued S3 notifications to the intake handler, one per invocation, until
        the queue is empty; a record the handler reports failed stays on the queue, as on
        AWS. Returns the counts (``delivered``, ``failed``)."""
        return dict(self.queue(self.names.intake_queue, "intake", batch_size=1).drain())

    def invoke(self, function: str, event: dict) -> dict:
        """Run ``functions/<function>/handler.py`` in-process with the stack's environment,
        less what belongs to other functions only (as the CDK gives each its own)."""
        extra: dict[str, str | None] = {"POWERTOOLS_SERVICE_NAME": function}
        if self.simulated_now is not None:
            extra[SIMULATED_NOW_ENV] = self.simulated_now.isoformat()
        with _environment(function_environment(function, self.env) | extra):
            handler = self._handler(function)  # imported as Lambda would: with its environment
            try:
                return handler.lambda_handler(event, LambdaContext(function))
            finally:
                if self.simulated_now is not None:  # a handler may have slept (clock.sleep)
                    self.simulated_now = dt.datetime.fromisoformat(os.environ[SIMULATED_NOW_ENV])

    def _handler(self, function: str) -> ModuleType:
        if function not in self._handlers:
            path = FUNCTIONS / function / "handler.py"
            spec = importlib.util.spec_from_file_location(f"samvad_fn_{function}", path)
            assert spec is not None and spec.loader is not None, path
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._handlers[function] = module
        return self._handlers[function]

    def domain_events(self, detail_type: str | None = None) -> list[dict]:
        """Drain the observer queue: the domain events published so far, oldest first."""
        sqs = self.client("sqs")
        url = self.queue_urls[self.names.events_queue]
        found = []
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                break
            for message in batch:
                event = json.loads(message["Body"])
                if detail_type is None or event.get("detail-type") == detail_type:
                    found.append(event)
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)
                ],
            )
        return found


class LambdaContext:
    """The parts of Lambda's context object that Powertools reads."""

    def __init__(self, function: str):
        self.function_name = f"samvad-local-{function}"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = (
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900_000


def function_environment(function: str, env: dict[str, str]) -> dict[str, str | None]:
    """The stack's ``env`` as ``function`` sees it: the variables other functions' settings
    read and its own do not are unset (None)."""
    from samvad.settings import FUNCTION_SETTINGS

    own = FUNCTION_SETTINGS.get(function)
    if own is None:
        return dict(env)
    others = {name for s in FUNCTION_SETTINGS.values() for name in s.env_names()}
    hidden = others - set(own.env_names())
    return {name: (None if name in hidden else value) for name, value in env.items()}


@contextlib.contextmanager
def _environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set (or, for None, unset) the variables for the block; then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
