"""In-process moto checks no signatures: while an in-process ``LocalCloud`` runs, botocore's
SigV4 requests carry the credential scope moto reads, without the signature it never checks.

Signing a request (a canonical request, its hash, an HMAC chain) was a quarter to a third of
the CPU of a small call to in-process moto. moto reads two things from the
``Authorization`` header: the access key (the account; ``local`` maps to moto's default
account, the in-process cloud's ``names.ACCOUNT``) and, for SQS, the region. So the header
keeps its ``Credential=<access key>/<date>/<region>/<service>/aws4_request`` scope and only
the signature is left out. What is not plain SigV4 (``v4``) keeps botocore's signer: S3's
``s3v4``, presigned URLs (``v4-query``: the signature is their content), unsigned operations.
Requests to a server (``AWS_ENDPOINT_URL`` set) are signed as before.

``activate()`` and ``deactivate()`` are called by ``LocalCloud.start`` and ``stop``
(in-process only). The chooser is added to botocore's built-in handlers once, so that every
session made afterwards has it (the handlers', the Step Functions engine's), and to boto3's
default session if it exists already.
"""

from __future__ import annotations

import os
from typing import Any

import botocore.auth
import botocore.handlers
from botocore.exceptions import NoCredentialsError

EVENT = "choose-signer"
SCOPE_ONLY = "samvad-local-scope-only"
DATE = "20260101"
"""The scope's date: moto never reads it."""
_active = 0
_installed = False


class CredentialScopeOnly(botocore.auth.SigV4Auth):
    """A SigV4 ``Authorization`` header with the credential scope and no signature."""

    def add_auth(self, request: Any) -> None:
        if self.credentials is None:
            raise NoCredentialsError()
        if "Authorization" in request.headers:
            del request.headers["Authorization"]  # a retry's request is signed again
        scope = f"{self.credentials.access_key}/{DATE}/{self._region_name}/{self._service_name}"
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={scope}/aws4_request, SignedHeaders=host, Signature=none"
        )


def activate() -> None:
    global _active, _installed
    if not _installed:
        botocore.auth.AUTH_TYPE_MAPS[SCOPE_ONLY] = CredentialScopeOnly
        botocore.handlers.BUILTIN_HANDLERS.append((EVENT, scope_only_in_process))
        _installed = True
    import boto3

    if boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION.events.register(
            EVENT, scope_only_in_process, unique_id="samvad-local-scope-only"
        )
    _active += 1


def deactivate() -> None:
    global _active
    _active = max(0, _active - 1)


def scope_only_in_process(signature_version: Any = None, **_: Any) -> str | None:
    """The scope-only signer for a plain SigV4 call while an in-process cloud runs; None
    (botocore's choice) otherwise."""
    if not _active or signature_version != "v4" or os.environ.get("AWS_ENDPOINT_URL"):
        return None
    return SCOPE_ONLY
