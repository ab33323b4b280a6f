"""Synthesise the CDK app once per session (cdk-nag on, CloudFormation validation off)."""

from __future__ import annotations

import json
import os
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


def cdk_context() -> dict[str, Any]:
    return json.loads((REPO_ROOT / "cdk.json").read_text())["context"]


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesis:
    from aws_cdk.assertions import Template

    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stack = build_app(
        context=cdk_context(), outdir=str(outdir), builtin_cloud_formation_validation=False
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
