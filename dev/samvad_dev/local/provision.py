"""The stack's resources, created in the emulator from the same specs the CDK stack uses.

``provision(client, names)`` works against moto's server (the local runtime) and in-process
``mock_aws`` (the adapter tests); it only creates resources and returns the environment the
stack gives the functions. The escalation state machine itself is created by
``samvad_dev.local.escalation`` (from ``infra/escalation_state_machine.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable
from typing import Any

from samvad import resources
from samvad.reports.tally import tally_pattern
from samvad_dev.local.names import Names, queue_arn

Client = Callable[[str], Any]
QUEUE_VISIBILITY = {"reports": "600", "escalation-inbox": "360", "escalation-tasks": "360"}


def provision(
    client: Client, names: Names, retention_days: int = 400, seed: int | None = None
) -> dict[str, str]:
    """Create what the CDK stack defines; return the functions' environment.

    With ``seed``, the secrets (phone hashing, sampling, link signing) are derived from it,
    so that the same seed draws the same sample and signs the same links."""
    for spec in resources.TABLES:
        create_table(client("dynamodb"), names.table(spec), spec)
    sqs = client("sqs")
    urls = {}
    for queue in names.queues:
        suffix = queue.removeprefix(f"samvad-{names.stage}-")
        visibility = QUEUE_VISIBILITY.get(suffix, str(resources.INTAKE_QUEUE_VISIBILITY_SECONDS))
        urls[queue] = sqs.create_queue(
            QueueName=queue, Attributes={"VisibilityTimeout": visibility}
        )["QueueUrl"]
    _bucket(client("s3"), names)
    client("s3").create_bucket(  # Connect's recordings: the local IVR player writes them
        Bucket=names.recordings_bucket,
        CreateBucketConfiguration={"LocationConstraint": client("s3").meta.region_name},
    )
    _routing(client("events"), names)
    sns = client("sns")
    sns.create_topic(Name=names.notices_topic)
    sns.subscribe(  # the state machine's tasks only, as the stack's subscription filters
        TopicArn=names.notices_topic_arn, Protocol="sqs",
        Endpoint=queue_arn(names.tasks_queue, names.account),
        Attributes={"FilterPolicy": json.dumps({"sender": [{"exists": False}]})},
    )  # fmt: skip
    reports_topic = sns.create_topic(Name=names.reports_topic)["TopicArn"]
    client("scheduler").create_schedule_group(Name=resources.DISPATCH_SCHEDULE_GROUP)
    manager = client("secretsmanager")

    def secret(name: str) -> str:
        value = (
            secrets.token_hex(32)
            if seed is None
            else hashlib.sha256(f"samvad-local|{seed}|{name}".encode()).hexdigest()
        )
        return manager.create_secret(Name=name, SecretString=value)["ARN"]

    return {
        **{spec.env_var: names.table(spec) for spec in resources.TABLES},
        resources.DATA_BUCKET_ENV: names.bucket,
        resources.EVENT_BUS_ENV: names.bus,
        resources.PHONE_HASH_SECRET_ENV: secret(names.secret),
        resources.SAMPLING_SECRET_ENV: secret(names.sampling_secret),
        resources.LINK_SECRET_ENV: secret(names.link_secret),
        resources.DISPATCH_QUEUE_ENV: urls[names.dispatch_queue],
        resources.DISPATCH_QUEUE_ARN_ENV: queue_arn(names.dispatch_queue, names.account),
        resources.SCHEDULER_ROLE_ENV: names.scheduler_role_arn,
        resources.SMS_FALLBACK_ROLE_ENV: names.scheduler_role_arn,  # the call desk's SMS
        resources.FEEDBACK_URL_ENV: "https://sv.local",  # a short host, as SMS links need
        resources.TELEPHONY_SIMULATOR_ENV: urls[names.calls_queue],
        resources.CONNECT_RECORDINGS_ENV: names.recordings_location,
        resources.RETENTION_DAYS_ENV: str(retention_days),
        resources.CASE_NOTICES_TOPIC_ENV: names.notices_topic_arn,
        resources.ESCALATION_STATE_MACHINE_ENV: names.state_machine_arn,
        resources.REPORTS_TOPIC_ENV: reports_topic,
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    }


def _bucket(s3: Any, names: Names) -> None:
    """The data bucket: versioned; uploads notify the intake queue."""
    s3.create_bucket(
        Bucket=names.bucket, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name}
    )
    s3.put_bucket_versioning(Bucket=names.bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket=names.bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn(names.intake_queue, names.account),
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


def _routing(events: Any, names: Names) -> None:
    """The bus and its rules. moto delivers to SQS targets only: each rule's target is the
    queue the stack's function reads (or, for the observer, a queue the runtime reads)."""
    events.create_event_bus(Name=names.bus)
    rules = [
        ("observe-domain-events", names.bus, {"source": [resources.EVENT_SOURCE]}, "events"),
        (
            "escalation-inbox",
            names.bus,
            {
                "source": [resources.EVENT_SOURCE],
                "detail-type": [
                    resources.FEEDBACK_POOR,
                    resources.CASE_CONFIRMATION,
                    resources.GRIEVANCE_REGISTERED,
                ],
            },
            names.inbox_queue,
        ),
        ("reports-tallies", names.bus, tally_pattern(), names.reports_queue),
        (
            "grievance-sms-requests",
            names.bus,
            {
                "source": [resources.EVENT_SOURCE],
                "detail-type": [resources.GRIEVANCE_SMS_REQUESTED],
            },
            names.sms_requests_queue,
        ),
        (
            "grievance-voice-messages",
            names.bus,
            {
                "source": [resources.EVENT_SOURCE],
                "detail-type": [resources.GRIEVANCE_REGISTERED],
                "detail": {"has_voice": [True], "channel": ["ivr"]},
            },
            names.voice_queue,
        ),
        # Connect's contact events reach the dispatch queue, as the stack's rule routes them.
        (
            "connect-calls-ended",
            "default",
            {
                "source": ["aws.connect"],
                "detail-type": ["Amazon Connect Contact Event"],
                "detail": {"eventType": ["DISCONNECTED"]},
            },
            names.dispatch_queue,
        ),
    ]
    for rule, bus, pattern, queue in rules:
        target = names.events_queue if queue == "events" else queue
        events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(
            Rule=rule,
            EventBusName=bus,
            Targets=[{"Id": "target", "Arn": queue_arn(target, names.account)}],
        )


def create_table(client: Any, name: str, spec: resources.TableSpec) -> None:
    keys = [(spec.partition_key, "HASH")] + ([(spec.sort_key, "RANGE")] if spec.sort_key else [])
    attributes = {attr for attr, _ in keys}
    indexes = []
    for index in spec.indexes:
        index_keys = [(index.partition_key, "HASH")]
        if index.sort_key:
            index_keys.append((index.sort_key, "RANGE"))
        attributes |= {attr for attr, _ in index_keys}
        projection: dict[str, Any] = {"ProjectionType": "ALL"}
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
    request: dict[str, Any] = {
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
