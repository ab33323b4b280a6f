"""The users file of ``samvad users load``: one official per row, validated before anything
is written. CSV (header row) or a JSON list of objects, with the fields::

    username, email, role, official_id, department, district, office_code

``role`` is one of ``ROLES``; the role's scope level says which of department, district and
office_code the row needs (a caller may add a department; an SP may add police).
"""

from __future__ import annotations

import csv
import io
import json
import re

from samvad.workspace.roles import DEPARTMENT, DISTRICT, OFFICE, ROLE_LEVELS, ROLES

FIELDS = ("username", "email", "role", "official_id", "department", "district", "office_code")
_USERNAME = re.compile(r"[A-Za-z0-9._@+-]{3,128}")
_CODE = re.compile(r"[A-Za-z0-9._ -]{1,64}")


def parse_users(text: str) -> tuple[list[dict], list[str]]:
    """``(users, problems)``: every problem names the row and field; no users if any."""
    rows, problems = _rows(text)
    users: list[dict] = []
    seen: set[str] = set()
    for number, row in rows:
        where = f"row {number}"
        user = {f: str(row.get(f) or "").strip() for f in FIELDS}
        found = _problems(user)
        if user["username"] in seen:
            found.append(f"username {user['username']!r} appears twice")
        seen.add(user["username"])
        problems += [f"{where}: {p}" for p in found]
        users.append(user)
    if not rows and not problems:
        problems.append("the file lists no users")
    return ([] if problems else users), problems


def _rows(text: str) -> tuple[list[tuple[int, dict]], list[str]]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except ValueError as error:
            return [], [f"not valid JSON: {error}"]
        if not all(isinstance(r, dict) for r in data):
            return [], ["a JSON users file is a list of objects"]
        return list(enumerate(data, start=1)), []
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in ("username", "role", "official_id") if f not in (reader.fieldnames or [])]
    if missing:
        return [], [f"the header needs the columns {', '.join(missing)} (of {', '.join(FIELDS)})"]
    return list(enumerate(reader, start=2)), []


def _problems(user: dict) -> list[str]:
    found = []
    if not _USERNAME.fullmatch(user["username"]):
        found.append("username: 3-128 of letters, digits and . _ @ + -")
    if user["role"] not in ROLE_LEVELS:
        found.append(f"role: {user['role']!r} is not one of {', '.join(ROLES)}")
        return found
    if not user["official_id"]:
        found.append("official_id: required (the user's directory entry)")
    if user["email"] and "@" not in user["email"]:
        found.append(f"email: {user['email']!r} is not an address")
    level = ROLE_LEVELS[user["role"]]
    needs = {DEPARTMENT: "department", DISTRICT: "district", OFFICE: "office_code"}
    if level in needs and not user[needs[level]]:
        found.append(f"{needs[level]}: required for the {user['role']} role")
    for name in ("department", "district", "office_code"):
        if user[name] and not _CODE.fullmatch(user[name]):
            found.append(f"{name}: {user[name]!r} has characters other than letters, digits, . _ -")
    return found
