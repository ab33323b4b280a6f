"""IAM statement shapes the functions' roles share: tables, indexes, objects, keys, the bus,
secrets. Each takes the ``sid`` its caller has always used, so the policies read the same."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager

from infra.constructs.storage import DataStore

KMS_USE = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
"""What a role that reads and writes data encrypted with a key does with the key."""
KEY_WRITE_ONLY = ("kms:Encrypt", "kms:GenerateDataKey")
"""What writing data encrypted with a key, never reading it back, takes of the key."""
MESSAGE_KEY_USE = ("kms:Decrypt", "kms:GenerateDataKey")
"""What sending to an encrypted queue or topic takes of its key."""


def table_statements(
    store: DataStore, actions: Mapping[str, Iterable[str]]
) -> list[iam.PolicyStatement]:
    """One statement per table (``Table<logical id>``): exactly ``actions[logical id]`` on that
    table's ARN (its indexes are granted apart, by name)."""
    return [
        iam.PolicyStatement(
            sid=f"Table{logical_id}",
            actions=list(table_actions),
            resources=[store.tables[logical_id].table_arn],
        )
        for logical_id, table_actions in actions.items()
    ]


def index_query_statement(
    store: DataStore, sid: str, indexes: Iterable[tuple[str, str]]
) -> iam.PolicyStatement:
    """``dynamodb:Query`` on named indexes, given as ``(table logical id, index name)``."""
    return iam.PolicyStatement(
        sid=sid,
        actions=["dynamodb:Query"],
        resources=[f"{store.tables[table].table_arn}/index/{index}" for table, index in indexes],
    )


def object_statements(
    store: DataStore, actions: Mapping[str, Iterable[str]]
) -> list[iam.PolicyStatement]:
    """One statement per data-bucket prefix (``Objects<Prefix>``): ``actions[prefix]`` on the
    objects under it."""
    return [
        iam.PolicyStatement(
            sid="Objects" + "".join(p.title().replace("-", "") for p in prefix.split("/")),
            actions=list(prefix_actions),
            resources=[store.bucket.arn_for_objects(f"{prefix}*")],
        )
        for prefix, prefix_actions in actions.items()
    ]


def key_statement(
    sid: str, *keys: kms.IKey, actions: Sequence[str] = KMS_USE
) -> iam.PolicyStatement:
    """``actions`` (by default ``KMS_USE``) on ``keys``."""
    return iam.PolicyStatement(sid=sid, actions=list(actions), resources=[k.key_arn for k in keys])


def publish_events_statement(store: DataStore) -> iam.PolicyStatement:
    """``PublishEvents``: ``events:PutEvents`` on the stack's event bus."""
    return iam.PolicyStatement(
        sid="PublishEvents", actions=["events:PutEvents"], resources=[store.bus.event_bus_arn]
    )


def read_secrets_statement(sid: str, *secrets: secretsmanager.ISecret) -> iam.PolicyStatement:
    """``secretsmanager:GetSecretValue`` on ``secrets``."""
    return iam.PolicyStatement(
        sid=sid,
        actions=["secretsmanager:GetSecretValue"],
        resources=[secret.secret_arn for secret in secrets],
    )
