"""The push API's infrastructure: one IAM-authorised route, throttled, logged, least privilege."""

from aws_cdk.assertions import Match

from infra.constructs.intake_api import ROUTE, TABLE_ACTIONS
from tests.infra.conftest import Synthesis


def test_the_push_route_is_iam_authorised_and_the_stage_throttles_and_logs(
    synth: Synthesis,
) -> None:
    """Given the stack, Then the push API has exactly one route, POST /intake/v1/visits, with
    AWS_IAM authorisation, and its stage throttles and writes access logs; cdk-nag passed."""
    assert synth.error is None, synth.error
    api = synth.stack.intake_api
    api_id = synth.logical_id(api.api)
    routes = synth.template.find_resources(
        "AWS::ApiGatewayV2::Route", {"Properties": {"ApiId": {"Ref": api_id}}}
    )
    assert [r["Properties"]["RouteKey"] for r in routes.values()] == [f"POST {ROUTE}"]
    assert [r["Properties"]["AuthorizationType"] for r in routes.values()] == ["AWS_IAM"]
    synth.template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "ApiId": {"Ref": api_id},
            "DefaultRouteSettings": Match.object_like({"ThrottlingRateLimit": 20}),
            "AccessLogSettings": Match.object_like({"DestinationArn": Match.any_value()}),
        },
    )


def test_the_push_function_may_touch_only_the_intake_tables_and_keys(synth: Synthesis) -> None:
    """Given the push function's role, Then it may use exactly the listed table actions on
    their tables, read the two keys' secrets and use the data key: no S3, no events."""
    api = synth.stack.intake_api
    policies = synth.template.find_resources(
        "AWS::IAM::Policy",
        {"Properties": {"Roles": [{"Ref": synth.logical_id(api.role)}]}},
    )
    statements = [
        s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    actions = {s.get("Sid"): s["Action"] for s in statements}
    for logical_id, allowed in TABLE_ACTIONS.items():
        got = actions[f"Table{logical_id}"]
        assert sorted([got] if isinstance(got, str) else got) == sorted(allowed)
    everything = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert not any(a.startswith(("s3:", "events:", "states:")) for a in everything)
