"""Chunked intake, step 1: read the upload once and split its visits into chunks by key."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad.intake.wiring import split_event
from samvad.logs import logger_for
from samvad.settings import IntakeSettings

logger = logger_for("intake_split")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return split_event(event, IntakeSettings.from_env())
