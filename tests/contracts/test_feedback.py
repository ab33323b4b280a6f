"""Feedback: the first answer for a key wins; published once marked."""

ANSWER = {
    "channel": "web",
    "rating": 2,
    "poor": True,
    "reasons": ["money_asked"],
    "answers": {"rating": 2, "work_done": False},
}


def test_the_first_answer_is_kept_and_a_second_refused(feedback_store):
    """Given an answer stored for a key, When another comes for the same key, Then it is
    refused and the first is what reads back, unpublished, with its values as stored."""
    assert feedback_store.put_new("v1", ANSWER) is True
    assert feedback_store.put_new("v1", {**ANSWER, "rating": 5, "poor": False}) is False
    stored = feedback_store.get("v1")
    assert {k: stored[k] for k in ANSWER} == ANSWER
    assert stored["published"] is False


def test_marking_published_is_seen_on_the_next_read(feedback_store):
    feedback_store.put_new("v1", ANSWER)
    feedback_store.mark_published("v1")
    assert feedback_store.get("v1")["published"] is True


def test_an_unknown_key_has_no_feedback(feedback_store):
    assert feedback_store.get("nope") is None
