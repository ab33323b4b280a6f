"""Escalation: FeedbackPoor → a case, a Standard state machine per case, the clerk function.

Routing: the bus's rule (``FeedbackPoor``, ``CaseConfirmation``) → ``inbox`` (SQS) → the
escalation function; the state machine's SNS ``notices`` topic → ``tasks`` (SQS, the stage's
own subscription, carrying task tokens) → the same function. Officials' SMS/e-mail
subscriptions to ``notices`` are filtered on ``official_id`` and made by
``samvad directory load``; they receive the texts, never a token.
"""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.escalation_definition import COMMENT, Definition, Targets
from infra.constructs.function import XRAY_REASON, FunctionArgs, SamvadFunction, retained_logs
from infra.constructs.nag import acknowledge
from infra.constructs.queues import work_queue
from infra.constructs.statements import MESSAGE_KEY_USE, key_statement, table_statements
from infra.constructs.storage import DataStore
from samvad import resources
from samvad.escalation.notices import SENDER_ATTRIBUTE

FUNCTION_TIMEOUT = cdk.Duration.seconds(60)
QUEUE_VISIBILITY = cdk.Duration.seconds(6 * 60)  # six times the function's timeout
MAX_RECEIVES = 5
TABLE_ACTIONS = {
    "Cases": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    "Visits": ("dynamodb:GetItem",),
    "Config": ("dynamodb:GetItem",),
    "Grievances": ("dynamodb:GetItem",),  # a grievance case's text, onto the case item
}
LOGS_REASON = (
    "Step Functions' CloudWatch Logs delivery (logs:CreateLogDelivery, PutResourcePolicy, "
    "Describe*) does not support resource-level permissions; CDK adds it for the log group."
)
GENERATE_DATA_KEY_REASON = (
    "Added by SqsSendMessage for the dispatch queue's key and limited to that one key: "
    "kms:GenerateDataKey* covers the variants SQS calls for envelope encryption."
)


class Escalation(SamvadFunction):
    """The escalation function (``functions/escalation``), its queues, the notices topic, the
    inbox rule and ``state_machine``. The function, its role and log group come from
    ``SamvadFunction``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        dispatch_queue: sqs.IQueue,
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="escalation",
            description="Samvad escalation: open cases, answer the state machine, keep tokens",
            memory_size=512,
            timeout=FUNCTION_TIMEOUT,
            **common,
        )
        key = store.queue_key
        self.inbox, self.inbox_dead_letters = self._queue_pair("Inbox", key)
        self.tasks, self.tasks_dead_letters = self._queue_pair("Tasks", key)
        # The topic has its own key: the queue key's policy names the topic (SNS may deliver
        # to the encrypted tasks queue), so encrypting the topic with it would be a cycle.
        self.notices_key = kms.Key(
            self,
            "NoticesKey",
            description="Samvad: grievance notices topic (SNS at rest)",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.topic = sns.Topic(
            self,
            "Notices",
            master_key=self.notices_key,
            enforce_ssl=True,
            display_name="Samvad grievance notices",
        )
        # the state machine's tasks only: not the clerk's notices to officials (``sender``)
        not_the_clerks = sns.SubscriptionFilter([{"exists": False}])
        self.topic.add_subscription(
            subscriptions.SqsSubscription(
                self.tasks, filter_policy={SENDER_ATTRIBUTE: not_the_clerks}
            )
        )
        self.rule = events.Rule(
            self,
            "InboxRule",
            event_bus=store.bus,
            event_pattern=events.EventPattern(
                source=[resources.EVENT_SOURCE],
                detail_type=[
                    resources.FEEDBACK_POOR,
                    resources.CASE_CONFIRMATION,
                    resources.GRIEVANCE_REGISTERED,
                ],
            ),
            targets=[targets.SqsQueue(self.inbox, dead_letter_queue=self.inbox_dead_letters)],
        )
        self.state_machine = self._state_machine(store, dispatch_queue)
        self.function.add_environment(resources.CASE_NOTICES_TOPIC_ENV, self.topic.topic_arn)
        self.function.add_environment(
            resources.ESCALATION_STATE_MACHINE_ENV, self.state_machine.state_machine_arn
        )
        self.add_statements(*self._statements(store))
        for queue in (self.inbox, self.tasks):
            self.function.add_event_source(
                sources.SqsEventSource(queue, batch_size=10, report_batch_item_failures=True)
            )

    def _queue_pair(self, id: str, key: kms.IKey) -> tuple[sqs.Queue, sqs.Queue]:
        return work_queue(
            self, id, key=key, visibility_timeout=QUEUE_VISIBILITY, max_receives=MAX_RECEIVES
        )

    def _state_machine(self, store: DataStore, dispatch_queue: sqs.IQueue) -> sfn.StateMachine:
        definition = Definition(
            self,
            Targets(
                table=store.tables[resources.CASES.logical_id],
                topic=self.topic,
                bus=store.bus,
                dispatch_queue=dispatch_queue,
            ),
        )
        self.state_machine_logs = retained_logs(self, "StateMachineLogs", store.key)
        machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition.start),
            state_machine_type=sfn.StateMachineType.STANDARD,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.state_machine_logs,
                level=sfn.LogLevel.ALL,
                include_execution_data=False,  # ATR texts and tokens stay out of logs
            ),
            comment=COMMENT,
        )
        # the encrypted notices topic, and the Cases table
        machine.add_to_role_policy(
            key_statement("UseNoticesKey", self.notices_key, actions=MESSAGE_KEY_USE)
        )
        machine.add_to_role_policy(key_statement("UseDataKey", store.key))
        for rule_id, reason in (
            ("AwsSolutions-IAM5[Resource::*]", f"{XRAY_REASON} {LOGS_REASON}"),
            ("AwsSolutions-IAM5[Action::kms:GenerateDataKey*]", GENERATE_DATA_KEY_REASON),
        ):
            acknowledge(machine.role, rule_id, reason=reason)
        return machine

    def _statements(self, store: DataStore) -> list[iam.PolicyStatement]:
        return [
            *table_statements(store, TABLE_ACTIONS),
            iam.PolicyStatement(
                sid="StartCaseExecutions",
                actions=["states:StartExecution"],
                resources=[self.state_machine.state_machine_arn],
            ),
            iam.PolicyStatement(
                sid="ResumeCaseExecutions",
                actions=["states:SendTaskSuccess"],
                resources=[self.state_machine.state_machine_arn],
            ),
            key_statement("UseDataAndQueueKeys", store.key, store.queue_key),
            iam.PolicyStatement(
                sid="SendOfficialsNotices",  # the clerk sends them, not the state machine
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
            ),
            key_statement("UseNoticesKey", self.notices_key, actions=MESSAGE_KEY_USE),
        ]
