"""Synthetic visit generator: determinism, accounting, ground truth, headers and writers."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import itertools
import json
import random
import re
from collections import Counter

import pytest
from openpyxl import load_workbook

from samvad.intake import aliases
from samvad.intake.dates import parse_visit_datetime
from samvad.phones import normalise_indian_mobile
from samvad_dev.demo import catalog, synthetic
from samvad_dev.demo.synthetic import (
    DEFAULT_HEADER,
    INJECTED_KINDS,
    PHONE_PROBLEM_FOR,
    build_offices,
    generate_visits,
    header_for,
    iter_visit_rows,
    write_bench_csv,
    write_csv,
    write_day,
    write_jsonl,
    write_xlsx,
)

DAY = dt.date(2026, 11, 22)
N = 4000
DEPARTMENTS = [d.code for d in catalog.DEPARTMENTS]


@pytest.fixture(scope="module")
def day() -> synthetic.SyntheticDay:
    return generate_visits(N, seed=42, day=DAY, error_rate=0.03)


def _problem(result: object) -> str | None:
    """The problem code of a parse/normalise result, or None when it succeeded."""
    return None if isinstance(result, str | dt.date) else result.code


def _rows_with_kind(day: synthetic.SyntheticDay):
    for code, rows in day.rows_by_department.items():
        where = day.injected_at[code]
        for i, row in enumerate(rows):
            yield code, row, where.get(i)


def test_catalog_has_the_30_districts_and_realistic_departments():
    """Given the catalog
    When its districts and departments are listed
    Then there are 30 districts with unique 3-letter codes and 8 departments of 3–6 services."""
    assert len(catalog.DISTRICTS) == 30
    codes = [d.code for d in catalog.DISTRICTS]
    assert len(set(codes)) == 30 and all(re.fullmatch(r"[A-Z]{3}", c) for c in codes)
    assert {"Khordha", "Cuttack", "Ganjam", "Mayurbhanj", "Sundargarh"} <= {
        d.name for d in catalog.DISTRICTS
    }
    assert len(catalog.DEPARTMENTS) == 8
    assert len({d.short for d in catalog.DEPARTMENTS}) == 8
    for dept in catalog.DEPARTMENTS:
        assert 3 <= len(dept.services) <= 6


def test_offices_are_deterministic_and_cover_every_district():
    """Given a seed
    When offices are built twice (and once with another seed)
    Then the lists are equal for the seed, and each department has 1–3 offices per district
    with well-formed codes and 2–4 unique official ids."""
    offices = build_offices(5)
    assert offices == build_offices(5)
    assert offices != build_offices(6)
    per = Counter((o.department, o.district) for o in offices)
    assert len(per) == 8 * 30 and set(per.values()) <= {1, 2, 3}
    official_ids = [i for o in offices for i in o.official_ids]
    assert len(official_ids) == len(set(official_ids))
    assert len({o.office_code for o in offices}) == len(offices)
    for office in offices:
        assert re.fullmatch(r"[A-Z]{3}-[A-Z]{3}-00[1-3]", office.office_code)
        assert 2 <= len(office.official_ids) <= 4
        assert all(re.fullmatch(r"OD-[A-Z]{3}-\d{5}", i) for i in office.official_ids)


def test_staff_directory_names_every_official_the_offices_have():
    """Given a seed's offices
    When the staff directory is built (twice)
    Then every official id is named (a first name and an Odia surname) with an e-mail, the
    same each time, and the escalation directory's validator accepts it."""
    from samvad.escalation.directory import validate

    staff = synthetic.staff_directory(5)
    assert staff == synthetic.staff_directory(5)
    ids = {i for o in build_offices(5) for i in o.official_ids}
    assert set(staff) == ids
    for official_id, entry in staff.items():
        first, surname = entry["name"].rsplit(" ", 1)
        assert first in catalog.ODIA_FEMALE + catalog.ODIA_MALE
        assert surname in catalog.ODIA_SURNAMES
        assert entry["email"] == f"{official_id.lower()}@example.gov.in"
    assert validate({"officials": staff, "cm_office": next(iter(staff))}) == []


