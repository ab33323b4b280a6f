"""Turn one record into a ``Visit`` or a ``Rejection`` that says why.

Required: phone, visit date, office code, service. Optional fields that hold something
unrecognisable are dropped with a warning (counted in the intake report), never a rejection:
a citizen is still worth asking even if their age was mistyped.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from samvad import phones
from samvad.intake import dates
from samvad.keyed import keyed_states, sha256
from samvad.problems import Problem
from samvad.sampling.scores import SCORE_HEX, Scorer, sample_partition, stratum_of

VISIT_KEY_VERSION = "v1"
MAX_TEXT = 200

OFFICE_BLANK = Problem("office_code_blank", "office code is blank")
OFFICE_INVALID = Problem(
    "office_code_invalid", "office code may only hold letters, digits and - _ / . (max 64)"
)
OFFICE_UNKNOWN = Problem(
    "office_unknown", "office code is not one of the department's offices in the directory"
)
SERVICE_BLANK = Problem("service_blank", "service is blank")
SERVICE_TOO_LONG = Problem("service_too_long", f"service is longer than {MAX_TEXT} characters")
DATE_FUTURE = Problem("date_future", "visit date is in the future")
DATE_TOO_OLD = Problem("date_too_old", "visit date is older than the retention period")
DEPARTMENT_MISMATCH = Problem(
    "department_mismatch", "department column does not match the upload folder"
)
VISIT_ID_TOO_LONG = Problem("visit_id_too_long", "visit id is longer than 100 characters")

_OFFICE_CODE = re.compile(r"[A-Z0-9][A-Z0-9_./-]{0,63}")

GENDERS = {
    "m": "M", "male": "M", "man": "M", "पुरुष": "M", "ପୁରୁଷ": "M",
    "f": "F", "female": "F", "woman": "F", "महिला": "F", "ମହିଳା": "F",
    "o": "X", "other": "X", "t": "X", "tg": "X", "transgender": "X", "x": "X",
}  # fmt: skip
LANGUAGES = {
    "or": "or", "od": "or", "ori": "or", "odia": "or", "oriya": "or", "ଓଡ଼ିଆ": "or", "ଓଡିଆ": "or",
    "hi": "hi", "hin": "hi", "hindi": "hi", "हिन्दी": "hi", "हिंदी": "hi",
    "en": "en", "eng": "en", "english": "en",
}  # fmt: skip
AGE_BANDS = ((17, "0-17"), (25, "18-25"), (35, "26-35"), (45, "36-45"), (60, "46-60"), (120, "61+"))
_AGE_LOOKUP = {
    **{name: name for _, name in AGE_BANDS},
    **{str(years): next(n for limit, n in AGE_BANDS if years <= limit) for years in range(121)},
}


@dataclass(frozen=True)
class IntakePolicy:
    """What one upload is checked against."""

    department: str
    today: dt.date
    retention_days: int = 400
    default_language: str = "or"
    offices: frozenset[str] | None = None  # the directory's offices; None: not checked

    @property
    def oldest_allowed(self) -> dt.date:
        return self.today - dt.timedelta(days=self.retention_days)


@dataclass(frozen=True)
class Source:
    """Where rows come from: every visit remembers its upload and row."""

    upload_id: str
    ingested_at: str  # ISO 8601 UTC


@dataclass(slots=True)
class Visit:
    visit_key: str
    row: int
    department: str
    service: str
    office_code: str
    visit_date: str
    phone: str
    phone_hash: str
    language: str
    expires_at: int
    visit_time: str = ""
    office_name: str = ""
    district: str = ""
    official_id: str = ""
    citizen_name: str = ""
    gender: str = ""
    age_band: str = ""
    visit_id: str = ""
    sample_score: str = ""

    @property
    def stratum(self) -> str:
        return stratum_of(self.department, self.service, self.office_code)

    def to_item(self, source: Source) -> dict[str, dict[str, str]]:
        """The DynamoDB item, in the low-level attribute-value format, blanks left out.

        Written out field by field: this runs for every accepted row, and a loop over the
        optional fields costs twice as much (``samvad bench intake``)."""
        stratum = stratum_of(self.department, self.service, self.office_code)
        item = {
            "visit_key": {"S": self.visit_key},
            "department": {"S": self.department},
            "service": {"S": self.service},
            "office_code": {"S": self.office_code},
            "visit_date": {"S": self.visit_date},
            "phone": {"S": self.phone},
            "phone_hash": {"S": self.phone_hash},
            "language": {"S": self.language},
            "source_upload": {"S": source.upload_id},
            "source_row": {"N": str(self.row)},
            "ingested_at": {"S": source.ingested_at},
            "expires_at": {"N": str(self.expires_at)},
            # the sparse sampling index: partition = stratum-day, ordered by the keyed score
            "sample_pk": {"S": sample_partition(stratum, self.visit_date)},
            "sample_score": {"S": self.sample_score},
        }
        # the optional fields (OPTIONAL_FIELDS), each only when it holds something
        if self.visit_time:
            item["visit_time"] = {"S": self.visit_time}
        if self.office_name:
            item["office_name"] = {"S": self.office_name}
        if self.district:
            item["district"] = {"S": self.district}
        if self.official_id:
            item["official_id"] = {"S": self.official_id}
        if self.citizen_name:
            item["citizen_name"] = {"S": self.citizen_name}
        if self.gender:
            item["gender"] = {"S": self.gender}
        if self.age_band:
            item["age_band"] = {"S": self.age_band}
        if self.visit_id:
            item["visit_id"] = {"S": self.visit_id}
        return item


OPTIONAL_FIELDS = (
    "visit_time", "office_name", "district", "official_id", "citizen_name", "gender",
    "age_band", "visit_id",
)  # fmt: skip


@dataclass(slots=True)
class Rejection:
    row: int
    problem: Problem
    cells: list = field(default_factory=list)
    raw: str | None = None
    sheet: str | None = None


class _Memo(dict):
    """``memo[raw]`` computes ``compute(raw)`` once per distinct value (up to ``limit``).

    A day's file repeats a handful of dates, offices and services thousands of times; a
    dict hit is far cheaper than re-parsing.
    """

    def __init__(self, compute: Callable[[Any], Any], limit: int = 50_000) -> None:
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, raw: Any) -> Any:
        value = self._compute(raw)
        if len(self) < self._limit:
            self[raw] = value
        return value


_UNRECOGNISED = object()


class RowValidator:
    """Validates records of one upload; counts dropped optional values in ``warnings``."""

    def __init__(
        self,
        columns: dict[str, int],
        header_width: int,
        policy: IntakePolicy,
        hash_key: bytes,
        sampling_key: bytes,
    ):
        """``columns`` maps canonical fields to cell indexes in a header ``header_width`` wide.

        A field the header lacks reads cell ``header_width``: every row is padded to reach it,
        and a row with anything in the cells past its header is rejected before it gets here.
        """
        self._policy = policy
        inner, outer = keyed_states(hash_key)  # as ``PhoneHasher``, inlined in ``__call__``
        self._hash_inner, self._hash_outer = inner.copy, outer.copy
        self._score = Scorer(sampling_key)
        self._width = max(header_width, max(columns.values(), default=-1) + 1)
        blank = self._width
        self._fields = operator.itemgetter(*(columns.get(name, blank) for name in _FIELDS))
        self._no_time = "visit_time" not in columns
        self._pad = [""] * (self._width + 1)
        self.warnings: Counter[str] = Counter()
        self._department = policy.department
        self._ttl_seconds = policy.retention_days * 86400
        self._dates = _Memo(lambda raw: self._check_date((raw, "")))  # no time column
        self._dates_times = _Memo(self._check_date)
        self._offices = _Memo(
            _check_office if policy.offices is None else _known_office(policy.offices)
        )
        self._services = _Memo(_check_service)
        self._places = _Memo(lambda raw: tuple(map(_text, raw)))
        self._profiles = _Memo(self._profile)

    def __call__(self, number: int, cells: list) -> Visit | Rejection:
        width = self._width
        if len(cells) == width:
            row = [*cells, ""]  # the blank cell that missing fields read
        elif len(cells) < width:
            row = cells + self._pad[len(cells) :]
        else:
            row = cells  # extra cells are blank, or the reader rejected the row
        (
            dept,
            raw_phone,
            raw_date,
            raw_time,
            raw_office,
            raw_service,
            raw_visit_id,
            raw_language,
            raw_office_name,
            raw_district,
            raw_official,
            raw_citizen,
            raw_gender,
            raw_age,
        ) = self._fields(row)  # one C call, not fourteen subscripts (every row runs this)
        if dept and dept.strip() and dept.strip().casefold() != self._department:
            return Rejection(
                number,
                DEPARTMENT_MISMATCH.with_detail(f"{dept.strip()!r} is not {self._department!r}"),
                cells,
            )
        phone = phones.normalise_indian_mobile(raw_phone)
        if isinstance(phone, Problem):
            return Rejection(number, phone, cells)
        when = self._dates[raw_date] if self._no_time else self._dates_times[raw_date, raw_time]
        if isinstance(when, Problem):
            return Rejection(number, when, cells)
        office = self._offices[raw_office]
        if isinstance(office, Problem):
            return Rejection(number, office, cells)
        services = self._services[raw_service]
        if isinstance(services, Problem):
            return Rejection(number, services, cells)
        service, folded_service = services
        visit_id = raw_visit_id.strip()
        if len(visit_id) > 100:
            return Rejection(number, VISIT_ID_TOO_LONG, cells)

        iso_day, clock, expires_at, time_ok, score_inner, score_outer = when
        if not time_ok:
            self.warnings["time_unrecognised"] += 1
        language, gender, age_band, unrecognised = self._profiles[raw_language, raw_gender, raw_age]
        if unrecognised:
            self.warnings.update(unrecognised)
        # the phone's keyed hash (``PhoneHasher``), written out: one call fewer per row
        state = self._hash_inner()
        state.update(phone.encode())
        mac = self._hash_outer()
        mac.update(state.digest())
        hashed = mac.digest()[:16].hex()
        if visit_id:
            identity = f"{VISIT_KEY_VERSION}|id|{self._department}|{visit_id}"
        else:
            identity = (
                f"{VISIT_KEY_VERSION}|row|{self._department}|{folded_service}|"
                f"{office}|{iso_day}|{clock}|{hashed}"
            )
        visit_key = sha256(identity.encode()).hexdigest()[:32]
        office_name, district, official = self._places[raw_office_name, raw_district, raw_official]
        citizen = raw_citizen.strip()
        if len(citizen) > MAX_TEXT or "  " in citizen or "\n" in citizen or "\t" in citizen:
            citizen = _text(citizen)
        # the keyed score (``Scorer``) with the day's states, written out
        state = score_inner()
        state.update(visit_key.encode())
        mac = score_outer()
        mac.update(state.digest())
        return Visit(
            visit_key,
            number,
            self._department,
            service,
            office,
            iso_day,
            phone,
            hashed,
            language,
            expires_at,
            clock,
            office_name,
            district,
            official,
            citizen,
            gender,
            age_band,
            visit_id,
            mac.digest()[: SCORE_HEX // 2].hex(),
        )

    def _profile(self, raw: tuple[str, str, str]) -> tuple[str, str, str, tuple[str, ...]]:
        """(language, gender, age band, the warnings for what was unrecognised and dropped)."""
        language = _lookup(LANGUAGES, raw[0], self._policy.default_language)
        gender = _lookup(GENDERS, raw[1], "")
        age_band = _lookup(_AGE_LOOKUP, raw[2].replace(" ", "").removesuffix(".0"), "")
        unrecognised = []
        if language is _UNRECOGNISED:
            unrecognised.append("language_unrecognised")
            language = self._policy.default_language
        if gender is _UNRECOGNISED:
            unrecognised.append("gender_unrecognised")
            gender = ""
        if age_band is _UNRECOGNISED:
            unrecognised.append("age_unrecognised")
            age_band = ""
        return language, gender, age_band, tuple(unrecognised)

    def _check_date(
        self, raw: tuple[str, str]
    ) -> tuple[str, str, int, bool, Callable[[], Any], Callable[[], Any]] | Problem:
        """(ISO day, HH:MM:SS or "", TTL epoch, whether a separate time cell was readable, and
        the day's two keyed score states' ``copy``)."""
        date_text, time_text = raw
        when = dates.parse_visit_datetime(date_text)
        if isinstance(when, Problem):
            return when
        time_ok = True
        if isinstance(when, dt.datetime):
            day, clock = when.date(), when.strftime("%H:%M:%S")
        else:
            day, clock = when, ""
            if time_text.strip():
                parsed = dates.parse_time(time_text)
                time_ok = parsed is not None
                clock = parsed.strftime("%H:%M:%S") if parsed else ""
        if day > self._policy.today:
            return DATE_FUTURE.with_detail(day.isoformat())
        if day < self._policy.oldest_allowed:
            return DATE_TOO_OLD.with_detail(day.isoformat())
        iso_day = day.isoformat()
        inner, outer = self._score.states_for(iso_day)  # the day's scorer, inlined per row
        return iso_day, clock, _epoch(day) + self._ttl_seconds, time_ok, inner.copy, outer.copy


def _lookup(table: dict[str, str], raw: str, blank: str) -> Any:
    """A known value's code, ``blank`` for an empty cell, ``_UNRECOGNISED`` otherwise."""
    text = raw.strip()
    if not text:
        return blank
    found = table.get(text) or table.get(text.casefold())
    return _UNRECOGNISED if found is None else found


