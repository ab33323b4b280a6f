"""`samvad erase` on the local stack: after a small demo day, five citizens who were sampled
and contacted are erased; no table, object version or queue holds their number or hash any
more (but the receipt and the hashed opt-out), and the reports' figures do not change."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Iterator

import pytest

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.events import EventBridgePublisher
from samvad.cli import main
from samvad.erasure.citizen import Citizen
from samvad.erasure.service import CONTACT_TOMBSTONE
from samvad.escalation.model import case_id_for
from samvad_dev.demo.dispatch import contact_day
from samvad_dev.demo.escalation import demo_directory
from samvad_dev.demo.reports import run_reports
from samvad_dev.demo.synthetic import generate_visits, write_day
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.escalation import local_ports
from samvad_dev.local.flows import ingest_files, sample_day, verify_day

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("erasure")]

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
ERASED = 5


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A demo day of 40 visits: intake, sampling, calls and SMS, cases opened for the first
    two poor feedback (held at L1: erasure needs a case, not a settled one), reports."""
    out = tmp_path_factory.mktemp("erasure")
    visit_day = dt.datetime.now(IST).date() - dt.timedelta(days=1)
    run_date = visit_day + dt.timedelta(days=1)
    synthetic = generate_visits(40, seed=11, day=visit_day)
    with LocalCloud(stage="erasure") as cloud:
        for department, path in write_day(synthetic, out / "uploads"):
            list(ingest_files(cloud, [path], department))
        sample_day(cloud, run_date)
        _, events = contact_day(cloud, run_date, seed=run_date.toordinal())
        poor = [e["detail"] for e in events if e["detail-type"] == resources.FEEDBACK_POOR]
        _open_cases(cloud, poor[:2])
        reports = run_reports(cloud, [run_date])
        for later in (1, 2):  # the daily cycle reveals the day's secrets
            sample_day(cloud, run_date + dt.timedelta(days=later))
        yield {"cloud": cloud, "run_date": run_date, "reports": reports}


@pytest.fixture(scope="module")
def erased(day: dict) -> dict:
    """Five sampled, contacted citizens (those with a case and with feedback first), erased
    through the command (sweeping every rejects file) with the stack's environment, then
    erased again; then the intake queue is delivered."""
    cloud: LocalCloud = day["cloud"]
    visits = {v["visit_key"]["S"]: v for v in _scan(cloud, resources.VISITS)}
    with_feedback = {f["visit_key"]["S"] for f in _scan(cloud, resources.FEEDBACK)}
    # contacted by the dispatcher (its ledger) or at the call desk (which keeps no dispatch
    # ledger: its answered calls are feedback)
    contacted = {d["visit_key"]["S"] for d in _scan(cloud, resources.DISPATCHES)} | with_feedback
    with_case = {c["case_id"]["S"].removeprefix("case-") for c in _scan(cloud, resources.CASES)}
    ranked = sorted(
        (k for k in contacted if k in visits and "phone" in visits[k]),
        key=lambda k: (k not in with_case, k not in with_feedback, k),
    )
    phones: list[str] = []
    for key in ranked:
        phone = visits[key]["phone"]["S"]
        if phone not in phones:
            phones.append(phone)
        if len(phones) == ERASED:
            break
    tallies_before = _scan(cloud, resources.TALLIES)
    ledger_before = _scan(cloud, resources.UPLOADS)
    intake_reports_before = _intake_reports(cloud)
    before = _traces(cloud, [(Citizen(p, ""), "") for p in phones])
    first, second = [], []
    with _environment(cloud.env):
        for phone in phones:
            first.append(_erase(phone))
        for phone in phones:
            second.append(_erase(phone))
    delivered = cloud.pump()  # S3 announced each upload written back to intake
    return {
        "intake_after": delivered,
        "ledger_after": _scan(cloud, resources.UPLOADS),
        "intake_reports_after": _intake_reports(cloud),
        "traces_before": before,
        "phones": phones,
        "first": first,
        "second": second,
        "tallies_before": tallies_before,
        "ledger_before": ledger_before,
        "intake_reports_before": intake_reports_before,
        "had_case": any(k in with_case for k in ranked[:ERASED]),
        "had_feedback": any(k in with_feedback for k in ranked[:ERASED]),
    }


