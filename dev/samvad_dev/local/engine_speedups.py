"""Costs of moto 5.2 that AWS does not have, removed with the same results.

Found by profiling the demo's escalation stage (docs/local-runtime.md, "Where the time goes").
``install()`` applies them once, before a local stack serves a request:

**DynamoDB attribute values.** moto serialises every response through the service model,
member by member: for each attribute value of an item it looks up the ten members of
``AttributeValue`` (``S``, ``N``, ``B``…) by three kinds of alias each. moto already holds an
item in the wire form (``{"S": "…"}``, ``{"M": {…}}``), so a value made only of strings,
numbers (as text), booleans, nulls, lists and maps is written as it is; binary values, and
anything else, still go through the serialiser.

Tried and left out: parsing each Step Functions definition once for all executions (moto
parses it, ~0.2 s of CPU, per execution). Sharing the parsed program between executions made
a Task state fail in ``tests/e2e/test_escalation.py`` (the program is not safe to share).
"""

from __future__ import annotations

import functools
from typing import Any

_INSTALLED = False
WIRE_SCALARS = {"S": str, "N": str, "BOOL": bool, "NULL": bool}


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    _attribute_values_as_they_are()
    _INSTALLED = True


def in_wire_form(value: Any) -> bool:
    """True when ``value`` is a DynamoDB attribute value that JSON can carry as it is."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind in WIRE_SCALARS:
        return isinstance(inner, WIRE_SCALARS[kind])
    if kind in ("SS", "NS"):
        return isinstance(inner, list) and all(isinstance(v, str) for v in inner)
    if kind == "L":
        return isinstance(inner, list) and all(in_wire_form(v) for v in inner)
    if kind == "M":
        return isinstance(inner, dict) and all(
            isinstance(k, str) and in_wire_form(v) for k, v in inner.items()
        )
    return False  # B, BS: base64 is the serialiser's to apply


def _attribute_values_as_they_are() -> None:
    from moto.core.serialize import BaseJSONSerializer

    original = BaseJSONSerializer._serialize_type_structure

    @functools.wraps(original)
    def serialize_structure(self, serialized, value, shape, key):  # type: ignore[no-untyped-def]
        if key and shape.name == "AttributeValue" and in_wire_form(value):
            self._default_serialize(serialized, value, shape, key)
            return
        original(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]
