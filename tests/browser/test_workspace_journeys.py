"""Each role's journey in the workspace, in headless Chromium against ``samvad serve``:
the collector files an ATR and the case moves on; the CMO works through today's 10 calls
and the answers are stored as feedback; the data officer uploads a file through the
presigned POST, sees its report and downloads the rejects; the auditor sees all of it."""

from __future__ import annotations

import re
import time

import boto3
import pytest

from samvad_dev.local.cloud import REGION
from tests.workspace_server import running_serve

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("workspace-browser"),
]

UPLOAD = (
    "Mobile No,Date of Visit,Office Code,Office Name,Service,District,Language\n"
    "9876500011,29/11/2026,HLT-KHU-001,Capital Hospital,OPD,Khordha,or\n"
    "9876500012,29/11/2026,HLT-KHU-001,Capital Hospital,OPD,Khordha,hi\n"
    "12345,29/11/2026,HLT-KHU-001,Capital Hospital,OPD,Khordha,en\n"
)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """One ``samvad serve`` for every journey, kept for the whole session: xdist's loadgroup
    keeps these tests on one worker but may run other modules' tests between them, and a
    module-scoped server would then be torn down and started afresh between journeys (the
    auditor would see only the actions made on the new one)."""
    with running_serve(tmp_path_factory.mktemp("serve-browser")) as line:
        line["by_role"] = {u["role"]: u for u in line["users"]}
        yield line


SLOW_SERVER = """
const realFetch = window.fetch;
window.fetch = (...args) => new Promise((r) => setTimeout(r, 1000)).then(() => realFetch(...args));
"""


@pytest.fixture
def slow_page(browser_page):
    """A page whose every request answers a second late, as when the local stack's pump holds
    the server (intake, escalation): a journey that reads or clicks before the page has
    loaded its data fails here every time, not now and then under load."""
    browser_page.add_init_script(SLOW_SERVER)
    return browser_page


def _client(stack, service: str):
    return boto3.client(
        service,
        endpoint_url=stack["aws_endpoint"],
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _s3(stack):
    return _client(stack, "s3")


def sign_in(page, stack, role: str, lands_on: str) -> None:
    user = stack["by_role"][role]
    page.goto(stack["url"] + "/signin?lang=en")
    page.fill("#username", user["username"])
    page.fill("#password", user["password"])
    page.click("#signin-form button[type=submit]")
    page.wait_for_url(f"**/{lands_on}**")
    wait_until_ready(page)


def wait_until_ready(page) -> None:
    """The page has wired its forms and shown its first data (``body[data-ready]``): a
    page read or clicked before that is a race the test would lose under load."""
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)


def test_a_collector_sees_their_district_and_files_an_atr(slow_page, stack, tmp_path):
    page = slow_page
    district = stack["by_role"]["collector"]["scope"]["district"]
    sign_in(page, stack, "collector", "cases")
    page.uncheck("#mine")  # the whole scope, not only the cases held
    page.click("#filters button[type=submit]")
    page.wait_for_selector('#cases[data-query=""] a.case-link')
    districts = page.locator("#cases tr td:nth-child(4)").all_inner_texts()
    assert districts and set(districts) == {district}
    office = page.locator("#cases tr td:nth-child(3)").first.inner_text()
    page.fill("#office", office)  # one office of the district: only its cases
    page.click("#filters button[type=submit]")
    page.wait_for_selector(f'#cases[data-query="office={office}"] a.case-link')
    assert set(page.locator("#cases tr td:nth-child(3)").all_inner_texts()) == {office}
    page.fill("#office", "")
    page.check("#mine")
    page.click("#filters button[type=submit]")
    page.wait_for_selector('#cases[data-query="mine=true"] a.case-link')
    page.locator("a.case-link").first.click()
    page.wait_for_url("**/cases/**")
    wait_until_ready(page)
    assert "•" in page.inner_text("#citizen-phone")
    page.fill("#atr-text", "Visited the office; the citizen's certificate was issued.")
    photo = tmp_path / "certificate.pdf"
    photo.write_bytes(b"%PDF-1.4\n% the issued certificate\n%%EOF\n")
    page.set_input_files("#atr-file", str(photo))
    page.click("#atr-form button[type=submit]")
    page.wait_for_selector("#done:has-text('citizen confirmation')")
    for _ in range(60):  # the state machine moves the case to the citizen's confirmation
        page.reload()
        wait_until_ready(page)
        if "awaiting_confirmation" in page.inner_text("#case-status"):
            break
        page.wait_for_timeout(1000)
    assert "awaiting_confirmation" in page.inner_text("#case-status")
    assert "atr_filed" in page.inner_text("#history")
    case_id = page.inner_text("#case-id")
    stored = _s3(stack).list_objects_v2(Bucket="samvad-serve-data", Prefix=f"cases/{case_id}/atr/")
    assert [o["Key"].rsplit("/", 1)[1] for o in stored.get("Contents", [])] == [
        "L1-certificate.pdf"
    ]
    assert f"cases/{case_id}/atr/L1-certificate.pdf" in page.inner_text("#history")
    assert page.is_hidden("#atr-form")  # filed once per level
    assert page.is_visible("#transfer-form")  # the holder may still transfer
    assert page.errors == []


