"""The optional public edge (context ``edge``): off by default; on, a us-east-1 stack with a
CLOUDFRONT-scope web ACL (a rate-based rule) and, in the main stack, a CloudFront distribution
in front of the feedback web function's URL, the origin locked by a secret header, the SMS
links pointing at the distribution; cdk-nag and cfn-lint clean on both stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from samvad import edge, resources
from tests.infra.conftest import (
    Synthesis,
    _synthesise,
    actions_on,
    assert_cfn_lint_passes,
    cdk_context,
    props,
    role_statements,
)

pytestmark = pytest.mark.infra

EDGE_STACK = "Samvad-dev-edge"


@pytest.fixture(scope="module")
def edge_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    """cdk.json's context with ``edge=true`` and an ops address."""
    context = cdk_context() | {"edge": "true", "ops_emails": OPS_EMAIL}
    return _synthesise(tmp_path_factory.mktemp("cdk.out.edge"), context)


OPS_EMAIL = "ops@example.gov.in"


def _edge_stack(synth: Synthesis) -> Any:
    return synth.stack.node.scope.node.try_find_child(EDGE_STACK)


def _edge_template(synth: Synthesis) -> Any:
    from aws_cdk.assertions import Template

    return Template.from_stack(_edge_stack(synth))


def test_without_the_flag_there_is_no_edge(synth: Synthesis) -> None:
    """Given cdk.json's context (no ``edge``), then the app has one stack, no distribution,
    no web ACL, and the web function checks no origin header."""
    assert _edge_stack(synth) is None and synth.stack.edge is None
    for type_ in ("AWS::CloudFront::Distribution", "AWS::WAFv2::WebACL"):
        assert synth.template.find_resources(type_) == {}
    env = props(synth, synth.stack.feedback.web.function)["Environment"]["Variables"]
    assert resources.ORIGIN_SECRET_ENV not in env


def test_the_web_acl_is_a_cloudfront_rate_limit_in_us_east_1(edge_synth: Synthesis) -> None:
    """Given ``edge=true``, then ``Samvad-dev-edge`` is in us-east-1 and holds one web ACL of
    CLOUDFRONT scope: allow by default, block (429) an IP address over 300 requests in five
    minutes, with metrics."""
    stack = _edge_stack(edge_synth)
    assert stack.region == "us-east-1"
    [acl] = [
        r["Properties"]
        for r in _edge_template(edge_synth).find_resources("AWS::WAFv2::WebACL").values()
    ]
    assert (acl["Scope"], acl["DefaultAction"]) == ("CLOUDFRONT", {"Allow": {}})
    [rule] = acl["Rules"]
    assert rule["Statement"] == {
        "RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 300, "EvaluationWindowSec": 300}
    }
    assert rule["Action"] == {"Block": {"CustomResponse": {"ResponseCode": 429}}}
    assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True


def test_blocked_requests_page_the_ops_team_from_us_east_1(edge_synth: Synthesis) -> None:
    """Given ``edge=true`` and ``ops_emails``, then the edge stack holds an alarm on the rate
    rule's BlockedRequests (its WebACL and Rule dimensions, no Region: a CloudFront web ACL's)
    that notifies, on ALARM and OK, an encrypted TLS-only ops topic of its own region, to which
    the ops address is subscribed; and the main stack still has its own ops topic."""
    template = _edge_template(edge_synth)
    [alarm] = template.find_resources("AWS::CloudWatch::Alarm").values()
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == (
        "AWS/WAFV2", "BlockedRequests", "Sum",
    )  # fmt: skip
    assert props["Dimensions"] == [
        {"Name": "Rule", "Value": "samvad-dev-edge-RateLimitPerIp"},
        {"Name": "WebACL", "Value": "samvad-dev-edge"},
    ]
    assert (props["Threshold"], props["Period"]) == (1, 300)
    [(topic_id, topic)] = template.find_resources("AWS::SNS::Topic").items()
    assert props["AlarmActions"] == props["OKActions"] == [{"Ref": topic_id}]
    assert "KmsMasterKeyId" in topic["Properties"]
    [subscription] = template.find_resources("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"] == OPS_EMAIL
    assert subscription["Properties"]["TopicArn"] == {"Ref": topic_id}
    assert edge_synth.error is None  # cdk-nag: nothing unacknowledged in either stack
    assert edge_synth.template.find_resources("AWS::SNS::Topic")


