"""The embedded local cloud: moto's server on loopback, the stack's resources, event routing.

``LocalCloud`` starts moto in a thread on a free 127.0.0.1 port, points boto3 at it through
``AWS_ENDPOINT_URL`` (configuration, not code: adapters do not know they are local), creates
the resources described in ``samvad.resources`` and routes events as AWS would: S3 delivers
ObjectCreated notifications to the intake queue, and ``pump()`` hands each queue message to
the real intake handler as a Lambda SQS event. Domain events land on the bus and, through a
rule with an SQS target (the kind moto runs), in an observer queue the runtime reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import secrets
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import boto3

from samvad import resources
from samvad.clock import SIMULATED_NOW_ENV

REGION = "ap-south-1"
ACCOUNT = "123456789012"
REPO_ROOT = Path(__file__).resolve().parents[5]
FUNCTIONS = REPO_ROOT / "functions"


@dataclass(frozen=True)
class Names:
    """Physical names of the local stack's resources."""

    stage: str

    @property
    def bucket(self) -> str:
        return f"samvad-{self.stage}-data"

    def table(self, spec: resources.TableSpec) -> str:
        return f"samvad-{self.stage}-{spec.logical_id.lower()}"

    @property
    def intake_queue(self) -> str:
        return f"samvad-{self.stage}-intake"

    @property
    def dispatch_queue(self) -> str:
        return f"samvad-{self.stage}-dispatch"

    @property
    def events_queue(self) -> str:
        return f"samvad-{self.stage}-events"

    @property
    def calls_queue(self) -> str:
        """Calls the notify function "dials": the citizen simulator answers them."""
        return f"samvad-{self.stage}-calls"

    @property
    def link_secret(self) -> str:
        return f"samvad/{self.stage}/link-signing-key"

    @property
    def scheduler_role_arn(self) -> str:
        return f"arn:aws:iam::{ACCOUNT}:role/samvad-{self.stage}-dispatch-scheduler"

    @property
    def reports_queue(self) -> str:
        return f"samvad-{self.stage}-reports"

    @property
    def reports_topic(self) -> str:
        return f"samvad-{self.stage}-reports"

    @property
    def bus(self) -> str:
        return f"samvad-{self.stage}"

    @property
    def secret(self) -> str:
        return f"samvad/{self.stage}/phone-hash-key"

    @property
    def sampling_secret(self) -> str:
        return f"samvad/{self.stage}/sampling-key"


class LocalCloud:
    """Use as a context manager; ``env`` is what the CDK stack gives each function."""

    def __init__(self, stage: str = "local", retention_days: int = 400):
        self.names = Names(stage)
        self.retention_days = retention_days
        self._server = None
        self._saved_env: dict[str, str | None] = {}
        self._handlers: dict[str, ModuleType] = {}
        self.endpoint = ""
        self.queue_urls: dict[str, str] = {}
        self.env: dict[str, str] = {}
        self.simulated_now = None
        """When set (a datetime), handlers see this time (``samvad.clock``): a local day
        runs in minutes, and deferred dispatches fire when ``fire_schedules`` reaches them."""
        self.schedules: dict[str, dict] = {}
        """Dispatch schedules read so far, by name (``local.dispatching``)."""
        self._escalation = None

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> LocalCloud:
        self.start()
        self.provision()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        port = _free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._server.start()
        self.endpoint = f"http://127.0.0.1:{port}"
        self._reset()  # moto keeps its state in-process: start from nothing
        self._set_env(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_SESSION_TOKEN": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "MOTO_PORT": str(port),  # Step Functions' integrations call back to this port
            }
        )

    def _reset(self) -> None:
        import urllib.request

        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def stop(self) -> None:
        if self._escalation is not None:
            self._escalation.stop_all()
            self._escalation = None
        if self._server is not None:
            self._reset()
            self._server.stop()
            self._server = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    # -- resources ------------------------------------------------------------------------

    def client(self, service: str):
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint or None)

    def provision(self) -> None:
        """Create what the CDK stack defines, from the same ``samvad.resources`` specs."""
        self.env = provision(self.client, self.names, self.retention_days)
        sqs = self.client("sqs")
        self.queue_urls = {
            q: sqs.get_queue_url(QueueName=q)["QueueUrl"]
            for q in (
                self.names.intake_queue,
                self.names.dispatch_queue,
                self.names.events_queue,
                self.names.calls_queue,
            )
        }
        self.queue_urls[self.names.reports_queue] = sqs.get_queue_url(
            QueueName=self.names.reports_queue
        )["QueueUrl"]

    @property
    def escalation(self):
        """The escalation stage's runtime (``samvad.local.escalation``), made on first use."""
        if self._escalation is None:
            from samvad.local.escalation import EscalationRuntime

            self._escalation = EscalationRuntime(self)
        return self._escalation

    # -- routing --------------------------------------------------------------------------

    def upload(self, path: Path, department: str, name: str | None = None) -> str:
        key = f"{resources.UPLOADS_PREFIX}{department}/{name or Path(path).name}"
        self.client("s3").upload_file(str(path), self.names.bucket, key)
        return key

    def pump(self, max_messages: int = 10_000) -> list[dict]:
        """Deliver queued S3 notifications to the intake handler until the queue is empty.

        Returns the handler responses; a message whose record failed stays on the queue,
        as on AWS, and is counted in ``batchItemFailures``.
        """
        sqs = self.client("sqs")
        url = self.queue_urls[self.names.intake_queue]
        responses = []
        delivered = 0
        while delivered < max_messages:
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=1, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                delivered += 1
                response = self.invoke(
                    "intake", _sqs_event(message, queue_arn(self.names.intake_queue))
                )
                responses.append(response)
                if not response.get("batchItemFailures"):
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                else:
                    sqs.change_message_visibility(
                        QueueUrl=url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=3600,
                    )
        return responses

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
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
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


