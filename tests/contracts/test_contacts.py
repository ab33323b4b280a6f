"""Contacts: opt-outs and the last SMS (dispatch, feedback); sampling marks (sampler)."""

MESSAGE = {"visit_key": "v1", "kind": "survey", "attempt": 1, "channel": "sms"}


def test_a_citizen_is_not_opted_out_until_they_opt_out(opt_outs):
    """Given a citizen never seen, Then not opted out; When they opt out, Then opted out,
    and opting out again changes nothing."""
    assert opt_outs.opted_out("h1") is False
    opt_outs.opt_out("h1", "2026-11-23T06:00:00+00:00")
    opt_outs.opt_out("h1", "2026-11-24T06:00:00+00:00")
    assert opt_outs.opted_out("h1") is True
    assert opt_outs.opted_out("h2") is False


def test_the_last_sms_is_remembered_per_citizen_and_replaced(opt_outs):
    """Given no SMS sent, Then none remembered; When two are sent to one citizen, Then the
    later one is remembered for that citizen only."""
    assert opt_outs.last_sms("h1") is None
    opt_outs.remember_sms("h1", MESSAGE)
    opt_outs.remember_sms("h1", {**MESSAGE, "attempt": 2})
    assert opt_outs.last_sms("h1") == {**MESSAGE, "attempt": 2}
    assert opt_outs.last_sms("h2") is None


def test_lookup_finds_sampled_contacts_only_with_their_last_sampling(contact_book):
    """Given one citizen sampled on a run date, When two are looked up, Then only the sampled
    one is found, with that date and not opted out."""
    assert contact_book.lookup(["h1"]) == {}
    contact_book.mark_sampled(["h1"], "2026-11-23")
    found = contact_book.lookup(["h1", "h2"])
    assert set(found) == {"h1"}
    assert found["h1"]["last_sampled"] == "2026-11-23"
    assert not found["h1"].get("opted_out")
