"""Sampler: the daily schedule → a verifiable random sample, call lists and dispatch messages."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from samvad import telemetry
from samvad.logs import logger_for
from samvad.sampling.wiring import sample_for_event
from samvad.settings import SamplingSettings

logger = logger_for("sampling")
metrics = telemetry.metrics_for("sampling")
tracer = telemetry.tracer_for("sampling")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    summary = sample_for_event(event, SamplingSettings.from_env())
    telemetry.count_sampling(metrics, summary)
    return summary