def provision(client, names: Names, retention_days: int = 400) -> dict[str, str]:
    """Create the stack's resources with ``client(service)``; return the functions' env.

    Works against moto's server (the local runtime) and in-process ``mock_aws`` (tests).
    """
    for spec in resources.TABLES:
        _create_table(client("dynamodb"), names.table(spec), spec)
    sqs = client("sqs")
    for queue in (names.intake_queue, names.dispatch_queue, names.events_queue, names.calls_queue):
        sqs.create_queue(
            QueueName=queue,
            Attributes={"VisibilityTimeout": str(resources.INTAKE_QUEUE_VISIBILITY_SECONDS)},
        )
    s3 = client("s3")
    s3.create_bucket(Bucket=names.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=names.bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket=names.bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn(names.intake_queue),
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [{"Name": "prefix", "Value": resources.UPLOADS_PREFIX}]
                        }
                    },
                }
            ]
        },
    )
    events = client("events")
    events.create_event_bus(Name=names.bus)
    events.put_rule(
        Name="observe-domain-events",
        EventBusName=names.bus,
        EventPattern=json.dumps({"source": [resources.EVENT_SOURCE]}),
    )
    events.put_targets(
        Rule="observe-domain-events",
        EventBusName=names.bus,
        Targets=[{"Id": "observer", "Arn": queue_arn(names.events_queue)}],
    )
    # Connect's contact events reach the dispatch queue, as the stack's rule routes them.
    events.put_rule(
        Name="connect-calls-ended",
        EventPattern=json.dumps(
            {
                "source": ["aws.connect"],
                "detail-type": ["Amazon Connect Contact Event"],
                "detail": {"eventType": ["DISCONNECTED"]},
            }
        ),
    )
    events.put_targets(
        Rule="connect-calls-ended",
        Targets=[{"Id": "dispatch", "Arn": queue_arn(names.dispatch_queue)}],
    )
    client("scheduler").create_schedule_group(Name=resources.DISPATCH_SCHEDULE_GROUP)
    link_arn = client("secretsmanager").create_secret(
        Name=names.link_secret, SecretString=secrets.token_hex(32)
    )["ARN"]
    secret_arn = client("secretsmanager").create_secret(
        Name=names.secret, SecretString=secrets.token_hex(32)
    )["ARN"]
    sampling_arn = client("secretsmanager").create_secret(
        Name=names.sampling_secret, SecretString=secrets.token_hex(32)
    )["ARN"]
    dispatch_url = sqs.get_queue_url(QueueName=names.dispatch_queue)["QueueUrl"]
    from samvad.local import escalation
    from samvad.local.reports import provision_reports

    escalation_env = escalation.provision(client, names)
    reports_env = provision_reports(client, names)
    return {
        **escalation_env,
        **reports_env,
        **{spec.env_var: names.table(spec) for spec in resources.TABLES},
        resources.DATA_BUCKET_ENV: names.bucket,
        resources.EVENT_BUS_ENV: names.bus,
        resources.PHONE_HASH_SECRET_ENV: secret_arn,
        resources.SAMPLING_SECRET_ENV: sampling_arn,
        resources.DISPATCH_QUEUE_ENV: dispatch_url,
        resources.DISPATCH_QUEUE_ARN_ENV: queue_arn(names.dispatch_queue),
        resources.SCHEDULER_ROLE_ENV: names.scheduler_role_arn,
        resources.LINK_SECRET_ENV: link_arn,
        resources.FEEDBACK_URL_ENV: "https://sv.local",  # a short host, as SMS links need
        resources.TELEPHONY_SIMULATOR_ENV: sqs.get_queue_url(QueueName=names.calls_queue)[
            "QueueUrl"
        ],
        resources.RETENTION_DAYS_ENV: str(retention_days),
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    }


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def _sqs_event(message: dict, queue_arn: str) -> dict:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
        ]
    }


def _create_table(client, name: str, spec: resources.TableSpec) -> None:
    keys = [(spec.partition_key, "HASH")] + ([(spec.sort_key, "RANGE")] if spec.sort_key else [])
    attributes = {attr for attr, _ in keys}
    indexes = []
    for index in spec.indexes:
        index_keys = [(index.partition_key, "HASH")]
        if index.sort_key:
            index_keys.append((index.sort_key, "RANGE"))
        attributes |= {attr for attr, _ in index_keys}
        projection: dict = {"ProjectionType": "ALL"}
        if index.projection == ():
            projection = {"ProjectionType": "KEYS_ONLY"}
        elif index.projection is not None:
            projection = {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(index.projection)}
        indexes.append(
            {
                "IndexName": index.name,
                "KeySchema": [{"AttributeName": a, "KeyType": t} for a, t in index_keys],
                "Projection": projection,
            }
        )
    request = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": a, "KeyType": t} for a, t in keys],
        "AttributeDefinitions": [
            {"AttributeName": a, "AttributeType": spec.key_type(a)} for a in sorted(attributes)
        ],
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    client.create_table(**request)
    if spec.ttl_attribute:
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
        )


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
def _environment(values: dict[str, str | None]):
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
