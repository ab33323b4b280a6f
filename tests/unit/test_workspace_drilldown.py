"""Drill-down on the workspace: every page level × every role through the real handler, the
rows each scope sums, links only where the caller may go, bad input naming its field."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from samvad.reports.periods import Period
from samvad.reports.reading import TallyReader
from samvad.reports.service import summarise
from samvad.workspace.roles import ROLES
from tests.reports_week import WEEK, synthetic_week
from tests.workspace_fakes import PHONE, world

HANDLER = Path(__file__).resolve().parents[2] / "functions" / "workspace" / "handler.py"
DAY = WEEK[-1].isoformat()
# the synthetic week's offices: health in Khordha (HEA-KHO-001, official OD-HEA-52445),
# Cuttack, Ganjam, Mayurbhanj; revenue in Cuttack, Ganjam, Mayurbhanj, Balasore; police in
# Ganjam, Mayurbhanj, Balasore, Sundargarh.
CLAIMS = {
    "cmo": {"custom:official_id": "cmo"},
    "minister": {"custom:official_id": "minister-health", "custom:department": "health"},
    "secretary": {"custom:official_id": "sec-health", "custom:department": "health"},
    "collector": {"custom:official_id": "collector-khordha", "custom:district": "Khordha"},
    "sp": {"custom:official_id": "sp-ganjam", "custom:district": "Ganjam",
           "custom:department": "police"},
    "office_head": {"custom:official_id": "head-kho", "custom:office_code": "HEA-KHO-001",
                    "custom:department": "health"},
    "caller": {"custom:official_id": "contact-centre"},
    "data_officer": {"custom:official_id": "data-health", "custom:department": "health"},
    "auditor": {"custom:official_id": "auditor"},
    "grievance_officer": {"custom:official_id": "grievance-officer"},
}  # fmt: skip
STATE_ROLES = {"cmo", "caller", "auditor"}
HEALTH = {"minister", "secretary"}


def claims(role: str) -> dict:
    return {"cognito:groups": [role], "token_use": "id", **CLAIMS[role]}


def _cells(ok: set[str], not_found: set[str] = frozenset()) -> dict[str, int]:
    return {r: 200 if r in ok else 404 if r in not_found else 403 for r in ROLES}


# page → (query, expected status per role)
MATRIX = {
    "state": ("level=state", _cells(STATE_ROLES)),
    "health": ("level=department&code=health", _cells(STATE_ROLES | HEALTH)),
    "revenue": ("level=department&code=revenue", _cells(STATE_ROLES)),
    "khordha": ("level=district&code=Khordha", _cells(STATE_ROLES | HEALTH | {"collector"})),
    "ganjam": ("level=district&code=Ganjam", _cells(STATE_ROLES | HEALTH | {"sp"})),
    "balasore": ("level=district&code=Balasore", _cells(STATE_ROLES)),  # no health office
    "office": ("level=office&code=health/HEA-KHO-001",
               _cells(STATE_ROLES | HEALTH | {"collector", "office_head"})),
    "official": ("level=official&code=health/OD-HEA-52445",
                 _cells(STATE_ROLES | HEALTH | {"collector", "office_head"})),
    "other_office": ("level=office&code=revenue/REV-CUT-001", _cells(STATE_ROLES)),
    "no_office": ("level=office&code=health/NOPE",
                  _cells(set(), STATE_ROLES | HEALTH | {"collector", "office_head"})),
    "my_home": ("", _cells(set(ROLES) - {"data_officer", "grievance_officer"})),
}  # fmt: skip


@pytest.fixture(scope="module")
def week_tallies():
    ports, _ = synthetic_week(per_office=6)
    return ports.tallies


@pytest.fixture
def app(week_tallies, monkeypatch):
    spec = importlib.util.spec_from_file_location("workspace_drilldown_under_test", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ports = dataclasses.replace(world(), tallies=week_tallies)
    monkeypatch.setattr(module, "workspace_ports", lambda: ports)

    def call(query: str, role: str | None, path: str = "/api/drilldown"):
        context = {"http": {"method": "GET", "path": path, "sourceIp": "10.0.0.1"},
                   "stage": "$default"}  # fmt: skip
        if role is not None:
            context["authorizer"] = {"jwt": {"claims": claims(role), "scopes": None}}
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": query,
            "queryStringParameters": dict(p.split("=", 1) for p in query.split("&") if p) or None,
            "headers": {},
            "requestContext": context,
            "body": "",
            "isBase64Encoded": False,
        }
        response = module.lambda_handler(event, _Context())
        return response["statusCode"], response["body"]

    call.ports = ports
    return call


class _Context:
    function_name = "workspace"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:workspace"
    aws_request_id = "test"


def _page(app, query: str, role: str) -> dict:
    status, text = app(f"{query}&date={DAY}", role)
    assert status == 200, text
    return json.loads(text)


@pytest.mark.parametrize(("page", "role"), [(p, r) for p in MATRIX for r in ROLES])
def test_every_page_as_every_role(app, page, role):
    # Given a drill-down page and a signed-in official of the role
    query, expected = MATRIX[page]
    # When they ask for it on the week's last day
    status, text = app(f"{query}&date={DAY}".lstrip("&"), role)
    # Then the status is the table's, and no phone number is in the answer
    assert status == expected[role], text
    assert PHONE not in text and PHONE[3:] not in text


def test_anonymous_is_401(app):
    assert app(f"level=state&date={DAY}", None)[0] == 401


def test_a_scope_sums_only_its_own_rows(app):
    """Given the collector of Khordha and the health secretary, when they open the office
    page of HEA-KHO-001 and the district page of Ganjam, then the collector's figures are the
    office's (as the CMO sees them) and the secretary's Ganjam page ranks health's office
    only, while the CMO's Ganjam page ranks all three departments' offices."""
    office = "level=office&code=health/HEA-KHO-001"
    mine, state = _page(app, office, "collector"), _page(app, office, "cmo")
    assert mine["league"] == state["league"] and mine["totals"] == state["totals"]
    assert mine["totals"]["responses"] > 0
    ganjam = "level=district&code=Ganjam"
    health_only = _page(app, ganjam, "secretary")
    everyone = _page(app, ganjam, "cmo")
    assert {r["department"] for r in health_only["offices"]} == {"health"}
    assert {r["department"] for r in everyone["offices"]} == {"health", "revenue", "police"}
    assert health_only["totals"]["responses"] < everyone["totals"]["responses"]
    police = _page(app, ganjam, "sp")
    assert [r["office_code"] for r in police["offices"]] == ["POL-GAN-001"]


def test_the_blocks_are_the_static_pages(app, week_tallies):
    """Given the CMO, when they open the Ganjam page, then its league, officials and
    insufficient-data list are those the reports compute for the same scope and day."""
    day = WEEK[-1]
    reader = TallyReader(week_tallies, Counter())
    state = summarise(Period("day", day, day), reader, 10, 30)
    static = summarise(
        Period("day", day, day), reader, 10, 30, (("district",), ("Ganjam",)),
        state["state_satisfied_share"],
    )  # fmt: skip
    served = _page(app, "level=district&code=Ganjam", "cmo")

    def keyed(rows: list[dict]) -> list[tuple]:
        return [(r.get("office_code") or r.get("official_id"), r.get("rank"),
                 r["assessable"], r["satisfied"]) for r in rows]  # fmt: skip

    for block in ("league", "officials", "offices", "needs_attention"):
        assert keyed(served[block]) == keyed(static[block]), block
    assert served["totals"] == static["totals"]
    assert served["state_satisfied_share"] == state["state_satisfied_share"]


def test_rows_link_only_to_pages_the_caller_may_open(app):
    """Given the health secretary's Ganjam page and the CMO's state page, then department
    rows link to the secretary's own department only, while the CMO's link everywhere."""
    state = _page(app, "level=state", "cmo")
    assert all(r["page"]["level"] == "department" for r in state["departments"])
    assert all(r["page"]["level"] == "office" for r in state["league"])
    secretary = _page(app, "level=department&code=health", "secretary")
    assert secretary["departments"] and all(
        r["page"]["code"] == ["health"] for r in secretary["departments"]
    )
    collector = _page(app, "level=district&code=Khordha", "collector")
    assert collector["home"] == {"level": "district", "code": ["Khordha"]}
    assert all("page" not in r for r in collector["departments"])  # not their level


@pytest.mark.parametrize(
    ("query", "field"),
    [("level=planet", "level"), ("level=office&code=health", "code"),
     ("level=district", "code"), ("level=state&date=23-11-2026", "date")],
)  # fmt: skip
def test_bad_input_is_400_naming_the_field(app, query, field):
    status, text = app(query, "cmo")
    assert status == 400 and json.loads(text)["field"] == field


def test_the_drilldown_shell_renders_in_three_languages(app):
    for lang, label in (("en", "Drill-down"), ("or", "ବିସ୍ତୃତ ରିପୋର୍ଟ"), ("hi", "विस्तृत रिपोर्ट")):
        status, html = app(f"lang={lang}", None, path="/drilldown")
        assert status == 200 and label in html and "/api/drilldown" in html


def test_the_default_day_is_today_in_india(app):
    """Given no date (the fake clock is 2026-11-30 11:30 IST), then the page is today's (the
    figures so far), whose 30-day window still holds the week."""
    status, text = app("level=state", "cmo")
    page = json.loads(text)
    assert status == 200 and page["date"] == "2026-11-30"
    assert page["window"]["start"] == "2026-11-01" and page["totals"]["responses"] == 0
    assert page["league"]


def test_the_reports_settings_apply(app):
    """Given the reports' settings with min_responses 50 (more than any office has in the
    window), when the CMO opens the state page, then no office is ranked and every office
    is on the insufficient-data list, as the static reports would show."""
    ranked = _page(app, "level=state", "cmo")
    assert ranked["league"] and ranked["min_responses"] == 10
    app.ports.escalation.config.documents["reports/settings"] = {"min_responses": 50}
    strict = _page(app, "level=state", "cmo")
    assert strict["league"] == [] and strict["min_responses"] == 50
    assert len(strict["insufficient_data"]) == len(strict["offices"]) == 12


def test_the_page_labels_come_in_the_three_languages(app):
    """Given lang=or, hi or en, then the page's labels are the reports' catalog in it."""
    english = _page(app, "level=state&lang=en", "cmo")["labels"]
    odia = _page(app, "level=state&lang=or", "cmo")["labels"]
    hindi = _page(app, "level=state&lang=hi", "cmo")["labels"]
    assert english["office"] == "Office" and odia["office"] != english["office"] != hindi["office"]
    assert set(english) == set(odia) == set(hindi)
    assert _page(app, "level=state&lang=xx", "cmo")["labels"] == english


# -- the daily series and its charts ---------------------------------------------------------


def _scope_responses(tallies, fields: tuple[str, ...], code: tuple[str, ...]) -> int:
    """The week's responses in a scope, summed from the raw grain rows."""
    return sum(
        row.get("responses", 0)
        for day in WEEK
        for row in tallies.rows(f"day#{day.isoformat()}")
        if tuple(str(row.get(f, "")) for f in fields) == code
    )


