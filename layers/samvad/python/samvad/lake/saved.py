"""The saved queries shipped with Samvad (``queries/*.sql``) and their parameters.

A query's header declares each parameter with its default (``-- param min_months = 3``); the
body uses ``{{min_months}}``. Values are whole numbers or dates (``YYYY-MM-DD``) only, so a
parameter can never change the statement's shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources as package_files

_PARAM = re.compile(r"^--\s*param\s+(\w+)\s*=\s*(\S+)\s*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_SAFE_VALUE = re.compile(r"^(\d{1,6}|\d{4}-\d{2}-\d{2})$")


class QueryParameterError(ValueError):
    """An unknown saved query, parameter, or a value that is not a number or a date."""


@dataclass(frozen=True)
class SavedQuery:
    name: str
    template: str

    @property
    def defaults(self) -> dict[str, str]:
        return dict(_PARAM.findall(self.template))

    @property
    def description(self) -> str:
        """The header's prose, with the parameters' defaults filled in."""
        lines = [line.removeprefix("--").strip() for line in self.sql().splitlines()]
        return " ".join(line for line in lines[:3] if line and not line.startswith("param"))

    def sql(self, params: dict[str, str] | None = None) -> str:
        """The statement with ``params`` (over the defaults) filled in."""
        values = self.defaults
        unknown = set(params or {}) - set(values)
        if unknown:
            raise QueryParameterError(
                f"{self.name} has no parameter {sorted(unknown)[0]!r}; it takes {sorted(values)}"
            )
        values |= params or {}
        for name, value in values.items():
            if not _SAFE_VALUE.match(value):
                raise QueryParameterError(
                    f"{name}={value!r}: a parameter is a whole number or a date YYYY-MM-DD"
                )
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.template)


def saved_queries() -> dict[str, SavedQuery]:
    """Every shipped query by name (the file name without ``.sql``)."""
    folder = package_files.files("samvad.lake") / "queries"
    return {
        entry.name.removesuffix(".sql"): SavedQuery(
            entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8")
        )
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql")
    }


def saved_query(name: str) -> SavedQuery:
    queries = saved_queries()
    if name not in queries:
        raise QueryParameterError(f"no saved query {name!r}; choose one of {sorted(queries)}")
    return queries[name]
