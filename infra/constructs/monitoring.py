"""Monitoring: the ops topic, every alarm of the stack, and the business dashboard.

``Monitoring`` is made last, once the stack holds everything (``SamvadStack`` builds it at the
end of its constructor): it walks the construct tree and watches what it finds, so a function,
queue or API added by any construct is covered without being registered here.

What pages (each alarm's description carries its runbook line; docs/operations.md):

- every dead-letter queue — any SQS queue some redrive policy, SNS subscription, schedule,
  rule target or on-failure destination sends to, or made by ``queues.dead_letter_queue`` —
  as soon as one message is visible;
- every Lambda function's Errors and Throttles; a function URL's 5xx;
- every state machine's ExecutionsFailed and ExecutionsTimedOut;
- every HTTP API's 5xx;
- SMS: the delivery-failure rate of SMS sent to phone numbers, SNS's SMS success rate, and
  the month's SMS spend approaching ``sms_spend_limit_usd`` (the account's SNS limit);
- EventBridge Scheduler: target errors and dropped invocations of every schedule group.

Every alarm notifies ``topic`` (KMS-encrypted, TLS only) on ALARM and on OK.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.constructs.inventory import Watched, watch
from samvad import resources, telemetry

FIVE_MINUTES = cdk.Duration.minutes(5)
ONE_HOUR = cdk.Duration.hours(1)
SMS_FAILURE_RATE_PERCENT = 20
"""Failed ÷ (delivered + failed) SMS to phone numbers over an hour, in per cent."""
SMS_SUCCESS_RATE_MIN = 0.8
SMS_UNCONFIRMED_PER_HOUR = 5
"""SMS recorded of unknown fate (never re-sent) per hour before someone reconciles them."""
SMS_SPEND_WARNING = 0.8
"""Page when the month's SMS spend passes this fraction of the account's limit."""
DEFAULT_SMS_SPEND_LIMIT_USD = 1.0
"""SNS's default monthly SMS spend limit for a new account: raise it with AWS, then pass the
new limit as ``-c sms_spend_limit_usd=…`` (docs/operations.md)."""
RUNBOOK = "docs/operations.md"
DASHBOARD_GRAPHS = {
    "Visits and sample": ("intake", "sampling"),
    "Calls and SMS": ("dispatch",),
    "Feedback and cases": ("feedback", "reports"),
}
"""The dashboard's graphs of business figures, by the services that emit them."""


