"""Ingest one uploaded object: the intake use case, written against ports (no boto3 here).

Idempotence has two layers:

* the **ledger** remembers each object version's finished report; a redelivered event for a
  finished upload returns that report and does nothing else;
* every visit records the upload and row that wrote it (``source_upload``/``source_row``), so
  a retry after a crash half-way recounts exactly: a key already present *from this same row*
  is "accepted" (written by the earlier attempt), from anywhere else a "duplicate".

Visits are written with BatchWriteItem (25 per request) after one consistent BatchGetItem
(100 keys per request) to find the keys that exist: 0.05 requests per row instead of one
conditional PutItem per row (``intake/store.py``, shared with the chunked path).

An upload over the chunking threshold is not ingested here but by split → chunks → reduce
(``split.py``, ``chunk.py``, ``reduce.py``): on Step Functions, or in-process (``driver.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, BinaryIO, Protocol

from samvad import resources
from samvad.intake.aliases import alias_table
from samvad.intake.chunking import Chunking
from samvad.intake.departments import configured_departments, offices_of
from samvad.intake.rejects import RejectsFile
from samvad.intake.sources import Record, Table, UnreadableFile, open_table
from samvad.intake.store import CHUNK, DirectoryEntries
from samvad.intake.validate import IntakePolicy, Rejection, RowValidator, Source, Visit
from samvad.intake.writers import store_in_order
from samvad.ports import (
    ConfigReader,
    Directory,
    EventPublisher,
    ObjectStore,
    StrataRecorder,
    UploadLedger,
    VisitStore,
)

log = logging.getLogger(__name__)

DEPARTMENT_CODE_MAX = 32


# -- ports ----------------------------------------------------------------------------------


class ChunkedIntake(Protocol):
    def start(self, upload: Upload, chunking: Chunking) -> dict:
        """Split → ingest the chunks → reduce: the report when run in-process, or a receipt
        (``upload_id``, ``chunked``, ``execution``) when started on Step Functions."""


@dataclass(frozen=True)
class IntakePorts:
    objects: ObjectStore
    visits: VisitStore
    ledger: UploadLedger
    directory: Directory
    events: EventPublisher
    config: ConfigReader
    strata: StrataRecorder
    hash_key: bytes
    sampling_key: bytes
    retention_days: int = 400
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    chunking: Chunking = field(default_factory=Chunking)
    chunked: ChunkedIntake | None = None
    """Runs the chunked path; None runs it in-process (``samvad.intake.driver``)."""
    write_workers: int = 1
    """Batches of visits written at once (``samvad.intake.writers``); 1: one after another."""


# -- the upload and its report ------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    size: int | None = None

    @classmethod
    def from_s3_record(cls, record: dict) -> Upload:
        s3 = record["s3"]
        obj = s3["object"]
        return cls(
            bucket=s3["bucket"]["name"],
            key=urllib.parse.unquote_plus(obj["key"]),
            version_id=obj.get("versionId"),
            etag=obj.get("eTag"),
            size=obj.get("size"),
        )

    @property
    def upload_id(self) -> str:
        return f"{self.bucket}/{self.key}#{self.version_id or self.etag or ''}"

    @property
    def relative_key(self) -> str:
        return self.key.removeprefix(resources.UPLOADS_PREFIX)

    @property
    def department(self) -> str | None:
        folder, sep, _ = self.relative_key.partition("/")
        code = folder.strip().casefold()
        valid = (
            code
            and len(code) <= DEPARTMENT_CODE_MAX
            and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code)
        )
        return code if sep and valid else None


@dataclass
class IntakeReport:
    upload_id: str
    bucket: str
    key: str
    version_id: str | None
    department: str | None
    format: str | None = None
    encoding: str | None = None
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    blank_rows: int = 0
    quarantined: bool = False
    quarantine_code: str | None = None
    quarantine_reason: str | None = None
    quarantine_key: str | None = None
    rejects_key: str | None = None
    report_key: str = ""
    header_row: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    new_services: list[str] = field(default_factory=list)
    new_offices: list[str] = field(default_factory=list)
    offices_checked: bool = False  # the directory lists this department's offices
    started_at: str = ""
    finished_at: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


# -- the use case ---------------------------------------------------------------------------


def ingest(upload: Upload, ports: IntakePorts, chunk_rows: int | None = None) -> dict:
    """Ingest one object version; safe to call any number of times for the same event.

    An upload of at least ``ports.chunking.threshold_bytes`` (or of more than about
    ``chunk_rows`` rows, when given) goes the chunked way: split → chunks → reduce.
    """
    if not upload.key.startswith(resources.UPLOADS_PREFIX):
        raise ValueError(f"not an upload key: {upload.key!r}")
    done = ports.ledger.finished_report(upload.upload_id)
    if done is not None:
        log.info(
            "upload already ingested; returning its report", extra={"upload_id": upload.upload_id}
        )
        return done
    if _written_back_by_erasure(upload, ports.objects):
        log.info(
            "an erasure's rewrite of an upload: its rows were all ingested before; skipped",
            extra={"upload_id": upload.upload_id},
        )
        return {"upload_id": upload.upload_id, "key": upload.key, "skipped": "erasure_rewrite"}

    started = ports.clock()
    ports.ledger.started(upload.upload_id, {"key": upload.key, "started_at": started.isoformat()})
    chunking = ports.chunking if chunk_rows is None else Chunking.for_rows(chunk_rows)
    report = new_report(upload, started)
    t0 = time.monotonic()
    try:
        _check_department(department_of(report), ports.config)
        if chunking.wanted(upload.size):
            return _chunked(ports).start(upload, chunking)
        _ingest_rows(upload, ports, report)
    except UnreadableFile as error:
        quarantine(upload, ports, report, error)
    report.finished_at = ports.clock().isoformat()
    report.seconds = round(time.monotonic() - t0, 3)
    return complete(upload, ports, report)


def _written_back_by_erasure(upload: Upload, objects: ObjectStore) -> bool:
    """The version erasure wrote without one citizen's rows: every other row of it was
    ingested from the version before (docs/data-protection.md)."""
    metadata = objects.metadata(upload.bucket, upload.key, upload.version_id)
    return metadata.get(resources.ERASED_METADATA) == "true"


def department_of(report: IntakeReport) -> str:
    """The upload's department (its folder under ``uploads/``); none is unreadable."""
    if report.department is None:
        raise UnreadableFile(
            "no_department",
            "uploads must be placed in a department folder: uploads/<department>/<file>",
        )
    return report.department


