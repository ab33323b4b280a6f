"""The feedback web entry behind the optional CloudFront edge (``samvad.edge``): on moto, a
request without CloudFront's secret origin header is refused before anything is read."""

from __future__ import annotations

import boto3
import pytest

from samvad import edge, resources
from samvad_dev.local.citizens import function_url_event
from tests.adapters.test_dispatch_handler import Context
from tests.conftest import load_handler

SECRET = "s3cr3t-origin-value-from-secrets-manager"


@pytest.fixture
def behind_the_edge(stack, monkeypatch):
    arn = boto3.client("secretsmanager", region_name="ap-south-1").create_secret(
        Name="samvad/test/origin", SecretString=SECRET
    )["ARN"]
    monkeypatch.setenv(resources.ORIGIN_SECRET_ENV, arn)
    return load_handler("feedback")


@pytest.mark.parametrize("header", [None, "", "wrong", SECRET + "x"])
def test_a_request_around_the_edge_is_refused(behind_the_edge, header):
    """Given the web entry behind CloudFront, When a request comes without the origin header
    (or with another value), Then 403, saying nothing of the header."""
    event = function_url_event("GET", "/f/forged-token")
    if header is not None:
        event["headers"][edge.ORIGIN_HEADER] = header
    answer = behind_the_edge.lambda_handler(event, Context())
    assert answer == edge.REFUSED and edge.ORIGIN_HEADER not in answer["body"]


def test_a_request_through_the_edge_is_served(behind_the_edge):
    """Given the web entry behind CloudFront, When CloudFront forwards a request with the
    secret, Then the request is served as before (an unknown link is 404)."""
    event = function_url_event("GET", "/f/forged-token")
    event["headers"][edge.ORIGIN_HEADER] = SECRET
    assert behind_the_edge.lambda_handler(event, Context())["statusCode"] == 404


def test_without_the_edge_nothing_is_checked(stack):
    event = function_url_event("GET", "/f/forged-token")
    assert load_handler("feedback").lambda_handler(event, Context())["statusCode"] == 404


def test_the_comparison_needs_the_exact_secret():
    assert edge.through_the_edge({"X-Samvad-Origin": "abc"}, "abc")
    assert not edge.through_the_edge({"x-samvad-origin": "abc"}, "")
    assert not edge.through_the_edge(None, "abc")
