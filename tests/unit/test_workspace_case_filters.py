"""The case list's filters go into the query (``CaseViews.page``), not after it: each query
parameter becomes its ``CaseFilter`` field, pages come back full, and contradictions are an
empty list without a query."""

from __future__ import annotations

import pytest

from samvad.workspace import cases
from samvad.workspace.ports import CaseFilter
from tests.workspace_fakes import official, world


class Recording:
    """A query that remembers what it was asked and answers one full page."""

    def __init__(self):
        self.asked = []

    def page(self, scope, filters, limit, cursor=""):
        self.asked.append((scope, filters, limit, cursor))
        return [], ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, CaseFilter()),
        ({"status": "open"}, CaseFilter(status="open")),
        ({"level": "3"}, CaseFilter(level=3)),
        ({"overdue": "true"}, CaseFilter(status="overdue")),
        ({"overdue": "false"}, CaseFilter(not_status="overdue")),
        ({"overdue": "1", "status": "overdue"}, CaseFilter(status="overdue")),
        ({"service": "bsky", "office": "K1"}, CaseFilter(service="bsky", office_code="K1")),
        ({"mine": "true"}, CaseFilter(holder="collector-khordha")),
        ({"mine": "false"}, CaseFilter(not_holder="collector-khordha")),
    ],
)
def test_each_filter_is_part_of_the_query(query, expected):
    """Given a collector's list with a filter, When it is read, Then the query carries the
    filter (and the collector's district as the scope), with the page size and cursor."""
    ports = world()
    ports.case_views = Recording()
    cases.list_cases(official("collector"), {**query, "limit": "5", "cursor": "3"}, ports)
    assert ports.case_views.asked == [({"district": "Khordha"}, expected, 5, "3")]


@pytest.mark.parametrize("query", [{"overdue": "true", "status": "open"},
                                   {"overdue": "false", "status": "overdue"}])  # fmt: skip
def test_a_status_that_contradicts_overdue_is_an_empty_list_without_a_query(query):
    ports = world()
    ports.case_views = Recording()
    assert cases.list_cases(official("cmo"), query, ports) == {"cases": [], "next": ""}
    assert ports.case_views.asked == []


@pytest.mark.parametrize(
    ("role", "query"),
    [("cmo", {"level": "1"}), ("cmo", {"mine": "false"}), ("secretary", {"office": "K1"}),
     ("cmo", {"service": "opd", "overdue": "false"})],
)  # fmt: skip
def test_a_filtered_list_pages_full_pages_to_the_end(role, query):
    """Given a filter that keeps several cases of the scope, When the list is read one case a
    page, Then every page holds one case, the last has no cursor, and the pages together are
    the filtered list."""
    ports = world()
    whole = cases.list_cases(official(role), query, ports)["cases"]
    assert len(whole) > 1
    seen, cursor = [], ""
    while True:
        page = cases.list_cases(official(role), {**query, "limit": "1", "cursor": cursor}, ports)
        assert len(page["cases"]) == 1
        seen += [c["case_id"] for c in page["cases"]]
        cursor = page["next"]
        if not cursor:
            break
    assert sorted(seen) == sorted(c["case_id"] for c in whole)
