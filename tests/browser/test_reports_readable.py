"""The day-7 dashboard of a synthetic week in headless Chromium: it ranks offices, its tables
fit a phone and a desktop without sideways scrolling, the language switch changes the labels,
every CSV link resolves, and nothing logs a console error. Screenshots go to ``out/browser``
(or ``$SAMVAD_ARTIFACTS``), which is not committed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samvad.reports.service import run_report
from tests.reports_week import WEEK, synthetic_week

pytestmark = pytest.mark.xdist_group("reports-dashboard")
MAIN_TABLES = ("league", "attention", "officials", "departments", "districts", "overdue")
WIDTHS = (412, 1280)


@pytest.fixture(scope="module")
def week_report(tmp_path_factory) -> Path:
    """The day-7 report's files written to a folder, as they are on S3."""
    ports, _ = synthetic_week()
    result = run_report({"period": "day", "date": WEEK[-1].isoformat()}, ports)
    folder = tmp_path_factory.mktemp("report")
    prefix = result["period"]
    for key, (body, _) in ports.files.files.items():
        target = folder / key.removeprefix(prefix)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return folder / "dashboard.html"


@pytest.fixture
def artifacts() -> Path:
    folder = Path(os.environ.get("SAMVAD_ARTIFACTS", "out/browser"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(chromium_browser, width: int):
    context = chromium_browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_main_tables_fit_without_sideways_scrolling(
    chromium_browser, week_report, artifacts, width
) -> None:
    """Given the day-7 dashboard, when opened at a phone's 412 px and a desktop's 1,280 px,
    then the page and each main table's box scroll no wider than they are, the league ranks
    its 12 offices (numbers, not "—"), there is no console error, and a screenshot is saved."""
    context, page = _page(chromium_browser, width)
    page.goto(week_report.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for table in MAIN_TABLES:
        box = page.locator(f"#{table}").locator("xpath=..")
        overflow = box.evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, f"{table} scrolls sideways by {overflow}px at {width}px"
    ranks = page.locator("#league tbody tr td:first-child")
    assert ranks.count() == 12
    assert [int(r.split()[-1]) for r in ranks.all_inner_texts()] == list(range(1, 13))
    assert page.locator("#officials tbody tr").count() == 12
    overdue = page.locator("#overdue tbody tr").first.inner_text()
    assert "IST" in overdue and "Health & Family Welfare" in overdue and "office 1" in overdue
    shot = artifacts / f"dashboard-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.errors == []
    context.close()


def test_the_language_switch_changes_the_labels(chromium_browser, week_report, artifacts):
    """Given the dashboard in English, when Odia and then Hindi are chosen, then the league's
    heading and column labels (and a phone's stacked captions) change to that language."""
    context, page = _page(chromium_browser, 412)
    page.goto(week_report.as_uri())
    heading = page.locator("#league").locator("xpath=../../h2")
    assert heading.inner_text().startswith("Office ranking")
    caption = "getComputedStyle(document.querySelector('#league td'), '::before').content"
    assert page.evaluate(caption) == '"Rank"'
    page.click("label[for=lang-or]")
    assert heading.inner_text().startswith("କାର୍ଯ୍ୟାଳୟ ସ୍ଥାନ")
    assert page.evaluate(caption) == '"ସ୍ଥାନ"'
    page.screenshot(path=str(artifacts / "dashboard-odia-412.png"), full_page=False)
    page.click("label[for=lang-hi]")
    assert heading.inner_text().startswith("कार्यालय रैंकिंग")
    assert page.evaluate(caption) == '"रैंक"'
    assert page.errors == []
    context.close()


def test_every_csv_link_resolves(chromium_browser, week_report) -> None:
    """Given the dashboard next to its files (as on S3, where they share a prefix), then it
    links every CSV the report wrote, and each link, resolved by the browser against the
    page, is the URL of a file that exists."""
    context, page = _page(chromium_browser, 1280)
    page.goto(week_report.as_uri())
    links = page.locator("#downloads a[href$='.csv']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    written = sorted(p.name for p in week_report.parent.glob("*.csv"))
    assert sorted(hrefs) == written and len(written) == 8
    for href in hrefs:
        target = week_report.parent / href
        assert target.is_file()
        resolved = page.evaluate("h => new URL(h, document.baseURI).href", href)
        assert resolved == target.as_uri()
    assert page.errors == []
    context.close()


def test_drill_down_pages_open_from_the_state_page_and_lead_back(
    chromium_browser, week_report, artifacts
) -> None:
    """Given the day-7 dashboard, when its first department page is followed, then that page
    ranks only the department's offices, links its CSVs and the state page, has no console
    error, and the state link leads back to the dashboard."""
    context, page = _page(chromium_browser, 412)
    page.goto(week_report.as_uri())
    link = page.locator("#pages a").first
    assert link.get_attribute("href") == "pages/department-health.html"
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("/pages/department-health.html")
    keys = page.locator("#league tbody tr").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert len(keys) == 4 and all(key.startswith("health/") for key in keys)
    assert page.evaluate("document.documentElement.scrollWidth") <= 412
    page.screenshot(path=str(artifacts / "department-health-412.png"), full_page=True)
    assert page.errors == []
    page.click("#home")
    page.wait_for_load_state()
    assert page.url == week_report.as_uri()
    context.close()
