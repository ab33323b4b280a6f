"""Workspace: the officials' HTTP API (Cognito JWT authorizer) in front of one function."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.connect import ConnectSettings
from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.http_stage import http_api, throttled_stage
from infra.constructs.identity import Identity
from infra.constructs.nag import acknowledge, acknowledge_wildcard
from infra.constructs.schedules import (
    SCHEDULER_SERVICE,
    create_schedules_statements,
    dispatch_schedules_arn,
    scheduler_role,
)
from infra.constructs.statements import (
    KEY_WRITE_ONLY,
    MESSAGE_KEY_USE,
    index_query_statement,
    key_statement,
    publish_events_statement,
    table_statements,
)
from infra.constructs.storage import DataStore
from samvad import resources

FUNCTION_TIMEOUT = cdk.Duration.seconds(15)
"""Under the HTTP API's 30-second integration limit."""
THROTTLE_RATE = 50
"""Requests per second, steady, for the whole stage: a few thousand officials at work."""
THROTTLE_BURST = 100
# Table actions per logical id: what the workspace reads and writes, nothing more.
TABLE_ACTIONS = {
    "Cases": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    "Visits": ("dynamodb:GetItem", "dynamodb:PutItem"),  # PutItem: a grievance's citizen
    "CallLists": ("dynamodb:Query", "dynamodb:UpdateItem"),
    "Feedback": ("dynamodb:GetItem", "dynamodb:PutItem"),
    "Dispatches": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    "Directory": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"),
    "Config": ("dynamodb:GetItem",),
    "Uploads": ("dynamodb:GetItem", "dynamodb:Scan"),
    "Tallies": ("dynamodb:GetItem", "dynamodb:Query"),
    "Audit": ("dynamodb:PutItem", "dynamodb:Query"),  # append-only: no update, no delete
    "Grievances": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
    "RateLimits": ("dynamodb:GetItem", "dynamodb:PutItem"),
}
CASE_LIST_INDEXES = tuple(index.name for index in resources.CASES.indexes)
"""Case lists: a Query on the caller's scope index, never a Scan of the table."""
# Object actions per data-bucket prefix.
OBJECT_ACTIONS = {
    resources.UPLOADS_PREFIX: ("s3:PutObject",),  # presigned POSTs, one department's prefix
    resources.REJECTS_PREFIX: ("s3:GetObject",),  # the rejects download
    resources.INTAKE_REPORTS_PREFIX: ("s3:GetObject",),  # an upload's intake report
    resources.CASE_FILES_PREFIX: ("s3:GetObject", "s3:PutObject"),  # ATR photos and PDFs
}
PRESIGN_REASON = (
    "object keys are chosen per request (a department's upload, a case's ATR attachment, "
    "an upload's report or rejects); the handler limits uploads to the caller's department."
)
PUBLIC_ROUTE_REASON = (
    "Deliberately without the JWT authorizer: {what}. The handler authenticates the request "
    "itself (the session cookie or an ID token verified against the pool's JWKS)."
)


