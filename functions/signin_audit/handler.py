"""Cognito's Post Authentication trigger: audit each hosted-UI sign-in.

Parses nothing beyond what ``samvad.workspace.signins`` reads, makes one call into it and
returns the event unchanged (what Cognito expects from the trigger).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import clock
from samvad.logs import logger_for
from samvad.settings import SignInAuditSettings
from samvad.workspace.signins import record_hosted_sign_in

logger = logger_for("signin_audit")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    from samvad.adapters.audit import DynamoAuditLog

    audit = DynamoAuditLog(SignInAuditSettings.from_env().audit_table)
    entry = record_hosted_sign_in(event, audit, clock.now)
    what = "sign-in already audited (a retried trigger)" if entry["replayed"] else "sign-in audited"
    logger.info(what, extra={"official_id": entry["who"]})
    return event
