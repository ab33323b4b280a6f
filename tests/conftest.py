"""Shared fixtures: moto in-process with the stack's resources, and the intake handler."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import boto3
import pytest

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture
def aws(monkeypatch):
    """moto in-process, dummy credentials, the stack's region; no endpoint override."""
    from moto import mock_aws

    from samvad_dev.local.cloud import REGION

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def stack(aws, monkeypatch):
    """The stack's resources in moto; the functions' environment variables set."""
    from samvad_dev.local.cloud import Names, provision

    names = Names("test")
    env = provision(boto3.client, names)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    clear_port_caches()  # clients from an earlier test point at a closed mock
    yield names
    clear_port_caches()


def clear_port_caches() -> None:
    """Forget the ports each wiring module builds once per process (as a Lambda would)."""
    from samvad.dispatch import wiring as dispatch_wiring
    from samvad.feedback.wiring import feedback_ports
    from samvad.intake.wiring import intake_ports
    from samvad.sampling.wiring import sampler_ports

    for cached in (intake_ports, sampler_ports, dispatch_wiring.dispatch_ports, feedback_ports):
        cached.cache_clear()
    dispatch_wiring._policy_cache.clear()


def load_handler(function: str):
    """Import ``functions/<function>/handler.py`` the way Lambda does: as a top-level file."""
    path = REPO / "functions" / function / "handler.py"
    spec = importlib.util.spec_from_file_location(f"handler_{function}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
