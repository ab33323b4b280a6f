"""Erasure: the grievance officer's ``/api/erasures`` routes on the workspace's HTTP API, in
a function of their own, so that only this function's role may erase a citizen's data."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.statements import (
    index_query_statement,
    key_statement,
    read_secrets_statement,
    table_statements,
)
from infra.constructs.storage import DataStore
from infra.constructs.workspace import Workspace
from samvad import resources

ROUTE_PATH = "/api/erasures"
FUNCTION_TIMEOUT = cdk.Duration.seconds(29)
"""Under the HTTP API's 30-second integration limit: one citizen's items and files."""
RESERVED_CONCURRENCY = 2
"""Erasures are rare and one at a time; the cap also bounds what a stolen session could do."""
# Table actions per logical id: the reads and writes of ``samvad.erasure.erase``, no more.
# Query (a partition's items, consistent) and PutItem (the redacted item written back);
# Links also DeleteItem (the citizen's link tokens); no Scan, no UpdateItem anywhere.
TABLE_ACTIONS = {
    "Visits": ("dynamodb:Query", "dynamodb:PutItem"),
    "Feedback": ("dynamodb:Query", "dynamodb:PutItem"),
    "Dispatches": ("dynamodb:Query", "dynamodb:PutItem"),
    "Links": ("dynamodb:Query", "dynamodb:DeleteItem"),
    "Cases": ("dynamodb:Query", "dynamodb:PutItem"),
    "Contacts": ("dynamodb:Query", "dynamodb:PutItem"),
    "Grievances": ("dynamodb:Query", "dynamodb:PutItem"),
    # the receipts and the audit entry, written together (TransactWriteItems needs PutItem)
    "Audit": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
}
INDEXES = {
    "Visits": resources.BY_PHONE_HASH_INDEX.name,  # the citizen's visits by phone hash
    "Links": resources.LINKS_BY_VISIT_INDEX.name,  # a visit's link tokens
}
OBJECT_PREFIXES = (
    resources.UPLOADS_PREFIX,  # the rows of the uploads the citizen's visits came from
    resources.REJECTS_PREFIX,  # and of their rejects files
    resources.SAMPLES_PREFIX,  # the day's selection: the citizen's phone hash
    *resources.REPORT_PREFIXES,  # reports listing one of the citizen's cases
)
OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion")
"""Read the current version, write the rewritten one, delete every older version."""
PREFIX_REASON = (
    "erasure rewrites the files that hold one citizen's rows, whose keys are found from the "
    "citizen's visits (their uploads) and days (their samples, reports) only when a request "
    "arrives."
)


class Erasure(SamvadFunction):
    """``functions/erasure`` behind ``POST /api/erasures`` and ``GET /api/erasures`` of the
    workspace's HTTP API, with the workspace's JWT authorizer (the domain then lets only the
    ``grievance_officer`` role through). Its role holds exactly what ``samvad erase`` needs
    (``TABLE_ACTIONS``, the two keys-only indexes, ``OBJECT_ACTIONS`` on ``OBJECT_PREFIXES``,
    listing and version listing of those prefixes, the phone-hash key and the data key);
    the workspace function's role holds none of the writes."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        workspace: Workspace,
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="erasure",
            description="Samvad erasure: a citizen's data, at a grievance officer's request",
            memory_size=512,
            timeout=FUNCTION_TIMEOUT,
            reserved_concurrent_executions=RESERVED_CONCURRENCY,
            **common,
        )
        integration = self.http_integration()
        self.routes = workspace.api.add_routes(
            path=ROUTE_PATH,
            methods=[apigwv2.HttpMethod.POST, apigwv2.HttpMethod.GET],
            integration=integration,
            authorizer=workspace.authorizer,
        )
        self.add_statements(*self._statements(store))
        self.acknowledge_object_prefixes(OBJECT_PREFIXES, reason=PREFIX_REASON)

    @staticmethod
    def _statements(store: DataStore) -> list[iam.PolicyStatement]:
        bucket = store.bucket
        return [
            *table_statements(store, TABLE_ACTIONS),
            index_query_statement(store, "QueryKeysOnlyIndexes", INDEXES.items()),
            iam.PolicyStatement(
                sid="RewriteCitizenFiles",
                actions=list(OBJECT_ACTIONS),
                resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in OBJECT_PREFIXES],
            ),
            iam.PolicyStatement(
                sid="ListCitizenFiles",
                actions=["s3:ListBucket", "s3:ListBucketVersions"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{p}*" for p in OBJECT_PREFIXES]}},
            ),
            read_secrets_statement("ReadPhoneHashKey", store.phone_hash_secret),
            key_statement("UseDataKey", store.key),
        ]
