"""Every figure on a hand-computed fixture; rankings, trends, deciles and capacity building."""

from __future__ import annotations

import pytest

from samvad.reports import figures, rankings, tally

BASE = {"department": "health", "service": "opd", "office_code": "HLT-A", "district": "Khordha"}
ROWS = [
    BASE | {"official_id": "", "sampled": 10},
    BASE | {
        "official_id": "O1", "responses": 4, "rated": 4, "rating_sum": 16, "reached": 4,
        "final_contacts": 6, "work_done_answered": 4, "work_done_yes": 3, "money_answered": 4,
        "money_yes": 1, "poor": 1, "assessable": 4, "satisfied": 2,
    },
    BASE | {
        "official_id": "O2", "service": "lab", "responses": 6, "rated": 5, "rating_sum": 20,
        "reached": 6, "final_contacts": 6, "work_done_answered": 6, "work_done_yes": 6,
        "money_answered": 6, "money_yes": 0, "assessable": 5, "satisfied": 5, "cases_opened": 1,
        "escalated_l2": 1, "resolved_l1": 1, "sla_met": 1, "sla_missed": 1, "ttr_04": 1,
        "overdue": 0,
    },
    {"department": "revenue", "service": "rtc", "office_code": "REV-B", "district": "Cuttack",
     "official_id": "O3", "sampled": 0, "responses": 12, "assessable": 12, "satisfied": 12},
]  # fmt: skip


def test_office_figures_match_the_hand_computation() -> None:
    """Given the fixture's rows of office HLT-A (3 rows, 2 officials), when grouped by office,
    then: response rate 10/10, mean rating 36/9 = 4.0, work done 9/10, money asked 1/10, poor
    1/10, satisfied 7/9 with Wilson (0.4526, 0.9368), insufficient below 10 assessable,
    median hours 10.0 (one case in (8, 12]), SLA met 1/2, cases by level."""
    [office, _] = figures.table(ROWS, "office", min_responses=10)
    assert (office["department"], office["office_code"], office["district"]) == (
        "health", "HLT-A", "Khordha",
    )  # fmt: skip
    expected = {
        "sampled": 10, "reached": 10, "contacts_completed": 12, "responses": 10,
        "response_rate": 1.0, "mean_rating": 4.0, "work_done_share": 0.9,
        "money_asked_share": 0.1, "poor_rate": 0.1, "assessable": 9, "satisfied": 7,
        "satisfied_share": 0.7778, "wilson_low": 0.4526, "wilson_high": 0.9368,
        "insufficient_data": True, "cases_opened": 1,
        "escalated_by_level": {"2": 1, "3": 0, "4": 0},
        "resolved_by_level": {"1": 1, "2": 0, "3": 0, "4": 0}, "cases_resolved": 1,
        "cases_overdue": 0, "median_hours_to_resolution": 10.0, "sla_compliance": 0.5,
    }  # fmt: skip
    assert {k: office[k] for k in expected} == expected


def test_insufficient_data_rule_is_the_configured_minimum() -> None:
    """Given 9 assessable responses, then the office is insufficient at a minimum of 10 and
    sufficient at 9."""
    assert figures.table(ROWS, "office", 10)[0]["insufficient_data"] is True
    assert figures.table(ROWS, "office", 9)[0]["insufficient_data"] is False


def test_groupings_by_department_service_district_and_official() -> None:
    """Given the fixture, then departments, services, districts and officials sum their rows;
    officials leave out the sampled-only row and list the offices they served."""
    departments = {r["department"]: r for r in figures.table(ROWS, "department")}
    assert departments["health"]["responses"] == 10
    assert departments["revenue"]["satisfied_share"] == 1.0
    services = {
        (r["department"], r["service"]): r["responses"] for r in figures.table(ROWS, "service")
    }
    assert services == {("health", "opd"): 4, ("health", "lab"): 6, ("revenue", "rtc"): 12}
    districts = {r["district"]: r["sampled"] for r in figures.table(ROWS, "district")}
    assert districts == {"Khordha": 10, "Cuttack": 0}
    officials = figures.table(ROWS, "official")
    assert [(o["official_id"], o["offices"], o["responses"]) for o in officials] == [
        ("O1", ["HLT-A"], 4), ("O2", ["HLT-A"], 6), ("O3", ["REV-B"], 12),
    ]  # fmt: skip


