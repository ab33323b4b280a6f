"""The drill-down in the workspace, in headless Chromium against ``samvad serve``: the
collector opens their district's page from the dashboard and follows an office's link; the
CMO opens the state page; the collector's token cannot open the state's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samvad.reports.labels import catalog
from tests.workspace_server import request, running_serve
from tests.workspace_server import sign_in as api_sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.own_process,
    pytest.mark.xdist_group("workspace-drilldown"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_serve(tmp_path_factory.mktemp("serve-drilldown")) as line:
        line["by_role"] = {u["role"]: u for u in line["users"]}
        yield line


def _fits(page) -> bool:
    """No horizontal scroll at the phone's width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


PHONE_412 = {"width": 412, "height": 915}


def _artifacts() -> Path:
    """Screenshots are kept in ``out/browser`` (or ``$SAMVAD_ARTIFACTS``), not committed."""
    folder = Path(os.environ.get("SAMVAD_ARTIFACTS", "out/browser"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _charts_fit(page) -> list[dict]:
    """Each chart's SVG: its width, the viewport's, its accessible name's parts, and the
    smallest tick label's height on screen (px)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#charts figure')].map(f => {
          const svg = f.querySelector('svg');
          const ids = (svg.getAttribute('aria-labelledby') || '').split(' ');
          const ticks = [...svg.querySelectorAll('g[id*="tick_"] > g[id*="-text_"]')]
            .map(t => t.getBoundingClientRect().height).filter(h => h > 0);
          return {width: svg.getBoundingClientRect().width, viewport: window.innerWidth,
                  caption: f.querySelector('figcaption').textContent,
                  named: ids.every(id => document.getElementById(id)),
                  role: svg.getAttribute('role'), smallest: Math.min(...ticks)};
        })"""
    )


def _sign_in(page, stack, role: str) -> None:
    user = stack["by_role"][role]
    page.goto(stack["url"] + "/signin?lang=en")
    page.fill("#username", user["username"])
    page.fill("#password", user["password"])
    page.click("#signin-form button[type=submit]")
    page.wait_for_url(lambda url: "/signin" not in url)  # signed in: the role's first page
    page.wait_for_load_state("networkidle")


def test_a_collector_drills_from_their_district_to_an_office(browser_page, stack, tmp_path):
    # Given the collector signed in
    page = browser_page
    district = stack["by_role"]["collector"]["scope"]["district"]
    _sign_in(page, stack, "collector")
    # When they open the drill-down from the dashboard
    page.goto(stack["url"] + "/dashboard?lang=en")
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)
    glance = page.locator("#glance div").all_inner_texts()  # the figures, named as reports do
    assert len(glance) == 9 and glance[0].startswith("Sampled") and "%" in glance[2]
    assert page.locator("#figures tr[data-figure=sampled]").count() == 1  # every counter too
    page.click("#drilldown")
    page.wait_for_selector("#totals tr")
    # Then their district's page opens, listing only its offices
    assert page.inner_text("#where").startswith(f"district {district}")
    offices = page.locator("#insufficient a[data-level=office], #league a[data-level=office]")
    assert offices.count() > 0
    assert _fits(page)
    page.screenshot(path=str(tmp_path / "drilldown-district.png"), full_page=True)
    # And an office's link opens that office's page, inside the same scope
    name = offices.first.inner_text()
    offices.first.click()
    page.wait_for_url("**level=office**")
    page.wait_for_selector("#totals tr")
    assert page.inner_text("#where").startswith("office ")
    assert name in page.inner_text("#insufficient") + page.inner_text("#league")
    page.screenshot(path=str(tmp_path / "drilldown-office.png"), full_page=True)
    assert page.errors == []


def test_the_state_page_is_the_cmos_and_not_the_collectors(browser_page, stack, tmp_path):
    page = browser_page
    _sign_in(page, stack, "cmo")
    page.goto(stack["url"] + "/drilldown?lang=en")
    page.wait_for_selector("#departments a[data-level=department]")
    assert page.inner_text("#where").startswith("state")
    assert _fits(page)
    page.screenshot(path=str(tmp_path / "drilldown-state.png"), full_page=True)
    page.goto(stack["url"] + "/drilldown?lang=or")  # the labels follow the language
    page.wait_for_selector("#departments a[data-level=department]")
    assert page.inner_text("h2[data-label=league]") == catalog("or")["labels"]["league"]
    assert _fits(page)
    page.screenshot(path=str(tmp_path / "drilldown-state-or.png"), full_page=True)
    assert page.errors == []
    token = api_sign_in(stack["url"], stack["by_role"]["collector"])
    status, body = request(stack["url"], "GET", "/api/drilldown?level=state", token=token)
    assert status == 403, body


def test_the_drill_down_pages_show_their_charts_on_a_phone(browser_page, stack):
    """Given the collector at 412 px, when they open their district's page and then an
    office's, in Odia, then each page shows the four charts (server-drawn SVG) within the
    width, named by their title and description, captions in Odia, tick labels' digits at
    least 9 px high (a ~13 px font), the data table behind its summary; no sideways scroll,
    no console error, and screenshots kept as artifacts."""
    page = browser_page
    page.set_viewport_size(PHONE_412)
    _sign_in(page, stack, "collector")
    odia = catalog("or")["labels"]
    district = stack["by_role"]["collector"]["scope"]["district"]
    for level, query in (("district", f"level=district&code={district}"), ("office", None)):
        if query:
            page.goto(stack["url"] + f"/drilldown?{query}&lang=or")
        else:
            page.locator(
                "#insufficient a[data-level=office], #league a[data-level=office]"
            ).first.click()
            page.wait_for_url("**level=office**")
        page.wait_for_selector("#charts figure svg")
        charts = _charts_fit(page)
        assert [c["caption"] for c in charts] == [
            odia[k] for k in ("chart_share", "chart_rate", "chart_cases", "chart_median")
        ]
        for chart in charts:
            assert chart["role"] == "img" and chart["named"]
            assert 0 < chart["width"] <= chart["viewport"]
            assert chart["smallest"] >= 9, chart  # a digit 9 px high: a ~13 px font
        assert page.inner_text("#series-table summary") == odia["as_table"]
        page.click("#series-table summary")
        assert page.locator("#series tr").count() > 1
        assert page.inner_text("#series tr >> nth=0").split("\t")[0] == odia["date"]
        assert _fits(page)
        page.screenshot(path=str(_artifacts() / f"drilldown-charts-{level}-or.png"), full_page=True)
    assert page.errors == []
