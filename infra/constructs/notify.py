"""Notify: the dispatcher that calls (Amazon Connect) or texts (SNS) each sampled citizen."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
import jsii
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.connect import ConnectSettings, start_outbound_voice_statement
from infra.constructs.function import (
    SMS_REASON,
    XRAY_REASON,
    FunctionArgs,
    SamvadFunction,
    sms_only_publish,
)
from infra.constructs.nag import acknowledge, acknowledge_wildcard
from infra.constructs.queues import (
    RULE_MAX_EVENT_AGE,
    RULE_RETRY_ATTEMPTS,
    dead_letter_queue,
    send_statements,
)
from infra.constructs.sampler import DISPATCH_VISIBILITY_TIMEOUT
from infra.constructs.schedules import (
    create_schedules_statements,
    dispatch_schedules_arn,
    scheduler_role,
)
from infra.constructs.statements import (
    index_query_statement,
    key_statement,
    publish_events_statement,
    read_secrets_statement,
    table_statements,
)
from infra.constructs.storage import DataStore
from samvad import resources

FUNCTION_TIMEOUT = cdk.Duration.seconds(resources.NOTIFY_TIMEOUT_SECONDS)
BATCH_SIZE = 10
MAX_CONCURRENCY = 2
"""Pollers at most; the channel quotas are shared through the RateLimits token buckets."""
# Table actions per logical id (the table ARN itself): what notify does, nothing more.
TABLE_ACTIONS = {
    "Dispatches": (
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
    ),
    "RateLimits": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    "Visits": ("dynamodb:GetItem",),
    "Contacts": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    "Links": ("dynamodb:PutItem",),
    "Config": ("dynamodb:GetItem", "dynamodb:Query"),
}
INDEX_QUERIES = ((resources.DISPATCHES.logical_id, resources.BY_REFERENCE_INDEX.name),)
CONTACT_EVENT_SOURCE = "aws.connect"
CONTACT_EVENT_TYPE = "Amazon Connect Contact Event"


def _check_visibility_timeout(timeout: cdk.Duration) -> None:
    """AWS advises an SQS source's visibility timeout of at least six times the function's."""
    if DISPATCH_VISIBILITY_TIMEOUT.to_seconds() < 6 * timeout.to_seconds():
        raise ValueError(
            f"dispatch queue visibility {DISPATCH_VISIBILITY_TIMEOUT.to_seconds()} s is under "
            f"six times notify's {timeout.to_seconds()} s timeout"
        )


@jsii.implements(events.IRuleTarget)
class _QueueTarget:
    """An SQS rule target that grants nothing: the queue and key policies are written by
    ``Notify`` itself, scoped to the rule's ARN (CDK's ``SqsQueue`` scopes an encrypted
    queue's grants to the account only)."""

    def __init__(self, queue: sqs.IQueue, dead_letter_queue: sqs.IQueue) -> None:
        self._queue = queue
        self._dead_letters = dead_letter_queue

    def bind(self, _rule: events.IRule, _id: str | None = None) -> events.RuleTargetConfig:
        return events.RuleTargetConfig(
            arn=self._queue.queue_arn,
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(
                arn=self._dead_letters.queue_arn
            ),
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_retry_attempts=RULE_RETRY_ATTEMPTS,
                maximum_event_age_in_seconds=int(RULE_MAX_EVENT_AGE.to_seconds()),
            ),
        )


