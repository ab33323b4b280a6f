"""The escalation directory: who holds each level for an office, district and department.

Stored as the versioned config document ``resources.ESCALATION_DIRECTORY_CONFIG``::

    {"officials": {"<id>": {"name": …, "title": …, "phone": "+91…", "email": …}},
     "office_heads": {"<office_code>": "<id>"}, "district": {"<district>": "<id>"},
     "department": {"<department>": "<id>"}, "cm_office": "<id>",
     "offices": {"<department>": ["<office_code>", …]}}

``offices`` is optional: where it lists a department's offices, intake rejects that
department's rows for any other office (``samvad.intake.departments``).

A level without a holder for the case falls to the next level's holder (recorded in the
audit), so a gap in the directory never strands a case; ``cm_office`` is mandatory.
"""

from __future__ import annotations

from dataclasses import dataclass

from samvad.escalation.model import LEVELS, TOP_LEVEL, CaseError
from samvad.intake.departments import validate_offices
from samvad.phones import normalise_indian_mobile

SCOPES = {
    1: ("office_heads", "office_code"),
    2: ("district", "district"),
    3: ("department", "department"),
}


@dataclass(frozen=True)
class Holder:
    level: int  # the level the case is at
    official_id: str
    name: str
    title: str
    phone: str
    email: str
    note: str  # why someone else than the level's own holder, if so


def validate(document: dict) -> list[str]:
    """Every problem with a directory document, one sentence each (empty when valid)."""
    problems: list[str] = []
    if not isinstance(document, dict):
        return ["the directory must be a JSON object"]
    officials = document.get("officials")
    if not isinstance(officials, dict) or not officials:
        return ["'officials' must map official ids to their details"]
    for official_id, details in officials.items():
        if not isinstance(details, dict) or not details.get("name"):
            problems.append(f"official {official_id!r} needs a name")
            continue
        phone = details.get("phone")
        if phone and not isinstance(normalise_indian_mobile(str(phone)), str):
            problems.append(f"official {official_id!r}: phone {phone!r} is not an Indian mobile")
        email = details.get("email")
        if email and "@" not in str(email):
            problems.append(f"official {official_id!r}: e-mail {email!r} is not an address")
        if not phone and not email:
            problems.append(f"official {official_id!r} needs a phone or an e-mail to be notified")
    for section, _ in SCOPES.values():
        mapping = document.get(section, {})
        if not isinstance(mapping, dict):
            problems.append(f"'{section}' must be an object")
            continue
        for scope, official_id in mapping.items():
            if official_id not in officials:
                problems.append(f"{section}[{scope!r}] names unknown official {official_id!r}")
    problems.extend(validate_offices(document.get("offices")))
    if document.get("cm_office") not in officials:
        problems.append("'cm_office' must name an official (level 4 always has a holder)")
    return problems


def holder_for(document: dict | None, level: int, case: dict) -> Holder:
    """Who holds ``level`` for ``case`` (its office_code, district, department)."""
    if not document:
        raise CaseError("no escalation directory loaded: run `samvad directory load FILE`")
    officials = document["officials"]
    for candidate in range(level, TOP_LEVEL + 1):
        if candidate == TOP_LEVEL:
            official_id = document["cm_office"]
        else:
            section, field = SCOPES[candidate]
            official_id = document.get(section, {}).get(case.get(field) or "")
        if official_id:
            details = officials[official_id]
            note = (
                ""
                if candidate == level
                else f"no {LEVELS[level]} in the directory for this case; "
                f"held by the {LEVELS[candidate]}"
            )
            return Holder(
                level=level,
                official_id=official_id,
                name=details["name"],
                title=details.get("title", LEVELS[candidate]),
                phone=str(details.get("phone") or ""),
                email=str(details.get("email") or ""),
                note=note,
            )
    raise CaseError("directory has no cm_office")  # unreachable after validate()