def test_every_day_of_a_seed_names_the_same_offices_staff():
    """Given a seed (the week's demo generates each day with it)
    When two different days are generated
    Then the visits differ, and every official they name is in the seed's staff directory
    (the reports can name everyone, and an office keeps its name from day to day)."""
    staff = synthetic.staff_directory(7)
    days = [generate_visits(200, seed=7, day=DAY + dt.timedelta(days=k)) for k in (0, 3)]
    assert days[0].rows_by_department != days[1].rows_by_department
    named = {row["official_id"] for d in days for rows in d.rows_by_department.values()
             for row in rows if row.get("official_id")}  # fmt: skip
    assert named and named <= set(staff)


def test_generate_visits_is_deterministic_for_a_seed(day):
    """Given the same n, seed and day
    When visits are generated again (and with another seed)
    Then rows and ground truth are identical for the seed and differ for another."""
    again = generate_visits(N, seed=42, day=DAY, error_rate=0.03)
    assert again.rows_by_department == day.rows_by_department
    assert again.injected == day.injected and again.injected_at == day.injected_at
    other = generate_visits(N, seed=43, day=DAY, error_rate=0.03)
    assert other.rows_by_department != day.rows_by_department


def test_row_accounting_is_n_plus_exact_duplicates(day):
    """Given a generated day
    When rows and injected errors are counted
    Then total rows = n + exact duplicates, injected errors = round(n * error_rate) over every
    kind, and the per-row ground truth matches the counter."""
    assert day.n == N
    assert day.total_rows == N + day.injected["exact_duplicate"]
    assert sum(day.injected.values()) == round(N * 0.03)
    assert set(day.injected) == set(INJECTED_KINDS)
    located = Counter(kind for _, _, kind in _rows_with_kind(day) if kind)
    assert located == day.injected
    assert generate_visits(0, seed=1, day=DAY).total_rows == 0


def test_departments_are_weighted_and_rows_use_canonical_fields(day):
    """Given a generated day
    When rows are inspected
    Then health and revenue are busiest, each row has exactly its department's canonical
    fields, and gender, age and language take their allowed forms (mostly Odia)."""
    sizes = {code: len(rows) for code, rows in day.rows_by_department.items()}
    assert set(sizes) == set(DEPARTMENTS)
    assert sorted(sizes, key=sizes.get)[-2:] == ["revenue", "health"]
    languages = Counter()
    for code, row, _ in _rows_with_kind(day):
        assert list(row) == list(header_for(code))
        assert set(row) <= set(aliases.CANONICAL_FIELDS)
        assert row["gender"] in {"M", "F", "Male", "Female", ""}
        assert row["age"] == "" or (isinstance(row["age"], int) and 0 < row["age"] < 100)
        assert row["language"] in {"or", "hi", "en", ""}
        languages[row["language"]] += 1
        if row["service"] == "MATERNITY":
            assert row["gender"] in {"F", "Female", ""}
    assert languages["or"] > 0.6 * day.total_rows
    assert "visit_id" in header_for("health") and "visit_id" not in header_for("housing")


def test_mobile_series_fully_match_libphonenumber():
    """Given the mobile series the generator draws from
    When any 8 trailing digits are appended
    Then normalise_indian_mobile accepts every number."""
    rng = random.Random(0)
    for series in catalog.MOBILE_SERIES:
        tails = [0, 99_999_999, *(rng.randrange(100_000_000) for _ in range(1500))]
        for tail in tails:
            assert normalise_indian_mobile(f"{series}{tail:08d}") == f"+91{series}{tail:08d}"


def test_landline_std_codes_are_classified_as_landlines():
    """Given Odisha STD codes and 2–7 leading local digits
    When such numbers are normalised
    Then every one is a landline, not a mobile."""
    rng = random.Random(1)
    for std in catalog.STD_CODES:
        width = 10 - len(std)
        for _ in range(500):
            number = f"{std}-{rng.randint(2, 7)}{rng.randrange(10**width):0{width}d}"
            assert _problem(normalise_indian_mobile(number)) == "phone_landline"


