"""Build the lake exporter's own layer folder, ``.build/lake-layer``, without Docker.

pyarrow is ~128 MB unzipped: beside the shared layer's ~132 MB (matplotlib, openpyxl …) it
would pass Lambda's 250 MB limit for a function and its layers. So the exporter gets a layer
of its own: the ``samvad`` package, Powertools and the ``lake`` extra (pyarrow), without
pyarrow's C++ headers, tests and Cython sources.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from infra.layer_build import IGNORE, PIP_PLATFORM_ARGS, _source_digest, _stamp

BASE_DEPENDENCIES = ("aws-lambda-powertools",)
"""Of the project's runtime dependencies, those the lake code imports."""
TRIMMED = ("pyarrow/include", "pyarrow/tests", "pyarrow/src")
TRIMMED_SUFFIXES = (".pxd", ".pyx", ".pxi", ".h", ".cc")


def lake_dependencies(repo_root: Path) -> list[str]:
    """Powertools (as pinned in ``[project].dependencies``) and the ``lake`` extra."""
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    base = [
        d
        for d in project.get("dependencies", [])
        if re.split(r"[<>=!~\[ ;]", d.strip(), maxsplit=1)[0].lower() in BASE_DEPENDENCIES
    ]
    return base + list(project.get("optional-dependencies", {}).get("lake", []))


def build_lake_layer(repo_root: Path) -> Path:
    """Build (or refresh) ``<repo_root>/.build/lake-layer`` and return it; it holds ``python/``."""
    repo_root = Path(repo_root).resolve()
    build_dir = repo_root / ".build"
    layer_dir = build_dir / "lake-layer"
    site = layer_dir / "python"
    stamp_file = build_dir / "lake-layer-deps.sha256"
    build_dir.mkdir(parents=True, exist_ok=True)
    with (build_dir / "lake-layer.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        deps = lake_dependencies(repo_root)
        stamp = _stamp(deps)
        if not (stamp_file.exists() and stamp_file.read_text().strip() == stamp and site.is_dir()):
            shutil.rmtree(layer_dir, ignore_errors=True)
            site.mkdir(parents=True)
            pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile"]
            target = ["--target", str(site), *PIP_PLATFORM_ARGS, "--upgrade"]
            subprocess.run([*pip, *target, *deps], check=True)
            _trim(site)
            stamp_file.write_text(stamp + "\n")
        package = site / "samvad"
        source = repo_root / "layers" / "samvad" / "python" / "samvad"
        copied = build_dir / "lake-layer-package.sha256"
        digest = _source_digest(source)
        if not (package.is_dir() and copied.exists() and copied.read_text().strip() == digest):
            shutil.rmtree(package, ignore_errors=True)
            shutil.copytree(source, package, ignore=IGNORE)
            copied.write_text(digest + "\n")
    return layer_dir


def _trim(site: Path) -> None:
    shutil.rmtree(site / "bin", ignore_errors=True)
    for folder in TRIMMED:
        shutil.rmtree(site / folder, ignore_errors=True)
    for path in site.joinpath("pyarrow").rglob("*"):
        if path.is_file() and path.suffix in TRIMMED_SUFFIXES:
            path.unlink()
