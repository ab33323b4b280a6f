"""Serve a function URL locally: real HTTP on loopback → the function's handler.

Each request becomes the payload-2.0 event a Lambda function URL would send, and is handled
by ``LocalCloud.invoke`` (one at a time: invocations set the process environment).
"""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

from samvad_dev.local.cloud import LocalCloud


class FunctionUrl:
    """``with FunctionUrl(cloud, "feedback") as url:`` — the base URL of the served function."""

    def __init__(self, cloud: LocalCloud, function: str):
        self.cloud = cloud
        self.function = function
        self._server: HTTPServer | None = None

    def __enter__(self) -> str:
        cloud, function = self.cloud, self.function

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", errors="replace")
                path, _, query = self.path.partition("?")
                event = {
                    "version": "2.0",
                    "routeKey": "$default",
                    "rawPath": path,
                    "rawQueryString": query,
                    "queryStringParameters": dict(urllib.parse.parse_qsl(query)) or None,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "requestContext": {
                        "http": {"method": self.command, "path": path, "sourceIp": "127.0.0.1"}
                    },
                    "body": body,
                    "isBase64Encoded": False,
                }
                response = cloud.invoke(function, event)
                payload = response.get("body", "").encode()
                self.send_response(response.get("statusCode", 200))
                for name, value in (response.get("headers") or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args) -> None:  # no request log: URLs hold tokens
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