def test_every_clean_phone_normalises_and_injected_ones_fail_as_expected(day):
    """Given a day with injected phone errors
    When every row's phone is normalised
    Then phones not injected give +91 mobiles and each injected one gives its PhoneProblem."""
    forms = Counter()
    for _, row, kind in _rows_with_kind(day):
        result = normalise_indian_mobile(row["phone"])
        if kind in PHONE_PROBLEM_FOR:
            assert _problem(result) == PHONE_PROBLEM_FOR[kind], (kind, row["phone"])
        else:
            assert _problem(result) is None and re.fullmatch(r"\+91[6-9]\d{9}", result), row
            forms[re.sub(r"\d", "9", row["phone"])] += 1
    assert {"9999999999", "+99 99999 99999", "999999-99999", "99-9999999999"} <= set(forms)


def test_dates_are_on_the_day_in_accepted_forms_and_injected_ones_fail(day):
    """Given a day with injected date errors
    When every visit_date is parsed
    Then clean dates fall on the day within office hours, impossible ones are impossible,
    future ones are 30+ days ahead and garbled ones are unrecognised."""
    shapes = Counter()
    for _, row, kind in _rows_with_kind(day):
        parsed = parse_visit_datetime(row["visit_date"])
        if kind == "date_impossible":
            assert _problem(parsed) == "date_impossible", row["visit_date"]
        elif kind == "date_garbled":
            assert _problem(parsed) == "date_unrecognised", row["visit_date"]
        elif kind == "date_future":
            assert _problem(parsed) is None
            on = parsed.date() if isinstance(parsed, dt.datetime) else parsed
            assert on >= DAY + dt.timedelta(days=30)
        else:
            assert _problem(parsed) is None, row["visit_date"]
            if isinstance(parsed, dt.datetime):
                assert parsed.date() == DAY and dt.time(8) <= parsed.time() <= dt.time(21)
            else:
                assert parsed == DAY
            shapes[re.sub(r"\d", "9", row["visit_date"])] += 1
    assert {"9999-99-99", "9999-99-99 99:99", "99-99-9999", "99/99/9999"} <= set(shapes)


def test_blank_offices_services_and_exact_duplicates(day):
    """Given a day with injected blanks and duplicates
    When the flagged rows are inspected
    Then blanks are empty strings and each duplicate repeats an earlier row of its file."""
    for code, rows in day.rows_by_department.items():
        for i, kind in day.injected_at[code].items():
            if kind == "office_blank":
                assert rows[i]["office_code"] == "" and rows[i]["office_name"]
            elif kind == "service_blank":
                assert rows[i]["service"] == ""
            elif kind == "exact_duplicate":
                assert rows[i] in rows[:i] and rows[i] is not rows[rows.index(rows[i])]


def test_some_citizens_visit_two_offices():
    """Given a day without injected errors
    When rows are grouped by normalised phone
    Then exactly repeat_visits phones appear twice, same name, at another office or service."""
    clean = generate_visits(3000, seed=9, day=DAY, error_rate=0.0)
    assert clean.injected == Counter() and clean.total_rows == 3000
    seen: dict[str, list[dict]] = {}
    for rows in clean.rows_by_department.values():
        for row in rows:
            seen.setdefault(normalise_indian_mobile(row["phone"]), []).append(row)
    repeated = [visits for visits in seen.values() if len(visits) > 1]
    assert clean.repeat_visits == 60 and len(repeated) == 60
    for first, second in repeated:
        assert first["citizen_name"] == second["citizen_name"]
        assert (first["office_code"], first["service"]) != (
            second["office_code"],
            second["service"],
        )


@pytest.mark.parametrize("department", [*DEPARTMENTS, None])
def test_headers_round_trip_through_the_alias_table(department):
    """Given a department's header spelling (or the default English one)
    When each header text is normalised and looked up in the alias table
    Then it maps back to its canonical field, and the required fields are all present."""
    headers = DEFAULT_HEADER if department is None else header_for(department)
    table = aliases.alias_table()
    for field, text in headers.items():
        assert table[aliases.normalise_header(text)] == field, text
    assert set(aliases.REQUIRED_FIELDS) <= set(headers)
    assert len(set(headers.values())) == len(headers)


