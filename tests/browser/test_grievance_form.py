"""The grievance form ``/g`` and the status page in headless Chromium, in Odia, Hindi and
English: the real feedback handler behind a local function URL on the local stack; the
one-time codes read from the SMS the stack sent (issue 11)."""

from __future__ import annotations

import re

import pytest

from samvad import messages, resources
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.http import FunctionUrl

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("grievance_form")]

PHONES = {"or": "98765 11001", "hi": "98765 11002", "en": "98765 11003"}


@pytest.fixture(scope="module")
def served():
    with LocalCloud(stage="grvform") as cloud, FunctionUrl(cloud, "feedback") as base:
        yield {"cloud": cloud, "base": "http://" + base.removeprefix("http://")}


def last_code(served, phone_digits: str) -> str:
    from moto.sns.models import sns_backends

    from samvad_dev.local.cloud import REGION

    sent = sns_backends[served["cloud"].account][REGION].sms_messages.values()
    texts = [text for phone, text in sent if phone.endswith(phone_digits.replace(" ", ""))]
    return re.findall(r"\b\d{6}\b", texts[-1])[-1]


def submit(page) -> None:
    with page.expect_navigation():
        page.click("button[type=submit]")


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_a_citizen_registers_a_grievance_and_reads_its_status(served, browser_page, language):
    """Given the form in a language, When a citizen asks for a code, enters it with their
    grievance and submits, Then a reference is shown (one case's event on the bus), and the
    status page, with the reference and a new code, shows the state in that language; a
    wrong code is refused with 403 naming the code."""
    page, phone = browser_page, PHONES[language]
    g = messages.catalog(language)["grievance"]
    assert page.goto(f"{served['base']}/g?lang={language}").status == 200
    assert page.get_attribute("html", "lang") == language
    assert g["web"]["phone_label"] in page.inner_text("body")
    page.fill("#phone", phone)
    submit(page)
    page.fill("#code", "000000")
    page.select_option("#service", "health/OPD")
    page.select_option("#category", "money_asked")
    page.fill("#text", "ଟଙ୍କା ମାଗିଲେ <b>")
    with page.expect_navigation() as wrong:
        page.click("button[type=submit]")
    assert wrong.value.status == 403
    assert page.get_attribute("#code", "aria-invalid") == "true"
    assert page.input_value("#text") == "ଟଙ୍କା ମାଗିଲେ <b>"  # nothing typed is lost
    assert len(page.errors) == 1 and "403" in page.errors[0]  # the refusal itself
    page.errors.clear()
    page.fill("#code", last_code(served, phone))
    submit(page)
    reference = page.inner_text("#reference").strip()
    assert re.fullmatch(r"OD-[A-Z0-9]{6}", reference)
    assert g["web"]["registered_title"] in page.inner_text("h2")

    page.goto(f"{served['base']}/g/status?lang={language}")
    page.fill("#reference", reference.lower())
    page.fill("#phone", phone)
    submit(page)
    page.fill("#code", last_code(served, phone))
    submit(page)
    assert page.inner_text("#reference").strip() == reference
    assert page.inner_text("#state") in g["states"].values()
    assert page.errors == []


def test_the_form_names_a_missing_field(served, browser_page):
    """Given a code, When the category is left empty, Then 400 and that field is marked."""
    page, phone = browser_page, "98765 11004"
    page.goto(f"{served['base']}/g?lang=en")
    page.fill("#phone", phone)
    submit(page)
    page.fill("#code", last_code(served, phone))
    page.select_option("#service", "health/OPD")
    page.fill("#text", "Nobody at the counter")
    with page.expect_navigation() as response:
        page.click("button[type=submit]")
    assert response.value.status == 400
    assert page.get_attribute("#category", "aria-invalid") == "true"
    events = (
        served["cloud"]
        .client("dynamodb")
        .scan(TableName=served["cloud"].names.table(resources.GRIEVANCES))["Items"]
    )
    assert not any(i["pk"]["S"].startswith("ref#") and "98765" in str(i) for i in events)
