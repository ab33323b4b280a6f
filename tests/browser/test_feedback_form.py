"""The feedback web form end to end in headless Chromium: links issued as notify issues them,
served by the real feedback handler behind a local function URL, on the local stack."""

from __future__ import annotations

import datetime as dt

import pytest

from samvad import messages, resources
from samvad.adapters.feedback import DynamoFeedback
from samvad.adapters.feedback_links import DynamoLinks
from samvad.adapters.secrets import secret_bytes
from samvad.dispatch.service import Contact
from samvad.link_tokens import LinkSigner
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.flows import ingest_files
from samvad_dev.local.http import FunctionUrl

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("form")]

VISIT_DAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Three visits (Odia, Hindi, English), a link for each, the feedback function served."""
    folder = tmp_path_factory.mktemp("form")
    csv = folder / "health.csv"
    csv.write_text(
        "Mobile No,Date of Visit,Office Code,Office Name,Service,District,Language\n"
        + "\n".join(
            f"98765000{i:02d},{VISIT_DAY:%d/%m/%Y},HLT-KHU-001,Capital Hospital,OPD,Khordha,{lang}"
            for i, lang in enumerate(messages.LANGUAGES)
        )
    )
    with LocalCloud(stage="form") as cloud:
        list(ingest_files(cloud, [csv], "health"))
        items = cloud.client("dynamodb").scan(TableName=cloud.names.table(resources.VISITS))
        visits = {i["language"]["S"]: i["visit_key"]["S"] for i in items["Items"]}
        with FunctionUrl(cloud, "feedback") as base:
            links = DynamoLinks(
                cloud.env[resources.LINKS.env_var],
                LinkSigner(
                    secret_bytes(
                        cloud.env[resources.LINK_SECRET_ENV], cloud.client("secretsmanager")
                    )
                ),
                base,
                cloud.client("dynamodb"),
            )
            expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=72)
            urls = {
                language: "http://"
                + links.issue(Contact(visit_key=key, channel="sms"), language, expires)
                for language, key in visits.items()
            }
            expired = "http://" + links.issue(
                Contact(visit_key=visits["en"], channel="sms"),
                "en",
                dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
            )
            yield {"cloud": cloud, "urls": urls, "visits": visits, "expired": expired}


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_the_form_renders_submits_and_refuses_its_reuse(served, browser_page, tmp_path, language):
    """Given a citizen's link in their language, When they open it in a phone browser,
    answer and submit, Then the page is in that language, the thank-you page follows, the
    answers are stored against the visit (channel ``web``), and opening the link again shows
    the already-used page."""
    page, url = browser_page, served["urls"][language]
    web = messages.catalog(language)["web"]
    response = page.goto(url)
    assert response.status == 200
    assert page.get_attribute("html", "lang") == language
    assert web["q_rating"] in page.inner_text("body")
    page.screenshot(path=str(tmp_path / f"form-{language}.png"), full_page=True)

    page.check('input[name="work_done"][value="no"]', force=True)
    page.check('input[name="rating"][value="2"]', force=True)
    page.check('input[name="bribe_asked"][value="no"]', force=True)
    page.fill("textarea[name=free_text]", "ଅଫିସ ବନ୍ଦ ଥିଲା <b>")
    with page.expect_navigation():
        page.click("button[type=submit], input[type=submit]")
    pages = messages.catalog(language)["pages"]
    assert page.inner_text("h2") == pages["thanks"]["title"]
    assert page.errors == []

    stored = DynamoFeedback(
        served["cloud"].env[resources.FEEDBACK.env_var], served["cloud"].client("dynamodb")
    ).get(served["visits"][language])
    assert (stored["channel"], stored["rating"], stored["work_done"]) == ("web", 2, False)
    assert stored["free_text"] == "ଅଫିସ ବନ୍ଦ ଥିଲା <b>" and stored["poor"] is True

    again = page.goto(url)
    assert again.status == 409
    assert page.inner_text("h2") == pages["used"]["title"]


def test_expired_and_forged_links_are_refused(served, browser_page):
    """Given an expired link and a forged one, When opened, Then 410 and 404 pages."""
    assert browser_page.goto(served["expired"]).status == 410
    forged = served["urls"]["en"][:-3] + "AAA"
    assert browser_page.goto(forged).status == 404