class Notify(SamvadFunction):
    """The notify function, fed by the sampler's dispatch queue.

    - ``function`` consumes ``dispatch_queue`` (batches of ``BATCH_SIZE``, partial batch
      failures, at most ``max_concurrency`` concurrent invocations).
    - ``schedule_group`` (``resources.DISPATCH_SCHEDULE_GROUP``) holds the one-time schedules
      that put deferred messages back on the queue, as ``schedule_role``, which may only send
      to that queue (and to ``deferred_dead_letter_queue``, the schedules' DeadLetterConfig).
      notify may create schedules in that group and pass only that role.
    - SMS: ``sns:Publish`` to phone numbers. Voice, when ``connect`` is given: notify may start
      outbound calls on that instance with the survey flow ``contact_flow_id``, and
      ``contact_events_rule`` brings the instance's DISCONNECTED contact events (default bus)
      onto the dispatch queue, beside the dispatch messages; events EventBridge cannot deliver
      wait in ``contact_events_dead_letter_queue``.

    The function, its role and log group come from ``SamvadFunction``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        dispatch_queue: sqs.Queue,
        feedback_url: str,
        connect: ConnectSettings | None = None,
        contact_flow_id: str | None = None,
        max_concurrency: int = MAX_CONCURRENCY,
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        _check_visibility_timeout(FUNCTION_TIMEOUT)
        if (connect is None) != (contact_flow_id is None):
            raise ValueError("connect and contact_flow_id go together")
        super().__init__(
            scope,
            id,
            name="dispatch",
            description="Samvad notify: call or text each sampled citizen, paced and polite",
            memory_size=256,
            timeout=FUNCTION_TIMEOUT,
            environment={
                resources.DISPATCH_QUEUE_ENV: dispatch_queue.queue_url,
                resources.DISPATCH_QUEUE_ARN_ENV: dispatch_queue.queue_arn,
                resources.LINK_SECRET_ENV: store.link_secret.secret_arn,
                resources.FEEDBACK_URL_ENV: feedback_url,
            },
            **common,
        )
        self.dispatch_queue = dispatch_queue
        self._scheduling(store)
        self.function.add_environment(resources.SCHEDULER_ROLE_ENV, self.schedule_role.role_arn)
        self.function.add_environment(
            resources.DEFERRED_DEAD_LETTER_ENV, self.deferred_dead_letter_queue.queue_arn
        )
        self.add_statements(*self._statements(store))
        self.function.add_event_source(
            sources.SqsEventSource(
                dispatch_queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=max_concurrency,
            )
        )
        self.contact_events_rule: events.Rule | None = None
        if connect is not None and contact_flow_id is not None:
            self._voice(store, connect, contact_flow_id)
        self._acknowledge(connect)

    # -- deferred dispatches ----------------------------------------------------------------

    def _scheduling(self, store: DataStore) -> None:
        # Its schedules are one-time and transient: the group goes with the stack.
        self.schedule_group = scheduler.ScheduleGroup(
            self,
            "ScheduleGroup",
            schedule_group_name=resources.DISPATCH_SCHEDULE_GROUP,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.deferred_dead_letter_queue = dead_letter_queue(
            self,
            "DeferredDeadLetterQueue",
            key=store.queue_key,
            of="the deferred dispatches' one-time schedules (Scheduler DeadLetterConfig)",
        )
        self.schedule_role = scheduler_role(
            self,
            "ScheduleRole",
            group_arn=self.schedule_group.schedule_group_arn,
            description="Samvad deferred dispatches: put a message back on the dispatch queue",
            statements=send_statements(
                {
                    "RequeueDispatch": self.dispatch_queue,
                    "DeadLetter": self.deferred_dead_letter_queue,
                },
                store.queue_key,
            ),
        )

    # -- permissions --------------------------------------------------------------------------

    def _statements(self, store: DataStore) -> list[iam.PolicyStatement]:
        return [
            *table_statements(store, TABLE_ACTIONS),
            index_query_statement(  # a Connect contact id → its attempt
                store, "QueryDispatchesByReference", INDEX_QUERIES
            ),
            iam.PolicyStatement(
                sid="RequeueDispatches",
                actions=["sqs:SendMessage"],
                resources=[self.dispatch_queue.queue_arn],
            ),
            publish_events_statement(store),
            read_secrets_statement(
                "ReadLinkAndPhoneHashKeys", store.link_secret, store.phone_hash_secret
            ),
            key_statement("UseDataAndQueueKeys", store.key, store.queue_key),
            *create_schedules_statements(
                "ScheduleDeferredDispatches",
                "PassScheduleRole",
                schedules_arn=dispatch_schedules_arn(self),
                role=self.schedule_role,
            ),
            *sms_only_publish(),
        ]

    # -- voice ------------------------------------------------------------------------------

    def _voice(self, store: DataStore, connect: ConnectSettings, flow_id: str) -> None:
        stack = cdk.Stack.of(self)
        self.function.add_environment(resources.CONNECT_INSTANCE_ENV, connect.instance_id)
        self.function.add_environment(resources.CONNECT_FLOW_ENV, flow_id)
        self.function.add_environment(resources.CONNECT_SOURCE_PHONE_ENV, connect.source_phone)
        self.add_statements(start_outbound_voice_statement(connect))
        # The rule is named so its ARN can scope the queue key's policy without a reference
        # cycle (key → rule → queue → key).
        rule_name = f"{stack.stack_name}-contact-disconnected"
        rule_arn = stack.format_arn(service="events", resource="rule", resource_name=rule_name)
        self.contact_events_dead_letter_queue = dead_letter_queue(
            self,
            "ContactEventsDeadLetterQueue",
            key=store.queue_key,
            of="the contact-events rule's target (EventBridge DeadLetterConfig)",
        )
        self.contact_events_rule = events.Rule(
            self,
            "ContactDisconnected",
            rule_name=rule_name,
            description="Samvad: Connect contacts of the survey instance that ended",
            event_pattern=events.EventPattern(
                source=[CONTACT_EVENT_SOURCE],
                detail_type=[CONTACT_EVENT_TYPE],
                detail={"eventType": ["DISCONNECTED"], "instanceArn": [connect.instance_arn]},
            ),
            targets=[_QueueTarget(self.dispatch_queue, self.contact_events_dead_letter_queue)],
        )
        events_principal = iam.ServicePrincipal("events.amazonaws.com")
        from_rule = {"ArnEquals": {"aws:SourceArn": rule_arn}}
        for queue in (self.dispatch_queue, self.contact_events_dead_letter_queue):
            queue.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="ContactEventsFromRule",
                    principals=[events_principal],
                    actions=["sqs:SendMessage"],
                    resources=[queue.queue_arn],
                    conditions=from_rule,
                )
            )
        store.queue_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="ContactEventsUseQueueKey",
                principals=[events_principal],
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=["*"],
                conditions=from_rule,
            )
        )

    def _acknowledge(self, connect: ConnectSettings | None) -> None:
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            reason=f"{XRAY_REASON} SMS (the survey's texts): {SMS_REASON}",
        )
        acknowledge_wildcard(
            self.role,
            dispatch_schedules_arn(self),
            reason="Only schedules of the dispatch group; each deferred message gets a "
            "one-time schedule whose name is made when it is deferred.",
        )
        if connect is not None:
            acknowledge_wildcard(
                self.role,
                start_outbound_voice_statement(connect).resources[0],
                reason="StartOutboundVoiceContact authorises on the contact it creates, whose "
                "id does not exist before the call: only contacts of the survey instance.",
            )
