"""The erasure function in the synthesised stack: its routes on the workspace's HTTP API
behind the same JWT authorizer, its least privilege (exactly what ``samvad erase`` touches),
and the workspace function's role holding none of erasure's writes."""

from __future__ import annotations

import pytest

from infra.constructs.erasure import OBJECT_PREFIXES
from samvad import resources
from samvad.settings import ErasureSettings
from tests.infra.conftest import (
    XRAY_ACTIONS,
    Synthesis,
    actions_by_resource,
    as_list,
    get_att,
    key_of,
    objects_of,
    props,
    role_statements,
)

pytestmark = pytest.mark.infra


def test_erasures_are_routed_to_their_own_function_behind_the_jwt_authorizer(
    synth: Synthesis,
) -> None:
    """Given the workspace's HTTP API, then ``POST`` and ``GET /api/erasures`` need the
    officials' JWT authorizer and go to the erasure function (payload v2), and no other
    route reaches it."""
    stack = synth.stack
    api = {"Ref": synth.logical_id(stack.workspace.api)}
    [authorizer_id] = synth.template.find_resources("AWS::ApiGatewayV2::Authorizer")
    integrations = {
        key: i["Properties"]
        for key, i in synth.template.find_resources("AWS::ApiGatewayV2::Integration").items()
        if i["Properties"]["IntegrationUri"] == get_att(synth, stack.erasure.function)
    }
    [(integration_id, integration)] = integrations.items()
    assert (integration["ApiId"], integration["PayloadFormatVersion"]) == (api, "2.0")
    target = {"Fn::Join": ["", ["integrations/", {"Ref": integration_id}]]}
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in synth.template.find_resources("AWS::ApiGatewayV2::Route").values()
        if r["Properties"]["Target"] == target
    }
    assert set(routes) == {"POST /api/erasures", "GET /api/erasures"}
    for route in routes.values():
        assert route["ApiId"] == api
        assert (route["AuthorizationType"], route["AuthorizerId"]) == (
            "JWT",
            {"Ref": authorizer_id},
        )
    permissions = [
        p["Properties"]
        for p in synth.template.find_resources("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == get_att(synth, stack.erasure.function)
    ]
    assert permissions and all(p["Principal"] == "apigateway.amazonaws.com" for p in permissions)


def test_the_erasure_function_reads_only_its_settings_and_is_capped(synth: Synthesis) -> None:
    """Given the erasure function, then its environment names exactly what
    ``ErasureSettings`` reads (no topic, no state machine, no user pool) and its concurrency
    is reserved small."""
    function = props(synth, synth.stack.erasure.function)
    env = set(function["Environment"]["Variables"])
    assert env - {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL"} == set(
        ErasureSettings.env_names()
    )
    assert function["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "erasure"
    assert function["ReservedConcurrentExecutions"] == 2
    assert function["TracingConfig"] == {"Mode": "Active"}


def test_the_erasure_role_holds_exactly_what_erasure_touches(synth: Synthesis) -> None:
    """Given the erasure role, then it allows exactly: Query and PutItem on the citizen's
    tables (DeleteItem on Links only: the link tokens), Query on the two keys-only indexes,
    the receipts' GetItem/PutItem/Query on Audit, get/put/delete-version of objects under the
    prefixes that hold rows or traces of a citizen, listing only those prefixes, the
    phone-hash key and the data key; no Scan, no UpdateItem, no ``*`` action."""
    stack = synth.stack
    store = stack.store
    tables = {name: get_att(synth, table) for name, table in store.tables.items()}
    statements = role_statements(synth, stack.erasure.role)
    query_put = {"dynamodb:Query", "dynamodb:PutItem"}
    index = {"dynamodb:Query"}
    assert actions_by_resource(statements) == {
        **{
            key_of(tables[name]): query_put
            for name in ("Visits", "Feedback", "Dispatches", "Cases", "Contacts", "Grievances")
        },
        key_of(tables["Links"]): {"dynamodb:Query", "dynamodb:DeleteItem"},
        key_of(tables["Audit"]): {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
        key_of({"Fn::Join": ["", [tables["Visits"], "/index/by_phone_hash"]]}): index,
        key_of({"Fn::Join": ["", [tables["Links"], "/index/by_visit"]]}): index,
        **{
            key_of(objects_of(synth, prefix)): {
                "s3:GetObject",
                "s3:PutObject",
                "s3:DeleteObjectVersion",
            }
            for prefix in OBJECT_PREFIXES
        },
        key_of(get_att(synth, store.bucket)): {"s3:ListBucket", "s3:ListBucketVersions"},
        key_of({"Ref": synth.logical_id(store.phone_hash_secret)}): {
            "secretsmanager:GetSecretValue"
        },
        key_of(get_att(synth, store.key)): {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
        key_of(get_att(synth, stack.erasure.log_group)): {
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        },
        key_of("*"): XRAY_ACTIONS,
    }
    [listing] = [s for s in statements if "s3:ListBucket" in as_list(s["Action"])]
    assert listing["Condition"] == {
        "StringLike": {"s3:prefix": [f"{prefix}*" for prefix in OBJECT_PREFIXES]}
    }
    assert set(OBJECT_PREFIXES) == {
        resources.UPLOADS_PREFIX, resources.REJECTS_PREFIX, resources.SAMPLES_PREFIX,
        *resources.REPORT_PREFIXES,
    }  # fmt: skip
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert not [a for a in actions if "*" in a]
    assert not {"dynamodb:Scan", "dynamodb:UpdateItem", "s3:DeleteObject"} & actions
    assert "ManagedPolicyArns" not in props(synth, stack.erasure.role)


def test_only_the_erasure_role_may_erase(synth: Synthesis) -> None:
    """Given every role in the stack but the erasure function's, then none may delete an
    object version under the citizens' prefixes or read the Links index of visits: the
    workspace's role in particular holds none of erasure's rights."""
    stack = synth.stack
    workspace = actions_by_resource(role_statements(synth, stack.workspace.role))
    for prefix in OBJECT_PREFIXES:
        assert "s3:DeleteObjectVersion" not in workspace.get(
            key_of(objects_of(synth, prefix)), set()
        )
    tables = {name: get_att(synth, table) for name, table in stack.store.tables.items()}
    assert "dynamodb:DeleteItem" not in workspace.get(key_of(tables["Links"]), set())
    assert key_of(get_att(synth, stack.store.bucket)) not in workspace
    erasure_role = {"Ref": synth.logical_id(stack.erasure.role)}
    for policy in synth.template.find_resources("AWS::IAM::Policy").values():
        if erasure_role in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                assert "s3:DeleteObjectVersion" not in as_list(statement["Action"])


def test_the_stack_with_erasure_passes_cdk_nag(synth: Synthesis) -> None:
    assert synth.error is None, synth.error
