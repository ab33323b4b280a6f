"""The stack's push roles merged into intake/push-callers: requests, replays, races."""

from __future__ import annotations

import pytest

from samvad.intake.push import PUSH_CALLERS_CONFIG
from samvad.intake.push_callers import CallerRequestError, apply_stack_callers, merged

HEALTH = "arn:aws:iam::123456789012:role/push-health"
POLICE = "arn:aws:iam::123456789012:role/push-police"
OTHER = "arn:aws:iam::111122223333:role/cctns"


def props(pairs: dict[str, str]) -> dict:
    return {"Callers": [{"Role": r, "Department": d} for r, d in pairs.items()]}


class LostRace(Exception):
    """As botocore's ClientError for a cancelled transaction carries it."""

    def __init__(self) -> None:
        super().__init__("transaction cancelled")
        self.response = {"Error": {"Code": "TransactionCanceledException"}}


class Config:
    """Versioned documents in memory; ``lose`` makes that many publishes lose a race."""

    def __init__(self, document: dict | None = None, lose: int = 0):
        self.versions = [document] if document is not None else []
        self.lose = lose

    def latest(self, name):
        assert name == PUSH_CALLERS_CONFIG
        return self.versions[-1] if self.versions else None

    def publish(self, name, document, author="cli"):
        if self.lose:
            self.lose -= 1
            self.versions.append({"callers": {OTHER: "police"}})  # someone else's version
            raise LostRace()
        assert author == "stack"
        self.versions.append(document)
        return len(self.versions)


def test_merged_removes_only_pairs_still_mapped_the_same_and_keeps_other_keys():
    """Given a document with another key and a role re-mapped by hand, When the stack's old
    pairs are removed and new ones added, Then the re-mapped role and the other key stay."""
    document = {"callers": {HEALTH: "health", POLICE: "health"}, "note": "x"}

    result = merged(document, {HEALTH: "health", POLICE: "police"}, {OTHER: "police"})

    assert result == {"callers": {OTHER: "police", POLICE: "health"}, "note": "x"}


def test_a_replayed_create_publishes_nothing_new():
    """Given a Create applied once, When replayed, Then no second version is published."""
    config = Config()
    apply_stack_callers("Create", props({HEALTH: "health"}), None, config)
    apply_stack_callers("Create", props({HEALTH: "health"}), None, config)
    assert config.versions == [{"callers": {HEALTH: "health"}}]


def test_a_lost_race_is_read_again_and_keeps_the_other_writer_s_callers():
    """Given another writer publishing between our read and our write, When the stack's
    Create runs, Then it reads again and publishes its roles on top of the other's."""
    config = Config(lose=1)
    apply_stack_callers("Create", props({HEALTH: "health"}), None, config)
    assert config.latest(PUSH_CALLERS_CONFIG) == {"callers": {HEALTH: "health", OTHER: "police"}}


def test_deleting_with_nothing_published_publishes_nothing():
    """Given no document, When the stack is deleted, Then nothing is published."""
    config = Config()
    apply_stack_callers("Delete", props({HEALTH: "health"}), None, config)
    assert config.versions == []


@pytest.mark.parametrize(
    ("request_type", "properties", "field"),
    [
        ("Create", {"Callers": [{"Role": "health", "Department": "health"}]}, "Role"),
        ("Create", {"Callers": [{"Role": HEALTH, "Department": "Health Dept"}]}, "Department"),
        ("Create", {"Callers": "x"}, "Callers"),
        ("Rename", props({HEALTH: "health"}), "RequestType"),
    ],
)
def test_a_malformed_request_is_refused_naming_the_field(request_type, properties, field):
    """Given a request whose role is not an IAM role ARN, whose department is not a code, or
    of an unknown type, Then it is refused naming the field, and nothing is published."""
    config = Config()
    with pytest.raises(CallerRequestError, match=field):
        apply_stack_callers(request_type, properties, None, config)
    assert config.versions == []
