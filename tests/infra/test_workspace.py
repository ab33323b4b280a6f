"""The officials' workspace in the synthesised stack: the Cognito user pool (MFA, passwords,
threat protection, groups), the HTTP API with its JWT authorizer and throttled stage, the
workspace function's least privilege, and department uploads that cannot lie (access points,
uploader roles and the data bucket's denies, evaluated request by request)."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest

from infra.constructs.uploads import departments_setting
from samvad import resources
from samvad.intake.departments import default_departments
from samvad.workspace.roles import ROLES
from tests.infra.conftest import (
    XRAY_ACTIONS,
    Synthesis,
    _synthesise,
    actions_by_resource,
    as_list,
    assert_cfn_lint_passes,
    cdk_context,
    get_att,
    key_of,
    objects_of,
    props,
    ref_of,
    resources_of,
    role_statements,
)

pytestmark = pytest.mark.infra

ACCOUNT = "123456789012"
REGION = "ap-south-1"
DEPARTMENTS = tuple(default_departments().codes())  # the stack's default: none in cdk.json


@pytest.fixture(scope="module")
def prod_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    """cdk.json's context with ``stage=prod`` and a data-protection officer's role."""
    context = cdk_context() | {"stage": "prod", "erasure_operators": f" {DPO_ROLE} ,"}
    return _synthesise(tmp_path_factory.mktemp("cdk.out.prod"), context)


DPO_ROLE = f"arn:aws:iam::{ACCOUNT}:role/data-protection-officer"


def _workspace_api(synth: Synthesis, type_: str) -> dict[str, dict[str, Any]]:
    """The resources of ``type_`` that belong to the workspace's API (not the push API)."""
    api = ref_of(synth, synth.stack.workspace.api)
    return {k: r for k, r in resources_of(synth, type_).items() if r["Properties"]["ApiId"] == api}


def _schedules() -> dict[str, Any]:
    return {
        "Fn::Join": ["", ["arn:aws:scheduler:ap-south-1:", {"Ref": "AWS::AccountId"},
                          f":schedule/{resources.DISPATCH_SCHEDULE_GROUP}/*"]]
    }  # fmt: skip


# --- identity ----------------------------------------------------------------------------


def test_user_pool_requires_totp_and_strong_passwords_with_threat_protection(
    synth: Synthesis,
) -> None:
    """Given the officials' user pool, then only administrators create users, MFA is required
    for everyone with TOTP only (no SMS), passwords have 14+ characters of every class, the
    Plus plan enforces threat protection, and the scope attributes exist with ``official_id``
    immutable."""
    pool = props(synth, synth.stack.identity.user_pool)
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert (pool["MfaConfiguration"], pool["EnabledMfas"]) == ("ON", ["SOFTWARE_TOKEN_MFA"])
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 14,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "RequireUppercase": True,
        "TemporaryPasswordValidityDays": 3,
    }
    assert pool["UserPoolTier"] == "PLUS"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    assert pool["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
    }
    custom = {a["Name"]: a for a in pool["Schema"] if a.get("AttributeDataType") == "String"}
    assert set(custom) == set(resources.OFFICIAL_ATTRIBUTES)
    assert {name: a["Mutable"] for name, a in custom.items()} == {
        "official_id": False,
        "department": True,
        "district": True,
        "office_code": True,
    }


