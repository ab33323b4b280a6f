"""Synthetic department visit files, deterministic from a seed.

``generate_visits`` builds one day of visits for every department, in each department's own
header spelling, date style and phone-writing habits, with a known share of realistic errors
(``SyntheticDay.injected`` is the ground truth). ``write_day`` writes them as the files a
department would upload. ``iter_visit_rows`` / ``write_bench_csv`` stream millions of rows for
benchmarks without holding them in memory.

Accounting: ``generate_visits(n, ...)`` makes ``n`` visits; every injected error except
``exact_duplicate`` corrupts one of those rows in place (at most one error per row), and every
``exact_duplicate`` adds one verbatim copy of a clean row, placed later in the same department
file. So ``total_rows == n + injected["exact_duplicate"]`` and
``sum(injected.values()) == round(n * error_rate)``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from samvad_dev.demo import catalog

Row = dict[str, Any]
Rows = Iterable[Mapping[str, Any]]

# Injected error kinds, with their relative frequency among injected errors.
ERROR_WEIGHTS: dict[str, int] = {
    "phone_short": 3,  # 9 digits
    "phone_landline": 2,  # 0674-2391234
    "phone_letters": 1,  # 98765O4321
    "phone_blank": 2,
    "date_impossible": 1,  # 31/02/2026
    "date_future": 1,  # 30+ days after the day
    "date_garbled": 2,  # 22.11.26, yesterday
    "office_blank": 1,
    "service_blank": 1,
    "exact_duplicate": 2,  # a clean row repeated verbatim later in the same file
}
INJECTED_KINDS: tuple[str, ...] = tuple(ERROR_WEIGHTS)
# What samvad.phones.normalise_indian_mobile answers for each injected phone error.
PHONE_PROBLEM_FOR: dict[str, str] = {
    "phone_short": "phone_wrong_length",
    "phone_landline": "phone_landline",
    "phone_letters": "phone_not_digits",
    "phone_blank": "phone_blank",
}
REPEAT_SHARE = 0.02  # share of visits made by a citizen who already visited another office today

DEFAULT_HEADER: dict[str, str] = {
    "visit_id": "Visit ID",
    "visit_date": "Visit Date",
    "citizen_name": "Citizen Name",
    "phone": "Mobile Number",
    "gender": "Gender",
    "age": "Age",
    "language": "Language",
    "service": "Service",
    "office_code": "Office Code",
    "office_name": "Office Name",
    "district": "District",
    "official_id": "Official ID",
}

# Each department's own column order and header spelling (all are aliases in intake.aliases).
_HEADERS: dict[str, dict[str, str]] = {
    "health": {
        "visit_id": "OPD No.", "visit_date": "Date of Visit", "citizen_name": "Patient Name",
        "age": "Age (Years)", "gender": "Sex", "phone": "Mobile No", "service": "Service",
        "office_code": "Hospital Code", "office_name": "Hospital Name", "district": "District",
        "official_id": "Doctor ID", "language": "Preferred Language",
    },
    "revenue": {
        "visit_id": "Application No.", "visit_date": "Date of Application",
        "citizen_name": "Applicant Name", "phone": "Applicant Mobile", "gender": "Gender",
        "age": "Age", "service": "Service Name", "office_code": "Tahasil Code",
        "office_name": "Tahasil", "district": "District Name", "official_id": "Officer ID",
        "language": "Language",
    },
    "police": {
        "visit_id": "Acknowledgement No.", "visit_date": "Visited On", "citizen_name": "Name",
        "gender": "Gender", "age": "Age", "phone": "Contact No.", "service": "Service Type",
        "office_code": "PS Code", "office_name": "Police Station", "district": "Dist",
        "official_id": "Attended By", "language": "Lang",
    },
    "panchayat": {  # a block office register kept in Odia
        "visit_date": "ତାରିଖ", "citizen_name": "ନାମ", "phone": "ମୋବାଇଲ ନମ୍ବର", "gender": "ଲିଙ୍ଗ",
        "age": "ବୟସ", "service": "ସେବା", "office_code": "Block Code", "office_name": "Block",
        "district": "ଜିଲ୍ଲା", "official_id": "Dealt By", "language": "ଭାଷା",
    },
    "food": {
        "visit_id": "Transaction ID", "visit_date": "Transaction Date",
        "citizen_name": "Beneficiary Name", "phone": "Mobile", "gender": "Gender",
        "age": "Age in Years", "service": "Scheme", "office_code": "Centre Code",
        "office_name": "Centre Name", "district": "District", "official_id": "Employee ID",
        "language": "Language",
    },
    "transport": {
        "visit_id": "Application ID", "visit_date": "Application Date",
        "citizen_name": "Applicant Name", "phone": "Mobile Number", "gender": "Gender",
        "age": "Age", "service": "Service", "office_code": "Office Code",
        "office_name": "Office Name", "district": "District", "official_id": "Emp ID",
        "language": "Language",
    },
    "energy": {
        "visit_id": "Reference No.", "visit_date": "Date of Service", "citizen_name": "Name",
        "phone": "Contact Number", "gender": "Gender", "age": "Age", "service": "Service Code",
        "office_code": "Office ID", "office_name": "Office Name", "district": "District",
        "official_id": "Staff ID", "language": "Language",
    },
    "housing": {
        "visit_date": "Visit Date", "citizen_name": "Citizen Name", "phone": "Citizen Mobile",
        "gender": "Gender", "age": "Age", "service": "Service", "office_code": "Office Code",
        "office_name": "Office Name", "district": "District", "official_id": "Official ID",
        "language": "Language",
    },
}  # fmt: skip

# Per department: usual date style, how gender is written (female, male), office hours in minutes.
_DATE_STYLE = {"health": "iso_time", "revenue": "dmy_dash", "police": "dmy_slash",
               "panchayat": "dmy_slash", "food": "iso_time", "transport": "iso",
               "energy": "dmy_dash", "housing": "dmy_slash"}  # fmt: skip
_DATE_STYLES = ("iso", "iso_time", "dmy_dash", "dmy_slash")
_GENDER_STYLE = {"health": ("F", "M"), "police": ("Female", "Male"), "revenue": ("Female", "Male"),
                 "transport": ("Female", "Male")}  # fmt: skip
_OTHER_GENDER_STYLE = {"F": "Female", "M": "Male", "Female": "F", "Male": "M"}
_HOURS = {"health": (8 * 60, 18 * 60), "police": (8 * 60, 21 * 60)}
_OFFICE_HOURS = (10 * 60, 17 * 60 + 30)
# Services that constrain who visits: (female only, minimum age, maximum age).
_SERVICE_PEOPLE = {"MATERNITY": (True, 19, 38), "PENSION": (False, 60, 90),
                   "DRIVING_LICENCE": (False, 18, 62), "LEARNER_LICENCE": (False, 18, 45),
                   "PASSPORT_VERIFICATION": (False, 18, 70)}  # fmt: skip
_DEFAULT_FORMATS = {"transport": "xlsx", "energy": "jsonl"}
_LOOKALIKE = {"0": "O", "1": "l", "5": "S", "8": "B"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_IMPOSSIBLE_DAYS = ((31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11))
_DEPARTMENTS = {d.code: d for d in catalog.DEPARTMENTS}


@dataclass(frozen=True, slots=True)
class Office:
    department: str
    office_code: str  # HLT-KHU-002
    office_name: str  # CHC Tangi, Khordha
    district: str
    official_ids: tuple[str, ...]  # OD-HLT-48213, ...
    weight: int = 1  # relative footfall: district population, x3 at the headquarters office


@dataclass
class SyntheticDay:
    """One day of visits, as department files, with the ground truth of what was injected."""

    rows_by_department: dict[str, list[Row]]
    injected: Counter[str]
    day: dt.date
    n: int = 0  # visits generated; total_rows adds the injected exact duplicates
    repeat_visits: int = 0  # visits by a citizen (same phone) already seen at another office
    # department -> row index in its file -> injected kind
    injected_at: dict[str, dict[int, str]] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(len(rows) for rows in self.rows_by_department.values())


class _Citizen(NamedTuple):
    name: str
    gender: str  # "F" / "M"
    age: int
    language: str  # "or", "hi", "en" or ""
    phone: str  # 10-digit national number


class _Visit(NamedTuple):
    department: str
    office: Office
    service: str
    minute: int  # minutes after midnight
    citizen: _Citizen


def header_for(department: str) -> dict[str, str]:
    """Canonical field → the header text this department's files use (in column order)."""
    try:
        return dict(_HEADERS[department])
    except KeyError:
        raise KeyError(f"unknown department {department!r}") from None


