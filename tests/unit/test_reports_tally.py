"""One domain event → its tally increments, and the refusal of malformed events."""

from __future__ import annotations

import datetime as dt

import pytest

from samvad import resources
from samvad.reports.tally import BadEvent, is_satisfied, updates_for
from samvad_dev.demo import report_events as ev

OFFICE = ev.Office("health", "opd", "HLT-KHU-001", "Khordha", "OD-HLT-11111", "Capital Hospital")
DAY = dt.date(2026, 11, 23)


def _one(detail_type: str, detail: dict):
    [update] = updates_for(detail_type, detail, load_selection=_no_selection)
    return update


def _no_selection(key):
    raise AssertionError("no selection expected")


@pytest.mark.parametrize(
    ("rating", "work_done", "money", "expected"),
    [
        (5, True, False, True),
        (4, True, None, True),  # money question unanswered: nothing negative said
        (3, True, False, False),
        (5, False, False, False),
        (5, True, True, False),
        (None, False, None, False),  # no rating, but the work was not done
        (None, True, False, None),  # cannot tell without a rating
        (5, None, False, None),
    ],
)
def test_satisfied_definition(rating, work_done, money, expected) -> None:
    """Given a response's answers, then it is satisfied only with rating ≥ 4, work done and no
    money asked; undecidable (None) when a missing answer could change that."""
    assert is_satisfied(rating, work_done, money) is expected


def test_feedback_increments_every_counter_it_touches() -> None:
    """Given a FeedbackRecorded with rating 2, work done, money asked, then one update on the
    run date's grain adds exactly the expected counters (poor, assessable, not satisfied)."""
    detail = ev.feedback(OFFICE, "v1", DAY, rating=2, work_done=True, bribe_asked=True)
    update = _one(resources.FEEDBACK_RECORDED, detail)
    assert update.identity == "FeedbackRecorded#v1"
    assert update.day == DAY
    assert update.grain.key == "health#opd#HLT-KHU-001#OD-HLT-11111"
    assert update.grain.office_name == "Capital Hospital"
    assert update.add == {
        "responses": 1, "rated": 1, "rating_sum": 2, "rating_2": 1, "work_done_answered": 1,
        "work_done_yes": 1, "money_answered": 1, "money_yes": 1, "poor": 1, "assessable": 1,
        "satisfied": 0,
    }  # fmt: skip


def test_contact_outcomes_count_attempts_and_final_reach() -> None:
    """Given survey outcomes, then every attempt counts, only a final answered/sms_sent counts
    as reached, and confirmation contacts are not tallied at all."""
    busy = _one(resources.CONTACT_OUTCOME, ev.outcome(OFFICE, "v1", DAY, "busy", final=False))
    assert busy.add == {"attempts": 1}
    answered = _one(resources.CONTACT_OUTCOME, ev.outcome(OFFICE, "v1", DAY, "answered", 2))
    assert answered.add == {
        "attempts": 1, "final_contacts": 1, "outcome_answered": 1, "reached": 1
    }  # fmt: skip
    assert busy.identity != answered.identity
    confirmation = ev.outcome(OFFICE, "v1", DAY, "answered") | {"kind": "confirmation"}
    assert updates_for(resources.CONTACT_OUTCOME, confirmation, _no_selection) == []


def test_case_steps_fill_levels_sla_and_the_duration_histogram() -> None:
    """Given a case escalated by timeout, then resolved at level 2 after 30 hours, then
    escalation counts a missed deadline, resolution a met one, bucket (24, 48] and the
    India-time date (20:00 UTC is the next day in India)."""
    opened = dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.UTC)
    escalated = _one(
        resources.CASE_ESCALATED,
        ev.case_escalated(OFFICE, "v1", opened + dt.timedelta(hours=20), 2, "sla_timeout"),
    )
    assert escalated.add == {"escalated_l2": 1, "sla_missed": 1}
    resolved = _one(
        resources.CASE_RESOLVED,
        ev.case_resolved(OFFICE, "v1", opened, opened + dt.timedelta(hours=30), level=2),
    )
    assert resolved.add == {"resolved_l2": 1, "sla_met": 1, "ttr_hours_sum": 30.0, "ttr_06": 1}
    assert resolved.day == dt.date(2026, 11, 24)  # 20:00 UTC on the 23rd = 01:30 IST on the 24th
    assert resolved.overdue is None