def test_the_chosen_citizens_were_contacted_gave_feedback_and_one_has_a_case(erased):
    """Given the demo day, When five contacted citizens are picked, Then some gave feedback
    and (the day has poor feedback) one has a grievance case: erasure has something to do."""
    assert len(erased["phones"]) == ERASED
    assert erased["had_feedback"] and erased["had_case"]
    for receipt in erased["first"]:
        counts = receipt["counts"]
        assert receipt["found"] and counts["visits"] >= 1
        assert counts["dispatches"] + counts["feedback"] >= 1  # the dispatcher's or the desk's
        assert counts["upload_rows"] >= 1
    assert sum(r["counts"]["feedback"] for r in erased["first"]) >= 1
    assert sum(r["counts"]["cases"] for r in erased["first"]) >= 1


def test_no_table_object_version_or_queue_holds_their_number_or_hash(day, erased):
    """Given five erased citizens, When every table, every version of every object and every
    queue is read, Then none holds their number (any written form, or masked) or their hash,
    except the receipts in the Audit table and the hashed opt-out in Contacts."""
    pairs = [(Citizen(p, r["phone_hash"]), r["phone_hash"])
             for p, r in zip(erased["phones"], erased["first"], strict=True)]  # fmt: skip
    before = {where.split("?")[0].split("/")[0] for where, _ in erased["traces_before"]}
    assert {"Visits", "s3:"} <= before  # the scan does see a citizen's number
    assert _traces(day["cloud"], pairs) == []


def test_the_uploads_erasure_wrote_back_are_not_ingested_again(erased):
    """Given the uploads erasure wrote back (new versions, each announced to intake by S3),
    When the intake queue is delivered, Then intake skips every one: the uploads ledger and
    every intake report are as they were before the erasure."""
    assert sum(r["counts"]["upload_rows"] for r in erased["first"]) >= 1
    delivered = erased["intake_after"]
    assert delivered.get("delivered", 0) >= 1 and not delivered.get("failed")
    assert erased["ledger_after"] == erased["ledger_before"]
    assert erased["intake_reports_after"] == erased["intake_reports_before"]


def test_their_figures_still_add_up_in_the_reports(day, erased):
    """Given the erasure, When the tallies are read and the day's report is written again,
    Then every counter is unchanged and the report's figures are the same as before; only an
    erased citizen's overdue case no longer shows their masked number."""
    cloud: LocalCloud = day["cloud"]
    assert _scan(cloud, resources.TALLIES) == erased["tallies_before"]
    before = _summary(cloud, day["reports"])
    again = run_reports(cloud, [day["run_date"]])
    after = _summary(cloud, again)
    assert _figures(after) == _figures(before)
    hashes = {r["phone_hash"] for r in erased["first"]}
    assert len(hashes) == ERASED
    masked = {Citizen(p, "").masked for p in erased["phones"]}
    assert not any(row.get("citizen_phone") in masked for row in after.get("overdue", []))


def test_the_days_sample_still_verifies(day, erased):
    """Given erased citizens who were sampled, When the day's sample is verified from the
    revealed secrets, Then it still verifies (scores and skips do not need the number)."""
    verification = verify_day(day["cloud"], day["run_date"])
    assert verification["ok"] and verification["verifiable"], verification


def test_erasing_again_finds_nothing_and_the_receipt_says_so(day, erased):
    """Given five erased citizens, When each is erased again, Then nothing is found, every
    count is 0, and both receipts are in the Audit table, holding the hash, never the number."""
    for first, second in zip(erased["first"], erased["second"], strict=True):
        assert second["found"] is False
        assert set(second["counts"].values()) == {0}
        assert second["phone_hash"] == first["phone_hash"]
    receipts = [i for i in _scan(day["cloud"], resources.AUDIT) if i.get("kind", {}).get("S")]
    assert len(receipts) == 2 * ERASED