def test_the_distribution_fronts_the_feedback_url_with_the_web_acl(edge_synth: Synthesis) -> None:
    """Given ``edge=true``, then the main stack's distribution takes the web ACL's ARN from
    the us-east-1 stack (a cross-region output), its one origin is the web function's URL
    with the secret origin header (a Secrets Manager dynamic reference, never the value),
    every method passes, nothing is cached, viewers are sent to HTTPS."""
    stack = edge_synth.stack
    [distribution] = [
        r["Properties"]["DistributionConfig"]
        for r in edge_synth.template.find_resources("AWS::CloudFront::Distribution").values()
    ]
    acl = distribution["WebACLId"]["Fn::GetStackOutput"]
    assert (acl["StackName"], acl["Region"]) == (EDGE_STACK, "us-east-1")
    [origin] = distribution["Origins"]
    url = edge_synth.logical_id(stack.feedback.url)
    assert origin["DomainName"]["Fn::Select"][1]["Fn::Split"][1] == {
        "Fn::GetAtt": [url, "FunctionUrl"]
    }
    [header] = origin["OriginCustomHeaders"]
    secret = {"Ref": edge_synth.logical_id(stack.edge.origin_secret)}
    assert header["HeaderName"] == edge.ORIGIN_HEADER
    assert header["HeaderValue"] == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", secret, ":SecretString:::}}"]]
    }
    behavior = distribution["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert {"GET", "POST"} <= set(behavior["AllowedMethods"])
    assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # disabled
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_the_origin_refuses_requests_around_the_edge_and_links_go_through_it(
    edge_synth: Synthesis,
) -> None:
    """Given ``edge=true``, then the web function knows the origin secret (and may read only
    that one more secret), and the SMS links (notify's feedback URL) and the stack's output
    name the distribution, not the function URL."""
    stack = edge_synth.stack
    secret = {"Ref": edge_synth.logical_id(stack.edge.origin_secret)}
    web = props(edge_synth, stack.feedback.web.function)["Environment"]["Variables"]
    assert web[resources.ORIGIN_SECRET_ENV] == secret
    statements = role_statements(edge_synth, stack.feedback.web.role)
    assert actions_on(statements, secret) == {"secretsmanager:GetSecretValue"}
    ivr = props(edge_synth, stack.feedback.function)["Environment"]["Variables"]
    assert resources.ORIGIN_SECRET_ENV not in ivr  # Connect and SNS do not come through it
    domain = {"Fn::GetAtt": [edge_synth.logical_id(stack.edge.distribution), "DomainName"]}
    link_base = {"Fn::Join": ["", ["https://", domain, "/"]]}
    notify = props(edge_synth, stack.notify.function)["Environment"]["Variables"]
    assert notify[resources.FEEDBACK_URL_ENV] == link_base
    assert edge_synth.template.to_json()["Outputs"]["FeedbackEdgeUrl"]["Value"] == link_base


def test_both_stacks_pass_cdk_nag_and_cfn_lint(edge_synth: Synthesis) -> None:
    """Given ``edge=true``, then cdk-nag raises nothing on either stack, and cfn-lint passes
    the main template in its region and the edge template in us-east-1."""
    assert edge_synth.error is None, edge_synth.error
    for template, region in (
        (edge_synth.template_file, edge_synth.stack.region),
        (edge_synth.outdir / _edge_stack(edge_synth).template_file, "us-east-1"),
    ):
        assert_cfn_lint_passes(template, region)


def test_the_web_acl_refuses_any_other_region() -> None:
    import aws_cdk as cdk

    from infra.constructs.edge import EdgeFirewall, edge_setting

    with pytest.raises(ValueError, match="us-east-1"):
        EdgeFirewall(
            cdk.App(), "E", stage="t", rate_limit=100, env=cdk.Environment(region="ap-south-1")
        )
    assert [edge_setting(v) for v in (None, "", "false", "true", "TRUE", True, "1")] == [
        False, False, False, True, True, True, True,
    ]  # fmt: skip


def test_the_edge_acknowledgements_are_needed_and_cdk_nag_runs_on_both_stacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given ``edge=true`` and acknowledgements switched off, when synthesised, then cdk-nag
    fails with the CloudFront and origin-secret findings the edge acknowledges, and nothing
    in the us-east-1 stack."""
    import json

    import aws_cdk as cdk

    from infra.app import build_app

    monkeypatch.setattr(cdk.Validations, "acknowledge", lambda self, *rules: None)
    app, _ = build_app(
        context=cdk_context() | {"edge": "true"},
        outdir=str(tmp_path),
        builtin_cloud_formation_validation=False,
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    found = {
        (v["ruleName"], c["constructPath"])
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
        for c in v["violatingConstructs"]
    }
    edge_found = {(rule, path) for rule, path in found if "PublicEdge" in path or "edge" in path}
    assert edge_found == {
        ("AwsSolutions-CFR1", "Samvad-dev/PublicEdge/Distribution/Resource"),
        ("AwsSolutions-CFR3", "Samvad-dev/PublicEdge/Distribution/Resource"),
        ("AwsSolutions-CFR4", "Samvad-dev/PublicEdge/Distribution/Resource"),
        ("AwsSolutions-SMG4", "Samvad-dev/PublicEdge/OriginSecret/Resource"),
    }
