"""Grievance configuration (config document ``grievances``) and the checks on a submission.

``{"departments": {"<department>": {"services": [...], "categories": [...]}},
  "categories": [...default...], "fold_days": 30,
  "limits": {"phone_per_day": 5, "source_per_hour": 60, "status_per_hour": 10}}``

Every key is optional; a department not listed accepts any service and the default categories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from samvad.dispatch.policy import Rate
from samvad.grievances.model import CHANNELS, LANGUAGES, MAX_TEXT, GrievanceError, Submission
from samvad.phones import normalise_indian_mobile
from samvad.problems import Problem

CONFIG_NAME = "grievances"
DEFAULT_CATEGORIES = (
    "rude_behaviour", "delay", "money_asked", "work_not_done", "wrong_information",
    "absent_staff", "other",
)  # fmt: skip
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


@dataclass(frozen=True)
class GrievanceRules:
    departments: dict[str, dict[str, Any]] = field(default_factory=dict)
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    fold_days: float = 30.0
    phone_per_day: int = 5
    source_per_hour: int = 60
    status_per_hour: int = 10

    @classmethod
    def from_document(cls, document: dict | None, catalogue: dict | None = None) -> GrievanceRules:
        """From the ``grievances`` document; departments and services not listed there come
        from the departments config (``catalogue``), when it is loaded."""
        document = document or {}
        limits = document.get("limits") or {}
        known = {
            name: {"services": list((entry or {}).get("services") or {})}
            for name, entry in ((catalogue or {}).get("departments") or {}).items()
        }
        try:
            return cls(
                departments={**known, **dict(document.get("departments") or {})},
                categories=tuple(document.get("categories") or DEFAULT_CATEGORIES),
                fold_days=float(document.get("fold_days", 30)),
                phone_per_day=int(limits.get("phone_per_day", 5)),
                source_per_hour=int(limits.get("source_per_hour", 60)),
                status_per_hour=int(limits.get("status_per_hour", 10)),
            )
        except (TypeError, ValueError) as error:
            raise GrievanceError("config", f"grievances config is invalid: {error}") from None

    def categories_of(self, department: str) -> tuple[str, ...]:
        listed = (self.departments.get(department) or {}).get("categories")
        return tuple(listed) if listed else self.categories

    def services_of(self, department: str) -> tuple[str, ...] | None:
        listed = (self.departments.get(department) or {}).get("services")
        return tuple(listed) if listed else None

    def phone_rate(self) -> Rate:
        return Rate(self.phone_per_day / 86400.0, self.phone_per_day)

    def source_rate(self) -> Rate:
        return Rate(self.source_per_hour / 3600.0, self.source_per_hour)

    def status_rate(self) -> Rate:
        return Rate(self.status_per_hour / 3600.0, self.status_per_hour)


def checked_phone(raw: str) -> str:
    phone = normalise_indian_mobile(raw or "")
    if isinstance(phone, Problem):
        raise GrievanceError("phone", phone.message)
    return phone


def check(submission: Submission, rules: GrievanceRules) -> Submission:
    """The submission with its phone normalised, or ``GrievanceError`` naming the field."""
    if submission.channel not in CHANNELS:
        raise GrievanceError("channel", f"channel must be one of {', '.join(CHANNELS)}")
    if not submission.source_id:
        raise GrievanceError("source_id", "the channel's message id is required")
    phone = checked_phone(submission.phone)
    if submission.language not in LANGUAGES:
        raise GrievanceError("language", f"language must be one of {', '.join(LANGUAGES)}")
    if not submission.department or not _CODE.fullmatch(submission.department):
        raise GrievanceError("department", "choose the department")
    if rules.departments and submission.department not in rules.departments:
        raise GrievanceError("department", f"unknown department {submission.department!r}")
    services = rules.services_of(submission.department)
    if not submission.service and submission.channel != "sms":  # SMS names only the office
        raise GrievanceError("service", "choose the service of this department")
    if submission.service and services and submission.service not in services:
        raise GrievanceError("service", "choose the service of this department")
    office = (submission.office_code or "").strip() or None
    if office is not None and not _CODE.fullmatch(office):
        raise GrievanceError("office_code", "the office code has letters and digits only")
    if submission.category not in rules.categories_of(submission.department):
        raise GrievanceError("category", "choose the kind of grievance from the list")
    text = (submission.text or "").strip() or None
    if text is not None and len(text) > MAX_TEXT:
        raise GrievanceError("text", f"the grievance is longer than {MAX_TEXT} characters")
    if text is None and not submission.voice_key and submission.category == "other":
        raise GrievanceError("text", "say what happened (a text or a voice message)")
    return Submission(
        channel=submission.channel,
        phone=phone,
        department=submission.department,
        service=submission.service,
        office_code=office.upper() if office else None,
        category=submission.category,
        text=text,
        voice_key=submission.voice_key or None,
        language=submission.language,
        source_id=submission.source_id,
        source=submission.source,
        by=submission.by,
        district=submission.district.strip(),
    )
