"""Drill-down pages: state → department → district → office → official, linked both ways."""

from __future__ import annotations

import json
import re

import pytest

from samvad.reports.periods import BadRequest
from samvad.reports.service import run_report
from tests.reports_week import WEEK, synthetic_week


@pytest.fixture(scope="module")
def week():
    ports, offices = synthetic_week()
    result = run_report({"period": "week", "date": WEEK[-1].isoformat()}, ports)
    return ports, offices, result


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+\.html)"', html))


def test_a_week_writes_a_page_per_department_district_office_and_official(week) -> None:
    """Given the synthetic week (3 departments, 6 districts, 12 offices with one official
    each), when the week's report runs, then it writes 3 + 6 + 12 + 12 pages, and its
    summary.json lists every one of them."""
    ports, _, result = week
    pages = result["keys"]["pages"]
    levels = [key.rsplit("/", 1)[-1].split("-", 1)[0] for key in pages]
    assert [levels.count(level) for level in ("department", "district", "office", "official")] == [
        3, 6, 12, 12,
    ]  # fmt: skip
    summary = json.loads(ports.files.text(result["keys"]["summary"]))
    assert summary["files"]["pages"] == pages
    assert all(key in ports.files.files for key in pages)


def test_pages_hold_their_scope_only_and_link_up_and_down(week) -> None:
    """Given the week's pages, then the state dashboard links each department's page and each
    office's page from the league; a department page ranks only that department's offices,
    links back to the state and to its offices' pages; an office page links its official's
    page; and every link between pages names a page that was written."""
    ports, offices, result = week
    prefix = result["period"]
    written = {key.removeprefix(prefix + "pages/") for key in result["keys"]["pages"]}
    state = ports.files.text(result["keys"]["dashboard"])
    assert {f"pages/department-{d}.html" for d in ("health", "police", "revenue")} <= _links(state)
    assert {f"pages/office-{o.department}-{o.office_code}.html" for o in offices} <= _links(state)
    health = ports.files.text(prefix + "pages/department-health.html")
    league = health.split('id="league"', 1)[1].split("</table>", 1)[0]
    codes = set(re.findall(r'data-key="health/([^"]+)"', league))
    assert codes == {o.office_code for o in offices if o.department == "health"}
    assert 'href="../dashboard.html"' in health and 'href="../offices.csv"' in health
    first = next(o for o in offices if o.department == "health")
    office_page = ports.files.text(prefix + f"pages/office-health-{first.office_code}.html")
    assert f"official-health-{first.official_id}.html" in _links(office_page)
    for key in result["keys"]["pages"]:
        for link in _links(ports.files.text(key)) - {"../dashboard.html"}:
            assert link in written, f"{key} links {link}, which was not written"


def test_pages_can_be_asked_for_or_left_out_and_nothing_else() -> None:
    """Given a day report, then by default it writes department and district pages only;
    "pages": "all" adds offices and officials, "none" writes none, anything else is refused."""
    ports, _ = synthetic_week(per_office=2)
    day = {"period": "day", "date": WEEK[-1].isoformat()}
    default = run_report(day, ports)["keys"]["pages"]
    assert {k.rsplit("/", 1)[-1].split("-")[0] for k in default} == {"department", "district"}
    every = run_report(day | {"pages": "all"}, ports)["keys"]["pages"]
    assert len(every) == len(default) + 12 + 12
    assert run_report(day | {"pages": "none"}, ports)["keys"]["pages"] == []
    with pytest.raises(BadRequest, match="pages"):
        run_report(day | {"pages": "offices"}, ports)