def _as_text(rows, headers):
    return [{k: "" if row.get(k) is None else str(row.get(k, "")) for k in headers} for row in rows]


def test_writers_round_trip_rows(tmp_path, day):
    """Given rows with Odia and Devanagari text
    When they are written as CSV, JSONL and XLSX
    Then csv, json and openpyxl read back the same rows under the same headers."""
    rows = day.rows_by_department["panchayat"]
    headers = header_for("panchayat")
    assert any("ନ" in r["citizen_name"] for r in rows)  # Odia script present
    inverse = {text: field for field, text in headers.items()}

    assert write_csv(tmp_path / "p.csv", rows, headers) == len(rows)
    with open(tmp_path / "p.csv", newline="", encoding="utf-8") as fh:
        back = [{inverse[h]: v for h, v in r.items()} for r in csv.DictReader(fh)]
    assert back == _as_text(rows, headers)

    write_csv(tmp_path / "d.csv", rows, DEFAULT_HEADER)  # no visit_id in these rows
    with open(tmp_path / "d.csv", newline="", encoding="utf-8") as fh:
        assert {r["Visit ID"] for r in csv.DictReader(fh)} == {""}

    assert write_jsonl(tmp_path / "p.jsonl", rows, headers) == len(rows)
    with open(tmp_path / "p.jsonl", encoding="utf-8") as fh:
        back = [{inverse[h]: v for h, v in json.loads(line).items()} for line in fh]
    assert back == rows

    assert write_xlsx(tmp_path / "p.xlsx", rows, headers) == len(rows)
    sheet = load_workbook(tmp_path / "p.xlsx", read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == list(headers.values())
    # read-only sheets drop trailing empty cells
    back = [dict(itertools.zip_longest(headers, values)) for values in table[1:]]
    assert _as_text(back, headers) == _as_text(rows, headers)


def test_write_day_writes_one_file_per_department_in_a_mix_of_formats(tmp_path, day):
    """Given a generated day
    When it is written with the default formats
    Then each department gets <department>-<YYYY-MM-DD>.<ext>, mostly CSV, one XLSX and
    one JSONL, each holding that department's rows."""
    written = write_day(day, tmp_path)
    assert [code for code, _ in written] == list(day.rows_by_department)
    exts = Counter(path.suffix for _, path in written)
    assert exts == {".csv": 6, ".xlsx": 1, ".jsonl": 1}
    for code, path in written:
        assert path.name == f"{code}-2026-11-22{path.suffix}"
    health = dict(written)["health"]
    with open(health, newline="", encoding="utf-8") as fh:
        assert sum(1 for _ in csv.reader(fh)) == len(day.rows_by_department["health"]) + 1
    assert write_day(day, tmp_path / "x", {"health": "jsonl"})[0][1].suffix == ".jsonl"


def test_iter_visit_rows_is_lazy_and_deterministic(tmp_path):
    """Given a huge n
    When iter_visit_rows is called and sliced
    Then it is a generator yielding the same canonical rows for the same seed, with valid
    phones at error_rate 0; write_bench_csv writes n rows under the default header."""
    huge = iter_visit_rows(10**9, seed=3, day=DAY)
    assert inspect.isgenerator(huge)
    first = list(itertools.islice(huge, 2000))
    assert first == list(itertools.islice(iter_visit_rows(10**9, seed=3, day=DAY), 2000))
    assert first != list(itertools.islice(iter_visit_rows(10**9, seed=4, day=DAY), 2000))
    for row in first:
        assert list(row) == list(DEFAULT_HEADER)
        assert _problem(normalise_indian_mobile(row["phone"])) is None
    assert sum(1 for _ in iter_visit_rows(5000, seed=3, day=DAY, error_rate=0.1)) == 5000

    assert write_bench_csv(tmp_path / "bench.csv", 3000, 3, DAY) == 3000
    with open(tmp_path / "bench.csv", newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        assert next(reader) == list(DEFAULT_HEADER.values())
        assert sum(1 for _ in reader) == 3000
