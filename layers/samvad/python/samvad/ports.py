"""The ports the use cases call, as typed Protocols, grouped by the resource behind them.

Each capability's ``service`` module holds its frozen ``…Ports`` dataclass naming the ports
it needs; ``samvad.adapters`` implements them over AWS, ``tests/fakes.py`` (and the other
fakes) in memory, and the contract tests in ``tests/contracts`` hold both to the same cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Protocol

if TYPE_CHECKING:
    from samvad.dispatch.policy import NotifyPolicy, Rate
    from samvad.dispatch.service import Contact
    from samvad.messages.sms import SmsText
    from samvad.reports.tally import TallyUpdate
    from samvad.sampling.draw import Candidate

Record = dict[str, Any]
"""A stored item as plain values (strings, numbers, booleans, lists and dicts of them)."""


# -- shared: events, configuration, documents ---------------------------------------------


class EventPublisher(Protocol):
    def publish(self, detail_type: str, detail: dict[str, Any]) -> None: ...


class ConfigReader(Protocol):
    def latest(self, name: str) -> dict[str, Any] | None: ...


class Documents(Protocol):
    """JSON documents in the data bucket (samples, audit records)."""

    def put_json(self, key: str, document: dict[str, Any]) -> None: ...
    def get_json(self, key: str) -> dict[str, Any]: ...
    def find_json(self, key: str) -> dict[str, Any] | None: ...


class ObjectStore(Protocol):
    def open(self, bucket: str, key: str, version_id: str | None) -> BinaryIO: ...
    def put(self, bucket: str, key: str, body: IO[bytes] | bytes, content_type: str) -> None: ...
    def move(self, bucket: str, key: str, version_id: str | None, new_key: str) -> None: ...
    def find(self, bucket: str, key: str) -> bytes | None:
        """A small object's bytes, or None if there is none (the chunked path's results)."""
        ...

    def metadata(self, bucket: str, key: str, version_id: str | None) -> dict[str, str]:
        """The object version's user metadata (``x-amz-meta-*``, without the prefix)."""
        ...


# -- visits --------------------------------------------------------------------------------


class VisitStore(Protocol):
    def sources_of(self, keys: list[str]) -> dict[str, tuple[str, int]]:
        """``visit_key → (source_upload, source_row)`` for the keys that exist."""
        ...

    def put_all(self, items: list[dict[str, Any]]) -> None:
        """Write every item or raise; never drops one silently."""
        ...


class CandidateIndex(Protocol):
    def page(
        self, partition: str, after: str, limit: int, upto: str | None = None
    ) -> list[Candidate]:
        """Up to ``limit`` visits of an index partition with ``after < score <= upto``,
        in ascending score order."""
        ...


class VisitMarks(Protocol):
    def mark_sampled(self, assignments: list[dict[str, Any]], run_date: str) -> None: ...
    def mark_skipped(self, skipped: list[dict[str, Any]], run_date: str) -> None: ...


class VisitReader(Protocol):
    def get(self, visit_key: str) -> Record | None: ...


class VisitsByDate(Protocol):
    def visits_of(self, visit_date: str) -> list[Record]:
        """Every visit of a date: visit_key, sample_score, phone_hash, district, stratum
        fields, sampled_on, skipped_on, ingested_at."""
        ...


class VisitPhones(Protocol):
    def phones(self, visit_keys: list[str]) -> dict[str, str]: ...


# -- intake: uploads ledger, directory, strata ----------------------------------------------


class UploadLedger(Protocol):
    def finished_report(self, upload_id: str) -> dict[str, Any] | None: ...
    def started(self, upload_id: str, meta: dict[str, Any]) -> None: ...
    def finished(self, upload_id: str, report: dict[str, Any]) -> None: ...
    def chunk_done(self, upload_id: str, chunk: int, chunks: int) -> None:
        """Progress of a chunked upload: ``chunk`` of ``chunks`` is done (idempotent)."""
        ...

    def failed(self, upload_id: str, reason: str) -> None:
        """The chunked intake gave up (after retries); the upload stays unfinished."""
        ...


class Directory(Protocol):
    def record_new(
        self, department: str, entries: dict[str, dict[str, str]], upload_id: str
    ) -> list[str]:
        """Store entries not yet known; return those first recorded by ``upload_id``."""
        ...


class StrataRecorder(Protocol):
    def record_uploaded(self, upload_id: str, counts: dict[tuple[str, str], int]) -> None:
        """Idempotently record how many visits this upload added per (date, stratum)."""
        ...


class StrataCounts(Protocol):
    def available(self, dates: list[str]) -> dict[str, dict[str, int]]:
        """``stratum → {visit date → visits not yet taken}`` for the given dates."""
        ...

    def record_taken(self, run_date: str, taken: dict[tuple[str, str], int]) -> None: ...


# -- sampling: contacts, call lists, runs, the dispatch queue -------------------------------


class ContactBook(Protocol):
    def lookup(self, phone_hashes: list[str]) -> dict[str, dict[str, Any]]: ...
    def mark_sampled(self, phone_hashes: list[str], run_date: str) -> None: ...


