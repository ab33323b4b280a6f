"""The inbound IVR's menus, from the versioned config document ``inbound/ivr_menus``::

    {"departments": [{"code": "health", "name": "Health & Family Welfare",
                      "services": [{"code": "OPD", "name": "Out-patient consultation"}, …],
                      "categories": [{"code": "staff_behaviour", "name": "Staff behaviour"}, …]}],
     "districts": [{"code": "KHU", "name": "Khordha"}, …],
     "offices": [{"key": "1002", "code": "HLT-KHU-002", "department": "health",
                  "district": "KHU", "name": "CHC Khordha"}, …]}

Options are numbered in the order listed (1, 2, …); an office is keyed by its ``key`` (digits,
printed at the office and on its notices) or chosen from its district's list after 0.
``categories`` is optional: without it a department's categories are the grievance domain's
(config ``grievances``, ``samvad.grievances.rules``), so the IVR offers what it accepts.
Published with ``samvad config publish inbound/ivr_menus FILE``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MENUS_CONFIG = "inbound/ivr_menus"
LIST_KEY = "0"
"""At the office step: no code, choose the district and then the office from its list."""


@dataclass(frozen=True)
class Option:
    code: str
    name: str


@dataclass(frozen=True)
class Office:
    key: str
    code: str
    department: str
    district: str
    name: str


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    services: tuple[Option, ...]
    categories: tuple[Option, ...]


@dataclass(frozen=True)
class Menus:
    departments: tuple[Department, ...]
    districts: tuple[Option, ...]
    offices: tuple[Office, ...]

    def department(self, code: str) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)

    def options(self, step: str, context: Mapping[str, str]) -> tuple[Option, ...]:
        """The numbered options of a listed step, given the choices so far."""
        department = self.department(context.get("department", ""))
        if step == "department":
            return tuple(Option(d.code, d.name) for d in self.departments)
        if step == "district":
            return self.districts
        if department is None:
            return ()
        if step == "service":
            return department.services
        if step == "category":
            return department.categories
        if step == "office_list":
            return tuple(
                Option(o.code, o.name)
                for o in self.offices
                if o.department == department.code and o.district == context.get("district")
            )
        return ()

    def office_by_key(self, department: str, key: str) -> Office | None:
        return next((o for o in self.offices if o.department == department and o.key == key), None)


def validate_menus(document: object) -> list[str]:
    """Every problem with a menus document, one sentence each (empty when valid)."""
    if not isinstance(document, dict):
        return ["the document must be an object with departments, districts and offices"]
    problems: list[str] = []
    departments = document.get("departments")
    if not isinstance(departments, list) or not departments:
        return ["'departments' must be a non-empty list"]
    codes = set()
    for n, entry in enumerate(departments, 1):
        where = f"departments[{n}]"
        if (
            not isinstance(entry, dict)
            or not _text(entry.get("code"))
            or not _text(entry.get("name"))
        ):
            problems.append(f"{where} needs a code and a name")
            continue
        codes.add(entry["code"])
        problems += _options(entry.get("services"), f"{where}.services", required=True)
        problems += _options(entry.get("categories"), f"{where}.categories", required=False)
    problems += _options(document.get("districts"), "districts", required=False)
    keys: set[tuple[str, str]] = set()
    for n, office in enumerate(document.get("offices") or [], 1):
        where = f"offices[{n}]"
        fields = ("key", "code", "department", "district", "name")
        if not isinstance(office, dict) or not all(_text(office.get(f)) for f in fields):
            problems.append(f"{where} needs {', '.join(fields)}")
            continue
        if not str(office["key"]).isdigit() or str(office["key"]) == LIST_KEY:
            problems.append(f"{where}.key must be digits, and not {LIST_KEY} alone")
        if office["department"] not in codes:
            problems.append(f"{where}.department {office['department']!r} is not in departments")
        if (office["department"], office["key"]) in keys:
            problems.append(f"{where}.key {office['key']} is used twice in its department")
        keys.add((office["department"], office["key"]))
    return problems


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _options(value: object, where: str, *, required: bool) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        return [f"{where} must be a non-empty list of {{code, name}}"]
    if len(value) > 99:
        return [f"{where} has {len(value)} options: a menu offers at most 99"]
    bad = [n for n, o in enumerate(value, 1) if not isinstance(o, dict)
           or not _text(o.get("code")) or not _text(o.get("name"))]  # fmt: skip
    return [f"{where}[{n}] needs a code and a name" for n in bad]


def menus_from_document(document: Mapping[str, Any] | None) -> Menus:
    """The menus of a valid document (``validate_menus``); none published: empty menus."""
    if not document:
        return Menus((), (), ())

    def options(items: object) -> tuple[Option, ...]:
        return tuple(Option(str(o["code"]), str(o["name"])) for o in items or [])  # type: ignore[attr-defined]

    return Menus(
        departments=tuple(
            Department(d["code"], d["name"], options(d["services"]), options(d.get("categories")))
            for d in document["departments"]
        ),
        districts=options(document.get("districts")),
        offices=tuple(
            Office(str(o["key"]), o["code"], o["department"], o["district"], o["name"])
            for o in document.get("offices") or []
        ),
    )
