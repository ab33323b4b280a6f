"""Row validation: a record becomes a visit with a deterministic key, or a clear rejection."""

import datetime as dt

import pytest

from samvad.intake.aliases import CANONICAL_FIELDS
from samvad.intake.validate import (
    OPTIONAL_FIELDS,
    IntakePolicy,
    Rejection,
    RowValidator,
    Source,
    Visit,
)

COLUMNS = {name: i for i, name in enumerate(CANONICAL_FIELDS)}
POLICY = IntakePolicy(department="health", today=dt.date(2026, 11, 23), retention_days=400)


def row(**values) -> list[str]:
    base = {
        "service": "OPD",
        "office_code": "hlt-khu-001",
        "visit_date": "22/11/2026",
        "phone": "98765 43210",
    }
    base.update(values)
    return [base.get(name, "") for name in CANONICAL_FIELDS]


@pytest.fixture
def validate():
    return RowValidator(COLUMNS, len(COLUMNS), POLICY, b"k" * 32, b"s" * 32)


def test_a_good_row_becomes_a_normalised_visit(validate):
    """Given a complete row, When validated, Then fields are normalised and the phone is
    kept only as E.164 plus its keyed hash."""
    visit = validate(
        2, row(gender="Female", age="34", language="Odia", citizen_name=" Sasmita  Das ")
    )
    assert isinstance(visit, Visit)
    assert (visit.office_code, visit.phone, visit.visit_date) == (
        "HLT-KHU-001",
        "+919876543210",
        "2026-11-22",
    )
    assert (visit.gender, visit.age_band, visit.language, visit.citizen_name) == (
        "F",
        "26-35",
        "or",
        "Sasmita Das",
    )
    assert len(visit.phone_hash) == 32 and "9876543210" not in visit.phone_hash


def test_the_same_visit_written_differently_has_one_key(validate):
    """Given one visit written in two styles, When validated, Then both have the same key."""
    a = validate(2, row(phone="9876543210", visit_date="2026-11-22", service="OPD"))
    b = validate(9, row(phone="+91 98765-43210", visit_date="22-11-2026", service=" opd "))
    assert a.visit_key == b.visit_key


def test_a_department_visit_id_identifies_the_visit(validate):
    """Given rows with the department's own visit id, When validated, Then the id alone keys
    them, so a corrected row is still the same visit."""
    a = validate(2, row(visit_id="OPD/2026/0001", service="OPD"))
    b = validate(3, row(visit_id="OPD/2026/0001", service="IPD"))
    c = validate(4, row(visit_id="OPD/2026/0002", service="OPD"))
    assert a.visit_key == b.visit_key != c.visit_key


def test_key_depends_on_the_hash_key_not_the_bare_phone():
    """Given two deployments with different hash keys, When validating one row, Then keys
    differ: a key cannot be recomputed from a guessed phone number without the secret."""
    one = RowValidator(COLUMNS, len(COLUMNS), POLICY, b"a" * 32, b"s" * 32)(2, row())
    two = RowValidator(COLUMNS, len(COLUMNS), POLICY, b"b" * 32, b"s" * 32)(2, row())
    assert one.visit_key != two.visit_key


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"phone": ""}, "phone_blank"),
        ({"phone": "0674 2391234"}, "phone_landline"),
        ({"visit_date": "31/02/2026"}, "date_impossible"),
        ({"visit_date": "24/11/2026"}, "date_future"),
        ({"visit_date": "01/01/2025"}, "date_too_old"),
        ({"office_code": " "}, "office_code_blank"),
        ({"office_code": "KHU 001;DROP"}, "office_code_invalid"),
        ({"service": ""}, "service_blank"),
        ({"service": "x" * 250}, "service_too_long"),
        ({"department": "police"}, "department_mismatch"),
        ({"visit_id": "9" * 101}, "visit_id_too_long"),
    ],
)
def test_bad_required_values_reject_the_row(validate, values, code):
    """Given a row with one bad required value, When validated, Then it is rejected with
    that reason and its cells kept for the rejects file."""
    outcome = validate(7, row(**values))
    assert isinstance(outcome, Rejection)
    assert (outcome.row, outcome.problem.code) == (7, code)
    assert outcome.cells == row(**values)


def test_matching_department_column_is_accepted_in_any_case(validate):
    """Given the department column equal to the folder in another case, Then it is accepted."""
    assert isinstance(validate(2, row(department="Health")), Visit)


