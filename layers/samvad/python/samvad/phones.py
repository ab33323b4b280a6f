"""Indian mobile numbers: normalise to E.164, classify, mask.

The numbering plan comes from libphonenumber's metadata (``phonenumberslite``), so new
mobile series allocated by TRAI arrive with a dependency update, not a code change. The
hot path is a string clean-up plus one compiled-regex match against that metadata
(~1 µs); ``phonenumbers.parse`` is used only for numbers outside India (~30 µs, rare).
"""

from __future__ import annotations

import functools
import re

from samvad.problems import Problem

_SEPARATORS = str.maketrans("", "", " -.()/\t\u00a0\u2010\u2011\u2012\u2013\u2014")
_INDIA = "91"
_GROUPED = re.compile(r"(?:\+?91[ -]?|0)?([1-9][0-9]{4})[ -]?([0-9]{5})")
"""Ten ASCII digits (not starting with 0) in two groups of five, after an optional +91, 91 or
0: these forms normalise exactly as ``_normalise_written`` would, in one match (tested)."""


BLANK = Problem("phone_blank", "phone number is blank")
NOT_DIGITS = Problem("phone_not_digits", "phone number contains letters or symbols")
WRONG_LENGTH = Problem(
    "phone_wrong_length", "phone number does not have the 10 digits of an Indian mobile"
)
LANDLINE = Problem("phone_landline", "landline (fixed-line) number, not a mobile")
NOT_ALLOCATED = Problem(
    "phone_not_mobile", "not a valid Indian mobile number (series not allocated to mobiles)"
)
FOREIGN = Problem("phone_foreign", "not an Indian number (only +91 mobiles can be called)")


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region("IN")
    if meta is None or meta.mobile is None or meta.fixed_line is None:
        raise RuntimeError("phonenumbers has no metadata for India's numbers")
    mobile = re.compile(str(meta.mobile.national_number_pattern))
    fixed = re.compile(str(meta.fixed_line.national_number_pattern))
    return mobile, fixed


def normalise_indian_mobile(raw: str) -> str | Problem:
    """Return ``+91XXXXXXXXXX`` or the reason the value is not a callable Indian mobile.

    Accepts every common written form: ``98765 43210``, ``098765-43210``, ``+91 98765 43210``,
    ``91-9876543210``, ``0091 98765 43210``, ``(+91) 98765.43210``, and Excel's ``9876543210.0``.
    """
    if len(raw) == 10 and raw.isdigit() and raw.isascii() and raw[0] != "0":  # written plainly
        return _classify(raw)
    grouped = _GROUPED.fullmatch(raw)  # the next most common: 98765 43210, +91 98765-43210
    if grouped is not None:
        return _classify(grouped[1] + grouped[2])
    return _normalise_written(raw)


def _normalise_written(raw: str) -> str | Problem:
    """Every written form: clean up, strip the country or trunk prefix, classify."""
    text = raw.strip().removeprefix("'")  # a spreadsheet's text mark (rejects files have it)
    if not text:
        return BLANK
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]  # a number cell exported by a spreadsheet
    plus = text.startswith("+") or text.startswith("(+")
    digits = text.translate(_SEPARATORS).lstrip("(+")
    if not (digits.isdigit() and digits.isascii()):
        return NOT_DIGITS
    if plus or digits.startswith("00"):
        international = digits[2:] if digits.startswith("00") else digits
        if not international.startswith(_INDIA):
            return _foreign_or_invalid(international)
        national = international[2:]
    elif len(digits) == 12 and digits.startswith(_INDIA):
        national = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        national = digits[1:]  # trunk prefix
    else:
        national = digits
    if len(national) != 10:
        return WRONG_LENGTH
    return _classify(national)


def _classify(national: str) -> str | Problem:
    mobile, fixed = _patterns()
    if mobile.fullmatch(national):
        return "+91" + national
    if fixed.fullmatch(national):
        return LANDLINE
    return NOT_ALLOCATED


def _foreign_or_invalid(international: str) -> Problem:
    import phonenumbers

    try:
        number = phonenumbers.parse("+" + international, None)
    except phonenumbers.NumberParseException:
        return NOT_ALLOCATED
    return FOREIGN if phonenumbers.is_possible_number(number) else NOT_ALLOCATED


def mask(e164: str) -> str:
    """``+919876543210`` → ``+91 98•••••210``: enough to recognise, not enough to dial."""
    if e164.startswith("+91") and len(e164) == 13:
        national = e164[3:]
        return f"+91 {national[:2]}•••••{national[-3:]}"
    if len(e164) <= 5:
        return "•" * len(e164)
    return e164[:3] + "•" * (len(e164) - 6) + e164[-3:]


_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?91[\s-]?|0)?[6-9]\d{4}[\s-]?\d{5}(?!\d)")


def redact(text: str) -> str:
    """Replace anything that looks like an Indian mobile number inside free text."""
    return _PHONE_IN_TEXT.sub(lambda m: mask(_as_e164(m.group(0))), text)


def _as_e164(found: str) -> str:
    digits = "".join(ch for ch in found if ch.isdigit())
    return "+91" + digits[-10:]