def build_offices(seed: int | str = 0) -> list[Office]:
    """Per department, 1–3 offices in each of Odisha's 30 districts; deterministic for a seed."""
    return list(_offices(seed))


def staff_directory(seed: int | str = 0) -> dict[str, dict[str, str]]:
    """Every office's officials as a directory lists them (a name and an e-mail), so the reports
    name people, not ids. Each name is drawn from its official's own id: the visits' random
    stream is left as it was."""
    staff = {}
    for office in _offices(seed):
        for official_id in office.official_ids:
            rng = random.Random(f"samvad-staff:{official_id}")
            first = rng.choice(catalog.ODIA_FEMALE + catalog.ODIA_MALE)
            staff[official_id] = {
                "name": f"{first} {rng.choice(catalog.ODIA_SURNAMES)}",
                "email": f"{official_id.lower()}@example.gov.in",
            }
    return staff


@functools.cache
def _offices(seed: int | str) -> tuple[Office, ...]:
    rng = random.Random(f"samvad-offices:{seed}")
    used_ids: set[str] = set()
    offices: list[Office] = []
    for dept in catalog.DEPARTMENTS:
        for district in catalog.DISTRICTS:
            count = rng.randint(1, 3)
            places = [district.places[0], *rng.sample(district.places[1:], count - 1)]
            for i, place in enumerate(places):
                template = dept.office_types[0] if i == 0 else rng.choice(dept.office_types[-2:])
                ids = []
                for _ in range(rng.randint(2, 4)):
                    official = f"OD-{dept.short}-{rng.randint(10000, 99999)}"
                    while official in used_ids:
                        official = f"OD-{dept.short}-{rng.randint(10000, 99999)}"
                    used_ids.add(official)
                    ids.append(official)
                offices.append(
                    Office(
                        department=dept.code,
                        office_code=f"{dept.short}-{district.code}-{i + 1:03d}",
                        office_name=template.format(place=place)
                        + ("" if place == district.name else f", {district.name}"),
                        district=district.name,
                        official_ids=tuple(ids),
                        weight=district.population_lakh * (3 if i == 0 else 1),
                    )
                )
    return tuple(offices)


