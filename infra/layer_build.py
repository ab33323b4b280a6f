"""Build the ``samvad`` Lambda layer folder locally, without Docker.

``build_layer(repo_root)`` fills ``.build/layer/python/`` with the runtime dependencies from
``pyproject.toml`` (wheels for Lambda's arm64 / CPython 3.13, cached by a stamp of the
dependency list) and a fresh copy of the ``samvad`` package.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

PIP_PLATFORM_ARGS = (
    "--platform",
    "manylinux2014_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    "3.13",
    "--only-binary=:all:",
)
EXCLUDED_DEPENDENCIES = frozenset({"boto3"})  # the Lambda runtime provides boto3
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement.strip())
    return re.sub(r"[-_.]+", "-", match.group(0)).lower() if match else ""


def runtime_dependencies(repo_root: Path) -> list[str]:
    """The ``[project].dependencies`` of ``pyproject.toml``, minus those Lambda provides."""
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    deps = project.get("dependencies", [])
    return [d for d in deps if _name(d) not in EXCLUDED_DEPENDENCIES]


def _stamp(deps: list[str]) -> str:
    return hashlib.sha256(json.dumps([deps, PIP_PLATFORM_ARGS]).encode()).hexdigest()


def build_layer(repo_root: Path) -> Path:
    """Build (or refresh) ``<repo_root>/.build/layer`` and return it; it holds ``python/``."""
    repo_root = Path(repo_root).resolve()
    return build_layer_folder(repo_root, "layer", runtime_dependencies(repo_root), drop_scripts)


def build_layer_folder(
    repo_root: Path, name: str, deps: list[str], trim: Callable[[Path], None]
) -> Path:
    """Build (or refresh) ``<repo_root>/.build/<name>`` and return it: ``python/`` holds
    ``deps`` for Lambda (reinstalled, then ``trim``-med, only when the list changes) and a
    copy of the ``samvad`` package (recopied only when it changes)."""
    repo_root = Path(repo_root).resolve()
    build_dir = repo_root / ".build"
    layer_dir = build_dir / name
    site = layer_dir / "python"
    stamp_file = build_dir / f"{name}-deps.sha256"  # outside the asset, so not shipped
    build_dir.mkdir(parents=True, exist_ok=True)
    with (build_dir / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers build one at a time
        stamp = _stamp(deps)
        fresh = stamp_file.exists() and stamp_file.read_text().strip() == stamp
        if not (fresh and site.is_dir()):
            shutil.rmtree(layer_dir, ignore_errors=True)
            site.mkdir(parents=True)
            if deps:
                pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile"]
                target = ["--target", str(site), *PIP_PLATFORM_ARGS, "--upgrade"]
                subprocess.run([*pip, *target, *deps], check=True)
            trim(site)
            stamp_file.write_text(stamp + "\n")
        package = site / "samvad"
        source = repo_root / "layers" / "samvad" / "python" / "samvad"
        copied = build_dir / f"{name}-package.sha256"
        digest = _source_digest(source)
        # Recopy only when the package changed: another test worker may be hashing this very
        # asset (it built it a moment ago), and a needless rmtree would pull it from under it.
        if not (package.is_dir() and copied.exists() and copied.read_text().strip() == digest):
            shutil.rmtree(package, ignore_errors=True)
            shutil.copytree(source, package, ignore=IGNORE)
            copied.write_text(digest + "\n")
    return layer_dir


def drop_scripts(site: Path) -> None:
    """Console scripts (``bin/``): useless in Lambda."""
    shutil.rmtree(site / "bin", ignore_errors=True)


def _source_digest(source: Path) -> str:
    files = sorted(
        f
        for f in source.rglob("*")
        if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc"
    )
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(source)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()
