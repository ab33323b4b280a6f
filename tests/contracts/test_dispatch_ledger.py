"""The dispatch ledger: one claim per attempt, final statuses stick, references resolve."""

import datetime as dt

from samvad.dispatch.service import Contact

NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
STALE_BEFORE = NOW - dt.timedelta(minutes=15)


def contact(attempt: int = 1) -> Contact:
    return Contact.from_message(
        {"visit_key": "v1", "kind": "survey", "channel": "sms", "attempt": attempt}
    )


def test_an_attempt_is_claimed_once_until_it_is_released(dispatch_ledger):
    """Given an attempt claimed, When claimed again, Then refused; once unplaced, it can be
    claimed again."""
    assert dispatch_ledger.claim(contact(), NOW, STALE_BEFORE) is True
    assert dispatch_ledger.claim(contact(), NOW, STALE_BEFORE) is False
    dispatch_ledger.unplaced(contact(), "throttled")
    assert dispatch_ledger.claim(contact(), NOW, STALE_BEFORE) is True
    assert dispatch_ledger.state(contact().key)["status"] == "in_progress"


def test_a_placed_attempt_is_found_by_its_reference_and_ends_once(dispatch_ledger):
    dispatch_ledger.claim(contact(), NOW, STALE_BEFORE)
    dispatch_ledger.placed(contact(), "placed", "msg-1", NOW)
    assert dispatch_ledger.by_reference("msg-1") == (contact().key, 1)
    assert dispatch_ledger.by_reference("msg-2") is None
    attempt = dispatch_ledger.attempt(contact().key, 1)
    assert attempt["outcome"] == "placed" and attempt["message"] == contact().to_message()
    assert dispatch_ledger.ended(contact().key, 1, "answered", NOW) is True
    assert dispatch_ledger.ended(contact().key, 1, "answered", NOW) is False


def test_a_finished_contact_stays_finished(dispatch_ledger):
    """Given a contact finished, When finished again or claimed again, Then refused."""
    dispatch_ledger.claim(contact(), NOW, STALE_BEFORE)
    assert dispatch_ledger.finish(contact().key, "contacted", "sms", NOW) is True
    assert dispatch_ledger.finish(contact().key, "gave_up", "sms", NOW) is False
    assert dispatch_ledger.claim(contact(2), NOW, STALE_BEFORE) is False
    assert dispatch_ledger.state(contact().key)["status"] == "contacted"
