"""The rollup backfill on moto with the real ``DynamoTallies``: the revision condition, a
backfill equal to the live path's rollups, rankings equal to the raw tallies', reruns and
replays that change nothing, and the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections import Counter

import boto3
import pytest

from samvad import cli, resources
from samvad.adapters.tallies import DynamoTallies
from samvad.reports.backfill import backfill_rollups
from samvad.reports.periods import day_partition, window
from samvad.reports.reading import TallyReader
from samvad.reports.rollups import REVISION, ROLLUP_PREFIX, rollup_partition
from samvad.reports.standings import standings
from samvad.reports.tally import updates_for
from samvad_dev.demo import report_events as ev
from samvad_dev.local import moto_speedups
from samvad_dev.local.cloud import REGION

DAYS = [dt.date(2026, 11, 1) + dt.timedelta(days=n) for n in range(5)]


@pytest.fixture
def tallies(stack):
    moto_speedups.install()
    return DynamoTallies(
        stack.table(resources.TALLIES), boto3.client("dynamodb", region_name=REGION)
    )


def _details(count: int, seed: int = 3) -> list[dict]:
    """Feedback of 8 offices × 3 services over ``DAYS``, uneven quality."""
    rng = random.Random(seed)
    offices = ev.offices(2, 4, seed=seed)
    found = []
    for i in range(count):
        base = offices[i % len(offices)]
        office = dataclasses.replace(base, service=f"{base.service}-{rng.randrange(3)}")
        good = rng.random() < 0.5 + 0.05 * (i % len(offices))
        day = DAYS[rng.randrange(len(DAYS))]
        found.append(
            ev.feedback(office, f"v{i:05d}", day, rng.choice((4, 5) if good else (1, 2)), good)
        )
    return found


def _apply(tallies: DynamoTallies, details: list[dict]) -> None:
    for detail in details:
        for update in updates_for(resources.FEEDBACK_RECORDED, detail, lambda key: {}):
            tallies.apply(update)


def _rollup_items(tallies: DynamoTallies) -> dict:
    found = {}
    for day in DAYS:
        for row in tallies.rows(rollup_partition(day)):
            key = (
                day,
                row["rollup"],
                row["department"],
                row.get("office_code"),
                row.get("official_id"),
            )
            found[key] = {k: v for k, v in row.items() if k != REVISION}
    return found


def _drop_rollups(client, table: str, days) -> None:
    """Tallies as the version before the rollups left them: no rollup items."""
    for day in days:
        for page in client.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": rollup_partition(day)}},
        ):
            for item in page["Items"]:
                client.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


def test_replace_rollup_refuses_a_stale_revision(tallies) -> None:
    """Given a rollup written by the live path (revision 1), when the backfill replaces it as
    read at revision 1, then it is written with revision 2; a second replacement that read
    revision 1 (or read it absent) is refused and changes nothing."""
    [detail] = _details(1)
    _apply(tallies, [detail])
    day = DAYS[[d.isoformat() for d in DAYS].index(detail["run_date"])]
    [department] = [r for r in tallies.rows(rollup_partition(day)) if r["rollup"] == "department"]
    assert department[REVISION] == 1
    key = f"department#{department['department']}"
    fields = {"department": department["department"], "rollup": "department", "responses": 7}

    assert tallies.replace_rollup(rollup_partition(day), key, fields, 1, existed=True)
    assert not tallies.replace_rollup(
        rollup_partition(day), key, fields | {"responses": 9}, 1, True
    )
    assert not tallies.replace_rollup(rollup_partition(day), key, fields, None, existed=False)
    assert not tallies.replace_rollup(rollup_partition(day), key, fields, None, existed=True)
    [now] = tallies.rows(rollup_partition(day), "department#")
    assert now == fields | {REVISION: 2}


def test_backfill_on_dynamodb_equals_the_live_rollups_and_ranks_as_raw(tallies, stack) -> None:
    """Given 240 feedbacks tallied by the live path over 5 days, then their rollups deleted
    on days 1–3 (tallied before the rollups existed), when the backfill runs over the 5 days,
    then the rollups equal the live path's, days 4–5 are found in step, the rankings from
    the rollups equal those from the raw grain rows, and it read by Query only (2 a day)."""
    client = boto3.client("dynamodb", region_name=REGION)
    _apply(tallies, _details(240))
    live = _rollup_items(tallies)
    _drop_rollups(client, stack.table(resources.TALLIES), DAYS[:3])
    calls: Counter = Counter()
    client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.update([model.name])
    )
    counted = DynamoTallies(stack.table(resources.TALLIES), client)

    done = backfill_rollups(counted, DAYS)

    assert _rollup_items(tallies) == live
    assert calls["Query"] == 2 * len(DAYS) and calls["Scan"] == 0
    assert done.in_step == sum(1 for key in live if key[0] in DAYS[3:]) and done.written > 0
    reader = TallyReader(tallies, Counter())
    period = window(DAYS[-1], len(DAYS))
    raw = [row for day in period.days() for row in tallies.rows(day_partition(day))]
    ranked = standings(reader.window(period), [], 5)
    assert ranked == standings(raw, [], 5) and ranked["league"]


def test_a_rerun_and_a_replay_after_the_backfill_change_nothing(tallies, stack) -> None:
    """Given a backfilled table, when the backfill runs again and the same events are
    delivered again, then nothing is written; a new event then adds to the rollup once."""
    client = boto3.client("dynamodb", region_name=REGION)
    details = _details(60)
    _apply(tallies, details)
    _drop_rollups(client, stack.table(resources.TALLIES), DAYS)
    backfill_rollups(tallies, DAYS)
    after = _rollup_items(tallies)

    assert backfill_rollups(tallies, DAYS).written == 0
    _apply(tallies, details)  # redelivered: every marker refuses
    assert _rollup_items(tallies) == after

    extra = dict(details[0], visit_key="v-late")
    _apply(tallies, [extra])
    day = dt.date.fromisoformat(extra["run_date"])
    state = sum(r["responses"] for r in tallies.rows(rollup_partition(day), "department#"))
    assert state == sum(r["responses"] for r in tallies.rows(day_partition(day)))
    assert backfill_rollups(tallies, [day]).written == 0


def test_the_command_backfills_the_range_and_reports_it(tallies, stack, capsys) -> None:
    """Given tallies without rollups, when `samvad reports backfill-rollups` runs dry and then
    for real over the range, then the dry run counts what the real run writes, and a rerun
    writes nothing (exit 0 each time)."""
    client = boto3.client("dynamodb", region_name=REGION)
    _apply(tallies, _details(40))
    _drop_rollups(client, stack.table(resources.TALLIES), DAYS)
    argv = [
        "reports",
        "backfill-rollups",
        "--from",
        DAYS[0].isoformat(),
        "--to",
        DAYS[-1].isoformat(),
    ]

    assert cli.main([*argv, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert not [k for k in _rollup_items(tallies)]
    assert cli.main(argv) == 0
    real = json.loads(capsys.readouterr().out)
    assert cli.main(argv) == 0
    again = json.loads(capsys.readouterr().out)

    assert dry["rollups_to_write"] == real["rollups_written"] == len(_rollup_items(tallies)) > 0
    assert again["rollups_written"] == 0 and again["rollups_in_step"] == real["rollups_written"]
    assert real["queries"] == 2 * len(DAYS) and real["days"] == len(DAYS)
    assert all(key[0] in DAYS for key in _rollup_items(tallies))
    assert ROLLUP_PREFIX == "rollup#"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--from", "2026-11-05", "--to", "2026-11-01"], "is after --to"),
        (["--from", "2026-13-01"], "is not a date"),
        (["--from", "2020-01-01", "--to", "2026-01-01"], "at most 800"),
        (["--to", "yesterday"], "is not a date"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(stack, capsys, argv, says) -> None:
    """Given a bad date or range, then the command exits 2 with one line naming it."""
    assert cli.main(["reports", "backfill-rollups", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err and "Traceback" not in err


def test_without_the_table_name_it_says_what_to_set(aws, monkeypatch, capsys) -> None:
    """Given no $TALLIES_TABLE, then exit 2 and the line names the variable."""
    monkeypatch.delenv(resources.TALLIES.env_var, raising=False)
    assert cli.main(["reports", "backfill-rollups", "--dry-run"]) == 2
    assert resources.TALLIES.env_var in capsys.readouterr().err