class Monitoring(Construct):
    """The ops ``topic``, ``alarms`` (by id) for everything the stack holds, ``dashboard``.

    Make it once, after every other construct of ``scope``'s stack.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        sms_spend_limit_usd: float = DEFAULT_SMS_SPEND_LIMIT_USD,
        ops_emails: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, id)
        if sms_spend_limit_usd <= 0:
            raise ValueError(f"sms_spend_limit_usd must be positive, got {sms_spend_limit_usd}")
        stack = cdk.Stack.of(self)
        self.alarms: dict[str, cw.Alarm] = {}
        self._topic(stack, stage, ops_emails)
        self.watched = watch(stack)
        self._resource_alarms(self.watched)
        self._sms_alarms(sms_spend_limit_usd)
        self.dashboard = self._dashboard(stage)

    # -- the topic ------------------------------------------------------------------------

    def _topic(self, stack: cdk.Stack, stage: str, ops_emails: Sequence[str]) -> None:
        self.key, self.topic = ops_topic(self, stage, ops_emails)
        self._action = actions.SnsAction(self.topic)

    # -- alarms ---------------------------------------------------------------------------

    def alarm(
        self,
        id: str,
        metric: cw.IMetric,
        *,
        threshold: float,
        what: str,
        runbook: str,
        comparison: cw.ComparisonOperator = (
            cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
        evaluation_periods: int = 1,
    ) -> cw.Alarm:
        """``ops_alarm`` on the ops topic, kept in ``alarms``."""
        alarm = ops_alarm(
            self, id, metric, self._action, threshold=threshold, what=what, runbook=runbook,
            comparison=comparison, evaluation_periods=evaluation_periods,
        )  # fmt: skip
        self.alarms[id] = alarm
        return alarm

    def _resource_alarms(self, found: Watched) -> None:
        for logical_id, queue in found.dead_letter_queues.items():
            cdk.Tags.of(queue).add(resources.DEAD_LETTER_TAG, "true")  # for `samvad dlq list`
            self.alarm(
                f"DeadLetters{logical_id}",
                cw.Metric(
                    namespace="AWS/SQS",
                    metric_name="ApproximateNumberOfMessagesVisible",
                    dimensions_map={"QueueName": queue.attr_queue_name},
                    statistic="Maximum",
                    period=FIVE_MINUTES,
                ),
                threshold=0,
                comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                what=f"A message waits in the dead-letter queue {logical_id}.",
                runbook="read it with `samvad dlq list`, fix the cause, then "
                "`samvad dlq redrive <queue>`",
            )
        for logical_id, function in found.functions.items():
            for metric_name, runbook in (
                ("Errors", "read the function's log group (errors carry the request id)"),
                ("Throttles", "check reserved concurrency and the account's Lambda quota"),
            ):
                self.alarm(
                    f"{metric_name}{logical_id}",
                    _lambda_metric(metric_name, function),
                    threshold=1,
                    what=f"Lambda {metric_name.lower()} in {logical_id}.",
                    runbook=runbook,
                )
        for logical_id, function in found.urls.items():
            self.alarm(
                f"Url5xx{logical_id}",
                _lambda_metric("Url5xxCount", function),
                threshold=5,
                what=f"The function URL {logical_id} answered 5xx.",
                runbook="read the function's log group; a flood shows in Throttles too",
            )
        for logical_id, machine in found.state_machines.items():
            for metric_name in ("ExecutionsFailed", "ExecutionsTimedOut"):
                self.alarm(
                    f"{metric_name}{logical_id}",
                    five_minute_sum("AWS/States", metric_name, {"StateMachineArn": machine.ref}),
                    threshold=1,
                    what=f"A {logical_id} execution {metric_name[10:].lower()}.",
                    runbook="open the execution in the Step Functions console (its case id is "
                    "the execution name); `samvad case show <id>`",
                )
        for logical_id, api in found.http_apis.items():
            self.alarm(
                f"Api5xx{logical_id}",
                five_minute_sum("AWS/ApiGateway", "5xx", {"ApiId": api.ref}),
                threshold=5,
                what=f"The HTTP API {logical_id} answered 5xx.",
                runbook="read the integration function's log group",
            )
        for name_id, group in found.schedule_groups.items():
            for metric_name in ("TargetErrorCount", "InvocationDroppedCount"):
                self.alarm(
                    f"Scheduler{metric_name}{name_id}",
                    five_minute_sum("AWS/Scheduler", metric_name, {"ScheduleGroup": group}),
                    threshold=1,
                    what=f"EventBridge Scheduler ({name_id} group): {metric_name}.",
                    runbook="the schedule's dead-letter queue holds the event; check the "
                    "target's permissions and quota",
                )

    def _sms_alarms(self, spend_limit_usd: float) -> None:
        self.alarm(
            "SmsUnconfirmed",
            cw.Metric(
                namespace=telemetry.NAMESPACE,
                metric_name=telemetry.SMS_UNCONFIRMED,
                dimensions_map={"service": telemetry.BUSINESS_METRICS[telemetry.SMS_UNCONFIRMED]},
                statistic="Sum",
                period=ONE_HOUR,
            ),
            threshold=SMS_UNCONFIRMED_PER_HOUR,
            what=f"{SMS_UNCONFIRMED_PER_HOUR} or more SMS of unknown fate in an hour (SNS "
            "answers lost, or notify dying between publishing and recording).",
            runbook="reconcile the Dispatches attempts with outcome sms_unconfirmed against "
            "SNS's delivery-status logs; check notify's Errors and SNS latency",
        )
        direct = {"PhoneNumber": "PhoneNumberDirect"}  # SMS published to phone numbers
        failed = _sns_metric("NumberOfNotificationsFailed", direct)
        delivered = _sns_metric("NumberOfNotificationsDelivered", direct)
        self.alarm(
            "SmsFailureRate",
            cw.MathExpression(
                expression="IF(delivered + failed > 0, 100 * failed / (delivered + failed), 0)",
                using_metrics={"failed": failed, "delivered": delivered},
                label="SMS failure rate (%)",
                period=ONE_HOUR,
            ),
            threshold=SMS_FAILURE_RATE_PERCENT,
            what=f"Over {SMS_FAILURE_RATE_PERCENT}% of the hour's SMS failed to deliver.",
            runbook="read SNS's delivery-status logs (sns/<region>/<account>/"
            "DirectPublishToPhoneNumber/Failure): DLT template or sender ID rejected, "
            "carrier blocking, numbers invalid",
        )
        self.alarm(
            "SmsSuccessRate",
            cw.Metric(
                namespace="AWS/SNS",
                metric_name="SMSSuccessRate",
                statistic="Average",
                period=ONE_HOUR,
            ),
            threshold=SMS_SUCCESS_RATE_MIN,
            comparison=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
            what=f"SNS's SMS success rate fell below {SMS_SUCCESS_RATE_MIN:.0%}.",
            runbook="as SmsFailureRate",
        )
        self.alarm(
            "SmsSpend",
            cw.Metric(
                namespace="AWS/SNS",
                metric_name="SMSMonthToDateSpentUSD",
                statistic="Maximum",
                period=ONE_HOUR,
            ),
            threshold=round(SMS_SPEND_WARNING * spend_limit_usd, 2),
            what=f"The month's SMS spend passed {SMS_SPEND_WARNING:.0%} of the "
            f"{spend_limit_usd} USD limit: at the limit SNS stops sending SMS.",
            runbook="raise the account's SMS spend limit with AWS (then redeploy with "
            "-c sms_spend_limit_usd=…) or slow the sample (notify/settings rates)",
        )

    # -- dashboard ------------------------------------------------------------------------

    def _dashboard(self, stage: str) -> cw.Dashboard:
        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"samvad-{stage}")
        figures = {
            name: cw.Metric(
                namespace=telemetry.NAMESPACE,
                metric_name=name,
                dimensions_map={"service": service},
                statistic="Sum",
                period=cdk.Duration.days(1),
                label=name,
            )
            for name, service in telemetry.BUSINESS_METRICS.items()
        }
        dashboard.add_widgets(
            *(
                cw.GraphWidget(
                    title=f"{title} (per day)",
                    left=[m for n, m in figures.items() if telemetry.BUSINESS_METRICS[n] in of],
                    width=8,
                    height=6,
                )
                for title, of in DASHBOARD_GRAPHS.items()
            )
        )
        dashboard.add_widgets(
            cw.SingleValueWidget(
                title="Today",
                metrics=list(figures.values()),
                width=24,
                height=4,
                set_period_to_time_range=True,
            )
        )
        dashboard.add_widgets(
            cw.AlarmStatusWidget(
                title="Alarms", alarms=list(self.alarms.values()), width=24, height=8
            )
        )
        return dashboard


def ops_topic(scope: Construct, stage: str, ops_emails: Sequence[str]) -> tuple[kms.Key, sns.Topic]:
    """An ops topic in ``scope`` (``TopicKey``, ``Topic``): KMS-encrypted, TLS only, published
    to by this account's CloudWatch alarms, with ``ops_emails`` subscribed."""
    account = cdk.Stack.of(scope).account
    key = kms.Key(
        scope,
        "TopicKey",
        description=f"Samvad {stage}: the ops alarm topic (SNS at rest)",
        enable_key_rotation=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    cloudwatch = iam.ServicePrincipal("cloudwatch.amazonaws.com")
    from_account = {"StringEquals": {"aws:SourceAccount": account}}
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AlarmsEncryptNotifications",
            principals=[cloudwatch],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions=from_account,
        )
    )
    topic = sns.Topic(
        scope,
        "Topic",
        display_name=f"Samvad {stage} operations",
        master_key=key,
        enforce_ssl=True,
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AlarmsPublish",
            principals=[cloudwatch],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions=from_account,
        )
    )
    for email in ops_emails:
        topic.add_subscription(subscriptions.EmailSubscription(email))
    return key, topic


