"""The CLI as a signed-in official: ``samvad signin``, then ``samvad case atr`` and
``samvad case transfer`` through the workspace's JSON API.

Who acts is never a flag: the command sends the official's Cognito ID token, the workspace's
JWT authorizer verifies it and the workspace domain takes ``official_id`` from its claims
(and applies the same scope and holder rules as the pages). ``samvad signin`` gets the token
through ``POST /api/session`` (Cognito's USER_PASSWORD_AUTH: local and dev) and keeps it in
a file only its owner can read; elsewhere, export a token from the hosted UI as
``SAMVAD_ID_TOKEN`` (with ``WORKSPACE_URL``).
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samvad.cli_input import UsageError

TOKEN_FILE_ENV = "SAMVAD_TOKEN_FILE"
TOKEN_ENV = "SAMVAD_ID_TOKEN"
WORKSPACE_URL_ENV = "WORKSPACE_URL"
DEFAULT_TOKEN_FILE = Path.home() / ".config" / "samvad" / "token.json"
TIMEOUT_SECONDS = 30
SIGN_IN_HINT = "sign in first: `samvad signin --workspace URL --username NAME`"


@dataclass(frozen=True)
class Session:
    url: str
    id_token: str


def token_file() -> Path:
    return Path(os.environ.get(TOKEN_FILE_ENV) or DEFAULT_TOKEN_FILE)


def sign_in(command: str, url: str, username: str, password: str) -> dict:
    """Sign in, keep the token (mode 0600) and say who the workspace says I am."""
    url = _base(command, url)
    status, body = _call(command, url, "POST", "/api/session", None, {
        "username": username, "password": password,
    })  # fmt: skip
    if status != 200:
        raise UsageError(f"{command}: {body.get('error') or f'HTTP {status}'}")
    session = Session(url, str(body["id_token"]))
    status, me = _call(command, url, "GET", "/api/me", session.id_token)
    path = token_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    expires_at = int(time.time()) + int(body.get("expires_in") or 3600)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump({"url": url, "id_token": session.id_token, "expires_at": expires_at}, out)
    return {"signed_in_as": me, "token_file": str(path), "expires_at": expires_at}


def current_session(command: str) -> Session:
    """``SAMVAD_ID_TOKEN`` with ``WORKSPACE_URL``, else the file ``samvad signin`` wrote."""
    if os.environ.get(TOKEN_ENV):
        url = os.environ.get(WORKSPACE_URL_ENV) or ""
        if not url:
            raise UsageError(f"{command}: {TOKEN_ENV} is set but {WORKSPACE_URL_ENV} is not")
        return Session(_base(command, url), os.environ[TOKEN_ENV])
    path = token_file()
    try:
        stored = json.loads(path.read_text())
        session = Session(str(stored["url"]), str(stored["id_token"]))
        expires_at = int(stored.get("expires_at") or 0)
    except FileNotFoundError:
        raise UsageError(f"{command}: not signed in: {SIGN_IN_HINT}") from None
    except (ValueError, KeyError, TypeError, OSError):
        raise UsageError(f"{command}: {path} is not a token file: {SIGN_IN_HINT}") from None
    if expires_at <= time.time():
        raise UsageError(f"{command}: the sign-in has expired: {SIGN_IN_HINT}")
    return session


def act(command: str, session: Session, path: str, body: dict) -> dict:
    """POST ``body`` to ``path`` as the signed-in official; a refusal is one clear line."""
    status, answer = _call(command, session.url, "POST", path, session.id_token, body)
    if status == 401:
        raise UsageError(f"{command}: the workspace did not accept the sign-in: {SIGN_IN_HINT}")
    if status != 200:
        field = f" ({answer['field']})" if answer.get("field") else ""
        error = answer.get("error") or answer.get("message") or f"HTTP {status}"
        raise UsageError(f"{command}: refused (HTTP {status}){field}: {error}")
    return answer


def case_path(case_id: str, action: str) -> str:
    return f"/api/cases/{urllib.parse.quote(case_id, safe='')}/{action}"


def _base(command: str, url: str) -> str:
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(f"{command}: the workspace URL must be http(s)://host…, not {url!r}")
    return url.strip().rstrip("/")


def _call(
    command: str, url: str, method: str, path: str, token: str | None, body: Any = None
) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise UsageError(f"{command}: cannot reach the workspace at {url}: {reason}") from None
    try:
        answer = json.loads(text)
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}