@pytest.mark.parametrize(
    ("query", "fields", "code"),
    [("level=state", (), ()),
     ("level=department&code=health", ("department",), ("health",)),
     ("level=district&code=Ganjam", ("district",), ("Ganjam",)),
     ("level=office&code=health/HEA-KHO-001", ("department", "office_code"),
      ("health", "HEA-KHO-001")),
     ("level=official&code=health/OD-HEA-52445", ("department", "official_id"),
      ("health", "OD-HEA-52445"))],
)  # fmt: skip
def test_each_page_has_its_scopes_90_day_series(app, week_tallies, query, fields, code):
    """Given the CMO, when they open a page of each level, then its series has 90 days ending
    on the page's day, and its responses are the scope's responses in the raw tallies."""
    page = _page(app, query, "cmo")
    series = page["series"]
    assert len(series) == 90 and series[-1]["date"] == DAY
    assert sum(p["responses"] for p in series) == _scope_responses(week_tallies, fields, code) > 0


def test_a_series_sums_only_the_callers_rows(app, week_tallies):
    """Given the health secretary and the CMO on the Ganjam page, then the secretary's series
    is Ganjam's health offices only, the CMO's all of Ganjam."""
    secretary = _page(app, "level=district&code=Ganjam", "secretary")["series"]
    cmo = _page(app, "level=district&code=Ganjam", "cmo")["series"]
    health = sum(
        row.get("responses", 0)
        for day in WEEK
        for row in week_tallies.rows(f"day#{day.isoformat()}")
        if row.get("district") == "Ganjam" and row.get("department") == "health"
    )
    assert sum(p["responses"] for p in secretary) == health > 0
    assert sum(p["responses"] for p in cmo) > health


