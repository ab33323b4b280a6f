"""The Samvad CDK app: ``cdk synth`` (via cdk.json) or ``python infra/app.py``.

Context: ``stage`` (default ``dev``), ``region`` (default ``ap-south-1``: data stays in
India) and ``retention_days`` (default 400); ``connect_instance_arn`` and
``connect_source_phone`` turn on voice calls (the instance must be in ``region``; see
docs/dispatch-deploy.md). ``departments`` lists the department codes that get an upload
access point and ``auth_domain_prefix`` names the officials' hosted UI (see
docs/workspace-deploy.md). ``edge=true`` puts CloudFront with a WAF rate limit
(``edge_rate_limit`` requests per IP in five minutes) in front of the public feedback URL:
a second stack, ``Samvad-<stage>-edge``, in us-east-1 (docs/operations.md). Run directly,
the app reads cdk.json's context and writes to ``cdk.out``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import aws_cdk as cdk

    from infra.stack import SamvadStack

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REGION = "ap-south-1"


def build_app(**app_props: Any) -> tuple[cdk.App, SamvadStack]:
    """Create the App (``app_props`` go to ``cdk.App``), the stack and the cdk-nag checks."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from infra.constructs.context import comma_separated
    from infra.constructs.edge import DEFAULT_RATE_LIMIT, EDGE_REGION, EdgeFirewall, edge_setting
    from infra.stack import SamvadStack

    app = cdk.App(**app_props)
    stage = str(app.node.try_get_context("stage") or "dev")
    region = str(app.node.try_get_context("region") or DEFAULT_REGION)
    retention_days = int(app.node.try_get_context("retention_days") or 400)
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    edge: dict[str, Any] = {}
    if edge_setting(app.node.try_get_context("edge")):  # CloudFront + WAF (docs/operations.md)
        firewall = EdgeFirewall(
            app,
            f"Samvad-{stage}-edge",
            stage=stage,
            rate_limit=int(app.node.try_get_context("edge_rate_limit") or DEFAULT_RATE_LIMIT),
            ops_emails=comma_separated(app.node.try_get_context("ops_emails")),
            env=cdk.Environment(account=account, region=EDGE_REGION),
            cross_region_references=True,
            description=f"Samvad {stage}: the public edge's web ACL (CloudFront scope)",
        )
        edge = {"edge_web_acl_arn": firewall.web_acl_arn, "cross_region_references": True}
    stack = SamvadStack(
        app,
        f"Samvad-{stage}",
        stage=stage,
        retention_days=retention_days,
        repo_root=REPO_ROOT,
        env=cdk.Environment(account=account, region=region),
        termination_protection=stage == "prod",
        description=f"Samvad citizen feedback ({stage})",
        **edge,
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def main() -> None:
    props: dict[str, Any] = {}
    if "CDK_CONTEXT_JSON" not in os.environ:  # not run by the CDK CLI: use cdk.json's context
        props["context"] = json.loads((REPO_ROOT / "cdk.json").read_text()).get("context", {})
    if "CDK_OUTDIR" not in os.environ:
        props["outdir"] = str(REPO_ROOT / "cdk.out")
    app, _ = build_app(**props)
    app.synth()


if __name__ == "__main__":
    # Run as a script, sys.path[0] is infra/, whose constructs/ would shadow the `constructs`
    # library: put the repo root there instead so `infra.…` imports resolve.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(REPO_ROOT))
    main()
