"""The drill-down in the workspace, in headless Chromium against ``samvad serve``: the
collector opens their district's page from the dashboard and follows an office's link; the
CMO opens the state page; the collector's token cannot open the state's."""

from __future__ import annotations

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