class Workspace(SamvadFunction):
    """The officials' workspace: ``api`` (HTTP API), ``client`` (Cognito app client) and the
    workspace function (``functions/workspace``) behind them.

    Routes, all to the one function (payload v2):

    - ``ANY /api/{proxy+}`` and ``GET /api/{proxy+}``: the JSON API, behind ``authorizer``
      (a JWT authorizer: the pool's issuer, the workspace client as audience). The explicit
      ``GET`` keeps API reads off the page route below whatever the method precedence.
    - ``POST /api/session`` (dev sign-in with a password), ``GET /`` and ``GET /{proxy+}``
      (pages, the hosted UI's callback): no authorizer; the handler authenticates.

    The ``$default`` ``stage`` throttles (``THROTTLE_RATE``/``THROTTLE_BURST``) and writes
    JSON access logs to ``access_logs`` (encrypted with the data key). No CORS: the pages are
    served from the same origin.

    The function may read the cases, visits, call lists, directory, report counters and
    uploads it shows, write what officials do (ATR, transfer, call outcomes, the audit), sign
    presigned POSTs under ``uploads/`` (the one role allowed to write there directly besides
    the departments' access points; see ``DepartmentUploads``), resume case executions and
    notify a case's new holder. Its environment adds the user pool and client ids, the hosted
    UI's URL, the state machine and the notices topic.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        identity: Identity,
        state_machine: sfn.IStateMachine,
        notices_topic: sns.ITopic,
        notices_key: kms.IKey,
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="workspace",
            description="Samvad workspace: officials' pages and JSON API (signed in)",
            memory_size=512,
            timeout=FUNCTION_TIMEOUT,
            environment={
                resources.USER_POOL_ID_ENV: identity.user_pool.user_pool_id,
                resources.USER_POOL_DOMAIN_ENV: identity.domain.base_url(),
                resources.ESCALATION_STATE_MACHINE_ENV: state_machine.state_machine_arn,
                resources.CASE_NOTICES_TOPIC_ENV: notices_topic.topic_arn,
            },
            **common,
        )
        self.api = http_api(
            self, "workspace", description="Samvad officials' workspace: pages and JSON API"
        )
        self.client = identity.add_workspace_client(self.api.api_endpoint)
        self.function.add_environment(
            resources.USER_POOL_CLIENT_ID_ENV, self.client.user_pool_client_id
        )
        self.authorizer = authorizers.HttpJwtAuthorizer(
            "Officials",
            f"https://cognito-idp.{cdk.Stack.of(self).region}.amazonaws.com/"
            f"{identity.user_pool.user_pool_id}",
            jwt_audience=[self.client.user_pool_client_id],
            authorizer_name="officials",
        )
        self._routes()
        self._stage(store)
        self.add_statements(*self._statements(store, state_machine, notices_topic, notices_key))
        if identity.password_sign_in:
            self.add_statements(
                iam.PolicyStatement(
                    sid="PasswordSignInDevOnly",
                    actions=["cognito-idp:InitiateAuth"],
                    resources=[identity.user_pool.user_pool_arn],
                )
            )
        self.acknowledge_object_prefixes(OBJECT_ACTIONS, reason=PRESIGN_REASON)

    def hand_back_to(self, store: DataStore, schedule_group: scheduler.ScheduleGroup) -> None:
        """The call desk hands a no-answer back to the official's own list: a one-time
        schedule in ``schedule_group`` (the dispatch group) that calls DynamoDB's
        ``PutItem`` on the CallLists table when the retry is due (a universal target: no
        function runs) as ``hand_back_role``, which may do only that."""
        call_lists = store.tables[resources.CALL_LISTS.logical_id]
        self.hand_back_role = scheduler_role(
            self,
            "HandBackRole",
            group_arn=schedule_group.schedule_group_arn,
            description="Samvad call desk: put a no-answer back on the official's call list",
            statements=[
                iam.PolicyStatement(
                    sid="ReturnToTheCallList",
                    actions=["dynamodb:PutItem"],
                    resources=[call_lists.table_arn],
                ),
                key_statement("EncryptCallLists", store.key, actions=KEY_WRITE_ONLY),
            ],
        )
        schedules = dispatch_schedules_arn(self)
        self.function.add_environment(resources.SCHEDULER_ROLE_ENV, self.hand_back_role.role_arn)
        self.add_statements(
            *create_schedules_statements(
                "HandBackToTheDesk",
                "PassHandBackRole",
                schedules_arn=schedules,
                role=self.hand_back_role,
            )
        )
        acknowledge_wildcard(
            self.role,
            schedules,
            reason="Only schedules of the dispatch group; each hand-back gets a one-time "
            "schedule named after its visit and attempt when the official records it.",
        )

    def fall_back_to_sms(
        self, dispatch_queue: sqs.IQueue, schedule_role: iam.IRole, dead_letter: sqs.IQueue
    ) -> None:
        """After the desk's last unanswered call the dispatcher sends the SMS survey: a
        one-time schedule in the dispatch group (created under ``hand_back_to``'s grant)
        puts the ``sms`` dispatch message on ``dispatch_queue`` as ``schedule_role``, the
        dispatcher's deferred-dispatch role (undeliverable: ``dead_letter``). The function
        may pass that role to Scheduler; it may not send to the queue itself."""
        self.function.add_environment(resources.DISPATCH_QUEUE_ARN_ENV, dispatch_queue.queue_arn)
        self.function.add_environment(resources.SMS_FALLBACK_ROLE_ENV, schedule_role.role_arn)
        self.function.add_environment(resources.DEFERRED_DEAD_LETTER_ENV, dead_letter.queue_arn)
        self.add_statements(
            iam.PolicyStatement(
                sid="PassSmsFallbackRole",
                actions=["iam:PassRole"],
                resources=[schedule_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": SCHEDULER_SERVICE}},
            )
        )

    def bridge_calls(self, connect: ConnectSettings, flow_id: str) -> None:
        """The call desk's **Call** through Amazon Connect: outbound contacts of ``connect``'s
        instance into the bridge flow ``flow_id`` (the official first, then the citizen)."""
        self.function.add_environment(resources.CONNECT_INSTANCE_ENV, connect.instance_id)
        self.function.add_environment(resources.CONNECT_BRIDGE_FLOW_ENV, flow_id)
        self.function.add_environment(resources.CONNECT_SOURCE_PHONE_ENV, connect.source_phone)
        contacts = f"{connect.instance_arn}/contact/*"
        self.add_statements(
            iam.PolicyStatement(
                sid="StartBridgedCalls",
                actions=["connect:StartOutboundVoiceContact"],
                resources=[contacts],
            )
        )
        acknowledge_wildcard(
            self.role,
            contacts,
            reason="StartOutboundVoiceContact authorises on the contact it creates, whose id "
            "does not exist before the call: only contacts of the contact centre's instance.",
        )

    def _routes(self) -> None:
        handler = self.http_integration()
        self.api_routes = self.api.add_routes(
            path="/api/{proxy+}",
            methods=[apigwv2.HttpMethod.ANY, apigwv2.HttpMethod.GET],
            integration=handler,
            authorizer=self.authorizer,
        )
        public = {
            ("/api/session", apigwv2.HttpMethod.POST): "signing in with a password (dev "
            "stages; elsewhere the client refuses USER_PASSWORD_AUTH)",
            ("/", apigwv2.HttpMethod.GET): "the sign-in page",
            ("/{proxy+}", apigwv2.HttpMethod.GET): "the pages and the hosted UI's callback",
        }
        self.public_routes = []
        for (path, method), what in public.items():
            [route] = self.api.add_routes(path=path, methods=[method], integration=handler)
            acknowledge(route, "AwsSolutions-APIG4", reason=PUBLIC_ROUTE_REASON.format(what=what))
            self.public_routes.append(route)

    def _stage(self, store: DataStore) -> None:
        self.stage, self.access_logs = throttled_stage(
            self,
            self.api,
            store=store,
            rate=THROTTLE_RATE,
            burst=THROTTLE_BURST,
            caller_field={"user": "$context.authorizer.claims.sub"},
        )

    @staticmethod
    def _statements(
        store: DataStore,
        state_machine: sfn.IStateMachine,
        notices_topic: sns.ITopic,
        notices_key: kms.IKey,
    ) -> list[iam.PolicyStatement]:
        bucket = store.bucket
        return [
            *table_statements(store, TABLE_ACTIONS),
            index_query_statement(
                store,
                "QueryCasesByScope",
                [(resources.CASES.logical_id, index) for index in CASE_LIST_INDEXES],
            ),
            *(
                iam.PolicyStatement(
                    sid=f"Objects{prefix.rstrip('/').replace('/', '').title()}",
                    actions=list(actions),
                    resources=[bucket.arn_for_objects(f"{prefix}*")],
                )
                for prefix, actions in OBJECT_ACTIONS.items()
            ),
            key_statement("UseDataKey", store.key),
            publish_events_statement(store),
            iam.PolicyStatement(
                sid="ResumeCaseExecutions",
                actions=["states:SendTaskSuccess"],
                resources=[state_machine.state_machine_arn],
            ),
            iam.PolicyStatement(
                sid="NotifyNewHolder",
                actions=["sns:Publish"],
                resources=[notices_topic.topic_arn],
            ),
            key_statement("UseNoticesKey", notices_key, actions=MESSAGE_KEY_USE),
        ]