def test_the_cmo_works_through_todays_ten_calls(slow_page, stack):
    page = slow_page
    sign_in(page, stack, "cmo", "calls")
    page.wait_for_selector("section.call")
    assert re.match(r"0 done of 10 ", page.inner_text("#progress"))
    first = page.locator("section.call").first
    first.locator("button.dial").click()  # the bridged call: my phone rings, then theirs
    first.locator(".status:has-text('Your phone rings first')").wait_for()
    assert "•" in first.locator(".phone").inner_text()  # Call shows no number
    first.locator("button.reveal").click()
    page.wait_for_selector("section.call .phone:not(:has-text('•'))")
    keys = [c.get_attribute("data-visit") for c in page.locator("section.call").all()]
    for number, key in enumerate(keys, start=1):
        card = page.locator(f'section.call[data-visit="{key}"]')
        card.locator("input[name=rating]").fill(str(1 + number % 5))
        card.locator("select[name=work_done]").select_option("yes" if number % 3 else "no")
        card.locator("select[name=bribe_asked]").select_option("no")
        card.locator("button[type=submit]").click()
        page.wait_for_selector(f'section.call[data-visit="{key}"][data-status="done"]')
    assert page.inner_text("#progress").startswith("10 done of 10")
    dynamodb = _client(stack, "dynamodb")
    for key in keys:  # stored by the feedback domain, as every channel's answers are
        item = dynamodb.get_item(TableName="samvad-serve-feedback", Key={"visit_key": {"S": key}})[
            "Item"
        ]
        assert item["channel"]["S"] == "official_call"
    assert page.errors == []


def test_a_data_officer_uploads_sees_the_report_and_gets_the_rejects(slow_page, stack, tmp_path):
    page = slow_page
    department = stack["by_role"]["data_officer"]["scope"]["department"]
    path = tmp_path / "fixed-visits.csv"
    path.write_text(UPLOAD)
    sign_in(page, stack, "data_officer", "uploads")
    assert page.input_value("#department") == department
    page.set_input_files("#file", str(path))
    page.click("#upload-form button[type=submit]")
    key = f"uploads/{department}/fixed-visits.csv"
    row = page.locator(f'#uploads tr[data-key="{key}"]')
    row.wait_for(timeout=60_000)
    assert "3 rows, 2 accepted, 1 rejected" in row.inner_text()
    row.locator("button.rejects").click()
    link = row.locator("a.rejects-link")
    link.wait_for()
    rejects = page.request.get(link.get_attribute("href"))
    assert rejects.ok and "12345" in rejects.text()
    assert page.errors == []


def test_the_auditor_sees_every_action(slow_page, stack):
    page = slow_page
    sign_in(page, stack, "auditor", "audit")
    page.wait_for_selector("#audit tr[data-what]")
    seen = {r.get_attribute("data-what") for r in page.locator("#audit tr[data-what]").all()}
    assert {"sign_in", "atr", "number_reveal", "call_placed", "call_outcome", "upload"} <= seen
    assert not re.search(r"\+91[6-9]\d{9}", page.inner_text("#audit"))


