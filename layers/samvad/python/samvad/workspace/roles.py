"""Roles, scopes and the signed-in official, built only from a verified token's claims.

A role is a Cognito group; a scope is the ``custom:*`` attributes the role needs. The claims
come from API Gateway's JWT authorizer (or the local server's identical check), never from a
request field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from samvad.workspace.errors import Forbidden, Unauthenticated

STATE, DEPARTMENT, DISTRICT, OFFICE = "state", "department", "district", "office"

ROLE_LEVELS: dict[str, str] = {
    "cmo": STATE,
    "minister": DEPARTMENT,
    "secretary": DEPARTMENT,
    "collector": DISTRICT,
    "sp": DISTRICT,
    "office_head": OFFICE,
    "caller": STATE,  # or a department, when the user has custom:department
    "data_officer": DEPARTMENT,
    "auditor": STATE,
    "grievance_officer": STATE,  # the citizens' erasure requests (DPDP Act s.12, s.13)
}
"""Each role's scope level: what ``custom:*`` attributes a user of that role must carry."""

ROLES = tuple(ROLE_LEVELS)
CLAIM_GROUPS = "cognito:groups"
CLAIM_OFFICIAL = "custom:official_id"
CLAIM_DEPARTMENT = "custom:department"
CLAIM_DISTRICT = "custom:district"
CLAIM_OFFICE = "custom:office_code"


@dataclass(frozen=True)
class Scope:
    """Where an official may see: the whole state, a department, a district (optionally of
    one department, e.g. an SP's police), or one office."""

    level: str
    department: str = ""
    district: str = ""
    office_code: str = ""

    def covers(self, record: Mapping[str, Any]) -> bool:
        """Whether a case, visit or upload (its department/district/office_code) is inside."""
        department = str(record.get("department") or "")
        district = str(record.get("district") or "")
        office = str(record.get("office_code") or "")
        if self.department and department != self.department:
            return False
        if self.level == DISTRICT:
            return district.casefold() == self.district.casefold()
        if self.level == OFFICE:
            return office == self.office_code
        return True

    def as_dict(self) -> dict[str, str]:
        fields = {
            "department": self.department,
            "district": self.district,
            "office_code": self.office_code,
        }
        return {"level": self.level, **{k: v for k, v in fields.items() if v}}


@dataclass(frozen=True)
class Official:
    official_id: str
    role: str
    scope: Scope
    source_ip: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"official_id": self.official_id, "role": self.role, "scope": self.scope.as_dict()}


def groups_of(claims: Mapping[str, Any]) -> list[str]:
    """``cognito:groups`` as a list: a JSON array in the token, or the ``"[a b]"`` string
    API Gateway's HTTP API puts in ``requestContext.authorizer.jwt.claims``."""
    value = claims.get(CLAIM_GROUPS)
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [g for g in value.strip("[]").replace(",", " ").split() if g]
    return []


def official_from_claims(claims: Mapping[str, Any] | None, source_ip: str = "") -> Official:
    """The signed-in official. No claims → ``Unauthenticated``; claims that name no single
    known role, or lack the attributes that role's scope needs → ``Forbidden`` (deny)."""
    if not claims or not isinstance(claims, Mapping):
        raise Unauthenticated("sign in: no verified identity on this request")
    if claims.get("token_use") not in (None, "id"):
        raise Unauthenticated("an ID token is required")
    official_id = str(claims.get(CLAIM_OFFICIAL) or "").strip()
    if not official_id:
        raise Forbidden("this account is not bound to a directory entry (custom:official_id)")
    roles = [g for g in groups_of(claims) if g in ROLE_LEVELS]
    if len(roles) != 1:
        raise Forbidden("this account must be in exactly one role group")
    role = roles[0]
    department = str(claims.get(CLAIM_DEPARTMENT) or "").strip()
    district = str(claims.get(CLAIM_DISTRICT) or "").strip()
    office = str(claims.get(CLAIM_OFFICE) or "").strip()
    level = ROLE_LEVELS[role]
    if role == "caller" and department:
        level = DEPARTMENT
    needs = {DEPARTMENT: department, DISTRICT: district, OFFICE: office, STATE: "-"}
    if not needs[level]:
        raise Forbidden(f"the {role} role needs its {level} (custom:{_attribute(level)})")
    scope = Scope(
        level=level,
        department=department if level in (DEPARTMENT, DISTRICT, OFFICE) else "",
        district=district if level == DISTRICT else "",
        office_code=office if level == OFFICE else "",
    )
    return Official(official_id, role, scope, source_ip)


def _attribute(level: str) -> str:
    return {DEPARTMENT: "department", DISTRICT: "district", OFFICE: "office_code"}[level]