def ops_alarm(
    scope: Construct,
    id: str,
    metric: cw.IMetric,
    action: cw.IAlarmAction,
    *,
    threshold: float,
    what: str,
    runbook: str,
    comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluation_periods: int = 1,
) -> cw.Alarm:
    """An alarm that notifies ``action`` on ALARM and OK; missing data is not breaching (no
    traffic is not a failure). Its description: ``what``, then the runbook line."""
    alarm = cw.Alarm(
        scope,
        id,
        metric=metric,
        threshold=threshold,
        comparison_operator=comparison,
        evaluation_periods=evaluation_periods,
        treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        alarm_description=f"{what} Runbook: {runbook} ({RUNBOOK}).",
    )
    alarm.add_alarm_action(action)
    alarm.add_ok_action(action)
    return alarm


def five_minute_sum(namespace: str, metric_name: str, dimensions: dict[str, str]) -> cw.Metric:
    """``metric_name`` of ``namespace`` for ``dimensions``, summed over five minutes."""
    return cw.Metric(
        namespace=namespace,
        metric_name=metric_name,
        dimensions_map=dimensions,
        statistic="Sum",
        period=FIVE_MINUTES,
    )


def _lambda_metric(metric_name: str, function: cdk.CfnResource) -> cw.Metric:
    return five_minute_sum("AWS/Lambda", metric_name, {"FunctionName": function.ref})


def _sns_metric(metric_name: str, dimensions: dict[str, str]) -> cw.Metric:
    return cw.Metric(
        namespace="AWS/SNS",
        metric_name=metric_name,
        dimensions_map=dimensions,
        statistic="Sum",
        period=ONE_HOUR,
    )
