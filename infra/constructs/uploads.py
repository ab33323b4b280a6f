"""Department uploads: one S3 access point and uploader role per department, and a bucket
policy under which nothing else writes to ``uploads/`` (a file cannot lie about its
department: the prefix it lands in is the one its writer was allowed)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.nag import acknowledge_wildcard
from infra.constructs.storage import DataStore
from samvad import resources

UPLOAD_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload")
"""A (multipart) upload; PutObject covers creating, uploading parts and completing."""
KMS_UPLOAD = ("kms:GenerateDataKey", "kms:Decrypt")
"""SSE-KMS with the data key: a data key per object (Decrypt to complete multipart uploads)."""
_BLOCK_PUBLIC_ACCESS = s3.CfnAccessPoint.PublicAccessBlockConfigurationProperty(
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
_DEPARTMENT = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
_ACCESS_POINT_NAME_MAX = 50


def departments_setting(value: Any) -> tuple[str, ...]:
    """The ``departments`` context: a list of department codes (or a JSON list, or a
    comma-separated string), e.g. ``-c 'departments=["health","revenue"]'``. Unset: none.

    Each code must be lower-case letters, digits and hyphens (it names an access point).
    """
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
    if not isinstance(value, list | tuple):
        raise ValueError(f"departments: expected a list of department codes, got {value!r}")
    codes = tuple(str(code).strip() for code in value)
    bad = [code for code in codes if not _DEPARTMENT.match(code)]
    if bad:
        raise ValueError(
            f"departments: {bad!r} — use lower-case letters, digits and hyphens "
            "(a code names an S3 access point)"
        )
    if len(set(codes)) != len(codes):
        raise ValueError(f"departments: listed twice in {list(codes)!r}")
    return codes


class DepartmentUploads(Construct):
    """Machine uploads per department, and the guard on ``uploads/``.

    For each department ``d`` in ``departments``:

    - ``roles[d]``: the department's uploader, assumable by principals of this account that
      an administrator allows (``sts:AssumeRole``; docs/workspace-deploy.md). It may write
      only through its access point, under ``uploads/<d>/``, and use the data key for that.
    - ``access_points[d]``: ``samvad-<stage>-<d>`` on the data bucket (public access blocked).
      Its policy lets ``roles[d]`` put objects under ``uploads/<d>/``, and denies anything
      outside that prefix and anything by anyone else.

    The data bucket's policy gets two statements, whatever the number of departments (a bucket
    policy is limited to 20 KB; per-department statements would not fit 29 departments):

    - ``UploadsThroughDepartmentAccessPoints``: the bucket permits what this account's
      identity policies allow through these access points (an access point's grant is only
      effective if the bucket permits it too);
    - ``DenyUploadsExceptThroughDepartmentAccessPoints``: ``s3:PutObject`` on ``uploads/*`` is
      denied to every principal unless the request comes through one of these access points
      or from ``presigner``, the workspace function's role, whose presigned POSTs are
      restricted to the signed-in data officer's department by the handler, not by a policy,
      or from one of ``rewriters`` (the erasure function's role, which writes an upload back
      without one citizen's rows).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        store: DataStore,
        stage: str,
        departments: Sequence[str],
        presigner: iam.IRole,
        rewriters: Sequence[iam.IRole] = (),
    ) -> None:
        super().__init__(scope, id)
        self._rewriters = list(rewriters)
        self._store, self._stage = store, stage
        self.access_points: dict[str, s3.CfnAccessPoint] = {}
        self.access_point_arns: dict[str, str] = {}
        self.roles: dict[str, iam.Role] = {}
        for department in departments:
            self._department(department)
        self._guard(presigner)

    def _department(self, department: str) -> None:
        store, stage = self._store, self._stage
        name = f"samvad-{stage}-{department}"
        if len(name) > _ACCESS_POINT_NAME_MAX:
            raise ValueError(f"departments: access point name {name!r} is over 50 characters")
        arn = cdk.Stack.of(self).format_arn(
            service="s3", resource="accesspoint", resource_name=name
        )
        prefix = f"{resources.UPLOADS_PREFIX}{department}/"
        through_access_point = f"{arn}/object/{prefix}*"
        role = iam.Role(
            self,
            f"Uploader-{department}",
            assumed_by=iam.AccountRootPrincipal(),
            description=f"Samvad {stage}: {department}'s uploads, through its access point",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="UploadThroughAccessPoint",
                actions=list(UPLOAD_ACTIONS),
                resources=[through_access_point],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="EncryptWithDataKey",
                actions=list(KMS_UPLOAD),
                resources=[store.key.key_arn],
            )
        )
        acknowledge_wildcard(
            role,
            through_access_point,
            reason=f"Uploads go to new object keys under {prefix}, and only through the "
            f"{name} access point, whose policy and the bucket's deny anything else.",
        )
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="DepartmentUploaderWritesItsPrefix",
                    principals=[iam.ArnPrincipal(role.role_arn)],
                    actions=list(UPLOAD_ACTIONS),
                    resources=[through_access_point],
                ),
                iam.PolicyStatement(
                    sid="NothingOutsideTheDepartmentPrefix",
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    actions=["s3:*"],
                    not_resources=[through_access_point],
                ),
                iam.PolicyStatement(
                    sid="NobodyButTheDepartmentUploader",
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    actions=["s3:*"],
                    resources=[arn, f"{arn}/object/*"],
                    conditions={"ArnNotEquals": {"aws:PrincipalArn": role.role_arn}},
                ),
            ]
        )
        self.access_points[department] = s3.CfnAccessPoint(
            self,
            f"AccessPoint-{department}",
            bucket=store.bucket.bucket_name,
            name=name,
            public_access_block_configuration=_BLOCK_PUBLIC_ACCESS,
            policy=policy,
        )
        self.access_point_arns[department] = arn
        self.roles[department] = role

    def _guard(self, presigner: iam.IRole) -> None:
        bucket, stack = self._store.bucket, cdk.Stack.of(self)
        uploads = bucket.arn_for_objects(f"{resources.UPLOADS_PREFIX}*")
        points = list(self.access_point_arns.values())
        if points:
            bucket.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="UploadsThroughDepartmentAccessPoints",
                    principals=[iam.AccountPrincipal(stack.account)],
                    actions=list(UPLOAD_ACTIONS),
                    resources=[uploads],
                    conditions={"StringEquals": {"s3:DataAccessPointArn": points}},
                )
            )
        writers = [presigner.role_arn, *(role.role_arn for role in self._rewriters)]
        conditions: dict[str, Any] = {
            "ArnNotEquals": {"aws:PrincipalArn": writers if self._rewriters else writers[0]}
        }
        if points:
            conditions["StringNotEquals"] = {"s3:DataAccessPointArn": points}
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="DenyUploadsExceptThroughDepartmentAccessPoints",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["s3:PutObject"],
                resources=[uploads],
                conditions=conditions,
            )
        )
