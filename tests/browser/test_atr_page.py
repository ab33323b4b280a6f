"""The officials' ATR page in headless Chromium at a phone's viewport, under its own CSP."""

from __future__ import annotations

from samvad.escalation.http import handle_atr_request
from tests.unit.test_web_pages import CASE, atr_ports, signed


def test_the_atr_form_renders_under_its_policy_without_console_errors(browser_page) -> None:
    """Given a signed link to a case, When its ATR page is opened, Then the case and the form
    show, the signed fields are in the form, and nothing errors (no CSP violation)."""
    query = signed()
    status, _, html = handle_atr_request("GET", "/atr/case-v1", query, "", {}, atr_ports(CASE))
    assert status == 200
    page = browser_page
    page.set_content(html)
    assert page.get_by_text("Case case-v1", exact=False).is_visible()
    assert page.locator("textarea#text").is_visible()
    assert page.locator('input[name="s"]').get_attribute("value") == query["s"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []
