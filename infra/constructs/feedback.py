"""Feedback: the function that records what citizens say, by web form, SMS reply or IVR."""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.queues import (
    dead_letter_queue,
    on_failure_queue,
    redriving_queue,
    rule_target,
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

WEB_CONCURRENCY = 20
"""Reserved for the public web entry: a flood queues (429) at this many, no further."""
IVR_CONCURRENCY = 20
"""Reserved for Connect's survey flow and SMS replies, whatever the web entry does."""
FUNCTION_TIMEOUT = cdk.Duration.seconds(10)
"""Connect waits at most 8 s for a Lambda function (the flow's InvocationTimeLimitSeconds)."""
REQUESTS_VISIBILITY = cdk.Duration.seconds(6 * 10)
"""Six times the function's timeout, as AWS advises for SQS event sources."""
REQUESTS_MAX_RECEIVES = 5
SMS_SERVICE = "sms-voice.amazonaws.com"
"""AWS End User Messaging SMS: publishes inbound (two-way) messages to the replies topic."""
# Table actions per logical id (the table ARN itself): what feedback does, nothing more.
TABLE_ACTIONS = {
    "Feedback": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    # grievances (GRV/STATUS, the form /g): the citizen's visit item grv-<reference>
    "Visits": ("dynamodb:GetItem", "dynamodb:PutItem"),
    "Grievances": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
    "RateLimits": ("dynamodb:GetItem", "dynamodb:PutItem"),
    "Directory": ("dynamodb:BatchGetItem",),
    "Cases": ("dynamodb:GetItem",),
    "Links": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    "Dispatches": ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"),
    "Contacts": ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    "Config": ("dynamodb:GetItem",),
}
# Index queries, by (table logical id, index name): named index ARNs, no wildcard.
INDEX_QUERIES = ((resources.DISPATCHES.logical_id, resources.BY_REFERENCE_INDEX.name),)


class Feedback(SamvadFunction):
    """The feedback functions and their three ways in: one domain, one handler
    (``functions/feedback``, which routes by event), two functions so that a flood of web
    requests cannot starve the IVR answers (Connect waits at most 8 s): each has its own
    reserved concurrency.

    - ``web`` (``Feedback/Web``): the public entry. ``url`` is its Lambda function URL (auth
      NONE, buffered, no CORS) serving the web form that SMS links point to and officials'
      signed ATR pages. Citizens have no AWS credentials, so the URL is public; the signed,
      expiring, single-use token in each link is what authorises a request (the handler checks
      it). cdk-nag 3.0.2 reports nothing for a public function URL, so there is nothing to
      acknowledge; ``tests/infra/test_feedback.py`` checks it is the stack's only public door.
      Its reserved concurrency (``web_concurrency``) caps what a flood can take.
    - ``function`` (``Feedback/Function``): Connect's survey flow and the SMS replies, with
      ``ivr_concurrency`` reserved for it.
    - ``replies_topic``: ``sms-replies``, the SNS topic End User Messaging publishes two-way
      SMS replies to (encrypted with the data key, TLS only); the function is subscribed,
      deliveries SNS cannot make go to ``replies_dead_letter_queue``, and replies the function
      still fails after Lambda's asynchronous retries to ``async_failures``.
    - Connect invokes the function from the survey flow (``SurveyFlow`` grants that).
    - ``sms_requests``: the grievance SMS the workspace asks for (``GrievanceSmsRequested``,
      ids only), sent by ``function`` at most once per request; ``FEEDBACK_URL`` (the form's
      URL) gives relayed questions' SMS the status page's host.

    The function, its role and log group come from ``SamvadFunction``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        web_concurrency: int = WEB_CONCURRENCY,
        ivr_concurrency: int = IVR_CONCURRENCY,
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="feedback",
            description="Samvad feedback: record answers from the IVR survey and SMS replies",
            memory_size=512,
            timeout=FUNCTION_TIMEOUT,
            environment={resources.LINK_SECRET_ENV: store.link_secret.secret_arn},
            reserved_concurrent_executions=ivr_concurrency,
            **common,
        )
        self.add_statements(*self._statements(store))
        self.allow_sms("the acknowledgements of citizens' replies")
        self.web = SamvadFunction(
            self,
            "Web",
            name="feedback",  # the same service: one domain, one set of metrics
            description="Samvad feedback web: the citizens' form and officials' ATR pages",
            memory_size=512,
            timeout=FUNCTION_TIMEOUT,
            environment={resources.LINK_SECRET_ENV: store.link_secret.secret_arn},
            reserved_concurrent_executions=web_concurrency,
            **common,
        )
        self.web.add_statements(*self._statements(store))
        self.web.allow_sms("the grievance form's one-time codes and references")
        self.url = self.web.function.add_function_url(
            auth_type=lambda_.FunctionUrlAuthType.NONE, invoke_mode=lambda_.InvokeMode.BUFFERED
        )
        self._replies(store)
        self.async_failures = on_failure_queue(
            self, self.function, self.role, key=store.queue_key, invoked_by="SNS (SMS replies)"
        )
        self._sms_requests(store)
        # relayed questions' SMS link the public status page (``<URL>/g/status``)
        self.function.add_environment(resources.FEEDBACK_URL_ENV, self.url.url)

    def _sms_requests(self, store: DataStore) -> None:
        """``GrievanceSmsRequested`` (the workspace may not send SMS) → a rule on the bus →
        ``sms_requests`` (encrypted, TLS only) → the function, ten at a time, failed records
        retried; the rule's undeliverable events and the queue's poison messages wait in
        ``sms_requests_dead_letters``."""
        self.sms_requests_dead_letters = dead_letter_queue(
            self,
            "SmsRequestsDeadLetterQueue",
            key=store.queue_key,
            of="the grievance SMS requests (their rule's target and their queue's redrive)",
        )
        self.sms_requests = redriving_queue(
            self,
            "SmsRequests",
            key=store.queue_key,
            dead_letters=self.sms_requests_dead_letters,
            max_receives=REQUESTS_MAX_RECEIVES,
            visibility_timeout=REQUESTS_VISIBILITY,
        )
        self.sms_requests_rule = events.Rule(
            self,
            "SmsRequestsRule",
            event_bus=store.bus,
            description="Samvad: grievance SMS the workspace asks the feedback function to send",
            event_pattern=events.EventPattern(
                source=[resources.EVENT_SOURCE],
                detail_type=[resources.GRIEVANCE_SMS_REQUESTED],
            ),
            targets=[rule_target(self.sms_requests, self.sms_requests_dead_letters)],
        )
        self.function.add_event_source(
            sources.SqsEventSource(
                self.sms_requests, batch_size=10, report_batch_item_failures=True
            )
        )

    def _replies(self, store: DataStore) -> None:
        stack = cdk.Stack.of(self)
        self.replies_topic = sns.Topic(
            self,
            "SmsReplies",
            topic_name=f"{stack.stack_name}-sms-replies",
            display_name="Samvad SMS replies",
            master_key=store.key,
            enforce_ssl=True,
        )
        self.replies_topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="EndUserMessagingPublishesReplies",
                principals=[iam.ServicePrincipal(SMS_SERVICE)],
                actions=["sns:Publish"],
                resources=[self.replies_topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        # The topic is encrypted: End User Messaging must be able to use the data key.
        store.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="EndUserMessagingEncryptsReplies",
                principals=[iam.ServicePrincipal(SMS_SERVICE)],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        self.replies_dead_letter_queue = dead_letter_queue(
            self,
            "SmsRepliesDeadLetterQueue",
            key=store.queue_key,
            of="the SMS-replies subscription's (SNS RedrivePolicy)",
        )
        # SNS moves undeliverable replies to the encrypted DLQ: it needs the queue key.
        store.queue_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SnsDeadLettersSmsReplies",
                principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=["*"],
                conditions={"ArnEquals": {"aws:SourceArn": self.replies_topic.topic_arn}},
            )
        )
        self.replies_topic.add_subscription(
            subscriptions.LambdaSubscription(
                self.function, dead_letter_queue=self.replies_dead_letter_queue
            )
        )

    @staticmethod
    def _statements(store: DataStore) -> list[iam.PolicyStatement]:
        return [
            *table_statements(store, TABLE_ACTIONS),
            index_query_statement(store, "QueryDispatchesByReference", INDEX_QUERIES),
            publish_events_statement(store),
            read_secrets_statement(
                "ReadLinkAndPhoneHashKeys", store.link_secret, store.phone_hash_secret
            ),
            key_statement("UseDataKey", store.key),
        ]
