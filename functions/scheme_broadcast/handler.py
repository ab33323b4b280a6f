"""Scheme broadcasts run by the stack: every half hour in calling hours (EventBridge
Scheduler), every current notice published with ``broadcast: true`` is sent to the
subscribers not reached yet; the run stops a minute before its timeout and the next one goes
on (at most one SMS per notice and subscriber)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad.logs import logger_for
from samvad.schemes.wiring import run_scheduled
from samvad.settings import SchemeBroadcastSettings

logger = logger_for("scheme_broadcast")
MARGIN_MS = 60_000
"""Stop sending this long before the function's timeout."""


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    result = run_scheduled(
        SchemeBroadcastSettings.from_env(),
        stop=lambda: context.get_remaining_time_in_millis() < MARGIN_MS,
    )
    logger.info("scheme broadcast", extra={"result": result})
    return result
