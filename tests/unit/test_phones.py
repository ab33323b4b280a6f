"""Indian mobile numbers: every common written form normalises; everything else says why."""

import pytest

from samvad import phones


@pytest.mark.parametrize(
    "written",
    [
        "9876543210", "98765 43210", "98765-43210", "098765 43210", "+91 98765 43210",
        "+919876543210", "91-9876543210", "919876543210", "0091 98765 43210", "(+91) 98765.43210",
        " 9876543210 ", "9876543210.0", "+91-98765-43210", "(0)9876543210",
    ],
)  # fmt: skip
def test_common_forms_normalise_to_e164(written):
    """Given a mobile number as data officers write it, When normalised, Then it is E.164."""
    assert phones.normalise_indian_mobile(written) == "+919876543210"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("", "phone_blank"),
        ("   ", "phone_blank"),
        ("987654321", "phone_wrong_length"),
        ("98765432101", "phone_wrong_length"),
        ("0674-2391234", "phone_landline"),  # Bhubaneswar landline: its NSN starts with 6
        ("011 2338 6623", "phone_landline"),
        ("98765O4321", "phone_not_digits"),
        ("call me", "phone_not_digits"),
        ("९८७६५४३२१०", "phone_not_digits"),  # Devanagari digits are not dialled as written
        ("+1 415 555 2671", "phone_foreign"),
        ("+44 20 7946 0958", "phone_foreign"),
        ("5000000000", "phone_not_mobile"),
        ("0000000000", "phone_not_mobile"),
    ],
)
def test_unusable_numbers_are_refused_with_a_reason(written, code):
    """Given a value that is not a callable Indian mobile, When normalised, Then the
    problem names why, in words a data officer understands."""
    problem = phones.normalise_indian_mobile(written)
    assert problem.code == code
    assert len(problem.message) > 15


def test_mask_shows_enough_to_recognise_but_not_to_dial():
    """Given an E.164 number, When masked, Then only 5 of its 10 digits remain."""
    masked = phones.mask("+919876543210")
    assert masked == "+91 98•••••210"
    assert sum(ch.isdigit() for ch in masked.removeprefix("+91")) == 5


@pytest.mark.parametrize(
    "text",
    ["call 9876543210 now", "+91 98765 43210", "919876543210", "098765-43210", "x+919876543210y"],
)
def test_redact_masks_numbers_inside_free_text(text):
    """Given text containing a mobile number, When redacted, Then no run of digits that
    could be dialled survives."""
    redacted = phones.redact(text)
    assert "43210" not in redacted.replace("•", "")
    assert "•" in redacted


def test_redact_leaves_other_numbers_alone():
    """Given dates, counts and ids, When redacted, Then they are unchanged."""
    text = "2026-11-23 rows=125000 office HLT-KHU-001 took 12.5 s"
    assert phones.redact(text) == text


def test_grouped_fast_path_agrees_with_the_general_path():
    """Given numbers written in two groups of five with every prefix and separator the fast
    path accepts (and near misses it must leave alone), When normalised, Then the result is
    exactly what the general path gives, valid or not."""
    import itertools
    import random

    rng = random.Random(14)
    nationals = ["9876543210", "6000000000", "5000000000", "0674239123", "0012345678"]
    nationals += ["".join(rng.choice("0123456789") for _ in range(10)) for _ in range(200)]
    prefixes = ["", "0", "91", "+91", "91 ", "+91-", "+91 ", "0 ", "00", "+9", "9"]
    separators = ["", " ", "-", "  ", "."]
    for national, prefix, sep in itertools.product(nationals, prefixes, separators):
        written = f"{prefix}{national[:5]}{sep}{national[5:]}"
        assert phones.normalise_indian_mobile(written) == phones._normalise_written(written), (
            written
        )
