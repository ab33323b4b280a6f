"""The report dashboard in headless Chromium at a phone's viewport."""

from __future__ import annotations

import datetime as dt

from samvad import resources
from samvad.reports.service import record_event, run_report
from samvad_dev.demo import report_events as ev
from tests.reports_fakes import memory_report_ports

DAY = dt.date(2026, 11, 23)


def test_dashboard_renders_its_tables_without_console_errors(browser_page, tmp_path) -> None:
    """Given a day of 6 offices in 6 districts (one with too few responses) and an overdue
    case, when the dashboard file is opened in Chromium, then there is no console error, the
    league table ranks 5 offices and the sixth is on the separate insufficient-data list, the
    district table holds its 6 districts, the overdue table the case with a masked phone only, the
    charts are drawn, and a screenshot is written."""
    offices = ev.offices(2, 3)
    overdue_key = ev.visit_key(offices[0], DAY, 0)
    ports = memory_report_ports(phones={overdue_key: "+919876543210"})
    for index, office in enumerate(offices):
        for n in range(3 if index == 5 else 12):
            key = ev.visit_key(office, DAY, n)
            good = n >= index
            detail = ev.feedback(office, key, DAY, 5 if good else 2, good, False)
            record_event(ev.envelope(resources.FEEDBACK_RECORDED, detail), ports)
    since = dt.datetime(2026, 11, 23, 5, tzinfo=dt.UTC)
    overdue = ev.case_overdue(offices[0], overdue_key, since)
    record_event(ev.envelope(resources.CASE_OVERDUE, overdue), ports)
    result = run_report({"period": "day", "date": DAY.isoformat()}, ports)
    page_file = tmp_path / "dashboard.html"
    page_file.write_text(ports.files.text(result["keys"]["dashboard"]), encoding="utf-8")

    page = browser_page
    page.goto(page_file.as_uri())
    league = page.locator("#league tbody tr")
    assert league.count() == 5
    ranks = [league.nth(i).locator("td").first.inner_text() for i in range(5)]
    assert ranks == ["1", "2", "3", "4", "5"]
    waiting = page.locator("#insufficient li")
    assert waiting.count() == 1
    assert waiting.first.get_attribute("data-key") == (
        f"{offices[5].department}/{offices[5].office_code}"
    )
    assert (
        league.nth(0).get_attribute("data-key")
        == f"{offices[0].department}/{offices[0].office_code}"
    )
    districts = page.locator("#districts tbody tr")
    assert sorted(
        districts.nth(i).get_attribute("data-key") for i in range(districts.count())
    ) == sorted({o.district for o in offices})
    rows = page.locator("#overdue tbody tr")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-key") == f"case-{overdue_key}"
    assert "+91 98•••••210" in rows.first.inner_text()
    assert "9876543210" not in page.content()
    charts = page.locator("#trend img, #tiles img")
    assert charts.count() == 5  # four 90-day series and the district tile map
    assert all(width > 0 for width in charts.evaluate_all("i => i.map(c => c.naturalWidth)"))
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
    assert page.errors == []