def test_hosted_ui_sign_ins_are_audited_by_a_post_authentication_trigger(
    synth: Synthesis,
) -> None:
    """Given the user pool, then its Post Authentication trigger is the sign-in audit
    function, which Cognito may invoke (from this pool only), which reads only the Audit
    table's name and may only append to it (no read, update or delete)."""
    audit = synth.stack.signin_audit
    pool = props(synth, synth.stack.identity.user_pool)
    assert pool["LambdaConfig"] == {"PostAuthentication": get_att(synth, audit.function)}
    permissions = [
        p["Properties"]
        for p in resources_of(synth, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == get_att(synth, audit.function)
    ]
    assert [(p["Principal"], p["SourceArn"]) for p in permissions] == [
        ("cognito-idp.amazonaws.com", get_att(synth, synth.stack.identity.user_pool))
    ]
    grant = actions_by_resource(role_statements(synth, audit.role))
    assert grant[key_of(get_att(synth, synth.stack.store.tables["Audit"]))] == {
        "dynamodb:PutItem",
        "dynamodb:ConditionCheckItem",  # a retried trigger's sign-in is logged once
    }
    assert grant[key_of(get_att(synth, synth.stack.store.key))] == {
        "kms:Encrypt",
        "kms:GenerateDataKey",
    }
    env = props(synth, audit.function)["Environment"]["Variables"]
    assert set(env) == {"AUDIT_TABLE", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL"}


def test_with_voice_the_bridge_flow_is_generated_and_the_workspace_calls_into_it(
    connect_synth: Synthesis, synth: Synthesis
) -> None:
    """Given voice on, then the stack holds the generated bridge flow (the committed JSON,
    the contact centre's number substituted for its only placeholder), and the workspace
    function names the instance, that flow and the source number, and may start outbound
    contacts of that instance only; without voice there is no bridge flow and no Connect
    right at all."""
    from infra.connect import BRIDGE_FLOW, BRIDGE_PHONE_PLACEHOLDER
    from tests.infra.conftest import CONNECT_INSTANCE_ARN, CONNECT_SOURCE_PHONE

    synth_on = connect_synth
    flow_id = synth_on.stack.get_logical_id(synth_on.stack.bridge_flow.flow)
    flow = synth_on.template.to_json()["Resources"][flow_id]["Properties"]
    assert flow["Name"] == "samvad-bridge-dev" and flow["Type"] == "CONTACT_FLOW"
    assert flow["InstanceArn"] == CONNECT_INSTANCE_ARN
    content, values = flow["Content"]["Fn::Sub"]
    assert content == BRIDGE_FLOW.read_text(encoding="utf-8")
    assert values == {BRIDGE_PHONE_PLACEHOLDER[2:-1]: CONNECT_SOURCE_PHONE}
    workspace = synth_on.stack.workspace
    env = props(synth_on, workspace.function)["Environment"]["Variables"]
    assert env[resources.CONNECT_BRIDGE_FLOW_ENV] == {"Fn::Select": [3, {"Fn::Split": [
        "/", {"Fn::GetAtt": [flow_id, "ContactFlowArn"]}]}]}  # fmt: skip
    assert env[resources.CONNECT_INSTANCE_ENV] == CONNECT_INSTANCE_ARN.rsplit("/", 1)[1]
    assert env[resources.CONNECT_SOURCE_PHONE_ENV] == CONNECT_SOURCE_PHONE
    grant = actions_by_resource(role_statements(synth_on, workspace.role))
    connect = {k: v for k, v in grant.items() if any(a.startswith("connect:") for a in v)}
    assert connect == {key_of(f"{CONNECT_INSTANCE_ARN}/contact/*"): {
        "connect:StartOutboundVoiceContact"
    }}  # fmt: skip
    assert synth_on.error is None
    assert not hasattr(synth.stack, "bridge_flow")
    assert not synth.template.find_resources("AWS::Connect::ContactFlow")
    grant_off = actions_by_resource(role_statements(synth, synth.stack.workspace.role))
    assert not any(a.startswith("connect:") for v in grant_off.values() for a in v)


def test_one_group_per_role(synth: Synthesis) -> None:
    """Given the user pool, then it has exactly one group per workspace role."""
    pool = ref_of(synth, synth.stack.identity.user_pool)
    groups = [g["Properties"] for g in resources_of(synth, "AWS::Cognito::UserPoolGroup").values()]
    assert sorted(g["GroupName"] for g in groups) == sorted(ROLES)
    assert set(ROLES) == {
        "cmo", "minister", "secretary", "collector", "sp", "office_head", "caller",
        "data_officer", "auditor", "grievance_officer",
    }  # fmt: skip
    assert all(g["UserPoolId"] == pool for g in groups)


def test_workspace_client_on_dev(synth: Synthesis) -> None:
    """Given the dev stage, then the workspace client has no secret, allows SRP and password
    sign-in (``POST /api/session``) and the hosted UI's code flow back to the API, reads the
    scope attributes but may write none of them, and issues one-hour tokens."""
    identity, workspace = synth.stack.identity, synth.stack.workspace
    client = props(synth, workspace.client)
    assert client["UserPoolId"] == ref_of(synth, identity.user_pool)
    assert client["GenerateSecret"] is False
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert (client["AllowedOAuthFlows"], client["AllowedOAuthScopes"]) == (
        ["code"],
        ["openid", "email"],
    )
    endpoint = {"Fn::GetAtt": [synth.logical_id(workspace.api), "ApiEndpoint"]}
    assert client["CallbackURLs"] == [{"Fn::Join": ["", [endpoint, "/auth/callback"]]}]
    custom = {f"custom:{name}" for name in resources.OFFICIAL_ATTRIBUTES}
    assert custom <= set(client["ReadAttributes"])
    assert client["WriteAttributes"] == ["name"]
    assert (client["IdTokenValidity"], client["AccessTokenValidity"]) == (60, 60)
    assert client["TokenValidityUnits"]["IdToken"] == "minutes"
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True
    pool = synth.template.to_json()["Resources"][synth.logical_id(identity.user_pool)]
    assert (pool["Properties"]["DeletionProtection"], pool["DeletionPolicy"]) == (
        "INACTIVE",
        "Delete",
    )


def test_prod_signs_in_through_the_hosted_ui_only_and_keeps_the_pool(
    prod_synth: Synthesis,
) -> None:
    """Given the prod stage, then the client refuses USER_PASSWORD_AUTH (SRP and the hosted
    UI only), the function may not call InitiateAuth, the pool is deletion-protected and
    retained; and the prod template passes cdk-nag and cfn-lint."""
    synth = prod_synth
    client = props(synth, synth.stack.workspace.client)
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    actions = {
        a for s in role_statements(synth, synth.stack.workspace.role) for a in as_list(s["Action"])
    }
    assert not {a for a in actions if a.startswith("cognito-idp:")}
    pool = synth.template.to_json()["Resources"][synth.logical_id(synth.stack.identity.user_pool)]
    assert (pool["Properties"]["DeletionProtection"], pool["DeletionPolicy"]) == (
        "ACTIVE",
        "Retain",
    )
    assert synth.error is None, synth.error
    assert_cfn_lint_passes(synth.template_file, REGION)


# --- the HTTP API ------------------------------------------------------------------------


def test_api_routes_put_the_json_api_behind_the_jwt_authorizer(synth: Synthesis) -> None:
    """Given the workspace API, then ``/api/{proxy+}`` (any method, and GET explicitly) needs
    a JWT from the pool for the workspace client, the session, home and page routes do not,
    and every route goes to the workspace function with payload v2."""
    workspace, identity = synth.stack.workspace, synth.stack.identity
    api = ref_of(synth, workspace.api)
    [(authorizer_id, authorizer)] = resources_of(synth, "AWS::ApiGatewayV2::Authorizer").items()
    assert authorizer["Properties"] == {
        "ApiId": api,
        "AuthorizerType": "JWT",
        "IdentitySource": ["$request.header.Authorization"],
        "JwtConfiguration": {
            "Audience": [ref_of(synth, workspace.client)],
            "Issuer": {
                "Fn::Join": [
                    "",
                    [
                        f"https://cognito-idp.{REGION}.amazonaws.com/",
                        ref_of(synth, identity.user_pool),
                    ],
                ]
            },
        },
        "Name": "officials",
    }
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in _workspace_api(synth, "AWS::ApiGatewayV2::Route").values()
        if not r["Properties"]["RouteKey"].endswith(" /api/erasures")  # tests/infra/test_erasure.py
    }
    assert {key: r.get("AuthorizerId") for key, r in routes.items()} == {
        "ANY /api/{proxy+}": {"Ref": authorizer_id},
        "GET /api/{proxy+}": {"Ref": authorizer_id},
        "POST /api/session": None,
        "GET /": None,
        "GET /{proxy+}": None,
    }
    for key, route in routes.items():
        expected = "JWT" if key.endswith("/api/{proxy+}") else "NONE"
        assert (route["ApiId"], route["AuthorizationType"]) == (api, expected)
    [(integration_id, integration)] = [
        (key, i) for key, i in _workspace_api(synth, "AWS::ApiGatewayV2::Integration").items()
        if i["Properties"]["IntegrationUri"] == get_att(synth, workspace.function)
    ]  # fmt: skip
    assert integration["Properties"] == {
        "ApiId": api,
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": get_att(synth, workspace.function),
        "PayloadFormatVersion": "2.0",
    }
    target = {"Fn::Join": ["", ["integrations/", {"Ref": integration_id}]]}
    assert all(route["Target"] == target for route in routes.values())
    assert "CorsConfiguration" not in props(synth, workspace.api)


def test_stage_throttles_and_logs_access_encrypted(synth: Synthesis) -> None:
    """Given the API's one stage, then it is ``$default`` (auto-deployed), throttles every
    route (50 rps, burst 100) and writes JSON access logs, with no path, query or body, to a
    one-year log group encrypted with the data key."""
    workspace, store = synth.stack.workspace, synth.stack.store
    [stage] = [s["Properties"] for s in _workspace_api(synth, "AWS::ApiGatewayV2::Stage").values()]
    assert (stage["StageName"], stage["AutoDeploy"]) == ("$default", True)
    assert stage["DefaultRouteSettings"] == {
        "ThrottlingBurstLimit": 100,
        "ThrottlingRateLimit": 50,
    }
    logs = stage["AccessLogSettings"]
    assert logs["DestinationArn"] == get_att(synth, workspace.access_logs)
    fields = json.loads(logs["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert {"routeKey", "status", "ip", "user"} <= set(fields)
    assert not [v for v in fields.values() if v in ("$context.path", "$context.requestBody")]
    group = props(synth, workspace.access_logs)
    assert (group["RetentionInDays"], group["KmsKeyId"]) == (365, get_att(synth, store.key))
    outputs = synth.template.to_json()["Outputs"]
    assert outputs["WorkspaceUrl"]["Value"] == {
        "Fn::GetAtt": [synth.logical_id(workspace.api), "ApiEndpoint"]
    }
    assert outputs["UserPoolId"]["Value"] == ref_of(synth, synth.stack.identity.user_pool)
    assert outputs["UserPoolClientId"]["Value"] == ref_of(synth, workspace.client)


# --- the function ------------------------------------------------------------------------


def test_workspace_function_configuration(synth: Synthesis) -> None:
    """Given the workspace function, then it runs ``functions/workspace`` and its environment
    names the user pool, the client (the JWT audience), the hosted UI, the audit table, the
    state machine and the notices topic."""
    workspace, stack = synth.stack.workspace, synth.stack
    function = props(synth, workspace.function)
    assert (function["Handler"], function["Timeout"]) == ("handler.lambda_handler", 15)
    env = function["Environment"]["Variables"]
    assert env[resources.USER_POOL_ID_ENV] == ref_of(synth, stack.identity.user_pool)
    assert env[resources.USER_POOL_CLIENT_ID_ENV] == ref_of(synth, workspace.client)
    domain = ref_of(synth, stack.identity.domain)
    assert env[resources.USER_POOL_DOMAIN_ENV] == {
        "Fn::Join": ["", ["https://", domain, f".auth.{REGION}.amazoncognito.com"]]
    }
    assert env[resources.AUDIT.env_var] == ref_of(
        synth, stack.store.tables[resources.AUDIT.logical_id]
    )
    assert env[resources.ESCALATION_STATE_MACHINE_ENV] == ref_of(
        synth, stack.escalation.state_machine
    )
    assert env[resources.CASE_NOTICES_TOPIC_ENV] == ref_of(synth, stack.escalation.topic)
    assert env["POWERTOOLS_SERVICE_NAME"] == "workspace"


def test_a_hand_back_puts_the_call_on_the_call_list_and_nothing_else(synth: Synthesis) -> None:
    """Given the call desk's hand-back, then the workspace function names its own role (not
    the dispatcher's queue or role), which only Scheduler may assume, for schedules of the
    dispatch group of this account, and which may only put items in the CallLists table
    (encrypted with the data key): the call returns to the desk, never to the IVR."""
    workspace, store, notify = synth.stack.workspace, synth.stack.store, synth.stack.notify
    env = props(synth, workspace.function)["Environment"]["Variables"]
    assert env[resources.SCHEDULER_ROLE_ENV] == get_att(synth, workspace.hand_back_role)
    role = props(synth, workspace.hand_back_role)
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {
        "aws:SourceAccount": {"Ref": "AWS::AccountId"},
        "aws:SourceArn": get_att(synth, notify.schedule_group),
    }
    grant = actions_by_resource(role_statements(synth, workspace.hand_back_role))
    assert grant == {
        key_of(get_att(synth, store.tables[resources.CALL_LISTS.logical_id])): {"dynamodb:PutItem"},
        key_of(get_att(synth, store.key)): {"kms:Encrypt", "kms:GenerateDataKey"},
    }


def test_the_desks_sms_fallback_is_a_schedule_onto_the_dispatch_queue(synth: Synthesis) -> None:
    """Given the call desk's SMS fallback (after the last unanswered call), then the workspace
    function names the dispatch queue, the dispatcher's deferred-dispatch role and its dead
    letters, may pass that role to Scheduler only, and may not send to any queue itself;
    the role may only send to the dispatch queue and the deferred dead letters (encrypted
    with the queue key), for schedules of the dispatch group of this account."""
    workspace, store, notify = synth.stack.workspace, synth.stack.store, synth.stack.notify
    env = props(synth, workspace.function)["Environment"]["Variables"]
    assert env[resources.DISPATCH_QUEUE_ARN_ENV] == get_att(synth, notify.dispatch_queue)
    assert env[resources.SMS_FALLBACK_ROLE_ENV] == get_att(synth, notify.schedule_role)
    assert env[resources.DEFERRED_DEAD_LETTER_ENV] == get_att(
        synth, notify.deferred_dead_letter_queue
    )
    statements = role_statements(synth, workspace.role)
    [passing] = [s for s in statements if s.get("Sid") == "PassSmsFallbackRole"]
    assert passing["Action"] == "iam:PassRole"
    assert passing["Resource"] == get_att(synth, notify.schedule_role)
    assert passing["Condition"] == {
        "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}
    }
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert not [a for a in actions if a.startswith("sqs:")]
    role = props(synth, notify.schedule_role)
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"]["StringEquals"]["aws:SourceArn"] == get_att(
        synth, notify.schedule_group
    )
    grant = actions_by_resource(role_statements(synth, notify.schedule_role))
    assert set(grant) == {
        key_of(get_att(synth, notify.dispatch_queue)),
        key_of(get_att(synth, notify.deferred_dead_letter_queue)),
        key_of(get_att(synth, store.queue_key)),
    }
    assert grant[key_of(get_att(synth, notify.dispatch_queue))] == {"sqs:SendMessage"}


def test_workspace_role_holds_exactly_the_listed_actions(synth: Synthesis) -> None:
    """Given the workspace role, then it allows exactly the listed actions on each named
    resource: the audit table append-only, ``uploads/`` put-only (presigned POSTs), no table
    delete, no ``*`` action, ``*`` resource for X-Ray alone; InitiateAuth only on dev."""
    workspace, store = synth.stack.workspace, synth.stack.store
    escalation, identity = synth.stack.escalation, synth.stack.identity
    tables = {name: get_att(synth, table) for name, table in store.tables.items()}
    statements = role_statements(synth, workspace.role)
    assert actions_by_resource(statements) == {
        key_of(tables["Cases"]): {"dynamodb:GetItem", "dynamodb:UpdateItem"},  # no Scan
        **{
            key_of({"Fn::Join": ["", [tables["Cases"], f"/index/{index.name}"]]}): {
                "dynamodb:Query"
            }
            for index in resources.CASES.indexes
        },
        key_of(tables["Visits"]): {"dynamodb:GetItem", "dynamodb:PutItem"},  # a grievance's citizen
        key_of(tables["CallLists"]): {"dynamodb:Query", "dynamodb:UpdateItem"},
        key_of(tables["Feedback"]): {"dynamodb:GetItem", "dynamodb:PutItem"},
        key_of(tables["Dispatches"]): {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        key_of(tables["Directory"]): {
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
        },
        key_of(tables["Config"]): {"dynamodb:GetItem"},
        key_of(tables["Uploads"]): {"dynamodb:GetItem", "dynamodb:Scan"},
        key_of(tables["Tallies"]): {"dynamodb:GetItem", "dynamodb:Query"},
        key_of(tables["Audit"]): {"dynamodb:PutItem", "dynamodb:Query"},
        key_of(tables["Grievances"]): {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
        key_of(tables["RateLimits"]): {"dynamodb:GetItem", "dynamodb:PutItem"},
        # the call desk hands no-answers back to the desk (the dispatch group, its own role)
        key_of(_schedules()): {"scheduler:CreateSchedule"},
        key_of(get_att(synth, synth.stack.workspace.hand_back_role)): {"iam:PassRole"},
        # and, after the last unanswered call, the SMS survey to the dispatcher (its role)
        key_of(get_att(synth, synth.stack.notify.schedule_role)): {"iam:PassRole"},
        key_of(objects_of(synth, resources.UPLOADS_PREFIX)): {"s3:PutObject"},
        key_of(objects_of(synth, resources.REJECTS_PREFIX)): {"s3:GetObject"},
        key_of(objects_of(synth, resources.INTAKE_REPORTS_PREFIX)): {"s3:GetObject"},
        key_of(objects_of(synth, resources.CASE_FILES_PREFIX)): {"s3:GetObject", "s3:PutObject"},
        key_of(get_att(synth, store.key)): {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
        key_of(get_att(synth, store.bus)): {"events:PutEvents"},
        key_of(ref_of(synth, escalation.state_machine)): {"states:SendTaskSuccess"},
        key_of(ref_of(synth, escalation.topic)): {"sns:Publish"},
        key_of(get_att(synth, escalation.notices_key)): {"kms:Decrypt", "kms:GenerateDataKey"},
        key_of(get_att(synth, identity.user_pool)): {"cognito-idp:InitiateAuth"},
        key_of(get_att(synth, workspace.log_group)): {"logs:CreateLogStream", "logs:PutLogEvents"},
        key_of("*"): XRAY_ACTIONS,
    }
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert not [a for a in actions if "*" in a]
    assert "ManagedPolicyArns" not in props(synth, workspace.role)


# --- department uploads ------------------------------------------------------------------


def test_the_cases_table_has_an_index_per_scope_projecting_no_tokens(synth: Synthesis) -> None:
    """Given the Cases table, then it has the by-office, by-district, by-department and
    by-status indexes the case lists query (newest first by ``opened_at``), projecting the
    list's fields only: no task tokens, signals or audit trail."""
    (table,) = [
        t["Properties"]
        for t in resources_of(synth, "AWS::DynamoDB::Table").values()
        if {"AttributeName": "case_id", "KeyType": "HASH"} in t["Properties"]["KeySchema"]
    ]
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert {n: [k["AttributeName"] for k in i["KeySchema"]] for n, i in indexes.items()} == {
        "by_office": ["office_code", "opened_at"],
        "by_district": ["district", "opened_at"],
        "by_department": ["department", "opened_at"],
        "by_status": ["status", "opened_at"],
    }
    for index in indexes.values():
        projected = set(index["Projection"]["NonKeyAttributes"])
        assert index["Projection"]["ProjectionType"] == "INCLUDE"
        assert {"holder", "level", "deadline"} <= projected
        assert not projected & {"waits", "signals", "audit", "execution_input", "phone"}


def test_departments_come_from_the_context() -> None:
    """Given the ``departments`` context as a list, a JSON list or a comma-separated string,
    then it gives the codes; a code that cannot name an access point, or a repeated one, is
    refused with the reason; unset gives none."""
    assert departments_setting(["health", "revenue"]) == ("health", "revenue")
    assert departments_setting('["health", "food-supplies"]') == ("health", "food-supplies")
    assert departments_setting("health, revenue") == ("health", "revenue")
    assert departments_setting(None) == ()
    with pytest.raises(ValueError, match="lower-case"):
        departments_setting(["Health"])
    with pytest.raises(ValueError, match="lower-case"):
        departments_setting(["../revenue"])
    with pytest.raises(ValueError, match="twice"):
        departments_setting(["health", "health"])
    with pytest.raises(ValueError, match="list"):
        departments_setting(7)


def test_one_access_point_per_configured_department(synth: Synthesis) -> None:
    """Given the departments intake ships (no ``departments`` context), then each has one
    access point on the data bucket, public access blocked, whose policy lets only that
    department's uploader put objects under ``uploads/<department>/`` and denies anything
    outside it; the uploader role may write only through that access point."""
    uploads, store = synth.stack.uploads, synth.stack.store
    assert DEPARTMENTS and set(uploads.access_points) == set(DEPARTMENTS)
    points = {
        p["Properties"]["Name"]: p["Properties"]
        for p in resources_of(synth, "AWS::S3::AccessPoint").values()
    }
    assert set(points) == {f"samvad-dev-{d}" for d in DEPARTMENTS}
    for department in DEPARTMENTS:
        name = f"samvad-dev-{department}"
        point = points[name]
        assert point["Bucket"] == ref_of(synth, store.bucket)
        assert set(point["PublicAccessBlockConfiguration"].values()) == {True}
        point_arn = _point_arn(name)
        through = _point_arn(f"{name}/object/uploads/{department}/*")
        role = get_att(synth, uploads.roles[department])
        assert point["Policy"]["Statement"] == [
            {
                "Sid": "DepartmentUploaderWritesItsPrefix",
                "Effect": "Allow",
                "Principal": {"AWS": role},
                "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
                "Resource": through,
            },
            {
                "Sid": "NothingOutsideTheDepartmentPrefix",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "s3:*",
                "NotResource": through,
            },
            {
                "Sid": "NobodyButTheDepartmentUploader",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "s3:*",
                "Resource": [point_arn, _point_arn(f"{name}/object/*")],
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": role}},
            },
        ]
        statements = role_statements(synth, uploads.roles[department])
        assert actions_by_resource(statements) == {
            key_of(through): {"s3:AbortMultipartUpload", "s3:PutObject"},
            key_of(get_att(synth, store.key)): {"kms:GenerateDataKey", "kms:Decrypt"},
        }
        trust = props(synth, uploads.roles[department])["AssumeRolePolicyDocument"]
        [trusted] = trust["Statement"]
        assert trusted["Principal"]["AWS"] == {
            "Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":root"]]
        }


def _point_arn(resource: str) -> dict[str, Any]:
    """``arn:aws:s3:<region>:<account>:accesspoint/<resource>`` as the template spells it."""
    return {
        "Fn::Join": [
            "",
            [f"arn:aws:s3:{REGION}:", {"Ref": "AWS::AccountId"}, f":accesspoint/{resource}"],
        ]
    }


class _Policies:
    """Evaluates the synthesised bucket and access-point policies for one ``s3:PutObject``
    request, with the template's references resolved to example ARNs. Only the condition
    operators the policies use are understood; any other fails the test."""

    def __init__(self, synth: Synthesis) -> None:
        stack = synth.stack
        self.bucket_arn = "arn:aws:s3:::samvad-data"
        self.names = {synth.logical_id(stack.store.bucket): self.bucket_arn}
        self.roles = {
            d: f"arn:aws:iam::{ACCOUNT}:role/uploader-{d}" for d in stack.uploads.roles
        } | {
            "workspace": f"arn:aws:iam::{ACCOUNT}:role/workspace",
            "erasure": f"arn:aws:iam::{ACCOUNT}:role/erasure",
        }
        for department, role in stack.uploads.roles.items():
            self.names[synth.logical_id(role)] = self.roles[department]
        self.names[synth.logical_id(stack.workspace.role)] = self.roles["workspace"]
        self.names[synth.logical_id(stack.erasure.role)] = self.roles["erasure"]
        bucket_ref = ref_of(synth, stack.store.bucket)
        [self.bucket] = [
            p["Properties"]["PolicyDocument"]["Statement"]
            for p in resources_of(synth, "AWS::S3::BucketPolicy").values()
            if p["Properties"]["Bucket"] == bucket_ref
        ]
        self.points = {
            p["Properties"]["Name"]: p["Properties"]["Policy"]["Statement"]
            for p in resources_of(synth, "AWS::S3::AccessPoint").values()
        }

    def point_arn(self, department: str) -> str:
        return f"arn:aws:s3:{REGION}:{ACCOUNT}:accesspoint/samvad-dev-{department}"

    def render(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.render(n) for n in node]
        if isinstance(node, str):
            return node
        if "Ref" in node:
            return {"AWS::AccountId": ACCOUNT, "AWS::Partition": "aws"}[node["Ref"]]
        if "Fn::GetAtt" in node:
            return self.names[node["Fn::GetAtt"][0]]
        if "Fn::Join" in node:
            separator, parts = node["Fn::Join"]
            return separator.join(self.render(p) for p in parts)
        return {key: self.render(value) for key, value in node.items()}

    def _applies(self, statement: dict[str, Any], principal: str, resource: str, ctx) -> bool:
        who = as_list(self.render(statement["Principal"]["AWS"]))
        account_root = f"arn:aws:iam::{principal.split(':')[4]}:root"
        if "*" not in who and principal not in who and account_root not in who:
            return False
        actions = as_list(statement["Action"])
        if not any(fnmatch.fnmatchcase("s3:PutObject", a) for a in actions):
            return False
        if "Resource" in statement:
            patterns = as_list(self.render(statement["Resource"]))
            if not any(fnmatch.fnmatchcase(resource, p) for p in patterns):
                return False
        else:
            patterns = as_list(self.render(statement["NotResource"]))
            if any(fnmatch.fnmatchcase(resource, p) for p in patterns):
                return False
        for operator, tests in statement.get("Condition", {}).items():
            for key, expected in tests.items():
                values, actual = as_list(self.render(expected)), ctx.get(key)
                if operator in ("StringEquals", "ArnEquals"):
                    holds = actual in values
                elif operator in ("StringNotEquals", "ArnNotEquals"):
                    holds = actual is None or actual not in values
                elif operator == "Bool":
                    holds = actual == values[0]
                else:
                    raise AssertionError(f"operator {operator} not understood")
                if not holds:
                    return False
        return True

    def _any(self, statements, effect: str, principal: str, resource: str, ctx) -> bool:
        return any(
            self._applies(s, principal, resource, ctx) for s in statements if s["Effect"] == effect
        )

    def decide(self, principal: str, key: str, via: str | None) -> str:
        """``deny`` (an explicit deny in the bucket or access point policy), ``allow``
        (through an access point: its policy allows; directly: the bucket does not deny)
        or ``implicit`` (through an access point whose policy does not name the caller)."""
        ctx = {"aws:PrincipalArn": principal, "aws:SecureTransport": "true"}
        if via:
            ctx["s3:DataAccessPointArn"] = self.point_arn(via)
        bucket_object = f"{self.bucket_arn}/{key}"
        if self._any(self.bucket, "Deny", principal, bucket_object, ctx):
            return "deny"
        if via is None:
            return "allow"
        point_object = f"{self.point_arn(via)}/object/{key}"
        point = self.points[f"samvad-dev-{via}"]
        if self._any(point, "Deny", principal, point_object, ctx):
            return "deny"
        if self._any(point, "Allow", principal, point_object, ctx):
            return "allow"
        return "implicit"


def test_a_department_cannot_write_into_another_departments_prefix(synth: Synthesis) -> None:
    """Given the data bucket's and access points' policies, when uploads are attempted, then:
    a department's uploader writes its own prefix through its access point; its own access
    point refuses another department's prefix (explicit deny, in both policies); another
    department's access point does not admit it, nor does its own admit anyone else; nobody
    writes ``uploads/`` directly except the workspace function's role (presigned POSTs,
    department checked by the handler), even an administrator; other prefixes are untouched
    by these rules. The bucket policy has two statements for any number of departments."""
    policies = _Policies(synth)
    health, revenue = policies.roles["health"], policies.roles["revenue"]
    admin = f"arn:aws:iam::{ACCOUNT}:role/admin"
    assert policies.decide(health, "uploads/health/visits.csv", via="health") == "allow"
    assert policies.decide(health, "uploads/revenue/visits.csv", via="health") == "deny"
    assert policies.decide(health, "uploads/made-up/visits.csv", via="health") == "deny"
    assert policies.decide(health, "rejects/health/x.csv", via="health") == "deny"
    assert policies.decide(health, "uploads/revenue/visits.csv", via="revenue") == "deny"
    assert policies.decide(revenue, "uploads/revenue/visits.csv", via="revenue") == "allow"
    assert policies.decide(admin, "uploads/revenue/visits.csv", via="health") == "deny"
    assert policies.decide(admin, "uploads/health/visits.csv", via="health") == "deny"
    for principal in (health, revenue, admin):
        assert policies.decide(principal, "uploads/health/visits.csv", via=None) == "deny"
    assert policies.decide(policies.roles["workspace"], "uploads/revenue/x.csv", via=None) == (
        "allow"
    )
    # the erasure function writes an upload back without one citizen's rows
    assert policies.decide(policies.roles["erasure"], "uploads/health/x.csv", via=None) == "allow"
    assert policies.decide(admin, "rejects/health/x.csv", via=None) == "allow"
    upload_rules = [s for s in policies.bucket if "Uploads" in s.get("Sid", "")]
    assert len(upload_rules) == 2
    # and the bucket permits what this account's policies allow through its access points
    [grant] = [s for s in policies.bucket if s["Effect"] == "Allow"]
    assert grant["Sid"] == "UploadsThroughDepartmentAccessPoints"
    assert policies.render(grant["Principal"]["AWS"]) == f"arn:aws:iam::{ACCOUNT}:root"
    assert policies.render(grant["Resource"]) == f"{policies.bucket_arn}/uploads/*"
    assert policies.render(grant["Condition"]) == {
        "StringEquals": {"s3:DataAccessPointArn": [policies.point_arn(d) for d in DEPARTMENTS]}
    }


def test_without_departments_only_the_workspace_writes_uploads() -> None:
    """Given no ``departments``, when the uploads guard is built, then there is no access point
    and the deny on ``uploads/*`` spares only the presigning role; and a department code too
    long for an access point name is refused."""
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk.assertions import Template

    from infra.constructs.storage import DataStore
    from infra.constructs.uploads import DepartmentUploads

    stack = cdk.Stack(cdk.App(builtin_cloud_formation_validation=False), "T")
    store = DataStore(stack, "Storage", stage="test", retention_days=30)
    presigner = iam.Role(
        stack, "Presigner", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
    )
    DepartmentUploads(
        stack, "Uploads", store=store, stage="test", departments=(), presigner=presigner
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::S3::AccessPoint", 0)
    data_bucket = {"Ref": stack.get_logical_id(store.bucket.node.default_child)}
    [deny] = [
        s
        for policy in template.find_resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == data_bucket
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "Uploads" in s.get("Sid", "")
    ]
    assert deny["Sid"] == "DenyUploadsExceptThroughDepartmentAccessPoints"
    assert deny["Condition"] == {
        "ArnNotEquals": {
            "aws:PrincipalArn": {
                "Fn::GetAtt": [stack.get_logical_id(presigner.node.default_child), "Arn"]
            }
        }
    }
    with pytest.raises(ValueError, match="over 50 characters"):
        DepartmentUploads(
            stack, "Long", store=store, stage="test", departments=("d" * 45,), presigner=presigner
        )


def test_an_erasure_operators_role_may_write_an_upload_back(prod_synth: Synthesis) -> None:
    """Given ``erasure_operators`` naming a data-protection officer's role, when prod
    synthesises, then the deny on direct writes under ``uploads/`` spares exactly the
    workspace's presigning role, the erasure function's role and that officer's role (who
    runs ``samvad erase``, which writes each upload back without the citizen's rows)."""
    stack = prod_synth.stack
    data_bucket = {"Ref": stack.get_logical_id(stack.store.bucket.node.default_child)}
    [deny] = [
        s
        for policy in resources_of(prod_synth, "AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == data_bucket
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "DenyUploadsExceptThroughDepartmentAccessPoints"
    ]
    spared = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert spared == [
        get_att(prod_synth, stack.workspace.role),
        get_att(prod_synth, stack.erasure.role),
        DPO_ROLE,
    ]
