"""The public feedback URL behind CloudFront: only requests that carry the origin secret.

With the optional edge (``infra.constructs.edge``), CloudFront adds ``x-samvad-origin`` with
a secret to every request it forwards; the web function then refuses any request without it,
so the WAF in front cannot be bypassed by calling the function URL directly.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

ORIGIN_HEADER = "x-samvad-origin"
REFUSED = {
    "statusCode": 403,
    "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
    "body": json.dumps({"error": "use the published address of this service"}),
}
"""The answer to a request that came around the edge (no detail on what is missing)."""


def through_the_edge(headers: Mapping[str, str] | None, secret: str) -> bool:
    """Whether ``headers`` (a function URL event's, lower-case names) carry ``secret`` in
    ``ORIGIN_HEADER``; compared in constant time."""
    if not secret:
        return False
    given = {k.lower(): v for k, v in (headers or {}).items()}.get(ORIGIN_HEADER, "")
    return hmac.compare_digest(given.encode(), secret.encode())
