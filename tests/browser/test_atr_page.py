"""The retired bearer ATR link in headless Chromium at a phone's viewport, under its own CSP:
it points officials to the workspace and shows nothing of the case."""

from __future__ import annotations

from samvad.escalation.http import handle_atr_request


def test_an_old_atr_link_renders_a_pointer_to_the_workspace_and_nothing_else(
    browser_page,
) -> None:
    """Given an old signed ATR link, When it is opened, Then the page says the workspace
    takes reports now, has no form and no case detail, fits a phone and nothing errors."""
    status, _, html = handle_atr_request("GET", "/atr/case-v1")
    assert status == 410
    page = browser_page
    page.set_content(html)
    assert page.get_by_text("Samvad workspace", exact=False).is_visible()
    assert page.locator("form, textarea, input").count() == 0
    assert "case-v1" not in page.inner_text("body")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []
