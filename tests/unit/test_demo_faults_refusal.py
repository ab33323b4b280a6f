"""The fault injector's refusals speak each service's protocol, whatever type botocore gives
a header's value (``samvad demo --faults``)."""

from __future__ import annotations

import json

import pytest
from botocore.awsrequest import AWSPreparedRequest

from samvad_dev.demo.faults import refusal


def _request(headers: dict) -> AWSPreparedRequest:
    return AWSPreparedRequest("POST", "https://example.amazonaws.com/", headers, b"{}", False)


@pytest.mark.parametrize("content_type", ["application/json", b"application/json"])
def test_a_rest_json_refusal_is_a_throttling_error_when_the_header_is_bytes(content_type):
    """Given a restJson request (Scheduler, Lambda) whose Content-Type botocore holds as bytes,
    When it is refused with throttling, Then the answer is a 429 ThrottlingException."""
    response = refusal("scheduler", _request({"Content-Type": content_type}), "throttle")
    assert response.status_code == 429
    assert response.headers["x-amzn-ErrorType"] == "ThrottlingException"
    assert "injected throttle" in json.loads(response.raw.read())["message"]


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", b"application/x-www-form-urlencoded; charset=utf-8"],
)
def test_a_query_protocol_refusal_is_an_xml_error_when_the_header_is_bytes(content_type):
    """Given an awsQuery request (SNS) with its Content-Type as text or bytes, When it is
    refused with an internal error, Then the answer is a 500 XML ErrorResponse."""
    response = refusal("sns", _request({"Content-Type": content_type}), "server_error")
    assert response.status_code == 500
    assert b"<Code>InternalFailure</Code>" in response.raw.read()
