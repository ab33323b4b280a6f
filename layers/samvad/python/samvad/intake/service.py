"""Ingest one uploaded object: the intake use case, written against ports (no boto3 here).

Idempotence has two layers:

* the **ledger** remembers each object version's finished report; a redelivered event for a
  finished upload returns that report and does nothing else;
* every visit records the upload and row that wrote it (``source_upload``/``source_row``), so
  a retry after a crash half-way recounts exactly: a key already present *from this same row*
  is "accepted" (written by the earlier attempt), from anywhere else a "duplicate".

Visits are written with BatchWriteItem (25 per request) after one consistent BatchGetItem
(100 keys per request) to find the keys that exist: 0.05 requests per row instead of one
conditional PutItem per row.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field

from samvad import resources
from samvad.intake.aliases import alias_table
from samvad.intake.rejects import RejectsFile
from samvad.intake.sources import Record, Table, UnreadableFile, open_table
from samvad.intake.validate import IntakePolicy, Rejection, RowValidator, Source, Visit
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

CHUNK = 100  # BatchGetItem's limit; four full BatchWriteItem requests
DEPARTMENT_CODE_MAX = 32


# -- ports ----------------------------------------------------------------------------------


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
    report_key: str | None = None
    header_row: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    new_services: list[str] = field(default_factory=list)
    new_offices: list[str] = field(default_factory=list)
    started_at: str = ""
    finished_at: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


# -- the use case ---------------------------------------------------------------------------


def ingest(upload: Upload, ports: IntakePorts) -> dict:
    """Ingest one object version; safe to call any number of times for the same event."""
    if not upload.key.startswith(resources.UPLOADS_PREFIX):
        raise ValueError(f"not an upload key: {upload.key!r}")
    done = ports.ledger.finished_report(upload.upload_id)
    if done is not None:
        log.info(
            "upload already ingested; returning its report", extra={"upload_id": upload.upload_id}
        )
        return done

    started = ports.clock()
    ports.ledger.started(upload.upload_id, {"key": upload.key, "started_at": started.isoformat()})
    report = IntakeReport(
        upload_id=upload.upload_id,
        bucket=upload.bucket,
        key=upload.key,
        version_id=upload.version_id,
        department=upload.department,
        started_at=started.isoformat(),
    )
    report.report_key = f"{resources.INTAKE_REPORTS_PREFIX}{upload.relative_key}.json"
    t0 = time.monotonic()
    try:
        if report.department is None:
            raise UnreadableFile(
                "no_department",
                "uploads must be placed in a department folder: uploads/<department>/<file>",
            )
        _ingest_rows(upload, ports, report, report.department)
    except UnreadableFile as error:
        _quarantine(upload, ports, report, error)
    report.finished_at = ports.clock().isoformat()
    report.seconds = round(time.monotonic() - t0, 3)
    document = report.as_dict()
    ports.objects.put(upload.bucket, report.report_key, _json_bytes(document), "application/json")
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


def _ingest_rows(upload: Upload, ports: IntakePorts, report: IntakeReport, department: str) -> None:
    settings = ports.config.latest(f"intake/{department}") or {}
    aliases = alias_table(settings.get("aliases"))
    policy = IntakePolicy(
        department=department,
        today=ports.clock().astimezone(_IST).date(),
        retention_days=ports.retention_days,
        default_language=settings.get("default_language", "or"),
    )
    with ports.objects.open(upload.bucket, upload.key, upload.version_id) as stream:
        table = open_table(stream, aliases)
        report.format, report.encoding = table.format, table.encoding
        report.header_row, report.ignored_columns = table.header_row, table.ignored_columns
        validator = RowValidator(
            table.columns, len(table.header), policy, ports.hash_key, ports.sampling_key
        )
        rejects = RejectsFile(table.header)
        source = Source(upload.upload_id, ports.clock().isoformat())
        seen = _DirectoryEntries()
        strata: Counter[tuple[str, str]] = Counter()
        outcomes = _classify(table, validator, report)
        for chunk in _chunks(outcomes, CHUNK):
            visits = []
            for outcome in chunk:
                if isinstance(outcome, Rejection):
                    rejects.add(outcome)
                else:
                    visits.append(outcome)
                    seen.add(outcome)
            for visit in _store(visits, source, ports.visits, report):
                strata[visit.visit_date, visit.stratum] += 1
    report.rejected = rejects.count
    report.rejected_by_reason = dict(report.rejected_by_reason)
    report.warnings = dict(validator.warnings)
    if rejects.count:
        report.rejects_key = f"{resources.REJECTS_PREFIX}{upload.relative_key}.csv"
        ports.objects.put(upload.bucket, report.rejects_key, rejects.finish(), "text/csv")
    if strata:
        ports.strata.record_uploaded(upload.upload_id, dict(strata))
    new = ports.directory.record_new(department, seen.entries, upload.upload_id)
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
        return Rejection(record.number, record.problem, record.cells, record.raw)
    return validator(record.number, record.cells)


def _filled(cell: object) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def _store(
    visits: list[Visit], source: Source, store: VisitStore, report: IntakeReport
) -> list[Visit]:
    """Write the chunk's new visits; return every visit accepted (including by an earlier
    attempt at this same upload)."""
    unique: dict[str, Visit] = {}
    for visit in visits:
        if visit.visit_key in unique:
            report.duplicates += 1  # the same visit twice in this chunk
        else:
            unique[visit.visit_key] = visit
    if not unique:
        return []
    existing = store.sources_of(list(unique))
    fresh, accepted = [], []
    for key, visit in unique.items():
        origin = existing.get(key)
        if origin is None:
            fresh.append(visit.to_item(source))
            accepted.append(visit)
        elif origin == (source.upload_id, visit.row):
            accepted.append(visit)  # written by an earlier attempt at this same upload
        else:
            report.duplicates += 1
    report.accepted += len(accepted)
    if fresh:
        store.put_all(fresh)
    return accepted


class _DirectoryEntries:
    """The distinct offices and services of one upload (bounded by the number of offices)."""

    def __init__(self):
        self.entries: dict[str, dict] = {}

    def add(self, visit: Visit) -> None:
        office = f"office#{visit.office_code}"
        if office not in self.entries:
            self.entries[office] = {"office_name": visit.office_name, "district": visit.district}
        service = f"service#{visit.service}"
        if service not in self.entries:
            self.entries[service] = {}


def _quarantine(
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
        _json_bytes(reason),
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


def _json_bytes(document: dict) -> bytes:
    import json

    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()


_IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "Asia/Kolkata")