def test_unrecognisable_optional_values_are_dropped_with_a_warning(validate):
    """Given a good row with a garbled gender, age and language, When validated, Then it is
    accepted, those fields blank or defaulted, and each counted as a warning."""
    visit = validate(2, row(gender="?", age="old", language="Klingon"))
    assert isinstance(visit, Visit)
    assert (visit.gender, visit.age_band, visit.language) == ("", "", "or")
    assert dict(validate.warnings) == {
        "gender_unrecognised": 1,
        "age_unrecognised": 1,
        "language_unrecognised": 1,
    }


def test_item_carries_source_and_retention(validate):
    """Given a visit, When made into an item, Then it names its upload and row and expires
    400 days after the visit."""
    visit = validate(12, row(visit_date="2026-11-22 10:35"))
    item = visit.to_item(Source("u-1", "2026-11-23T06:00:00+00:00"))
    assert item["source_upload"] == {"S": "u-1"} and item["source_row"] == {"N": "12"}
    assert item["visit_time"] == {"S": "10:35:00"}
    expires = dt.datetime.fromtimestamp(int(item["expires_at"]["N"]), dt.UTC).date()
    assert expires == dt.date(2026, 11, 22) + dt.timedelta(days=400)
    assert "gender" not in item  # blanks are left out


def test_item_carries_every_optional_field_that_holds_something(validate):
    """Given a row with every optional field filled, When made into an item, Then each
    optional field is in it as text, and the item has nothing beyond the known fields."""
    visit = validate(
        3,
        row(
            visit_date="2026-11-22 10:35", office_name="PHC Khurda", district="Khurda",
            official_id="OD-7", citizen_name="Asha", gender="F", age="30", visit_id="V-9",
        ),
    )  # fmt: skip
    item = visit.to_item(Source("u-1", "2026-11-23T06:00:00+00:00"))
    assert {name: item[name]["S"] for name in OPTIONAL_FIELDS} == {
        name: getattr(visit, name) for name in OPTIONAL_FIELDS
    }
    assert all(getattr(visit, name) for name in OPTIONAL_FIELDS)
    required = {"visit_key", "department", "service", "office_code", "visit_date", "phone"}
    required |= {"phone_hash", "language", "source_upload", "source_row", "ingested_at"}
    required |= {"expires_at", "sample_pk", "sample_score"}
    assert set(item) == required | set(OPTIONAL_FIELDS)
    assert item["sample_pk"] == {"S": "health#OPD#HLT-KHU-001#2026-11-22"}


def test_short_rows_read_missing_cells_as_blank():
    """Given a row with fewer cells than the header, When validated, Then missing optional
    cells are blank and the row is still accepted."""
    columns = {"phone": 0, "visit_date": 1, "office_code": 2, "service": 3, "citizen_name": 4}
    validate = RowValidator(columns, 5, POLICY, b"k" * 32, b"s" * 32)
    visit = validate(2, ["9876543210", "22/11/2026", "A1", "OPD"])
    assert isinstance(visit, Visit) and visit.citizen_name == ""


def test_an_unknown_trailing_column_is_never_read_as_a_missing_field():
    """Given a header whose last column (Remarks) means nothing to Samvad, When rows are
    validated, Then its text is not taken for the department, visit id or any other field."""
    columns = {"phone": 0, "visit_date": 1, "office_code": 2, "service": 3}
    validate = RowValidator(columns, 5, POLICY, b"k" * 32, b"s" * 32)
    a = validate(2, ["9876543210", "22/11/2026", "A1", "OPD", "Health"])
    b = validate(3, ["9937012345", "22/11/2026", "A1", "OPD", "Health"])
    assert isinstance(a, Visit) and isinstance(b, Visit)
    assert a.visit_key != b.visit_key
    assert (a.visit_id, a.citizen_name, a.language) == ("", "", "or")


@pytest.mark.parametrize(
    ("time", "clock", "warnings"),
    [
        ("10:35", "10:35:00", {}),
        ("4:05 PM", "16:05:00", {}),
        ("", "", {}),
        ("after lunch", "", {"time_unrecognised": 1}),
    ],
)
def test_a_separate_visit_time_column_completes_the_date(time, clock, warnings):
    """Given registers that keep the time in its own column, When validated, Then the time
    joins the date; an unreadable time only warns (the date is what matters)."""
    validate = RowValidator(COLUMNS, len(COLUMNS), POLICY, b"k" * 32, b"s" * 32)
    visit = validate(2, row(visit_time=time))
    assert isinstance(visit, Visit)
    assert (visit.visit_date, visit.visit_time) == ("2026-11-22", clock)
    assert dict(validate.warnings) == warnings
