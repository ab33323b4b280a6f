"""Synthesise the CDK app once per session (cdk-nag on, CloudFormation validation off)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@dataclass(frozen=True)
class Synthesis:
    """What one synth produced; ``error`` is the exception synth raised (cdk-nag), if any."""

    stack: Any
    template: Any
    outdir: Path
    template_file: Path
    error: Exception | None

    def logical_id(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)


CFN_LINT = Path(sys.executable).with_name("cfn-lint")
# W3005: redundant DependsOn that CDK itself emits next to a GetAtt (the S3 notification
# custom resource, CDK's BucketNotificationsHandler, Function → Role). Harmless.
CFN_LINT_IGNORED = "W3005"
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
"""What tracing adds to every function's role."""
CONNECT_REGION = "ap-southeast-1"
CONNECT_INSTANCE_ARN = (
    f"arn:aws:connect:{CONNECT_REGION}:123456789012:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)
CONNECT_SOURCE_PHONE = "+6531234567"
CONNECT_RECORDINGS = "s3://samvad-connect-recordings/connect/samvad/CallRecordings"
CONNECT_RECORDINGS_KEY = (
    f"arn:aws:kms:{CONNECT_REGION}:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
)


def cdk_context() -> dict[str, Any]:
    return json.loads((REPO_ROOT / "cdk.json").read_text())["context"]


def connect_context() -> dict[str, Any]:
    """cdk.json's context with voice on: a Connect instance in the stack's region."""
    return cdk_context() | {
        "region": CONNECT_REGION,
        "connect_instance_arn": CONNECT_INSTANCE_ARN,
        "connect_source_phone": CONNECT_SOURCE_PHONE,
        "connect_recordings": CONNECT_RECORDINGS,
        "connect_recordings_key": CONNECT_RECORDINGS_KEY,
    }


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    """cdk.json's context: no Connect instance, so no voice."""
    return _synthesise(tmp_path_factory.mktemp("cdk.out"), cdk_context())


@pytest.fixture(scope="session")
def connect_synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    """``connect_context()``: the survey flow, Connect permissions and contact events."""
    return _synthesise(tmp_path_factory.mktemp("cdk.out.connect"), connect_context())


def _synthesise(outdir: Path, context: dict[str, Any]) -> Synthesis:
    from aws_cdk.assertions import Template

    from infra.app import build_app

    app, stack = build_app(
        context=context, outdir=str(outdir), builtin_cloud_formation_validation=False
    )
    try:
        app.synth()
        error = None
    except RuntimeError as exc:  # ValidationFailed: unacknowledged cdk-nag findings
        error = exc
    template_file = outdir / stack.template_file
    template = (
        Template.from_stack(stack)
        if error is None
        else Template.from_json(json.loads(template_file.read_text()))
    )
    return Synthesis(stack, template, outdir, template_file, error)


def assert_cfn_lint_passes(template_file: Path, region: str) -> None:
    """cfn-lint finds nothing in ``template_file`` for ``region`` (but ``CFN_LINT_IGNORED``)."""
    options = ["--regions", region, "--ignore-checks", CFN_LINT_IGNORED]
    result = subprocess.run(
        [CFN_LINT, *options, "--", str(template_file)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def key_of(resource: Any) -> str:
    """``resource`` as ``actions_by_resource`` keys it (JSON, sorted keys)."""
    return json.dumps(resource, sort_keys=True)


def ref_of(synth: Synthesis, construct: Any) -> dict[str, str]:
    """``{"Ref": <logical id>}`` for ``construct``."""
    return {"Ref": synth.logical_id(construct)}


def objects_of(synth: Synthesis, prefix: str) -> dict[str, Any]:
    """The ARN of the data bucket's objects under ``prefix``, as the template spells it."""
    return {"Fn::Join": ["", [get_att(synth, synth.stack.store.bucket), f"/{prefix}*"]]}


def resources_of(synth: Synthesis, type_: str) -> dict[str, dict[str, Any]]:
    """The template's resources of CloudFormation type ``type_``, by logical id."""
    return synth.template.find_resources(type_)


def machine_definition(synth: Synthesis, machine: Any) -> dict[str, Any]:
    """``machine``'s definition, every CloudFormation reference replaced by ``<logical id>``."""
    definition = props(synth, machine)["DefinitionString"]

    def part(value: Any) -> str:
        if isinstance(value, str):
            return value
        if "Ref" in value:
            return f"<{value['Ref']}>"
        return f"<{value['Fn::GetAtt'][0]}>"

    return json.loads("".join(part(p) for p in definition["Fn::Join"][1]))


def get_att(synth: Synthesis, construct: Any) -> dict[str, Any]:
    """``{"Fn::GetAtt": [<logical id>, "Arn"]}`` for ``construct``."""
    return {"Fn::GetAtt": [synth.logical_id(construct), "Arn"]}


def props(synth: Synthesis, construct: Any) -> dict[str, Any]:
    """The synthesised ``Properties`` of ``construct``'s CloudFormation resource."""
    return synth.template.to_json()["Resources"][synth.logical_id(construct)]["Properties"]


def role_statements(synth: Synthesis, role: Any) -> list[dict[str, Any]]:
    """Every statement of every ``AWS::IAM::Policy`` attached to ``role``."""
    role_ref = {"Ref": synth.logical_id(role)}
    return [
        statement
        for policy in synth.template.find_resources("AWS::IAM::Policy").values()
        if role_ref in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def actions_on(statements: list[dict[str, Any]], resource: Any) -> set[str]:
    """The actions ``statements`` allow on exactly ``resource``."""
    return {
        action
        for s in statements
        if s["Effect"] == "Allow" and resource in as_list(s["Resource"])
        for action in as_list(s["Action"])
    }


def actions_by_resource(statements: list[dict[str, Any]]) -> dict[str, set[str]]:
    """``{json.dumps(resource): allowed actions}``: the whole grant, comparable with ``==``.
    Deny statements (which only take away) are left to their own tests."""
    grant: dict[str, set[str]] = {}
    for s in statements:
        if s["Effect"] == "Deny":
            continue
        assert s["Effect"] == "Allow" and "NotAction" not in s and "NotResource" not in s, s
        for resource in as_list(s["Resource"]):
            key = json.dumps(resource, sort_keys=True)
            grant.setdefault(key, set()).update(as_list(s["Action"]))
    return grant
