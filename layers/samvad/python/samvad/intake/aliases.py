"""Column headers → canonical fields.

Headers are matched after normalisation: lower-cased, with everything that is not a letter
or digit removed, so ``Mobile No.``, ``mobile_no`` and ``MOBILE  NO`` are one header. A
department can add its own aliases (stored config ``intake/<department>``); they take
precedence over this table.
"""

from __future__ import annotations

CANONICAL_FIELDS: tuple[str, ...] = (
    "service",
    "office_code",
    "office_name",
    "district",
    "official_id",
    "visit_date",
    "visit_time",
    "citizen_name",
    "phone",
    "gender",
    "age",
    "language",
    "visit_id",
    "department",
)
REQUIRED_FIELDS: tuple[str, ...] = ("phone", "visit_date", "office_code", "service")

ALIASES: dict[str, tuple[str, ...]] = {
    "phone": (
        "phone",
        "phoneno",
        "phonenumber",
        "mobile",
        "mobileno",
        "mobilenumber",
        "mob",
        "mobno",
        "contact",
        "contactno",
        "contactnumber",
        "cellno",
        "cellnumber",
        "citizenmobile",
        "citizenphone",
        "applicantmobile",
        "patientmobile",
        "telephone",
        "msisdn",
        "whatsappno",
        "मोबाइल",
        "मोबाइलनंबर",
        "ମୋବାଇଲ",
        "ମୋବାଇଲନମ୍ବର",
    ),
    "visit_date": (
        "visitdate",
        "dateofvisit",
        "date",
        "visitedon",
        "servicedate",
        "dateofservice",
        "applicationdate",
        "transactiondate",
        "visitdatetime",
        "visitedat",
        "visittime",
        "registrationdate",
        "admissiondate",
        "dateofapplication",
        "दिनांक",
        "ତାରିଖ",
    ),
    "visit_time": ("visittime", "time", "timeofvisit", "intime", "entrytime", "समय", "ସମୟ"),
    "office_code": (
        "officecode",
        "officeid",
        "office",
        "facilitycode",
        "facilityid",
        "centrecode",
        "centercode",
        "stationcode",
        "pscode",
        "policestationcode",
        "institutioncode",
        "hospitalcode",
        "tahasilcode",
        "blockcode",
    ),
    "office_name": (
        "officename",
        "facilityname",
        "centrename",
        "centername",
        "institutionname",
        "hospitalname",
        "stationname",
        "psname",
        "policestation",
        "tahasil",
        "block",
    ),
    "district": ("district", "districtname", "dist", "zilla", "जिला", "ଜିଲ୍ଲା"),
    "service": (
        "service",
        "servicecode",
        "servicename",
        "scheme",
        "servicetype",
        "schemename",
        "sewa",
        "सेवा",
        "ସେବା",
    ),
    "official_id": (
        "officialid",
        "officerid",
        "employeeid",
        "empid",
        "staffid",
        "officer",
        "official",
        "hrmsid",
        "attendedby",
        "dealtby",
        "doctorid",
    ),
    "citizen_name": (
        "citizenname",
        "name",
        "applicantname",
        "patientname",
        "beneficiaryname",
        "visitorname",
        "fullname",
        "complainantname",
        "citizen",
        "नाम",
        "ନାମ",
    ),
    "gender": ("gender", "sex", "लिंग", "ଲିଙ୍ଗ"),
    "age": ("age", "ageband", "agegroup", "ageyears", "ageinyears", "आयु", "ବୟସ"),
    "language": ("language", "lang", "preferredlanguage", "languagepreference", "भाषा", "ଭାଷା"),
    "visit_id": (
        "visitid",
        "id",
        "registrationno",
        "registrationnumber",
        "receiptno",
        "tokenno",
        "applicationno",
        "applicationid",
        "transactionid",
        "refno",
        "referenceno",
        "referencenumber",
        "opdno",
        "firno",
        "acknowledgementno",
    ),
    "department": ("department", "dept", "departmentcode", "deptcode"),
}


def normalise_header(header: str) -> str:
    """``'Mobile No.'`` → ``'mobileno'``; keeps letters and digits of every script."""
    return "".join(ch for ch in header.casefold() if ch.isalnum() or _is_mark(ch))


def _is_mark(ch: str) -> bool:
    # Indic vowel signs and viramas are combining marks, part of the word.
    import unicodedata

    return unicodedata.category(ch) in ("Mn", "Mc")


def alias_table(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Normalised header → canonical field, with a department's overrides on top."""
    table = {normalise_header(alias): field for field, names in ALIASES.items() for alias in names}
    for field in CANONICAL_FIELDS:
        table[normalise_header(field)] = field
    for header, field in (overrides or {}).items():
        if field not in CANONICAL_FIELDS:
            raise ValueError(f"alias {header!r} maps to unknown field {field!r}")
        table[normalise_header(header)] = field
    return table
