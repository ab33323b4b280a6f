"""Start ``samvad serve --port 0`` as the operator would and read its one JSON line."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT = 900  # loads a demo day first (intake, sampling, contacts, cases)


@contextmanager
def running_serve(tmp: Path, visits: int = 100, seed: int = 7):
    log = (tmp / "serve.err").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "samvad", "serve", "--port", "0", "--visits", str(visits),
         "--seed", str(seed)],
        stdout=subprocess.PIPE, stderr=log, text=True, env=os.environ.copy(),
    )  # fmt: skip
    try:
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        line = process.stdout.readline() if ready else ""
        if not line:
            process.kill()
            raise RuntimeError("samvad serve did not start: " + (tmp / "serve.err").read_text())
        yield json.loads(line)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def request(base: str, method: str, path: str, body=None, token: str | None = None):
    """``(status, decoded JSON or text)``."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def sign_in(base: str, user: dict) -> str:
    status, body = request(
        base, "POST", "/api/session", {"username": user["username"], "password": user["password"]}
    )
    assert status == 200, body
    return body["id_token"]


def wait_for(check, timeout: float = 60, poll: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(poll)
