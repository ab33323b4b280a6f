"""The optional edge in front of the public feedback URL: CloudFront with a WAF rate-based rule
(context ``edge``, off by default; docs/operations.md, "The public edge").

- ``EdgeFirewall``: a small stack in ``us-east-1`` (a CLOUDFRONT-scope web ACL can live
  nowhere else) holding the web ACL: requests from one IP address over ``rate_limit`` in five
  minutes are blocked (429), everything else is allowed.
- ``PublicEdge``: in the main stack, the CloudFront distribution whose origin is the feedback
  web function's URL, with that web ACL (its ARN comes across regions through CDK's
  cross-region references: SSM parameters written by a custom resource).

The origin is locked to the distribution by a secret header: CloudFront adds
``x-samvad-origin: <secret>`` to every origin request, and the web function refuses (403) a
request without it (``samvad.edge``). CloudFront's origin access control (the function URL
with AWS_IAM auth) is not used: with it, a POST must carry its body's SHA-256 in
``x-amz-content-sha256`` from the viewer (Lambda takes no unsigned payload), and the citizens'
forms are plain HTML forms that post without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.constructs.feedback import Feedback
from infra.constructs.monitoring import five_minute_sum, ops_alarm, ops_topic
from infra.constructs.nag import acknowledge
from infra.constructs.storage import DataStore
from samvad import edge, resources

EDGE_REGION = "us-east-1"
"""Where a CLOUDFRONT-scope web ACL must be created (AWS WAF's rule for CloudFront)."""
DEFAULT_RATE_LIMIT = 300
"""Requests per IP address in any five minutes before WAF blocks it: a citizen answers one
form in a handful of requests; a shared NAT (a cyber café, a mobile carrier) has headroom."""
RULE_NAME = "RateLimitPerIp"


def edge_setting(value: Any) -> bool:
    """The ``edge`` context: ``true``/``1``/``yes`` (any case) or a JSON true turns it on."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("true", "1", "yes")


class EdgeFirewall(cdk.Stack):
    """``Samvad-<stage>-edge`` in us-east-1: the web ACL (``web_acl``, its ARN ``web_acl_arn``)
    for the main stack's distribution."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        rate_limit: int,
        ops_emails: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        if self.region != EDGE_REGION:
            raise ValueError(f"the edge web ACL must be in {EDGE_REGION}, not {self.region}")
        cdk.Tags.of(self).add("project", "samvad")
        cdk.Tags.of(self).add("stage", stage)
        metric = f"samvad-{stage}-edge"
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=metric,
            description="Samvad public feedback: rate limit per IP address",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True,
                metric_name=metric,
                sampled_requests_enabled=True,
            ),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name=RULE_NAME,
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(
                        block=wafv2.CfnWebACL.BlockActionProperty(
                            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                                response_code=429
                            )
                        )
                    ),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="IP",
                            limit=rate_limit,
                            evaluation_window_sec=300,
                        )
                    ),
                    visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                        cloud_watch_metrics_enabled=True,
                        metric_name=f"{metric}-{RULE_NAME}",
                        sampled_requests_enabled=True,
                    ),
                )
            ],
        )
        self.web_acl_arn = self.web_acl.attr_arn
        self._alarm(metric, stage, ops_emails)

    def _alarm(self, metric: str, stage: str, ops_emails: Sequence[str]) -> None:
        """Blocked requests page the ops team: an alarm here (CloudFront's WAF metrics live in
        us-east-1, and an alarm notifies only a topic of its own region), to an ops topic of
        this stack with the main stack's ``ops_emails``."""
        self.key, self.topic = ops_topic(self, stage, ops_emails)
        blocked = five_minute_sum(  # a CLOUDFRONT web ACL's metrics have no Region dimension
            "AWS/WAFV2", "BlockedRequests", {"WebACL": metric, "Rule": f"{metric}-{RULE_NAME}"}
        )
        self.blocked_alarm = ops_alarm(
            self,
            "BlockedRequests",
            blocked,
            actions.SnsAction(self.topic),
            threshold=1,
            what="WAF blocked requests at the public edge: some address sent over the rate "
            "limit in five minutes (a flood, a script, or a shared address of many citizens).",
            runbook="read the web ACL's sampled requests; raise edge_rate_limit if they are "
            "citizens, else nothing to do: the flood is held off",
        )


class PublicEdge(Construct):
    """The distribution in front of ``feedback.url`` (``distribution``), its origin secret
    (``origin_secret``), and the web function told to refuse requests that lack it."""

    def __init__(
        self, scope: Construct, id: str, *, store: DataStore, feedback: Feedback, web_acl_arn: str
    ) -> None:
        super().__init__(scope, id)
        self.origin_secret = secretsmanager.Secret(
            self,
            "OriginSecret",
            description="Samvad: the header CloudFront adds to reach the feedback web function",
            encryption_key=store.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=48
            ),
        )
        acknowledge(
            self.origin_secret,
            "AwsSolutions-SMG4",
            reason="The origin header's value is written into the distribution at deployment; "
            "a rotation would refuse every request until the next deployment. Rotate it by "
            "replacing the secret and deploying.",
        )
        header = self.origin_secret.secret_value.unsafe_unwrap()  # a dynamic reference
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Samvad public feedback (WAF rate limit)",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.FunctionUrlOrigin(
                    feedback.url, custom_headers={edge.ORIGIN_HEADER: header}
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            ),
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes India's edges
            web_acl_id=web_acl_arn,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        feedback.web.function.add_environment(
            resources.ORIGIN_SECRET_ENV, self.origin_secret.secret_arn
        )
        feedback.web.add_statements(
            iam.PolicyStatement(
                sid="ReadOriginSecret",
                actions=["secretsmanager:GetSecretValue"],
                resources=[self.origin_secret.secret_arn],
            )
        )
        for rule, reason in (
            ("AwsSolutions-CFR1", "Citizens are in India but a geo restriction would also "
             "refuse those travelling or behind foreign carriers' NAT; WAF limits the rate."),
            ("AwsSolutions-CFR3", "The feedback function logs every request it serves (no "
             "numbers) and WAF samples requests; CloudFront standard logs would need an "
             "ACL-enabled bucket, which the stack's buckets deliberately are not."),
            ("AwsSolutions-CFR4", "The distribution uses CloudFront's default certificate "
             "(*.cloudfront.net), whose minimum protocol version cannot be set; a custom "
             "domain with its certificate and TLSv1.2_2021 is a deployment's choice."),
        ):  # fmt: skip
            acknowledge(self.distribution, rule, reason=reason)
