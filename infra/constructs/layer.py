"""The ``samvad`` Lambda layer: the shared package plus its runtime dependencies."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.layer_build import build_layer


class SamvadLayer(Construct):
    """Builds ``.build/layer`` locally (no Docker) and publishes it as ``layer_version``."""

    def __init__(self, scope: Construct, id: str, *, repo_root: Path) -> None:
        super().__init__(scope, id)
        self.layer_version = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(
                str(build_layer(repo_root)), exclude=["**/__pycache__", "**/*.pyc"]
            ),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="samvad shared package with its runtime dependencies",
        )
