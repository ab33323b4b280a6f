"""SQS batches written at once (the tallies, the lake's buffer): bodies parsed, and Lambda's
partial batch response built from per-message results.

Built here because Powertools' ``BatchProcessor`` hands a handler one record at a time,
and these functions write a whole batch in one go."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any


def parsed(body: str) -> object:
    """A message body's JSON; for a body that is not JSON, a text saying so, which the use
    case refuses as not an event (only that message fails)."""
    try:
        return json.loads(body)
    except ValueError as error:
        return f"a message body that is not JSON ({error})"


def item_failures(
    message_ids: Sequence[str], results: Sequence[Mapping[str, Any]], log: logging.Logger | Any
) -> dict[str, list[dict[str, str]]]:
    """``{"batchItemFailures": …}``: the messages whose result holds an ``error`` (logged
    with it) go back to the queue; the others are deleted."""
    failures = []
    for message_id, result in zip(message_ids, results, strict=True):
        if "error" in result:
            log.warning("message not processed", extra={"message_id": message_id, **result})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
