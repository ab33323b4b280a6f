"""Every writer of Cases, Directory and Config sets ``expires_at`` as docs/data-protection.md
says: a case 3 years after its last transition, a directory entry ``RETENTION_DAYS`` after the
last upload that named it, a superseded config version 90 days after it was replaced."""

import boto3

from samvad import resources
from samvad.adapters.cases import DynamoCases
from samvad.adapters.config import SUPERSEDED_DAYS, DynamoConfig
from samvad.adapters.directory import REFRESH_DAYS, DynamoDirectory

DAY = 86_400
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, at: float = T0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def _item(stack, spec, key: dict) -> dict:
    table = stack.table(spec)
    return boto3.client("dynamodb").get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]


def _expires(item: dict) -> int | None:
    return int(item["expires_at"]["N"]) if "expires_at" in item else None


def test_every_case_write_moves_its_expiry_to_three_years_after_it(stack):
    """Given a case written through the adapter on a known clock, When it is created, assigned,
    waited on, signalled, delivered and appended to at later times, Then after each write
    its ``expires_at`` is that write's time plus CASE_RETENTION_DAYS (3 years)."""
    clock = Clock()
    cases = DynamoCases(stack.table(resources.CASES), now=clock)
    key = {"case_id": {"S": "case-v1"}}
    retention = resources.CASE_RETENTION_DAYS * DAY

    def expiry() -> int | None:
        return _expires(_item(stack, resources.CASES, key))

    assert cases.create(
        {
            "case_id": "case-v1",
            "status": "open",
            "round": 0,
            "audit": [],
            "waits": {},
            "signals": {},
        }
    )
    assert expiry() == T0 + retention
    writes = [
        lambda: cases.assign("case-v1", 1, {"level": 1}, {"what": "assigned"}),
        lambda: cases.set_wait("case-v1", "atr", 1, "token", {}),
        lambda: cases.set_signal("case-v1", "atr", 1, {"round": 1}, {"what": "atr"}),
        lambda: cases.mark_delivered("case-v1", "atr", 1),
        lambda: cases.append("case-v1", 1, {"status": "resolved"}, {"what": "closed"}),
    ]
    for n, write in enumerate(writes, start=1):
        clock.at = T0 + n * DAY
        write()
        assert expiry() == T0 + n * DAY + retention, n


def test_a_superseded_config_version_expires_90_days_after_it_was_replaced(stack):
    """Given a config document published three times on a known clock, Then the current
    version and its copy (version 0) never expire, and each replaced version expires
    SUPERSEDED_DAYS (90) after the publish that replaced it."""
    clock = Clock()
    config = DynamoConfig(stack.table(resources.CONFIG), now=clock)
    for n in range(3):
        clock.at = T0 + n * DAY
        assert config.publish("escalation/directory", {"officials": n}) == n + 1

    def expiry(version: int) -> int | None:
        key = {"name": {"S": "escalation/directory"}, "version": {"N": str(version)}}
        return _expires(_item(stack, resources.CONFIG, key))

    assert SUPERSEDED_DAYS == 90
    assert expiry(1) == T0 + 1 * DAY + 90 * DAY
    assert expiry(2) == T0 + 2 * DAY + 90 * DAY
    assert expiry(3) is None and expiry(0) is None
    assert config.latest("escalation/directory") == {"officials": 2}


def test_a_directory_entry_expires_retention_days_after_the_last_upload_naming_it(stack):
    """Given an office first named by one upload, When later uploads name it again (one
    within REFRESH_DAYS, one after), Then its expiry is RETENTION_DAYS after the first
    upload, unchanged by the early one (no write), moved by the late one, and the upload
    that first named it is kept."""
    clock = Clock()
    directory = DynamoDirectory(stack.table(resources.DIRECTORY), retention_days=400, now=clock)
    key = {"department": {"S": "health"}, "entry": {"S": "office#PHC-1"}}
    entries = {"office#PHC-1": {"name": "PHC One"}}

    assert directory.record_new("health", entries, "upload-1") == ["office#PHC-1"]
    assert _expires(_item(stack, resources.DIRECTORY, key)) == T0 + 400 * DAY

    clock.at = T0 + (REFRESH_DAYS - 1) * DAY
    assert directory.record_new("health", entries, "upload-2") == []
    assert _expires(_item(stack, resources.DIRECTORY, key)) == T0 + 400 * DAY

    clock.at = T0 + (REFRESH_DAYS + 1) * DAY
    assert directory.record_new("health", entries, "upload-3") == []
    item = _item(stack, resources.DIRECTORY, key)
    assert _expires(item) == T0 + (REFRESH_DAYS + 1) * DAY + 400 * DAY
    assert item["first_upload"]["S"] == "upload-1" and item["name"]["S"] == "PHC One"
