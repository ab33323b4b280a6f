"""``samvad bench intake``: throughput, memory and write requests of the intake, measured.

* **pure path**: parse + validate + build DynamoDB items, streaming a CSV from local disk,
  no AWS calls; one child process per N so each peak RSS is that N's alone;
* **naive baseline** on the same file in the same run: pandas ``read_csv`` + per-row
  ``phonenumbers.parse``/``is_valid_number`` + ``strptime`` + the same item dicts;
* **write requests per row** on the local emulator: the real use case (BatchGetItem +
  BatchWriteItem of 25) against one ``put_item`` per row, counted with botocore hooks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samvad import resources
from samvad_dev.bench.intake_chunked import _peak_rss_mb

DAY = dt.date(2026, 11, 22)
TODAY = DAY + dt.timedelta(days=1)
_NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
HASH_KEY = b"bench-key-" * 4
ERROR_RATE = 0.03


def run(
    rows: list[int],
    naive_rows: int,
    emulator_rows: int,
    chunked_rows: int | None = None,
    end_to_end_rows: int = 20_000,
    write_workers: int = resources.INTAKE_WRITE_WORKERS_DEFAULT,
) -> dict:
    """``chunked_rows``: the file for the ``chunked`` figure (default: the largest of
    ``rows``; 0 leaves the figure out); ``end_to_end_rows`` (0: left out), with
    ``write_workers`` writers against one."""
    from samvad_dev.bench import intake_end_to_end
    from samvad_dev.bench.intake_chunked import compare

    chunked_rows = max(rows) if chunked_rows is None else chunked_rows
    sizes = set(rows) | {naive_rows} | ({chunked_rows} if chunked_rows else set())
    sizes |= {end_to_end_rows} if end_to_end_rows else set()
    with tempfile.TemporaryDirectory(prefix="samvad-bench-") as tmp:
        files = {n: _make_csv(Path(tmp), n) for n in sorted(sizes)}
        pure = {str(n): _child("pure", files[n]) for n in rows}
        naive = _child("naive", files[naive_rows])
        same_n = pure.get(str(naive_rows)) or _child("pure", files[naive_rows])
        emulator = emulator_requests(emulator_rows)
        chunked = compare(files[chunked_rows]) if chunked_rows else None
        end_to_end = (
            intake_end_to_end.compare(files[end_to_end_rows], write_workers, HASH_KEY, _NOW)
            if end_to_end_rows
            else None
        )
    ratio = same_n["rows_per_cpu_s"] / naive["rows_per_cpu_s"]
    largest = pure[str(max(rows))]
    return {
        "benchmark": "intake",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "processor": platform.machine(),
        },
        "error_rate": ERROR_RATE,
        "pure_path": pure,
        "naive_baseline": {str(naive_rows): naive},
        "speedup_vs_naive": round(ratio, 2),  # rows per CPU-second, same file, same run
        "emulator": emulator,
        **({"chunked": chunked} if chunked else {}),
        **({"end_to_end": end_to_end} if end_to_end else {}),
        "targets": {
            "pure_rows_per_s_per_core>=50k": same_n["rows_per_cpu_s"] >= 50_000,
            "speedup>=5x": ratio >= 5,
            "write_requests_per_row<=1/24": emulator["batched"]["write_requests_per_row"] <= 1 / 24,
            "peak_rss_mb_at_largest<=200": largest["peak_rss_mb"] <= 200,
            **(
                {
                    "end_to_end_concurrent_rows_per_s>=15k": end_to_end["concurrent"]["rows_per_s"]
                    >= 15_000,
                    "end_to_end_write_requests_per_row<=1/24": end_to_end["concurrent"][
                        "write_requests_per_row"
                    ]
                    <= 1 / 24,
                    "end_to_end_same_counts": end_to_end["same_counts"],
                }
                if end_to_end
                else {}
            ),
            **(
                {
                    "chunked_counts_equal": chunked["counts_equal"]
                    and chunked["rejects_identical"],
                    "splitter_peak_rss_mb<=200": chunked["chunked"]["split"]["peak_rss_mb"] <= 200,
                }
                if chunked
                else {}
            ),
        },
    }


def _make_csv(folder: Path, n: int) -> Path:
    from samvad_dev.demo.synthetic import write_bench_csv

    path = folder / f"visits-{n}.csv"
    write_bench_csv(path, n, seed=1, day=DAY, error_rate=ERROR_RATE)
    return path


def _child(mode: str, path: Path) -> dict:
    """Run one measurement in a fresh interpreter so its peak RSS is its own."""
    out = subprocess.run(
        [sys.executable, "-m", "samvad_dev.bench.intake", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


# -- measurements run in the child -----------------------------------------------------------


def measure_pure(path: Path) -> dict:
    import phonenumbers  # noqa: F401  # imported before the clock starts, as the naive path's

    from samvad.intake.aliases import alias_table
    from samvad.intake.sources import open_table
    from samvad.intake.validate import IntakePolicy, Rejection, RowValidator, Source

    source = Source("bench", "2026-11-23T06:00:00+00:00")
    accepted = rejected = 0
    start, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as stream:
        table = open_table(stream, alias_table())
        validate = RowValidator(
            table.columns, len(table.header), IntakePolicy("health", TODAY), HASH_KEY, HASH_KEY
        )
        for record in table.records:
            outcome = validate(record.number, record.cells)
            if isinstance(outcome, Rejection):
                rejected += 1
            else:
                outcome.to_item(source)
                accepted += 1
    return _result(
        accepted + rejected, accepted, time.perf_counter() - start, time.process_time() - cpu
    )


def measure_naive(path: Path) -> dict:
    """The obvious way: a DataFrame, libphonenumber per row, strptime per row."""
    import pandas as pd
    import phonenumbers

    from samvad.intake.aliases import alias_table, normalise_header

    aliases = alias_table()
    start, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.rename(columns=lambda c: aliases.get(normalise_header(c), c))
    accepted = 0
    for row in frame.to_dict("records"):
        try:
            number = phonenumbers.parse(row["phone"], "IN")
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        day = _naive_date(row["visit_date"])
        if day is None or day > TODAY or not row["office_code"] or not row["service"]:
            continue
        hashed = hashlib.sha256(HASH_KEY + phone.encode()).hexdigest()[:32]
        key = hashlib.sha256(f"{row['office_code']}|{day}|{hashed}".encode()).hexdigest()[:32]
        item = {
            "visit_key": {"S": key},
            "phone": {"S": phone},
            "phone_hash": {"S": hashed},
            "visit_date": {"S": day.isoformat()},
        }
        item.update({k: {"S": str(v)} for k, v in row.items() if v and k not in item})
        accepted += 1
    return _result(len(frame), accepted, time.perf_counter() - start, time.process_time() - cpu)


def _naive_date(text: str) -> dt.date | None:
    for form in ("%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


def _result(rows: int, accepted: int, seconds: float, cpu_seconds: float) -> dict:
    """Wall-clock and per-core (CPU-time) rates: the machine may be shared while measuring."""
    return {
        "rows": rows,
        "accepted": accepted,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "rows_per_s": round(rows / seconds),
        "rows_per_cpu_s": round(rows / cpu_seconds),
        "peak_rss_mb": _peak_rss_mb(),  # this child's own (VmHWM), not its parent's
    }


# -- write requests on the emulator ----------------------------------------------------------


def emulator_requests(rows: int) -> dict:
    """Ingest ``rows`` through the real use case on moto, then write them one by one."""
    import boto3

    from samvad import resources
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.directory import DynamoDirectory
    from samvad.adapters.events import EventBridgePublisher
    from samvad.adapters.objects import S3ObjectStore
    from samvad.adapters.strata import DynamoStrata
    from samvad.adapters.uploads import DynamoLedger
    from samvad.adapters.visits import DynamoVisits
    from samvad.intake.service import IntakePorts, Upload, ingest
    from samvad_dev.local.cloud import LocalCloud

    with LocalCloud(stage="bench") as cloud, tempfile.TemporaryDirectory() as tmp:
        path = _make_csv(Path(tmp), rows)
        key = f"{resources.UPLOADS_PREFIX}health/{path.name}"
        cloud.client("s3").upload_file(str(path), cloud.names.bucket, key)
        dynamodb = cloud.client("dynamodb")
        counts = _count_calls(dynamodb)
        env = cloud.env
        ports = IntakePorts(
            objects=S3ObjectStore(cloud.client("s3")),
            visits=DynamoVisits(env[resources.VISITS.env_var], dynamodb),
            ledger=DynamoLedger(env[resources.UPLOADS.env_var], dynamodb),
            directory=DynamoDirectory(env[resources.DIRECTORY.env_var], cloud.client("dynamodb")),
            events=EventBridgePublisher(env[resources.EVENT_BUS_ENV], cloud.client("events")),
            config=DynamoConfig(env[resources.CONFIG.env_var], cloud.client("dynamodb")),
            strata=DynamoStrata(env[resources.STRATA.env_var], dynamodb),
            hash_key=HASH_KEY,
            sampling_key=HASH_KEY,
        )
        start = time.perf_counter()
        report = ingest(Upload(cloud.names.bucket, key, etag="bench"), ports)
        batched_seconds = time.perf_counter() - start
        batched = dict(counts)

        table = env[resources.VISITS.env_var]
        naive_client = boto3.client("dynamodb", region_name=cloud.client("s3").meta.region_name)
        naive_counts = _count_calls(naive_client)
        items = [
            {"visit_key": {"S": f"naive-{i}"}, "phone": {"S": "+919876543210"}}
            for i in range(report["accepted"])
        ]
        start = time.perf_counter()
        for item in items:
            naive_client.put_item(TableName=table, Item=item)
        naive_seconds = time.perf_counter() - start
    writes = batched.get(f"BatchWriteItem:{table}", 0) + batched.get(f"PutItem:{table}", 0)
    return {
        "rows": report["rows"],
        "accepted": report["accepted"],
        "batched": {
            "requests": batched,
            # the visits' writes (the strata and directory write per stratum and office)
            "write_requests_per_row": round(writes / report["rows"], 4),
            "all_requests_per_row": round(
                sum(n for name, n in batched.items() if ":" not in name) / report["rows"], 4
            ),
            "seconds": round(batched_seconds, 2),
        },
        "put_item_per_row": {
            "write_requests_per_row": round(naive_counts["PutItem"] / len(items), 4),
            "seconds": round(naive_seconds, 2),
        },
    }


def _count_calls(client) -> dict[str, int]:
    counts: dict[str, int] = {}

    def count(model, **_):
        counts[model.name] = counts.get(model.name, 0) + 1

    def count_table(model, params, **_):
        """Writes per table too: ``BatchWriteItem:<table>``."""
        for table in params.get("RequestItems") or [params.get("TableName")]:
            name = f"{model.name}:{table}"
            counts[name] = counts.get(name, 0) + 1

    client.meta.events.register("before-call.dynamodb", count)
    for operation in ("BatchWriteItem", "PutItem"):
        client.meta.events.register(f"before-parameter-build.dynamodb.{operation}", count_table)
    return counts


if __name__ == "__main__":
    mode, file = sys.argv[1], Path(sys.argv[2])
    print(json.dumps(measure_pure(file) if mode == "pure" else measure_naive(file)))
