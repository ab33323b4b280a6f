"""What a workspace request can fail with; the handler maps each to one HTTP status."""

from __future__ import annotations


class WorkspaceError(Exception):
    status = 500


class Unauthenticated(WorkspaceError):
    """No verified identity (401)."""

    status = 401


class Forbidden(WorkspaceError):
    """Signed in, but this role or scope may not do this (403)."""

    status = 403


class NotFound(WorkspaceError):
    """No such thing, or outside the caller's scope where existence must not leak (404)."""

    status = 404


class BadRequest(WorkspaceError):
    """Bad input; the message names the field (400)."""

    status = 400

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field


class Conflict(WorkspaceError):
    """The request is valid but the thing has moved on (409), e.g. an ATR already filed."""

    status = 409
