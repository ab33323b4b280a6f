"""Retention and erasure in the synthesised stack (docs/data-protection.md): TTL on every
table that holds personal data, lifecycle on every prefix that does, keys-only indexes that
let erasure read one citizen's items."""

from __future__ import annotations

import pytest

from samvad import resources
from tests.infra.conftest import Synthesis, cdk_context, props

pytestmark = pytest.mark.infra

PERSONAL_TABLES = (
    resources.VISITS, resources.UPLOADS, resources.DIRECTORY, resources.CONFIG,
    resources.CONTACTS, resources.CALL_LISTS, resources.DISPATCHES, resources.FEEDBACK,
    resources.LINKS, resources.CASES, resources.TALLIES, resources.AUDIT,
)  # fmt: skip


@pytest.mark.parametrize("spec", PERSONAL_TABLES, ids=lambda s: s.logical_id)
def test_every_table_with_personal_data_has_a_ttl(synth: Synthesis, spec) -> None:
    """Given a table that holds personal data (a number, hash, name or free text, or an
    official's contact details), when the stack is built, then its TTL is on ``expires_at``."""
    table = props(synth, synth.stack.store.tables[spec.logical_id])
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


@pytest.mark.parametrize(
    ("table", "index"),
    [(resources.VISITS, resources.BY_PHONE_HASH_INDEX),
     (resources.LINKS, resources.LINKS_BY_VISIT_INDEX)],
    ids=lambda x: getattr(x, "name", getattr(x, "logical_id", "")),
)  # fmt: skip
def test_erasure_indexes_project_keys_only(synth: Synthesis, table, index) -> None:
    """Given the indexes erasure reads, when the stack is built, then each is keyed as its
    spec says and projects keys only (a phone hash leads to visit keys, nothing more)."""
    found = props(synth, synth.stack.store.tables[table.logical_id])["GlobalSecondaryIndexes"]
    (gsi,) = [i for i in found if i["IndexName"] == index.name]
    assert gsi["KeySchema"] == [{"AttributeName": index.partition_key, "KeyType": "HASH"}]
    assert gsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}


def _rules(synth: Synthesis) -> dict[str, dict]:
    rules = props(synth, synth.stack.store.bucket)["LifecycleConfiguration"]["Rules"]
    return {r.get("Prefix", ""): r for r in rules}


@pytest.mark.parametrize("prefix", resources.RETAINED_PREFIXES)
def test_every_prefix_with_personal_data_expires_with_the_visits(synth: Synthesis, prefix):
    """Given a data-bucket prefix that holds personal data (rows, hashes, masked numbers),
    when the stack is built, then its objects expire after the retention period."""
    rule = _rules(synth)[prefix]
    assert rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == cdk_context()["retention_days"]


def test_case_files_expire_and_old_versions_go_after_30_days(synth: Synthesis) -> None:
    """Given ATR attachments and every overwritten or erased object version, when the stack
    is built, then case files expire after the case retention and old versions after 30 days."""
    rules = _rules(synth)
    assert rules[resources.CASE_FILES_PREFIX]["ExpirationInDays"] == resources.CASE_RETENTION_DAYS
    assert rules[""]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