@functools.cache
def _office_pools(seed: int | str) -> dict[str, tuple[list[Office], list[int]]]:
    """Department → (offices, cumulative footfall weights) for ``random.choices``."""
    pools: dict[str, tuple[list[Office], list[int]]] = {}
    for office in _offices(seed):
        offices, cum = pools.setdefault(office.department, ([], []))
        offices.append(office)
        cum.append((cum[-1] if cum else 0) + office.weight)
    return pools


# --- citizens, phones, dates ---------------------------------------------------------------


def _new_citizen(rng: random.Random, service: str, used_phones: set[str] | None) -> _Citizen:
    female_only, lo, hi = _SERVICE_PEOPLE.get(service, (False, 0, 0))
    r = rng.random()
    if r < 0.10:  # written in Odia (8%) or Devanagari (2%) script
        pool = catalog.ODIA_SCRIPT_NAMES if r < 0.08 else catalog.DEVANAGARI_NAMES
        if female_only:
            pool = tuple(p for p in pool if p[1] == "F")
        name, gender = rng.choice(pool)
        language = "or" if r < 0.08 else "hi"
    else:
        gender = "F" if female_only or rng.random() < 0.5 else "M"
        group = rng.random()
        if group < 0.78:
            given = catalog.ODIA_FEMALE if gender == "F" else catalog.ODIA_MALE
            surnames, langs = catalog.ODIA_SURNAMES, ("or",) * 16 + ("en",) * 3 + ("hi",)
        elif group < 0.90:
            given = catalog.TRIBAL_FEMALE if gender == "F" else catalog.TRIBAL_MALE
            surnames, langs = catalog.TRIBAL_SURNAMES, ("or",) * 9 + ("en",)
        else:
            given = catalog.HINDI_FEMALE if gender == "F" else catalog.HINDI_MALE
            surnames, langs = catalog.HINDI_SURNAMES, ("hi",) * 10 + ("en",) * 7 + ("or",) * 3
        first = rng.choice(given)
        if gender == "M" and group < 0.78 and rng.random() < 0.15:
            first += " Kumar"
        name = f"{first} {rng.choice(surnames)}"
        if rng.random() < 0.12:
            name = name.upper()  # registers kept in capitals
        language = rng.choice(langs)
    if rng.random() < 0.04:
        language = ""
    if lo:
        age = rng.randint(lo, hi)
    elif rng.random() < 0.12:
        age = rng.randint(1, 17)
    else:
        age = int(rng.triangular(18, 88, 34))
    return _Citizen(name, gender, age, language, _new_mobile(rng, used_phones))