def _check_department(department: str, config: ConfigReader) -> None:
    """Refuse a folder that is not a configured department (however well-formed its name)."""
    departments = configured_departments(config.latest(resources.DEPARTMENTS_CONFIG))
    if department not in departments:
        refusal = departments.refusal(department)
        raise UnreadableFile(refusal.code, f"{refusal.message}; upload under one of their folders")


def new_report(upload: Upload, started: dt.datetime) -> IntakeReport:
    report = IntakeReport(
        upload_id=upload.upload_id,
        bucket=upload.bucket,
        key=upload.key,
        version_id=upload.version_id,
        department=upload.department,
        started_at=started.isoformat(),
    )
    report.report_key = f"{resources.INTAKE_REPORTS_PREFIX}{upload.relative_key}.json"
    return report


def complete(upload: Upload, ports: IntakePorts, report: IntakeReport) -> dict:
    """Store the report, publish IntakeCompleted, then mark the upload finished."""
    document = report.as_dict()
    ports.objects.put(upload.bucket, report.report_key, json_bytes(document), "application/json")
    # Publish before marking finished: a crash in between repeats the event, never loses it.
    ports.events.publish(resources.INTAKE_COMPLETED, document)
    ports.ledger.finished(upload.upload_id, document)
    log.info(
        "upload ingested",
        extra={
            k: document[k]
            for k in ("upload_id", "rows", "accepted", "rejected", "duplicates", "quarantined")
        },
    )
    return document


@dataclass
class Reading:
    """An upload opened as a table: its validator, rejects file and outcomes (streamed)."""

    validator: RowValidator
    rejects: RejectsFile
    outcomes: Iterator[Visit | Rejection]

    def close(self, report: IntakeReport) -> None:
        """Copy the counts gathered while streaming into ``report``."""
        report.rejected = self.rejects.count
        report.rejected_by_reason = dict(report.rejected_by_reason)
        report.warnings = dict(self.validator.warnings)


def read_upload(stream: BinaryIO, ports: IntakePorts, report: IntakeReport) -> Reading:
    """Sniff ``stream`` with the department's aliases and policy; fills the report's header
    fields now and its row counts as the outcomes stream past. Raises ``UnreadableFile``."""
    department = department_of(report)
    settings = ports.config.latest(f"intake/{department}") or {}
    aliases = alias_table(settings.get("aliases"))
    offices = offices_of(ports.config.latest(resources.ESCALATION_DIRECTORY_CONFIG), department)
    report.offices_checked = offices is not None
    policy = IntakePolicy(
        department=department,
        today=ports.clock().astimezone(_IST).date(),
        retention_days=ports.retention_days,
        default_language=settings.get("default_language", "or"),
        offices=offices,
    )
    table = open_table(stream, aliases)
    report.format, report.encoding = table.format, table.encoding
    report.header_row, report.ignored_columns = table.header_row, table.ignored_columns
    report.sheets, report.skipped_sheets = table.sheets, table.skipped_sheets
    validator = RowValidator(
        table.columns, len(table.header), policy, ports.hash_key, ports.sampling_key
    )
    rejects = RejectsFile(table.header, with_sheet=len(table.sheets) > 1)
    return Reading(validator, rejects, _classify(table, validator, report))