def test_a_caller_registers_a_grievance_taken_by_phone(slow_page, stack):
    """Given the contact centre's caller, When they open "Register a grievance" from the menu
    and submit what a citizen said on the phone, Then the page shows the reference the citizen
    is texted, and the grievance is a case whose stored record holds no phone number."""
    page = slow_page
    sign_in(page, stack, "caller", "calls")
    page.click('#menu a[data-page="grievance"]')
    page.wait_for_url("**/grievance**")
    wait_until_ready(page)
    page.fill("#phone", "9876500077")
    page.select_option("#language", "hi")
    page.fill("#department", "health")
    page.fill("#service", "OPD")
    page.fill("#office_code", "HLT-KHU-001")
    page.fill("#district", "Khordha")
    page.fill("#category", "rude_behaviour")
    page.fill("#text", "The clerk shouted at my mother at the registration desk.")
    page.click("#grievance-form button[type=submit]")
    page.wait_for_selector("#registered:not(:empty)")
    reference = page.inner_text("#registered")
    assert re.fullmatch(r"OD-[A-Z0-9]{6}", reference), reference
    dynamodb, key = _client(stack, "dynamodb"), {"case_id": {"S": f"case-grv-{reference}"}}
    for _ in range(120):  # the case is opened from the event, by the server's pump
        case = dynamodb.get_item(TableName="samvad-serve-cases", Key=key).get("Item")
        if case:
            break
        time.sleep(0.5)
    assert case and case["case_type"]["S"] == "grievance"
    assert "9876500077" not in str(case)
    assert page.errors == []


def test_the_cmo_plays_a_callers_voice_message(slow_page, stack):
    """Given the day's IVR callers, some of whom left a voice message (the local player
    records it where Connect would; the server's pump copies it into the case), When the CMO
    opens such a case, Then the page plays it from a short-lived presigned link to the
    case's own object, and no phone number is on the page."""
    dynamodb = _client(stack, "dynamodb")
    voiced = []
    for _ in range(120):
        items = dynamodb.scan(TableName="samvad-serve-cases")["Items"]
        voiced = [i["case_id"]["S"] for i in items if "voice_object" in i]
        if voiced:
            break
        time.sleep(0.5)
    assert voiced, "no IVR grievance with a copied voice message in the demo day"
    page = slow_page
    sign_in(page, stack, "cmo", "calls")
    page.goto(f"{stack['url']}/cases/{voiced[0]}?lang=en")
    wait_until_ready(page)
    page.wait_for_selector("#voice:not([hidden])")
    source = page.get_attribute("#voice-player", "src") or ""
    assert f"cases/{voiced[0]}/voice/message.wav" in source and "Signature" in source
    audio = page.request.get(source)
    assert audio.status == 200 and audio.body()[:4] == b"RIFF"
    assert not re.search(r"\+91[6-9]\d{9}|[6-9]\d{9}", page.inner_text("body"))
    assert page.errors == []


def test_the_grievance_officer_takes_an_erasure_request(slow_page, stack):
    """Given the grievance officer, When they sign in (landing on the erasure page) and submit
    a citizen's number and the reason, Then the page shows the receipt's id and lists it,
    the number is gone from the page, and the menu offers nothing else."""
    page = slow_page
    sign_in(page, stack, "grievance_officer", "erasures")
    assert [a.get_attribute("data-page") for a in page.locator("#menu a").all()] == ["erasures"]
    page.fill("#phone", "+91 70000 00018")
    page.fill("#reason", "asked by letter at the CMO's grievance cell")
    page.click("#erasure-form button[type=submit]")
    page.wait_for_selector("#receipt:not(:empty)")
    request_id = page.inner_text("#receipt").rsplit(" ", 1)[-1]
    page.wait_for_selector(f'#erasures tr[data-request="{request_id}"]')
    assert page.input_value("#phone") == ""
    assert "70000" not in page.inner_text("main")