def _new_mobile(rng: random.Random, used: set[str] | None) -> str:
    while True:
        number = f"{rng.choice(catalog.MOBILE_SERIES)}{rng.randrange(100_000_000):08d}"
        if used is None or number not in used:
            if used is not None:
                used.add(number)
            return number


def _write_phone(number: str, r: float) -> str:
    """One national number in the ways people write it; ``r`` in [0, 1) picks the way."""
    if r < 0.60:
        return number
    if r < 0.70:
        return f"+91 {number[:5]} {number[5:]}"
    if r < 0.78:
        return f"0{number[:5]}-{number[5:]}"
    if r < 0.86:
        return f"91-{number}"
    if r < 0.93:
        return f"{number[:5]} {number[5:]}"
    return f"+91{number}"


def _write_date(day: dt.date, minute: int, style: str) -> str:
    if style == "iso":
        return day.isoformat()
    if style == "iso_time":
        return f"{day.isoformat()} {minute // 60:02d}:{minute % 60:02d}"
    sep = "-" if style == "dmy_dash" else "/"
    return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"


def _corrupt(row: Row, kind: str, rng: random.Random, day: dt.date, style: str) -> None:
    """Inject one error of ``kind`` into ``row`` in place (not ``exact_duplicate``)."""
    if kind == "phone_short":
        digits = "".join(ch for ch in row["phone"] if ch.isdigit())[-10:]
        cut = rng.randrange(10)
        short = digits[:cut] + digits[cut + 1 :]
        row["phone"] = short if rng.random() < 0.7 else f"{short[:5]} {short[5:]}"
    elif kind == "phone_landline":
        std = rng.choice(catalog.STD_CODES)
        local = f"{rng.randint(2, 7)}{rng.randrange(10 ** (10 - len(std))):0{10 - len(std)}d}"
        row["phone"] = rng.choice((f"{std}-{local}", f"{std} {local}", f"({std}) {local}"))
    elif kind == "phone_letters":
        digits = "".join(ch for ch in row["phone"] if ch.isdigit())[-10:]
        at = rng.randrange(1, 10)
        row["phone"] = digits[:at] + _LOOKALIKE.get(digits[at], "O") + digits[at + 1 :]
    elif kind == "phone_blank":
        row["phone"] = rng.choice(("", "", " "))
    elif kind == "date_impossible":
        d, m = rng.choice(_IMPOSSIBLE_DAYS)
        if style.startswith("iso"):
            row["visit_date"] = f"{day.year}-{m:02d}-{d:02d}"
        else:
            sep = "-" if style == "dmy_dash" else "/"
            row["visit_date"] = f"{d:02d}{sep}{m:02d}{sep}{day.year}"
    elif kind == "date_future":
        future = day + dt.timedelta(days=rng.randint(30, 400))
        row["visit_date"] = _write_date(future, rng.randrange(10 * 60, 17 * 60), style)
    elif kind == "date_garbled":
        d, m, y = day.day, day.month, day.year
        row["visit_date"] = rng.choice(
            (
                f"{d:02d}.{m:02d}.{y % 100:02d}",
                f"{d:02d}.{m:02d}.{y}",
                f"{d} {_MONTHS[m - 1]} {y}",
                f"{y}/{m:02d}/{d:02d}",
                "yesterday",
            )
        )
    elif kind == "office_blank":
        row["office_code"] = ""
    elif kind == "service_blank":
        row["service"] = ""
    else:
        raise ValueError(f"unknown error kind {kind!r}")


