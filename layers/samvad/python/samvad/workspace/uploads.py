"""Department uploads: a presigned POST bound to ``uploads/<my department>/<file>`` (type and
size), my department's uploads with their intake reports, and links to their rejects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from samvad.workspace.errors import BadRequest, Forbidden, NotFound
from samvad.workspace.policy import authorize
from samvad.workspace.ports import WorkspacePorts, audit
from samvad.workspace.roles import Official

UPLOAD_TYPES = {
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".jsonl": "application/x-ndjson",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,119}")


def file_type(filename: Any, types: Mapping[str, str]) -> str:
    if not isinstance(filename, str) or not _FILENAME.fullmatch(filename):
        raise BadRequest("filename", "letters, digits, . _ - and spaces; at most 120")
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in types:
        raise BadRequest("filename", f"must end in one of {', '.join(sorted(types))}")
    return types[suffix]


def _department_prefix(official: Official) -> str:
    return f"uploads/{official.scope.department}/"


def create_upload(official: Official, body: Mapping[str, Any], ports: WorkspacePorts) -> dict:
    """A presigned POST for ``uploads/<my department>/<filename>`` (size and type bound)."""
    authorize(official, "uploads.create")
    department = body.get("department")
    if not isinstance(department, str) or not department.strip():
        raise BadRequest("department", "is required (your department's code)")
    if department.strip() != official.scope.department:
        raise Forbidden(f"you may upload only for {official.scope.department}")
    content_type = file_type(body.get("filename"), UPLOAD_TYPES)
    key = _department_prefix(official) + body["filename"]
    post = ports.uploads.presign(key, content_type, MAX_UPLOAD_BYTES)
    audit(ports, official, "upload", key)
    return {"key": key, "max_bytes": MAX_UPLOAD_BYTES, **post}


def list_uploads(official: Official, ports: WorkspacePorts) -> dict:
    """My department's uploads, newest first, each with its intake report."""
    authorize(official, "uploads.list")
    found = [
        u for u in ports.uploads.list(_department_prefix(official))
        if str(u.get("key", "")).startswith(_department_prefix(official))
    ]  # fmt: skip
    return {"uploads": found}


def rejects_link(official: Official, key: str, ports: WorkspacePorts) -> dict:
    """A short-lived download link for one of my department's rejects files."""
    authorize(official, "uploads.rejects")
    prefix = "rejects/" + official.scope.department + "/"
    if not key.startswith(prefix) or ".." in key:
        raise NotFound("no such rejects file for your department")
    return {"key": key, "url": ports.uploads.download_url(key)}
