"""``samvad bench tallies`` at a small N: batches write what one event at a time writes."""

from __future__ import annotations

import json

from samvad_dev.bench.tallies import run


def test_batches_agree_with_one_event_at_a_time_in_fewer_transactions():
    """Given a day of ~300 events of 64 offices, When the bench applies them one at a time
    and in batches of 100, Then both tables hold the same items, a replay of the batches
    changes nothing, and the batches take fewer transactions and fewer items."""
    result = run(per_office=1, batch=100)
    json.dumps(result)  # printable as is
    naive, batched = result["one_event_at_a_time"], result["batched"]
    assert result["tables_agree"] and result["replay_changes_nothing"]
    assert naive["applied"] == batched["applied"] == result["updates"] > 250
    assert result["batched_replayed"]["applied"] == 0
    assert naive["transactions"] == result["updates"]
    assert batched["transactions"] < naive["transactions"] / 10
    assert batched["items_sent"] < naive["items_sent"]
