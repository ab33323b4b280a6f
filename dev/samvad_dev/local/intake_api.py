"""The push API on the local stack: ``POST /intake/v1/visits`` over HTTP on loopback.

On AWS, API Gateway verifies each request's SigV4 signature and hands the function the
signing role (``requestContext.authorizer.iam.userArn``). Locally each department gets an
API key instead (``issue_keys``): the front accepts a request only with a key it issued
(compared in constant time) and passes that key's role on exactly as API Gateway would, so
the function, the domain and the department mapping are the deployed ones. Anything else is
API Gateway's own 403.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.intake.push import PUSH_CALLERS_CONFIG
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.names import ACCOUNT

ROUTE = "/intake/v1/visits"
KEY_HEADER = "x-api-key"


def role_of(department: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/samvad-push-{department}"


def issue_keys(cloud: LocalCloud, departments: list[str]) -> dict[str, str]:
    """A fresh key per department (department → key); publishes their roles' mapping."""
    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    current = (config.latest(PUSH_CALLERS_CONFIG) or {}).get("callers") or {}
    callers = dict(current) | {role_of(d): d for d in departments}
    config.publish(PUSH_CALLERS_CONFIG, {"callers": callers})
    return {d: secrets.token_urlsafe(24) for d in departments}


class PushFront:
    """``with PushFront(cloud, keys) as url:`` serves the push API at ``url + ROUTE``."""

    def __init__(self, cloud: LocalCloud, keys: dict[str, str], port: int = 0):
        self.cloud = cloud
        self._roles = [(key.encode(), role_of(department)) for department, key in keys.items()]
        self.port = port
        self._server: HTTPServer | None = None
        self._lock = threading.Lock()  # invocations set the process environment

    def principal(self, key: str | None) -> str | None:
        """The session ARN of the role whose key this is (None: not a key issued here)."""
        found = None
        for known, role in self._roles:  # every key compared: no timing hint of which
            if key is not None and hmac.compare_digest(known, key.encode()):
                found = role
        if found is None:
            return None
        name = found.rsplit("/", 1)[1]
        return f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/local"

    def handle(self, method: str, path: str, headers: dict[str, str], body: str):
        """``(status, headers, body)`` as API Gateway and then the function answer."""
        if (method, path) != ("POST", ROUTE):
            return 404, {"Content-Type": "application/json"}, '{"message":"Not Found"}'
        principal = self.principal(headers.get(KEY_HEADER))
        if principal is None:
            return 403, {"Content-Type": "application/json"}, '{"message":"Forbidden"}'
        event = _event(path, headers, body, principal)
        with self._lock:
            response = self.cloud.invoke("intake_api", event)
        return response["statusCode"], response.get("headers") or {}, response.get("body", "")

    def __enter__(self) -> str:
        front = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", errors="surrogateescape")
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, out_headers, out = front.handle(
                    self.command, self.path.partition("?")[0], headers, body
                )
                payload = out.encode("utf-8", errors="surrogateescape")
                self.send_response(status)
                for name, value in out_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args: Any) -> None:  # no request log: bodies hold phones
                pass

        self._server = HTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _event(path: str, headers: dict[str, str], body: str, principal: str) -> dict[str, Any]:
    """The HTTP API (payload 2.0) event after IAM authorisation; the key is not passed on."""
    return {
        "version": "2.0",
        "routeKey": f"POST {ROUTE}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {k: v for k, v in headers.items() if k != KEY_HEADER},
        "requestContext": {
            "http": {"method": "POST", "path": path, "sourceIp": "127.0.0.1"},
            "routeKey": f"POST {ROUTE}",
            "stage": "$default",
            "authorizer": {"iam": {"userArn": principal, "accountId": ACCOUNT}},
        },
        "body": body,
        "isBase64Encoded": False,
    }
