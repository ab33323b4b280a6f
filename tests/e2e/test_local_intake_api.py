"""The push API served by the local runtime: keys stand in for SigV4, the rest is deployed code."""

import json
import urllib.error
import urllib.request

import pytest

from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.intake_api import KEY_HEADER, ROUTE, PushFront, issue_keys

pytestmark = pytest.mark.e2e

RECORDS = [
    {"Mobile No": "9876543210", "Date of Visit": "22/11/2026", "Office Code": "HLT-1",
     "Service": "OPD"},
]  # fmt: skip


def post(url: str, body: dict | str, key: str | None) -> tuple[int, dict, dict]:
    data = (body if isinstance(body, str) else json.dumps(body)).encode()
    request = urllib.request.Request(url + ROUTE, data=data, method="POST")
    if key:
        request.add_header(KEY_HEADER, key)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_the_local_runtime_serves_the_push_route_with_the_keys_department():
    """Given keys for health and police, When health's key posts a batch twice, police's key
    posts a batch saying health, and a request comes with no key or an unknown one, Then
    health's batch is taken once (the replay answers the same), police's is refused naming
    the department field, and the keyless and unknown requests get API Gateway's 403."""
    with LocalCloud(stage="push") as cloud:
        keys = issue_keys(cloud, ["health", "police"])
        with PushFront(cloud, keys) as url:
            batch = {"batch_id": "opd-7", "records": RECORDS}
            status, _, answer = post(url, batch, keys["health"])
            again_status, headers, again = post(url, batch, keys["health"])
            police = post(url, {**batch, "department": "health"}, keys["police"])
            keyless = post(url, batch, None)
            unknown = post(url, batch, "not-a-key")

    assert (status, answer["department"], answer["accepted"]) == (200, "health", 1)
    assert (again_status, again) == (200, answer)
    assert headers["Idempotent-Replayed"] == "true"
    assert (police[0], police[2]["field"]) == (403, "department")
    assert keyless[0] == unknown[0] == 403
    assert keyless[2] == {"message": "Forbidden"}
