"""What API Gateway's Cognito JWT authorizer does, for the local server.

A request's ``Authorization: Bearer <token>`` is accepted only when the token is a JWS signed
with RS256 by a key in the pool's JWKS (``/<pool>/.well-known/jwks.json`` on the emulator),
its issuer is the pool's, its audience is the workspace client, it has not expired, and it
is an ID token. Anything else (``alg: none``, another key, a changed claim, no token) is
refused with API Gateway's own 401 body. The claims are then passed as HTTP API v2 does:
strings, arrays as ``"[a b]"``.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from samvad_dev.local.cloud import REGION

JWKS_SECONDS = 300


class Refused(Exception):
    """The token is not acceptable; the message says why (for the server log only)."""


class JwtAuthorizer:
    def __init__(self, endpoint: str, pool_id: str, client_id: str, region: str = REGION):
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        self.audience = client_id
        self._jwks_url = f"{endpoint}/{pool_id}/.well-known/jwks.json"
        self._keys: tuple[float, KeySet] | None = None

    def _key_set(self) -> KeySet:
        if self._keys is None or time.monotonic() - self._keys[0] > JWKS_SECONDS:
            with urllib.request.urlopen(self._jwks_url, timeout=10) as response:
                self._keys = (time.monotonic(), KeySet.import_key_set(json.load(response)))
        return self._keys[1]

    def claims(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims of the bearer token in ``authorization``, or ``Refused``."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Refused("no bearer token")
        try:
            token = jwt.decode(value.strip(), self._key_set(), algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                token_use={"essential": True, "value": "id"},
            ).validate(token.claims)
        except (JoseError, ValueError, TypeError) as error:
            raise Refused(f"{type(error).__name__}: {error}") from None
        return dict(token.claims)


def as_http_api_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as ``requestContext.authorizer.jwt.claims`` carries them: all strings."""
    shown = {}
    for name, value in claims.items():
        if isinstance(value, list):
            shown[name] = "[" + " ".join(str(v) for v in value) + "]"
        else:
            shown[name] = str(value)
    return shown


def authorized_event(
    claims: dict[str, Any],
    method: str,
    path: str,
    body: dict | None = None,
    source_ip: str = "127.0.0.1",
) -> dict:
    """An HTTP API (payload 2.0) request as API Gateway passes it on to the function after
    its JWT authorizer verified the caller's ID token, whose ``claims`` it carries."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": source_ip},
            "stage": "$default",
            "authorizer": {"jwt": {"claims": claims, "scopes": None}},
        },
        "body": json.dumps(body) if body else "",
        "isBase64Encoded": False,
    }