def test_a_bad_number_is_one_line_and_exit_2(capsys):
    """Given a number that is not an Indian mobile, When erase runs, Then it exits 2 with one
    line naming the flag and what to write."""
    assert main(["erase", "--phone", "12345"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--phone" in err and "+91" in err


# -- helpers -------------------------------------------------------------------------------


def _open_cases(cloud: LocalCloud, poor: list[dict]) -> None:
    """Publish the poor feedback, run escalation until each case is open and has had a few
    seconds to notify its L1 holder (real SLAs: nobody is due), then stop the executions so
    nothing writes while the citizens are erased."""
    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    config.publish(resources.ESCALATION_DIRECTORY_CONFIG, demo_directory(poor))
    runtime, ports = cloud.escalation, local_ports(cloud)
    bus = EventBridgePublisher(cloud.names.bus, cloud.client("events"))
    for detail in poor:
        bus.publish(resources.FEEDBACK_POOR, detail)
    ids = {case_id_for(d["visit_key"]) for d in poor}
    assert runtime.run_until(lambda: all(ports.cases.get(i) for i in ids), timeout=120)
    runtime.run_until(lambda: False, timeout=3)
    runtime.stop_all()


def _erase(phone: str) -> dict:
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        assert main(["erase", "--phone", phone, "--sweep-rejects"]) == 0
    return json.loads(out.getvalue())


class _environment:
    def __init__(self, values: dict[str, str]):
        self._values, self._saved = values, {}

    def __enter__(self):
        for name, value in self._values.items():
            self._saved[name] = os.environ.get(name)
            os.environ[name] = value

    def __exit__(self, *exc):
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _traces(cloud: LocalCloud, citizens: list[tuple[Citizen, str]]) -> list[tuple[str, str]]:
    """Where any of ``citizens`` (with their hash, or ``""``) still shows: every item of every
    table, every version of every object, every message on every queue. The receipt and the
    hashed opt-out are allowed to hold the hash."""
    found = []
    for spec in resources.TABLES:
        for item in _scan(cloud, spec):
            text = json.dumps(item, ensure_ascii=False)
            for citizen, hashed in citizens:
                if not (citizen.holds_number(text) or (hashed and hashed in text)):
                    continue
                if spec is resources.AUDIT and item["pk"]["S"] == f"erasure#{hashed}":
                    assert citizen.e164 not in text and citizen.national not in text
                    continue
                if spec is resources.CONTACTS and set(item) <= set(CONTACT_TOMBSTONE):
                    continue
                found.append((spec.logical_id, text[:200]))
    for key, version, body in _object_versions(cloud):
        text = _text_of(body)
        found += [(f"s3://{key}?{version}", "") for c, _ in citizens if c.holds_number(text)]
    for queue, body in _queue_messages(cloud):
        found += [(queue, body[:200]) for c, _ in citizens if c.holds_number(body)]
    return found


def _intake_reports(cloud: LocalCloud) -> dict[str, bytes]:
    s3, bucket = cloud.client("s3"), cloud.names.bucket
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=resources.INTAKE_REPORTS_PREFIX
    )
    return {
        o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        for page in pages
        for o in page.get("Contents", [])
    }


def _scan(cloud: LocalCloud, spec: resources.TableSpec) -> list[dict]:
    pages = (
        cloud.client("dynamodb").get_paginator("scan").paginate(TableName=cloud.names.table(spec))
    )
    return sorted(
        (item for page in pages for item in page["Items"]),
        key=lambda i: json.dumps(i, sort_keys=True),
    )


def _object_versions(cloud: LocalCloud) -> Iterator[tuple[str, str, bytes]]:
    s3 = cloud.client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=cloud.names.bucket):
        for version in page.get("Versions", []):
            body = s3.get_object(
                Bucket=cloud.names.bucket, Key=version["Key"], VersionId=version["VersionId"]
            )["Body"].read()
            yield version["Key"], version["VersionId"], body


def _text_of(body: bytes) -> str:
    if body.startswith(b"PK\x03\x04"):  # xlsx: the cells are inside the zip
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    for encoding in (
        ("utf-8-sig", "utf-16") if body[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8",)
    ):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            pass
    return body.decode("cp1252", "replace")


def _queue_messages(cloud: LocalCloud) -> Iterator[tuple[str, str]]:
    sqs = cloud.client("sqs")
    for url in sqs.list_queues().get("QueueUrls", []):
        seen = set()
        while True:
            batch = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30
            ).get("Messages", [])
            fresh = [m for m in batch if m["MessageId"] not in seen]
            if not fresh:
                break
            for message in fresh:
                seen.add(message["MessageId"])
                yield url, message["Body"]


def _summary(cloud: LocalCloud, reports: dict) -> dict:
    (keys,) = reports["daily"].values()
    body = cloud.client("s3").get_object(Bucket=cloud.names.bucket, Key=keys["summary"])["Body"]
    return json.loads(body.read())


def _figures(summary: dict) -> dict:
    """The report without when and how it was read, and without the overdue cases' masked
    numbers (an erased citizen's shows "unknown" afterwards)."""
    when = ("generated_at", "generated_at_ist", "reads", "keys")
    figures = {k: v for k, v in summary.items() if k not in when}
    figures["overdue"] = [
        {k: v for k, v in row.items() if k != "citizen_phone"} for row in figures.get("overdue", [])
    ]
    return figures