def _apportion(total: int) -> list[str]:
    """``total`` injected kinds in proportion to ERROR_WEIGHTS (largest remainder)."""
    weight_sum = sum(ERROR_WEIGHTS.values())
    exact = {k: total * w / weight_sum for k, w in ERROR_WEIGHTS.items()}
    counts = {k: int(v) for k, v in exact.items()}
    by_remainder = sorted(exact, key=lambda k: (counts[k] - exact[k], INJECTED_KINDS.index(k)))
    for k in by_remainder[: total - sum(counts.values())]:
        counts[k] += 1
    return [k for k in INJECTED_KINDS for _ in range(counts[k])]


# --- one realistic day ---------------------------------------------------------------------


def generate_visits(
    n: int, *, seed: int | str, day: dt.date, error_rate: float = 0.03
) -> SyntheticDay:
    """``n`` visits on ``day`` across departments, with ``round(n * error_rate)`` injected errors.

    Rows carry canonical field names only (``visit_id`` where the department records one);
    what was injected, and where, is in the returned ``SyntheticDay``.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError("error_rate must be within [0, 1]")
    rng = random.Random(f"samvad-visits:{seed}:{day.isoformat()}")
    pools = _office_pools(seed)
    dept_codes = [d.code for d in catalog.DEPARTMENTS]
    dept_cum = []
    for d in catalog.DEPARTMENTS:
        dept_cum.append((dept_cum[-1] if dept_cum else 0) + d.weight)

    def pick_office() -> tuple[str, Office]:
        code = rng.choices(dept_codes, cum_weights=dept_cum)[0]
        offices, cum = pools[code]
        return code, rng.choices(offices, cum_weights=cum)[0]

    def pick_minute(code: str) -> int:
        start, end = _HOURS.get(code, _OFFICE_HOURS)
        return int(rng.triangular(start, end, start + (end - start) * 0.3))

    used_phones: set[str] = set()
    n_repeat = int(n * REPEAT_SHARE)
    visits: list[_Visit] = []
    for _ in range(n - n_repeat):
        code, office = pick_office()
        service = rng.choice(_DEPARTMENTS[code].services)[0]
        citizen = _new_citizen(rng, service, used_phones)
        visits.append(_Visit(code, office, service, pick_minute(code), citizen))
    for first in rng.sample(visits, n_repeat):
        while True:  # same citizen, another office or service, one without age/sex limits
            code, office = pick_office()
            service = rng.choice(_DEPARTMENTS[code].services)[0]
            same = office == first.office and service == first.service
            if service not in _SERVICE_PEOPLE and not same:
                break
        visits.append(_Visit(code, office, service, pick_minute(code), first.citizen))

    rows_by_department: dict[str, list[Row]] = {}
    by_department: dict[str, list[_Visit]] = {}
    for visit in visits:
        by_department.setdefault(visit.department, []).append(visit)
    for code in dept_codes:  # registers are in time order
        if code in by_department:
            ordered = sorted(by_department[code], key=lambda v: (v.minute, v.office.office_code))
            rows_by_department[code] = _format_rows(code, ordered, rng, day)

    # Errors: corrupt distinct rows in place, then add verbatim copies of clean rows.
    kinds = _apportion(round(n * error_rate))
    rng.shuffle(kinds)
    duplicates = kinds.count("exact_duplicate")
    corrupting = [k for k in kinds if k != "exact_duplicate"]
    slots = [(code, i) for code, rows in rows_by_department.items() for i in range(len(rows))]
    targets = rng.sample(slots, len(corrupting))
    kind_at: dict[tuple[str, int], str] = {}
    for (code, i), kind in zip(targets, corrupting, strict=True):
        _corrupt(rows_by_department[code][i], kind, rng, day, _DATE_STYLE[code])
        kind_at[(code, i)] = kind
    clean = [slot for slot in slots if slot not in kind_at]
    copies_after: dict[tuple[str, int], list[int]] = {}
    for code, i in rng.sample(clean, duplicates):
        later = rng.randint(i, min(i + 40, len(rows_by_department[code]) - 1))
        copies_after.setdefault((code, later), []).append(i)

    injected_at: dict[str, dict[int, str]] = {}
    for code, rows in rows_by_department.items():
        final: list[Row] = []
        where = injected_at.setdefault(code, {})
        for i, row in enumerate(rows):
            if (code, i) in kind_at:
                where[len(final)] = kind_at[(code, i)]
            final.append(row)
            for source in copies_after.get((code, i), ()):
                where[len(final)] = "exact_duplicate"
                final.append(dict(rows[source]))
        rows_by_department[code] = final
    return SyntheticDay(
        rows_by_department=rows_by_department,
        injected=Counter(kinds),
        day=day,
        n=n,
        repeat_visits=n_repeat,
        injected_at=injected_at,
    )


def _format_rows(code: str, visits: list[_Visit], rng: random.Random, day: dt.date) -> list[Row]:
    header = _HEADERS[code]
    style = _DATE_STYLE[code]
    female, male = _GENDER_STYLE.get(code, ("F", "M"))
    ymd = day.strftime("%Y%m%d")
    serial = rng.randint(1000, 40000)  # the day's first receipt / registration number
    rows = []
    for visit in visits:
        c = visit.citizen
        office = visit.office
        date_style = style if rng.random() < 0.92 else rng.choice(_DATE_STYLES)
        gender = female if c.gender == "F" else male
        g = rng.random()
        if g < 0.05:
            gender = ""
        elif g < 0.08:  # another clerk's habit
            gender = _OTHER_GENDER_STYLE[gender]
        row: Row = {
            "service": visit.service,
            "office_code": office.office_code,
            "office_name": office.office_name,
            "district": office.district,
            "official_id": rng.choice(office.official_ids),
            "visit_date": _write_date(day, visit.minute, date_style),
            "citizen_name": c.name,
            "phone": _write_phone(c.phone, rng.random()),
            "gender": gender,
            "age": "" if rng.random() < 0.06 else c.age,
            "language": c.language,
        }
        if "visit_id" in header:
            serial += 1
            row["visit_id"] = _visit_id(code, office, day, ymd, serial)
        rows.append({key: row[key] for key in header})
    return rows


def _visit_id(code: str, office: Office, day: dt.date, ymd: str, serial: int) -> str:
    if code == "health":
        return f"{office.office_code}/{day.year}/{serial:06d}"
    if code == "police":
        return f"ACK/{office.office_code[4:7]}/{day.year}/{serial:05d}"
    prefix = {"revenue": "OD", "food": "TXN", "transport": "TRN", "energy": "TP"}.get(code, "V")
    return f"{prefix}{ymd}{serial:06d}"


# --- writers -------------------------------------------------------------------------------


def write_csv(
    path: str | Path, rows: Rows, headers: Mapping[str, str], *, encoding: str = "utf-8"
) -> int:
    """Stream ``rows`` (canonical keys) to CSV under ``headers``; returns rows written."""
    keys = tuple(headers)
    if not keys:
        raise ValueError("headers must name at least one column")
    get_all = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    count = 0
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(headers.values())
        writerow = writer.writerow
        for row in rows:
            try:
                writerow(get_all(row))  # fast path: the row has every column
            except KeyError:
                writerow([row.get(k, "") for k in keys])
            count += 1
    return count


def write_jsonl(path: str | Path, rows: Rows, headers: Mapping[str, str]) -> int:
    """One JSON object per line, keyed by the header texts; returns rows written."""
    pairs = tuple(headers.items())
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            record = {text: row.get(k, "") for k, text in pairs}
            fh.write(json.dumps(record, ensure_ascii=False))
            fh.write("\n")
            count += 1
    return count


def write_xlsx(path: str | Path, rows: Rows, headers: Mapping[str, str]) -> int:
    """A write-only (streaming) workbook, one sheet; blank values become empty cells."""
    from openpyxl import Workbook

    keys = tuple(headers)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Visits")
    sheet.append(list(headers.values()))
    count = 0
    for row in rows:
        sheet.append([None if (v := row.get(k, "")) == "" else v for k in keys])
        count += 1
    workbook.save(path)
    return count


_WRITERS = {"csv": write_csv, "jsonl": write_jsonl, "xlsx": write_xlsx}


def write_day(
    day: SyntheticDay, out_dir: str | Path, formats: dict[str, str] | None = None
) -> list[tuple[str, Path]]:
    """One file per department, ``<department>-<YYYY-MM-DD>.<ext>``.

    ``formats`` maps department → ``csv`` / ``jsonl`` / ``xlsx`` on top of the default mix
    (CSV, with transport as XLSX and energy as JSONL).
    """
    chosen = {**_DEFAULT_FORMATS, **(formats or {})}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for code, rows in day.rows_by_department.items():
        ext = chosen.get(code, "csv")
        if ext not in _WRITERS:
            raise ValueError(f"unknown format {ext!r} for {code}")
        path = out / f"{code}-{day.day.isoformat()}.{ext}"
        _WRITERS[ext](path, rows, header_for(code))
        written.append((code, path))
    return written


# --- benchmark stream ----------------------------------------------------------------------

_CHUNK = 4096


def iter_visit_rows(
    n: int, *, seed: int | str, day: dt.date, error_rate: float = 0.0
) -> Iterator[Row]:
    """Lazily yield ``n`` canonical rows (all departments mixed), cheap enough for 10⁶ rows.

    Pools of citizens, offices and date strings are built once; each row is a few indexed
    picks. With ``error_rate`` a row is corrupted (any kind; ``exact_duplicate`` repeats the
    previous row) with that probability, so the count stays ``n``.
    """
    rng = random.Random(f"samvad-bench:{seed}:{day.isoformat()}")
    offices: list[Office] = []
    cum: list[float] = []
    services: dict[str, tuple[str, ...]] = {}
    for dept in catalog.DEPARTMENTS:
        dept_offices, dept_cum = _office_pools(seed)[dept.code]
        services[dept.code] = tuple(code for code, _ in dept.services)
        for office in dept_offices:
            offices.append(office)
            cum.append((cum[-1] if cum else 0.0) + office.weight * dept.weight / dept_cum[-1])
    office_pool = [
        (o, services[o.department], o.official_ids, len(o.official_ids)) for o in offices
    ]
    citizens = [_new_citizen(rng, "", None) for _ in range(2048)]
    people = [(c.name, c.gender, c.age, c.language) for c in citizens]
    dates = [_write_date(day, m, s) for s in _DATE_STYLES for m in range(8 * 60, 20 * 60, 7)]
    series = catalog.MOBILE_SERIES
    ymd = day.strftime("%Y%m%d")
    kinds = [k for k, w in ERROR_WEIGHTS.items() for _ in range(w)]
    random_ = rng.random
    choices = rng.choices
    previous: Row | None = None
    done = 0
    while done < n:
        size = min(_CHUNK, n - done)
        picked_offices = choices(office_pool, cum_weights=cum, k=size)
        picked_people = choices(people, k=size)
        picked_dates = choices(dates, k=size)
        picked_series = choices(series, k=size)
        for j in range(size):
            office, office_services, ids, n_ids = picked_offices[j]
            name, gender, age, language = picked_people[j]
            number = f"{picked_series[j]}{int(random_() * 100_000_000):08d}"
            row = {
                "visit_id": f"V{ymd}{done + j:09d}",
                "visit_date": picked_dates[j],
                "citizen_name": name,
                "phone": _write_phone(number, random_()),
                "gender": gender,
                "age": age,
                "language": language,
                "service": office_services[int(random_() * len(office_services))],
                "office_code": office.office_code,
                "office_name": office.office_name,
                "district": office.district,
                "official_id": ids[int(random_() * n_ids)],
            }
            if error_rate and random_() < error_rate:
                kind = kinds[int(random_() * len(kinds))]
                if kind == "exact_duplicate":
                    if previous is not None:
                        row = dict(previous)
                else:
                    _corrupt(row, kind, rng, day, "dmy_slash")
            previous = row
            yield row
        done += size


def write_bench_csv(
    path: str | Path, n: int, seed: int | str, day: dt.date, *, error_rate: float = 0.0
) -> int:
    """``n`` rows of ``iter_visit_rows`` to one CSV with the default English header."""
    rows = iter_visit_rows(n, seed=seed, day=day, error_rate=error_rate)
    return write_csv(path, rows, DEFAULT_HEADER)
