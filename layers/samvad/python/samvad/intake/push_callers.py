"""The stack's push roles in the ``intake/push-callers`` config document.

The stack creates one push role per department and hands the ``(role ARN, department)`` pairs
to a CloudFormation custom resource; this module keeps the document in step with them. Entries
an operator published by hand (a role in a department's own account) are kept: a stack update
removes only the pairs the stack had put there before, a stack deletion only its own.
Publishing is idempotent: a replayed request that changes nothing publishes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from samvad.intake.push import PUSH_CALLERS_CONFIG

AUTHOR = "stack"
_ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@-]{1,64}")
_DEPARTMENT = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")
ATTEMPTS = 3
"""Publishing is conditional on the version read: someone publishing in between is retried."""


class CallerRequestError(ValueError):
    """The custom resource's properties are not a list of role ARNs and departments."""


class ConfigDocuments(Protocol):
    def latest(self, name: str) -> dict[str, Any] | None: ...
    def publish(self, name: str, document: dict, author: str = "cli") -> int: ...


def stack_callers(properties: Mapping[str, Any] | None) -> dict[str, str]:
    """``{role ARN: department}`` from the properties ``{"Callers": [{"Role", "Department"}]}``."""
    listed = (properties or {}).get("Callers") or []
    if not isinstance(listed, list):
        raise CallerRequestError("Callers: expected a list of {Role, Department}")
    callers: dict[str, str] = {}
    for index, entry in enumerate(listed):
        role = entry.get("Role") if isinstance(entry, dict) else None
        department = entry.get("Department") if isinstance(entry, dict) else None
        if not isinstance(role, str) or not _ROLE_ARN.fullmatch(role):
            raise CallerRequestError(f"Callers[{index}].Role: not an IAM role ARN: {role!r}")
        if not isinstance(department, str) or not _DEPARTMENT.fullmatch(department):
            raise CallerRequestError(f"Callers[{index}].Department: not a department code")
        callers[role] = department
    return callers


def merged(
    document: Mapping[str, Any] | None, remove: Mapping[str, str], add: Mapping[str, str]
) -> dict[str, Any]:
    """``document`` without the ``remove`` pairs (only where still mapped to the same
    department) and with the ``add`` pairs; its other keys are kept."""
    result = dict(document or {})
    callers = dict(result.get("callers") or {})
    for role, department in remove.items():
        if callers.get(role) == department:
            del callers[role]
    callers.update(add)
    result["callers"] = dict(sorted(callers.items()))
    return result


def apply_stack_callers(
    request_type: str,
    properties: Mapping[str, Any] | None,
    old_properties: Mapping[str, Any] | None,
    config: ConfigDocuments,
) -> dict[str, Any]:
    """Apply one custom-resource request (``Create``, ``Update``, ``Delete``) to the document;
    returns the document as it now is."""
    new = stack_callers(properties)
    if request_type == "Create":
        remove, add = {}, new
    elif request_type == "Update":
        remove, add = stack_callers(old_properties), new
    elif request_type == "Delete":
        remove, add = new, {}
    else:
        raise CallerRequestError(f"RequestType: {request_type!r} is not Create, Update or Delete")
    for attempt in range(ATTEMPTS):
        current = config.latest(PUSH_CALLERS_CONFIG)
        wanted = merged(current, remove, add)
        if current is not None and wanted == current:
            return wanted  # a replay, or nothing to change: no new version
        if current is None and not wanted["callers"]:
            return wanted  # nothing was there, nothing to put
        try:
            config.publish(PUSH_CALLERS_CONFIG, wanted, author=AUTHOR)
            return wanted
        except Exception as error:  # the conditional write lost a race: read again
            if attempt == ATTEMPTS - 1 or not _lost_race(error):
                raise
    raise AssertionError("unreachable")


def _lost_race(error: Exception) -> bool:
    """A publish refused because another version landed first (DynamoDB's transaction
    cancelled on its condition)."""
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code") == "TransactionCanceledException"
