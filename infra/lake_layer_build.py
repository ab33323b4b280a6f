"""Build the lake exporter's own layer folder, ``.build/lake-layer``, without Docker.

pyarrow is ~128 MB unzipped: beside the shared layer's ~132 MB (matplotlib, openpyxl …) it
would pass Lambda's 250 MB limit for a function and its layers. So the exporter gets a layer
of its own: the ``samvad`` package, Powertools and the ``lake`` extra (pyarrow), without
pyarrow's C++ headers, tests and Cython sources.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

from infra.layer_build import build_layer_folder, drop_scripts

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
    return build_layer_folder(repo_root, "lake-layer", lake_dependencies(repo_root), _trim)


def _trim(site: Path) -> None:
    """No console scripts, and none of pyarrow's headers, tests and Cython sources."""
    drop_scripts(site)
    for folder in TRIMMED:
        shutil.rmtree(site / folder, ignore_errors=True)
    for path in site.joinpath("pyarrow").rglob("*"):
        if path.is_file() and path.suffix in TRIMMED_SUFFIXES:
            path.unlink()