def test_an_office_series_reads_only_its_own_rollups(app, week_tallies):
    """Given the office page, then the days outside the ranking window are read by the
    office's sort-key prefix, not whole."""
    week_tallies.queries.clear()
    _page(app, "level=office&code=health/HEA-KHO-001", "cmo")
    old = [q for q in week_tallies.queries if q.startswith("rollup#2026-08")]
    assert old and all(q.endswith(" office#health#HEA-KHO-001#") for q in old)


def test_the_charts_are_accessible_svg_in_the_pages_language(app):
    """Given lang=or, then the page has four charts, each an inline <svg role="img"> named
    by its <title> and <desc> (the title the Odia catalog's), ids unique on the page, no
    size of its own, no script or event handler, and a legend in Odia where it has one."""
    from samvad.reports.labels import catalog

    odia = catalog("or")["labels"]
    charts = _page(app, "level=state&lang=or", "cmo")["charts"]
    assert [c["title"] for c in charts] == [
        odia[k] for k in ("chart_share", "chart_rate", "chart_cases", "chart_median")
    ]
    ids: list[str] = []
    for chart in charts:
        svg, prefix = chart["svg"], chart["id"]
        root = svg[: svg.index(">")]
        assert svg.startswith("<svg") and 'role="img"' in root and "viewBox" in root
        assert f'aria-labelledby="{prefix}-title {prefix}-desc"' in root
        assert " width=" not in root and " height=" not in root
        assert f'<title id="{prefix}-title">{chart["title"]}</title>' in svg
        assert f'<desc id="{prefix}-desc">' in svg and chart["desc"]
        assert "<script" not in svg and not re.search(r"\son\w+=", svg) and "<style" not in svg
        found = re.findall(r'\bid="([^"]+)"', svg)
        assert all(i.startswith(prefix + "-") for i in found)
        ids += found
    assert len(ids) == len(set(ids))
    assert [label for _, label in charts[2]["legend"]] == [
        odia["cases_opened"],
        odia["resolved"],
        odia["overdue"],
    ]