def test_officials_leave_out_the_rows_that_name_no_official() -> None:
    """Given a tally row whose event named no official (``official_id`` "-", as the tally
    writes it for an inbound grievance or a visit without one), when grouped by official,
    then no official "-" is listed, while its office still counts the row."""
    unnamed = BASE | {"official_id": tally.NO_OFFICIAL, "responses": 3, "assessable": 3}
    officials = figures.table([*ROWS, unnamed], "official")
    assert [o["official_id"] for o in officials] == ["O1", "O2", "O3"]
    [office, _] = figures.table([*ROWS, unnamed], "office")
    assert office["responses"] == 13


def test_no_data_gives_empty_figures_not_errors() -> None:
    """Given no counters at all, then every ratio is None and the group is insufficient."""
    empty = figures.figures({})
    assert empty["response_rate"] is None and empty["wilson_low"] is None
    assert empty["median_hours_to_resolution"] is None and empty["insufficient_data"]


def _office(code: str, satisfied: int, assessable: int, department: str = "health") -> dict:
    row = {"department": department, "office_code": code, "responses": assessable}
    return row | figures.figures({"assessable": assessable, "satisfied": satisfied}, 10)


def test_league_ranks_by_lower_bound_not_raw_share_and_lists_insufficient_last() -> None:
    """Given 3/3 (too few), 45/50, 12/12 and 30/50, then 45/50 (bound 0.786) ranks above 12/12
    (0.758) although its raw share is lower, then 30/50; 3/3 is unranked, listed last."""
    offices = [_office("A", 3, 3), _office("B", 45, 50), _office("C", 12, 12), _office("D", 30, 50)]
    table = rankings.league(offices, [])
    assert [(r["office_code"], r["rank"], r["status"]) for r in table] == [
        ("B", 1, "ranked"), ("C", 2, "ranked"), ("D", 3, "ranked"),
        ("A", None, "insufficient data"),
    ]  # fmt: skip
    assert [r["rank_in_department"] for r in table] == [1, 2, 3, None]


def test_trends_compare_bounds_with_the_previous_period() -> None:
    """Given an office at 45/50 now and 30/50 before, then its trend is the difference of the
    two lower bounds and its previous rank is carried; an office without a previous period has
    no trend."""
    before = [_office("B", 30, 50)]
    now = [_office("B", 45, 50), _office("C", 12, 12)]
    table = {r["office_code"]: r for r in rankings.league(now, before)}
    expected = round(now[0]["wilson_low"] - before[0]["wilson_low"], 4)
    assert table["B"]["trend"] == pytest.approx(expected) and expected > 0
    assert table["B"]["previous_rank"] == 1
    assert table["C"]["trend"] is None and table["C"]["previous_rank"] is None


def test_bottom_decile_is_the_lowest_tenth_rounded_up_and_needs_ten_offices() -> None:
    """Given 11 ranked offices, then the bottom decile is the 2 lowest; given 9, it is empty."""
    offices = [_office(f"O{i:02d}", 10 + i, 40) for i in range(11)]
    league = rankings.league(offices, [])
    assert rankings.bottom_decile(league) == {("health", "O00"), ("health", "O01")}
    assert rankings.bottom_decile(rankings.league(offices[:9], [])) == set()


def test_capacity_building_lists_officials_of_offices_bottom_three_months_running() -> None:
    """Given office X in the bottom decile three months running and Y only twice, then only
    X's officials are listed, with the iGOT Karmayogi recommendation; fewer than 3 months of
    deciles list nobody."""
    deciles = [
        {("health", "X"), ("health", "Y")},
        {("health", "X")},
        {("health", "X"), ("health", "Y")},
    ]
    officials = [
        {"department": "health", "official_id": "OX1", "offices": ["X"]},
        {"department": "health", "official_id": "OY1", "offices": ["Y"]},
        {"department": "health", "official_id": "-", "offices": ["X"]},
    ]
    offices = [{"department": "health", "office_code": "X", "office_name": "PHC X",
                "district": "Puri", "wilson_low": 0.2}]  # fmt: skip
    listed = rankings.capacity_building(deciles, officials, offices)
    assert [(r["official_id"], r["office_code"], r["district"]) for r in listed] == [
        ("OX1", "X", "Puri")
    ]
    assert "Karmayogi" in listed[0]["recommendation"]
    assert rankings.capacity_building(deciles[:2], officials, offices) == []
