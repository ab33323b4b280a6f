"""Each port's contract runs twice: against the in-memory fake the domain tests use, and
against the boto3 adapter on moto. A fake that drifts from the adapter fails here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from samvad import resources
from samvad.adapters.cases import DynamoCases
from samvad.adapters.contacts import DynamoContacts
from samvad.adapters.dispatches import DynamoDispatchLedger
from samvad.adapters.feedback import DynamoFeedback
from samvad.adapters.items import to_item
from samvad.adapters.visits import DynamoVisits
from tests.dispatch_fakes import (
    MemoryDispatchLedger,
    MemoryFeedbackStore,
    MemoryOptOuts,
    MemoryVisitBook,
)
from tests.escalation_fakes import MemoryCases
from tests.fakes import MemoryContactBook, MemorySamplingWorld, MemoryVisits

IMPLEMENTATIONS = ["memory", "moto"]


def _on_moto(request: pytest.FixtureRequest) -> bool:
    return request.param == "moto"


def _table(request: pytest.FixtureRequest, spec: resources.TableSpec) -> str:
    """Only this one of the stack's tables, created in moto as the local runtime does."""
    from samvad_dev.local.provision import create_table

    request.getfixturevalue("aws")
    name = f"contract-{spec.logical_id}"
    create_table(boto3.client("dynamodb"), name, spec)
    return name


@pytest.fixture(params=IMPLEMENTATIONS)
def visit_store(request):
    if _on_moto(request):
        return DynamoVisits(_table(request, resources.VISITS))
    return MemoryVisits()


@pytest.fixture(params=IMPLEMENTATIONS)
def visit_reader(request) -> tuple[Any, Callable[[dict[str, Any]], None]]:
    """The reader, and how to store a visit (as plain values) for it to find."""
    if _on_moto(request):
        visits = DynamoVisits(_table(request, resources.VISITS))
        return visits, lambda visit: visits.put_all([to_item(visit)])
    book = MemoryVisitBook()
    return book, lambda visit: book.visits.__setitem__(visit["visit_key"], dict(visit))


@pytest.fixture(params=IMPLEMENTATIONS)
def opt_outs(request):
    if _on_moto(request):
        return DynamoContacts(_table(request, resources.CONTACTS))
    return MemoryOptOuts()


@pytest.fixture(params=IMPLEMENTATIONS)
def contact_book(request):
    if _on_moto(request):
        return DynamoContacts(_table(request, resources.CONTACTS))
    return MemoryContactBook(MemorySamplingWorld())


@pytest.fixture(params=IMPLEMENTATIONS)
def feedback_store(request):
    if _on_moto(request):
        return DynamoFeedback(_table(request, resources.FEEDBACK))
    return MemoryFeedbackStore()


@pytest.fixture(params=IMPLEMENTATIONS)
def case_store(request):
    if _on_moto(request):
        return DynamoCases(_table(request, resources.CASES))
    return MemoryCases()


@pytest.fixture(params=IMPLEMENTATIONS)
def dispatch_ledger(request):
    if _on_moto(request):
        return DynamoDispatchLedger(_table(request, resources.DISPATCHES))
    return MemoryDispatchLedger()
