"""Chunked intake, step 3: one report and rejects file; or, from the catch, the failure."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad.intake.wiring import reduce_event
from samvad.logs import logger_for
from samvad.settings import IntakeSettings

logger = logger_for("intake_reduce")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return reduce_event(event, IntakeSettings.from_env())
