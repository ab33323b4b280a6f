"""The departments' push roles: one per department, only the push route, mapped by the stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constructs.intake_api import ROUTE
from tests.infra.conftest import REPO_ROOT, Synthesis, as_list, cdk_context

pytestmark = pytest.mark.infra

LAYER_ARN = "arn:aws:lambda:ap-south-1:123456789012:layer:samvad:1"
OTHER_ROLE = "arn:aws:iam::111122223333:role/opd-system"


def _statements(template: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    return [
        s
        for p in template["Resources"].values()
        if p["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _route_arn(resource: Any) -> str:
    """The ``Fn::Join`` of the execute-api ARN, its tokens spelled ``<Id>``."""
    parts = resource["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else f"<{p['Ref']}>" for p in parts)


def test_the_stack_makes_one_push_role_per_department_allowed_only_the_push_route(
    synth: Synthesis,
) -> None:
    """Given the stack (cdk.json's departments, no push_principals), Then each department has
    one push role, assumable only by this account's principals an administrator allows, that
    may only invoke POST /intake/v1/visits on the $default stage; cdk-nag passed."""
    assert synth.error is None, synth.error
    template = synth.template.to_json()
    departments = tuple(synth.stack.uploads.roles)
    roles = synth.stack.push_roles.roles
    assert tuple(roles) == departments and len(departments) >= 2
    api_id = synth.logical_id(synth.stack.intake_api.api)
    for role in roles.values():
        role_id = synth.logical_id(role)
        trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]
        [statement] = trust["Statement"]
        assert statement["Action"] == "sts:AssumeRole"
        assert statement["Principal"]["AWS"]["Fn::Join"][1][1] == {"Ref": "AWS::AccountId"}
        assert statement["Principal"]["AWS"]["Fn::Join"][1][2] == ":root"
        [allowed] = _statements(template, role_id)
        assert as_list(allowed["Action"]) == ["execute-api:Invoke"]
        assert _route_arn(allowed["Resource"]).endswith(f"<{api_id}>/$default/POST{ROUTE}")


def test_the_push_callers_config_is_filled_from_the_roles(synth: Synthesis) -> None:
    """Given the stack, Then one custom resource lists each push role's ARN with its
    department, handled (through CDK's provider) by the push_callers function, which may only
    read and publish the Config table's documents with the data key."""
    template = synth.template.to_json()
    push = synth.stack.push_roles
    [callers] = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "Custom::SamvadPushCallers"
    ]
    assert callers["Callers"] == [
        {"Role": {"Fn::GetAtt": [synth.logical_id(role), "Arn"]}, "Department": department}
        for department, role in push.roles.items()
    ]
    statements = _statements(template, synth.logical_id(push.function.role))
    actions = {s.get("Sid"): sorted(as_list(s["Action"])) for s in statements}
    assert actions["TableConfig"] == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert actions["UseDataKey"] == ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    everything = {a for s in statements for a in as_list(s["Action"])}
    assert not any(a.startswith(("s3:", "events:", "execute-api:", "iam:")) for a in everything)
    function = template["Resources"][synth.logical_id(push.function.function)]
    assert "push_callers" in json.dumps(function["Properties"]["Environment"])


def _small_stack(principals: Any) -> dict[str, Any]:
    """The push API and push roles alone, for ``push_principals`` = ``principals``."""
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk.assertions import Template

    from infra.constructs.intake_api import IntakeApi
    from infra.constructs.push_roles import PushRoles, push_principals_setting
    from infra.constructs.storage import DataStore

    app = cdk.App(context=cdk_context())
    stack = cdk.Stack(app, "T")
    store = DataStore(stack, "Storage", stage="test", retention_days=30)
    layer = lambda_.LayerVersion.from_layer_version_arn(stack, "Layer", LAYER_ARN)
    common = {"store": store, "layer": layer, "retention_days": 30}
    api = IntakeApi(stack, "Api", code_dir=REPO_ROOT / "functions" / "intake_api", **common)
    departments = ("health", "police")
    push = PushRoles(
        stack,
        "Push",
        api=api,
        code_dir=REPO_ROOT / "functions" / "push_callers",
        departments=departments,
        principals=push_principals_setting(principals, departments),
        **common,
    )
    template = Template.from_stack(stack).to_json()
    return {
        d: template["Resources"][stack.get_logical_id(r.node.default_child)]["Properties"]
        for d, r in push.roles.items()
    }


def test_a_department_s_own_principal_must_present_its_external_id() -> None:
    """Given push_principals naming another account's role (with an external id) for health,
    Then health's role trusts that role only when it presents the external id, and police's
    keeps the default (this account)."""
    roles = _small_stack(
        json.dumps({"health": {"principal": OTHER_ROLE, "external_id": "samvad-health-7f3a"}})
    )

    [health] = roles["health"]["AssumeRolePolicyDocument"]["Statement"]
    assert health["Principal"] == {"AWS": OTHER_ROLE}
    assert health["Condition"] == {"StringEquals": {"sts:ExternalId": "samvad-health-7f3a"}}
    [police] = roles["police"]["AssumeRolePolicyDocument"]["Statement"]
    assert "Condition" not in police and ":root" in json.dumps(police["Principal"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"health": {"principal": OTHER_ROLE}}, "external_id"),
        ({"health": {"principal": "111122223333", "external_id": "x"}}, "external_id"),
        ({"health": {"principal": "root", "external_id": "abc123"}}, "principal"),
        ({"fisheries": {"principal": OTHER_ROLE, "external_id": "abc123"}}, "departments"),
        (["health"], "expected an object"),
    ],
)
def test_a_bad_push_principals_context_names_what_to_fix(value: Any, message: str) -> None:
    """Given a push_principals context without an external id, with a principal that is not
    an account or ARN, or naming an unknown department, Then synthesis stops, saying which."""
    from infra.constructs.push_roles import push_principals_setting

    with pytest.raises(ValueError, match=message):
        push_principals_setting(value, ("health", "police"))