def test_overdue_and_its_resolution_update_the_case_list() -> None:
    """Given CaseOverdue then CaseResolved at level 4, then both address the case's item of the
    overdue list: the first sets its fields, the second marks it resolved."""
    since = dt.datetime(2026, 11, 23, 4, 0, tzinfo=dt.UTC)
    overdue = _one(resources.CASE_OVERDUE, ev.case_overdue(OFFICE, "v9", since))
    assert overdue.case_id == "case-v9"
    assert overdue.overdue["visit_key"] == "v9" and overdue.overdue["level"] == 4
    assert overdue.add == {"overdue": 1, "sla_missed": 1}
    resolved = _one(
        resources.CASE_RESOLVED,
        ev.case_resolved(OFFICE, "v9", since, since + dt.timedelta(days=2), level=4),
    )
    assert resolved.case_id == "case-v9"
    assert set(resolved.overdue) == {"resolved_at"}


def test_sample_drawn_counts_the_selection_per_stratum() -> None:
    """Given SampleDrawn and its selection (3 visits in 2 strata), then one update per stratum
    with its count, on the run date, attributed to no official."""
    selection = {
        "selected": [
            {"stratum": "health#opd#HLT-KHU-001", "district": "Khordha"},
            {"stratum": "health#opd#HLT-KHU-001", "district": "Khordha"},
            {"stratum": "revenue#rtc#REV-CTC-002", "district": "Cuttack"},
        ]
    }
    detail = {"run_date": "2026-11-23", "selection_key": "samples/2026-11-23/selection.json"}
    updates = updates_for(resources.SAMPLE_DRAWN, detail, {detail["selection_key"]: selection}.get)
    assert [(u.grain.key, u.add, u.day) for u in updates] == [
        ("health#opd#HLT-KHU-001#", {"sampled": 2}, DAY),
        ("revenue#rtc#REV-CTC-002#", {"sampled": 1}, DAY),
    ]


@pytest.mark.parametrize(
    ("detail_type", "change", "message"),
    [
        (resources.FEEDBACK_RECORDED, {"rating": 7}, "rating"),
        (resources.FEEDBACK_RECORDED, {"rating": True}, "rating"),
        (resources.FEEDBACK_RECORDED, {"office_code": ""}, "office_code"),
        (resources.FEEDBACK_RECORDED, {"work_done": "yes"}, "work_done"),
        (resources.FEEDBACK_RECORDED, {"run_date": "23/11/2026"}, "run_date"),
        (resources.FEEDBACK_RECORDED, {"department": "a#b"}, "department"),
        (resources.CONTACT_OUTCOME, {"outcome": "lost"}, "outcome"),
        (resources.CASE_ESCALATED, {"to_level": 5}, "to_level"),
        (resources.CASE_ESCALATED, {"reason": "boredom"}, "reason"),
        (resources.CASE_OPENED, {"opened_at": "soon"}, "opened_at"),
    ],
)
def test_malformed_events_are_refused_with_the_field_named(detail_type, change, message) -> None:
    """Given an event with one bad field, when tallied, then BadEvent names that field."""
    at = dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC)
    base = {
        resources.FEEDBACK_RECORDED: ev.feedback(OFFICE, "v1", DAY, 4, True),
        resources.CONTACT_OUTCOME: ev.outcome(OFFICE, "v1", DAY, "answered"),
        resources.CASE_ESCALATED: ev.case_escalated(OFFICE, "v1", at, 2, "sla_timeout"),
        resources.CASE_OPENED: ev.case_opened(OFFICE, "v1", at),
    }[detail_type]
    with pytest.raises(BadEvent, match=message):
        updates_for(detail_type, base | change, _no_selection)


def test_events_reports_do_not_tally_make_no_update() -> None:
    """Given an event type outside the tallied set, then there is nothing to update."""
    assert updates_for(resources.INTAKE_COMPLETED, {"key": "x"}, _no_selection) == []
