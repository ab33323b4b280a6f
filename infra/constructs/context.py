"""Reading the app's context values (``-c name=value`` or cdk.json)."""

from __future__ import annotations

from typing import Any


def comma_separated(value: Any) -> list[str]:
    """A context value given as comma-separated text (``-c``) or a list (cdk.json): its
    non-blank items, trimmed; unset gives none."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [str(item).strip() for item in items if str(item).strip()]
