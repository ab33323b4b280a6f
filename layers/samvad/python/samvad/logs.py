"""Powertools logging with phone numbers masked in every line, whoever logs them."""

from __future__ import annotations

import sys
from typing import IO, Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from samvad.phones import redact


class RedactingFormatter(LambdaPowertoolsFormatter):
    """JSON log lines in which anything shaped like an Indian mobile number is masked."""

    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        return redact(super().serialize(log))


class _CurrentStderr:
    """Whatever ``sys.stderr`` is at write time (it is replaced by test and CLI harnesses)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def logger_for(service: str) -> Logger:
    """A service logger (to stderr, keeping stdout for command output) that also formats
    the ``samvad.*`` module loggers, so domain code can log with the standard library."""
    logger = Logger(
        service=service,
        logger_formatter=RedactingFormatter(),
        stream=cast(IO[str], _CurrentStderr()),
    )
    copy_config_to_registered_loggers(source_logger=logger, include={"samvad"})
    return logger