class OptOuts(Protocol):
    """What dispatch and feedback need of the Contacts table."""

    def opted_out(self, phone_hash: str) -> bool: ...
    def opt_out(self, phone_hash: str, when: str) -> None: ...
    def remember_sms(self, phone_hash: str, message: dict[str, Any]) -> None: ...
    def last_sms(self, phone_hash: str) -> dict[str, Any] | None: ...


class CallLists(Protocol):
    def write(self, run_date: str, assignments: list[dict[str, Any]]) -> None: ...


class RunLedger(Protocol):
    def get(self, run_date: str) -> dict[str, Any] | None: ...
    def put(self, run_date: str, status: str, details: dict[str, Any]) -> None: ...


class Dispatcher(Protocol):
    def send(self, messages: list[dict[str, Any]]) -> None: ...


# -- dispatch: ledger, limiter, channels, links ---------------------------------------------


class DispatchLedger(Protocol):
    def claim(self, contact: Contact, now: dt.datetime, stale_before: dt.datetime) -> bool: ...
    def placed(self, contact: Contact, outcome: str, reference: str, now: dt.datetime) -> None: ...
    def unplaced(self, contact: Contact, reason: str) -> None: ...
    def state(self, key: str) -> Record | None: ...
    def attempt(self, key: str, attempt: int) -> Record | None: ...
    def ended(self, key: str, attempt: int, outcome: str, now: dt.datetime) -> bool: ...
    def settle(self, key: str, attempt: int) -> None: ...
    def finish(self, key: str, status: str, channel: str, now: dt.datetime) -> bool: ...
    def by_reference(self, reference: str) -> tuple[str, int] | None: ...


class RateLimiter(Protocol):
    def acquire(self, name: str, rate: Rate, now: float) -> float:
        """Take a token; 0.0, or the seconds to wait before trying again."""
        ...


class Deferrer(Protocol):
    def defer(self, message: dict[str, Any], until: dt.datetime, now: dt.datetime) -> None: ...


class Sms(Protocol):
    def send(self, phone: str, text: SmsText, policy: NotifyPolicy) -> str: ...


class Telephony(Protocol):
    def start_call(self, phone: str, attributes: dict[str, str], token: str) -> str: ...
    def describe(self, contact_id: str) -> dict[str, Any]: ...


class LinkIssuer(Protocol):
    def issue(
        self, contact: Contact, language: str, expires: dt.datetime, host: str | None = None
    ) -> str: ...


class LinkRedeemer(Protocol):
    def lookup(self, token: str) -> Record | None: ...
    def use(self, token_id: str, now: dt.datetime) -> bool: ...


# -- feedback ---------------------------------------------------------------------------------


class FeedbackStore(Protocol):
    def put_new(self, key: str, item: dict[str, Any]) -> bool:
        """Store the first answer for ``key``; False if one is there already."""
        ...

    def get(self, key: str) -> Record | None: ...
    def mark_published(self, key: str) -> None: ...


# -- escalation: cases, the state machine ----------------------------------------------------


class CaseStore(Protocol):
    def create(self, case: dict[str, Any]) -> bool: ...
    def get(self, case_id: str) -> Record | None: ...
    def assign(
        self, case_id: str, round_: int, fields: dict[str, Any], entry: dict[str, Any]
    ) -> bool: ...
    def set_wait(
        self, case_id: str, kind: str, round_: int, token: str, fields: dict[str, Any]
    ) -> Record | None: ...
    def set_signal(
        self, case_id: str, kind: str, round_: int, signal: dict[str, Any], entry: dict[str, Any]
    ) -> Record | None: ...
    def mark_delivered(self, case_id: str, kind: str, round_: int) -> None: ...
    def append(
        self, case_id: str, round_: int, fields: dict[str, Any], entry: dict[str, Any] | None
    ) -> bool: ...


class TaskTokens(Protocol):
    def send_success(self, token: str, output: dict[str, Any]) -> bool: ...
    def start(self, name: str, payload: dict[str, Any]) -> bool: ...


# -- reports: tallies, files, the reports topic ---------------------------------------------


class TallyStore(Protocol):
    def apply(self, update: TallyUpdate) -> bool:
        """Apply the increments unless ``update.identity`` was applied before; True if applied."""
        ...

    def apply_all(self, updates: Sequence[TallyUpdate]) -> list[bool]:
        """``apply`` for each update (one identity once, even within ``updates``), in as few
        writes as the store allows; True for each one applied."""
        ...

    def rows(self, partition: str, prefix: str = "") -> list[Record]:
        """A partition's items whose sort key starts with ``prefix`` (all by default)."""
        ...

    def overdue_cases(self) -> list[Record]: ...
    def first_time(self, identity: str) -> bool:
        """Record ``identity``; True the first time only."""
        ...


class ReportFiles(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> None: ...
    def link(self, key: str) -> str: ...


class Notifier(Protocol):
    def notify(self, subject: str, message: str) -> None: ...
