"""Officials' workspace (placeholder): the real handler comes with ``samvad.workspace``.

This build ships the infrastructure only; every request gets a 503 with a JSON body.
"""

from __future__ import annotations

import json
from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway HTTP API (payload v2) → 503 ``{"error": "workspace not deployed …"}``."""
    return {
        "statusCode": 503,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"error": "workspace not deployed in this build"}),
    }