def _check_office(raw: str) -> str | Problem:
    office = raw.strip().upper()
    if not office:
        return OFFICE_BLANK
    if not _OFFICE_CODE.fullmatch(office):
        return OFFICE_INVALID
    return office


def _known_office(offices: frozenset[str]) -> Callable[[str], str | Problem]:
    """``_check_office``, and then: is it one of the directory's offices?"""

    def check(raw: str) -> str | Problem:
        office = _check_office(raw)
        if isinstance(office, str) and office not in offices:
            return OFFICE_UNKNOWN.with_detail(office)
        return office

    return check


def _check_service(raw: str) -> tuple[str, str] | Problem:
    """(the service, case-folded for the visit key)."""
    service = _text(raw)
    if not service:
        return SERVICE_BLANK
    if len(service) >= MAX_TEXT:
        return SERVICE_TOO_LONG
    return service, service.casefold()


_FIELDS = (
    "department", "phone", "visit_date", "visit_time", "office_code", "service", "visit_id",
    "language", "office_name", "district", "official_id", "citizen_name", "gender", "age",
)  # fmt: skip
_EPOCH = dt.date(1970, 1, 1)


def _epoch(day: dt.date) -> int:
    return (day - _EPOCH).days * 86400


def _text(raw: str) -> str:
    """Trimmed, inner runs of white space collapsed, at most ``MAX_TEXT`` characters."""
    text = raw.strip()
    if "  " in text or "\n" in text or "\t" in text:
        text = " ".join(text.split())
    return text[:MAX_TEXT]
