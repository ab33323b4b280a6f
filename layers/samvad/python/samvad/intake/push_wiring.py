"""Build the push API's ports from settings, and answer one HTTP API request."""

from __future__ import annotations

import functools
from typing import Any

from samvad.adapters import aws
from samvad.adapters.config import DynamoConfig
from samvad.adapters.directory import DynamoDirectory
from samvad.adapters.secrets import secret_bytes
from samvad.adapters.strata import DynamoStrata
from samvad.adapters.uploads import DynamoLedger
from samvad.adapters.visits import DynamoVisits
from samvad.intake.push import PushPorts, PushRefused, caller_department, push
from samvad.settings import IntakeApiSettings

JSON = {"Content-Type": "application/json"}


@functools.cache
def push_ports(settings: IntakeApiSettings) -> PushPorts:
    """One set of clients per warm Lambda environment."""
    connections = max(10, settings.write_workers + 2)
    return PushPorts(
        visits=DynamoVisits(settings.visits_table, aws.client("dynamodb", connections=connections)),
        ledger=DynamoLedger(settings.uploads_table, retention_days=settings.retention_days),
        directory=DynamoDirectory(settings.directory_table),
        strata=DynamoStrata(settings.strata_table, retention_days=settings.retention_days),
        config=DynamoConfig(settings.config_table),
        hash_key=secret_bytes(settings.phone_hash_secret_id),
        sampling_key=secret_bytes(settings.sampling_secret_id),
        retention_days=settings.retention_days,
        write_workers=settings.write_workers,
    )


def push_request(
    body: str | bytes | None, principal_arn: str | None, settings: IntakeApiSettings
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """``(status, headers, document)`` for one ``POST /intake/v1/visits``; the principal is
    the IAM identity API Gateway verified (``requestContext.authorizer.iam.userArn``)."""
    ports = push_ports(settings)
    try:
        department = caller_department(principal_arn, ports.config)
        pushed = push(body, department, ports)
    except PushRefused as refused:
        return refused.status, JSON, refused.as_dict()
    answer = {k: v for k, v in pushed.answer.items() if k != "records_sha256"}
    replay = {"Idempotent-Replayed": "true" if pushed.replayed else "false"}
    return 200, JSON | replay, answer
