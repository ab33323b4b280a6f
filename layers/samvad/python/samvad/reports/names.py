"""Names, not codes: departments, services and officials as people know them.

* Department names and (optional) service names come from the ``departments`` config document
  (``{"departments": {"<code>": {"name": …, "services": {"<code>": "<name>"}}}}``), over the
  list shipped with intake (which names the catalogue's services).
* Officials' names come from the escalation directory (name and title only: never a phone or
  e-mail).
* Office names travel with the events into the tally rows.

A code without a name is shown as the code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources as package_files
from typing import Any, Protocol

from samvad import resources


class ConfigReader(Protocol):
    def latest(self, name: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class Names:
    departments: dict[str, str] = field(default_factory=dict)
    services: dict[tuple[str, str], str] = field(default_factory=dict)
    officials: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: ConfigReader) -> Names:
        published = config.latest(resources.DEPARTMENTS_CONFIG) or {}
        departments: dict[str, str] = {}
        services: dict[tuple[str, str], str] = {}
        # the shipped names first, so a published document without services keeps theirs
        for code, entry in _entries(_shipped_departments()) + _entries(published):
            if isinstance(entry.get("name"), str):
                departments[code] = entry["name"].strip()
            for service, name in (entry.get("services") or {}).items():
                if isinstance(name, str) and name.strip():
                    services[(code, str(service))] = name.strip()
        directory = config.latest(resources.ESCALATION_DIRECTORY_CONFIG) or {}
        officials = {}
        for official_id, details in (directory.get("officials") or {}).items():
            if isinstance(details, dict) and details.get("name"):
                title = f", {details['title']}" if details.get("title") else ""
                officials[str(official_id)] = f"{details['name']}{title}"
        return cls(departments, services, officials)

    def department(self, code: str) -> str:
        return self.departments.get(code) or code

    def service(self, department: str, code: str) -> str:
        return self.services.get((department, code)) or code

    def official(self, official_id: str) -> str:
        return self.officials.get(official_id) or official_id

    def label(self, row: dict) -> dict:
        """``row`` with ``*_name`` beside each code it carries (the codes stay, for the CSVs)."""
        named = dict(row)
        if "department" in row:
            named["department_name"] = self.department(str(row["department"]))
        if "service" in row:
            named["service_name"] = self.service(str(row.get("department")), str(row["service"]))
        if row.get("official_id"):
            named["official_name"] = self.official(str(row["official_id"]))
        if "office_code" in row and not row.get("office_name"):
            named["office_name"] = row["office_code"]
        return named


def _entries(document: object) -> list[tuple[str, dict]]:
    entries = document.get("departments") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        return []
    return [(str(code), entry) for code, entry in entries.items() if isinstance(entry, dict)]


def _shipped_departments() -> dict:
    text = package_files.files("samvad.intake").joinpath("default_departments.json").read_text()
    return json.loads(text)
