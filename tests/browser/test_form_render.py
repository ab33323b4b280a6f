"""The feedback form in headless Chromium at a phone's size: readable, tappable, and posting
what ``parse_form`` reads."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from samvad.messages import LANGUAGES, catalog
from samvad.messages.web import FormAnswer, parse_form, render_form, render_page

VISIT = {"office_name": "Tahasil Office, Khordha", "service": "Income certificate",
         "visit_date": "2026-11-20", "phone": "+919876543210"}  # fmt: skip
FORM_URL = "https://feedback.samvad.test/f/tok-abc"
MIN_TAP = 44


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_form_reads_in_the_citizen_language_with_big_tap_targets(
    browser_page, language, tmp_path
):
    """Given the survey form in a language, When Chromium shows it at a phone's size, Then the
    questions are visible in that language, every choice is at least 44 px and selects its
    radio when pressed (clicked: the shared fixture has no touch), the inline style applies
    under the CSP, nothing errors, and a screenshot is kept."""
    page = browser_page
    page.set_content(render_form(language, "tok-abc", VISIT))
    web = catalog(language)["web"]
    assert page.get_attribute("html", "lang") == language
    for question in ("q_work_done", "q_rating", "q_bribe"):
        assert page.get_by_text(web[question], exact=True).is_visible()
    labels = page.locator("label.choice")
    assert labels.count() == 9
    for index in range(labels.count()):
        box = labels.nth(index).bounding_box()
        assert box["width"] >= MIN_TAP and box["height"] >= MIN_TAP, (index, box)
    page.locator("label.choice", has=page.locator('input[name="rating"][value="4"]')).click()
    assert page.is_checked('input[name="rating"][value="4"]')
    button = page.locator("button[type=submit]")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 110, 59)"
    assert button.bounding_box()["height"] >= MIN_TAP
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    assert "9876543210" not in page.content()
    assert page.errors == []
    page.screenshot(path=str(tmp_path / f"form-{language}.png"), full_page=True)
    assert (tmp_path / f"form-{language}.png").stat().st_size > 10_000


def test_submitting_the_form_posts_what_parse_form_reads(browser_page, tmp_path):
    """Given the Odia form served at a link, When the citizen switches to Hindi, answers
    every question, writes a note, ticks "do not contact me", and sends, Then the post is a
    UTF-8 urlencoded form that ``parse_form`` reads back exactly, and the thanks page shows."""
    page = browser_page
    posts = []

    def serve(route, request):
        if request.method == "POST":
            posts.append((request.post_data, request.headers["content-type"]))
            return route.fulfill(content_type="text/html", body=render_page("thanks", "hi"))
        language = parse_qs(urlsplit(request.url).query).get("lang", ["or"])[0]
        return route.fulfill(
            content_type="text/html; charset=utf-8",
            body=render_form(language, "tok-abc", VISIT),
        )

    page.route("https://feedback.samvad.test/**", serve)
    page.goto(FORM_URL)
    assert page.get_attribute("html", "lang") == "or"
    page.get_by_role("link", name="हिन्दी").click()
    page.wait_for_url(FORM_URL + "?lang=hi")
    assert page.get_attribute("html", "lang") == "hi"
    page.get_by_text("हाँ", exact=True).first.click()
    page.locator("label.choice", has=page.locator('input[name="rating"][value="2"]')).click()
    page.locator("#q-bribe_asked label.choice").nth(0).click()
    page.fill("#free_text", "तीन घंटे इंतज़ार <b>कराया</b> & पैसे माँगे")
    page.get_by_text(catalog("hi")["web"]["opt_out"]).click()
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_text(catalog("hi")["pages"]["thanks"]["title"]).is_visible()
    assert len(posts) == 1
    body, content_type = posts[0]
    assert parse_form(body, content_type) == FormAnswer(
        token="tok-abc", rating=2, work_done=True, bribe_asked=True,
        free_text="तीन घंटे इंतज़ार <b>कराया</b> & पैसे माँगे", opt_out=True,
    )  # fmt: skip
    assert page.errors == []
    page.screenshot(path=str(tmp_path / "thanks-hi.png"))


def test_the_confirmation_form_and_pages_render_without_errors(browser_page, tmp_path):
    """Given the confirmation form and every outcome page in Odia, When shown, Then the
    resolved question is visible and no page reports an error."""
    page = browser_page
    page.set_content(render_form("or", "tok", VISIT, kind="confirmation"))
    assert page.get_by_text(catalog("or")["web"]["q_resolved"]).is_visible()
    page.screenshot(path=str(tmp_path / "confirmation-or.png"), full_page=True)
    for name in ("thanks", "expired", "used", "invalid", "error"):
        page.set_content(render_page(name, "or"))
        assert page.locator("h2").inner_text() == catalog("or")["pages"][name]["title"]
    assert page.errors == []