def _chunked(ports: IntakePorts) -> ChunkedIntake:
    if ports.chunked is not None:
        return ports.chunked
    from samvad.intake.driver import InProcessChunks  # imports this module

    return InProcessChunks(ports)


def _ingest_rows(upload: Upload, ports: IntakePorts, report: IntakeReport) -> None:
    with ports.objects.open(upload.bucket, upload.key, upload.version_id) as stream:
        reading = read_upload(stream, ports, report)
        source = Source(upload.upload_id, ports.clock().isoformat())
        seen = DirectoryEntries()
        strata: Counter[tuple[str, str]] = Counter()
        batches = _visit_batches(reading, seen)
        for stored in store_in_order(batches, source, ports.visits, ports.write_workers):
            report.accepted += len(stored.accepted)
            report.duplicates += stored.duplicates
            for visit in stored.accepted:
                strata[visit.visit_date, visit.stratum] += 1
    reading.close(report)
    rejects = reading.rejects.finish() if reading.rejects.count else None
    record_outcome(upload, ports, report, rejects, strata, seen.entries)


def _visit_batches(reading: Reading, seen: DirectoryEntries) -> Iterator[list[Visit]]:
    """The visits of each ``CHUNK`` rows, in order; rejected rows go to the rejects file."""
    for chunk in _chunks(reading.outcomes, CHUNK):
        visits = []
        for outcome in chunk:
            if isinstance(outcome, Rejection):
                reading.rejects.add(outcome)
            else:
                visits.append(outcome)
                seen.add(outcome)
        yield visits


def record_outcome(
    upload: Upload,
    ports: IntakePorts,
    report: IntakeReport,
    rejects: IO[bytes] | None,
    strata: dict[tuple[str, str], int],
    entries: dict[str, dict],
) -> None:
    """Store the rejects file, the upload's strata counts and its new directory entries;
    idempotent (strata are recorded per upload, entries remember the upload that added them)."""
    if rejects is not None:
        report.rejects_key = f"{resources.REJECTS_PREFIX}{upload.relative_key}.csv"
        ports.objects.put(upload.bucket, report.rejects_key, rejects, "text/csv")
    if strata:
        ports.strata.record_uploaded(upload.upload_id, dict(strata))
    new = ports.directory.record_new(department_of(report), entries, upload.upload_id)
    report.new_services = sorted(
        e.removeprefix("service#") for e in new if e.startswith("service#")
    )
    report.new_offices = sorted(e.removeprefix("office#") for e in new if e.startswith("office#"))


def _classify(table: Table, validator: RowValidator, report: IntakeReport) -> Iterator:
    reasons: Counter[str] = Counter()
    report.rejected_by_reason = reasons  # filled as rows stream past
    for record in table.records:
        if record.problem is None and not any(map(_filled, record.cells)):
            report.blank_rows += 1
            continue
        report.rows += 1
        outcome = _outcome(record, validator)
        if isinstance(outcome, Rejection):
            reasons[outcome.problem.code] += 1
        yield outcome


def _outcome(record: Record, validator: RowValidator) -> Visit | Rejection:
    if record.problem is not None:
        return Rejection(record.number, record.problem, record.cells, record.raw, record.sheet)
    outcome = validator(record.position, record.cells)
    if isinstance(outcome, Rejection):
        outcome.row, outcome.sheet = record.number, record.sheet
    return outcome


def _filled(cell: object) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def quarantine(
    upload: Upload, ports: IntakePorts, report: IntakeReport, error: UnreadableFile
) -> None:
    report.quarantined = True
    report.quarantine_code = error.code
    report.quarantine_reason = error.message
    report.rows = report.accepted = report.rejected = report.duplicates = 0
    report.quarantine_key = f"{resources.QUARANTINE_PREFIX}{upload.relative_key}"
    ports.objects.move(upload.bucket, upload.key, upload.version_id, report.quarantine_key)
    reason = {"upload_id": upload.upload_id, "code": error.code, "reason": error.message}
    ports.objects.put(
        upload.bucket,
        f"{report.quarantine_key}.report.json",
        json_bytes(reason),
        "application/json",
    )
    log.warning("upload quarantined", extra={"upload_id": upload.upload_id, "code": error.code})


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def json_bytes(document: object) -> bytes:
    import json

    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()


_IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "Asia/Kolkata")
