"""The departments and services a citizen may choose: the published ``departments`` config,
else the shipped defaults (as intake uses them)."""

from __future__ import annotations

import functools
import importlib.resources as package_files
import json
from typing import Any

from samvad import resources
from samvad.ports import ConfigReader


@functools.cache
def _shipped() -> dict[str, Any]:
    text = package_files.files("samvad.intake").joinpath("default_departments.json").read_text()
    return json.loads(text)


def departments_document(config: ConfigReader) -> dict[str, Any]:
    return config.latest(resources.DEPARTMENTS_CONFIG) or _shipped()


def departments(config: ConfigReader) -> dict[str, dict[str, Any]]:
    """``code → {"name", "services": {code: name}}``."""
    return dict(departments_document(config).get("departments") or {})
