"""Chunked intake, step 2 (one Distributed Map item): write one chunk's visits, once."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad.intake.wiring import chunk_event
from samvad.logs import logger_for
from samvad.settings import IntakeSettings

logger = logger_for("intake_chunk")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return chunk_event(event, IntakeSettings.from_env())
