"""Which departments may upload, and which offices each department has.

* **Departments** are the config document ``resources.DEPARTMENTS_CONFIG``::

      {"departments": {"<code>": {"name": "<name>"}, …}}

  Until one is published (``samvad config publish departments FILE``) the list shipped in
  ``default_departments.json`` applies. An upload under any other folder is quarantined.
* **Offices** come from the escalation directory's optional ``offices`` section::

      {"offices": {"<department>": ["<office code>", …]}}

  A department listed there has every row's office code checked against its list; a
  department the directory does not list is not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources as package_files
from typing import Any

from samvad.problems import Problem

DEPARTMENT_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")

UNKNOWN_DEPARTMENT = Problem("unknown_department", "not a configured department")


class DepartmentsError(ValueError):
    """A departments document that cannot be used."""


@dataclass(frozen=True)
class Departments:
    """The configured departments: code → name."""

    names: Mapping[str, str]

    @classmethod
    def from_document(cls, document: object) -> Departments:
        problems = validate_departments(document)
        if problems or not isinstance(document, dict):
            raise DepartmentsError("; ".join(problems))
        entries = document["departments"]
        return cls({code: entry["name"].strip() for code, entry in entries.items()})

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def codes(self) -> list[str]:
        return sorted(self.names)

    def refusal(self, code: str) -> Problem:
        """Why ``code`` is refused, naming the departments that are known."""
        return UNKNOWN_DEPARTMENT.with_detail(
            f"{code!r}; known departments: {', '.join(self.codes())}"
        )


def validate_departments(document: object) -> list[str]:
    """Every problem with a departments document, one sentence each (empty when valid)."""
    if not isinstance(document, dict) or not isinstance(document.get("departments"), dict):
        return ["the document must be an object with 'departments': {code: {name}}"]
    entries = document["departments"]
    if not entries:
        return ["'departments' lists no department"]
    problems = []
    for code, entry in entries.items():
        if not DEPARTMENT_CODE.fullmatch(code):
            problems.append(
                f"department code {code!r} must be 1-32 lower-case letters, digits, - or _"
            )
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(f"department {code!r} must be an object with a 'name'")
    return problems


def default_departments() -> Departments:
    """The departments shipped with Samvad, used until a document is published."""
    text = package_files.files("samvad.intake").joinpath("default_departments.json").read_text()
    return Departments.from_document(json.loads(text))


def configured_departments(document: dict[str, Any] | None) -> Departments:
    """The published document's departments, or the shipped defaults when there is none."""
    return Departments.from_document(document) if document else default_departments()


def offices_of(directory: dict[str, Any] | None, department: str) -> frozenset[str] | None:
    """The office codes the directory lists for ``department`` (``None``: not listed)."""
    offices = (directory or {}).get("offices") or {}
    listed = offices.get(department) if isinstance(offices, dict) else None
    if not listed:
        return None
    return frozenset(normalise_office(code) for code in listed)


def normalise_office(code: object) -> str:
    """Office codes compare as intake stores them: trimmed, upper case."""
    return str(code).strip().upper()


def validate_offices(section: object) -> list[str]:
    """Problems with a directory's ``offices`` section (absent is fine)."""
    if section is None:
        return []
    if not isinstance(section, dict):
        return ["'offices' must map each department to a list of its office codes"]
    return [
        f"offices[{department!r}] must be a list of office codes"
        for department, codes in section.items()
        if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes)
    ]
