"""The push API: a department's system posts a batch of visits (``POST /intake/v1/visits``).

The body is ``{"batch_id": "...", "records": [{...}, ...]}``, at most ``MAX_RECORDS`` records
with the same columns (and aliases) as an uploaded file. The department is the caller's: API
Gateway verifies the SigV4 signature of an IAM principal, and the ``intake/push-callers``
config document maps that principal's role to one department. A department in the body is
never trusted: one that differs from the caller's refuses the batch, naming the field.

Every record goes through the file path's validation (``RowValidator``) and store
(``store_in_order``), and the answer is the batch's report: accepted, rejected with each
record's reason, duplicates. It is idempotent on ``(department, batch_id)``: the answer is kept
in the uploads ledger, and a replay gets the same answer and writes nothing; the same batch id
with other records is refused (409). A batch that failed half-way is redone exactly (visits
remember their batch and record, as a file's remember their upload and row).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from samvad import resources
from samvad.intake.aliases import CANONICAL_FIELDS, alias_table
from samvad.intake.departments import offices_of
from samvad.intake.sources import object_table
from samvad.intake.store import CHUNK, DirectoryEntries
from samvad.intake.validate import IntakePolicy, Rejection, RowValidator, Source, Visit
from samvad.intake.writers import store_in_order
from samvad.ports import ConfigReader, Directory, StrataRecorder, UploadLedger, VisitStore

MAX_RECORDS = 1_000
MAX_BODY_BYTES = 1024 * 1024
PUSH_CALLERS_CONFIG = "intake/push-callers"
"""``{"callers": {"arn:aws:iam::<account>:role/<name>": "<department>", ...}}``."""
_BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_ASSUMED_ROLE = re.compile(r"arn:(aws[\w-]*):sts::(\d{12}):assumed-role/([\w+=,.@-]+)/[^/]+")
_DEPARTMENT = CANONICAL_FIELDS.index("department")
_IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "Asia/Kolkata")


class PushRefused(Exception):
    """The batch is refused as a whole: HTTP ``status``, the ``field`` at fault, and why."""

    def __init__(self, status: int, code: str, field: str, message: str):
        super().__init__(message)
        self.status, self.code, self.field, self.message = status, code, field, message

    def as_dict(self) -> dict[str, str]:
        return {"error": self.code, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class PushPorts:
    visits: VisitStore
    ledger: UploadLedger
    directory: Directory
    strata: StrataRecorder
    config: ConfigReader
    hash_key: bytes
    sampling_key: bytes
    retention_days: int = 400
    write_workers: int = 1
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class Pushed:
    answer: dict[str, Any]
    replayed: bool


# -- who is calling ---------------------------------------------------------------------------


def caller_department(principal_arn: str | None, config: ConfigReader) -> str:
    """The department whose push role signed the request (verified by API Gateway's IAM
    authorisation); any other principal is refused."""
    if not principal_arn:
        raise PushRefused(
            401,
            "unsigned",
            "credential",
            "sign the request (SigV4) with the department's push role",
        )
    role = role_arn(principal_arn)
    callers = (config.latest(PUSH_CALLERS_CONFIG) or {}).get("callers") or {}
    department = callers.get(role) if isinstance(callers, dict) else None
    if not isinstance(department, str) or not department:
        raise PushRefused(
            403, "not_a_push_role", "credential", "the signing role is not a department's push role"
        )
    return department


def role_arn(principal_arn: str) -> str:
    """An assumed-role session's role (``arn:aws:iam::<account>:role/<name>``); other ARNs as
    they are."""
    found = _ASSUMED_ROLE.fullmatch(principal_arn)
    if found is None:
        return principal_arn
    partition, account, name = found.groups()
    return f"arn:{partition}:iam::{account}:role/{name}"


# -- the batch --------------------------------------------------------------------------------


def push(body: str | bytes | None, department: str, ports: PushPorts) -> Pushed:
    """Validate and store one pushed batch for ``department`` (the caller's); raises
    ``PushRefused`` for a batch that cannot be taken at all."""
    batch_id, records, declared = parse_batch(body)
    refuse_other_departments(declared, records, department)
    batch_key = f"push:{department}:{batch_id}"
    digest = hashlib.sha256(
        json.dumps(records, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    done = ports.ledger.finished_report(batch_key)
    if done is not None:
        if done.get("records_sha256") != digest:
            raise PushRefused(
                409,
                "batch_id_reused",
                "batch_id",
                f"batch {batch_id!r} was already taken with other records: use a new batch_id",
            )
        return Pushed(done, replayed=True)
    started = ports.clock()
    ports.ledger.started(batch_key, {"key": batch_key, "started_at": started.isoformat()})
    answer = _ingest(records, batch_id, department, batch_key, started, ports)
    answer["records_sha256"] = digest
    ports.ledger.finished(batch_key, answer)
    return Pushed(answer, replayed=False)


def parse_batch(body: str | bytes | None) -> tuple[str, list[Any], object]:
    """``(batch_id, records, the department the body names)`` or why it is not a batch."""
    raw = body.encode() if isinstance(body, str) else body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PushRefused(
            413,
            "body_too_large",
            "body",
            f"the body is over {MAX_BODY_BYTES:,} bytes: send fewer records per batch",
        )
    if not raw.strip():
        raise PushRefused(400, "body_empty", "body", "the body is empty: send a JSON object")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PushRefused(400, "body_not_utf8", "body", "the body is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise PushRefused(
            400,
            "invalid_json",
            "body",
            f"the body is not JSON: {error.msg} at line {error.lineno} column {error.colno}",
        ) from None
    if not isinstance(document, dict):
        raise PushRefused(400, "not_an_object", "body", "the body must be a JSON object")
    batch_id = document.get("batch_id")
    if not isinstance(batch_id, str) or not _BATCH_ID.fullmatch(batch_id):
        raise PushRefused(
            400,
            "batch_id_invalid",
            "batch_id",
            "batch_id must be 1-64 letters, digits or . _ : - (your system's id for this batch)",
        )
    records = document.get("records")
    if not isinstance(records, list) or not records:
        raise PushRefused(400, "records_missing", "records", "records must be a non-empty array")
    if len(records) > MAX_RECORDS:
        raise PushRefused(
            413,
            "too_many_records",
            "records",
            f"{len(records):,} records: at most {MAX_RECORDS:,} per batch",
        )
    return batch_id, records, document.get("department")


def refuse_other_departments(declared: object, records: list[Any], department: str) -> None:
    """A department named in the body must be the caller's: the credential decides."""
    if declared is not None and str(declared).strip().casefold() != department:
        raise PushRefused(
            403,
            "department_not_yours",
            "department",
            "department differs from the one your credential pushes for: leave it out",
        )
    table = object_table(records, alias_table())
    for index, record in enumerate(table.records):
        if record.problem is None and record.cells:
            named = record.cells[_DEPARTMENT].strip().casefold()
            if named and named != department:
                raise PushRefused(
                    403,
                    "department_not_yours",
                    f"records[{index}].department",
                    "department differs from the one your credential pushes for: leave it out",
                )


def _ingest(
    records: list[Any],
    batch_id: str,
    department: str,
    batch_key: str,
    started: dt.datetime,
    ports: PushPorts,
) -> dict[str, Any]:
    settings = ports.config.latest(f"intake/{department}") or {}
    offices = offices_of(ports.config.latest(resources.ESCALATION_DIRECTORY_CONFIG), department)
    policy = IntakePolicy(
        department=department,
        today=started.astimezone(_IST).date(),
        retention_days=ports.retention_days,
        default_language=settings.get("default_language", "or"),
        offices=offices,
    )
    table = object_table(records, alias_table(settings.get("aliases")))
    validator = RowValidator(
        table.columns, len(table.header), policy, ports.hash_key, ports.sampling_key
    )
    rejections: list[dict[str, Any]] = []
    seen = DirectoryEntries()

    def batches() -> Iterator[list[Visit]]:
        visits: list[Visit] = []
        for record in table.records:
            outcome = (
                validator(record.number, record.cells)
                if record.problem is None
                else Rejection(record.number, record.problem)
            )
            if isinstance(outcome, Rejection):
                problem = outcome.problem
                rejections.append(
                    {"index": record.number - 1, "code": problem.code, "message": problem.message}
                )
                continue
            visits.append(outcome)
            seen.add(outcome)
            if len(visits) == CHUNK:
                yield visits
                visits = []
        if visits:
            yield visits

    source = Source(batch_key, started.isoformat())
    accepted = duplicates = 0
    strata: Counter[tuple[str, str]] = Counter()
    for stored in store_in_order(batches(), source, ports.visits, ports.write_workers):
        accepted += len(stored.accepted)
        duplicates += stored.duplicates
        for visit in stored.accepted:
            strata[visit.visit_date, visit.stratum] += 1
    if strata:
        ports.strata.record_uploaded(batch_key, dict(strata))
    ports.directory.record_new(department, seen.entries, batch_key)
    return {
        "batch_id": batch_id,
        "department": department,
        "received": len(records),
        "accepted": accepted,
        "rejected": len(rejections),
        "duplicates": duplicates,
        "rejections": rejections,
        "warnings": dict(validator.warnings),
        "ignored_fields": list(table.ignored_columns),
        "accepted_at": started.isoformat(),
    }
