"""Drill-down pages: state → department → district → office → official, each with the same
blocks as the state dashboard (figures, rankings, officials, overdue, capacity list), over the
tally rows of its scope, linked both ways.

Written beside the report as ``pages/<level>-<code>.html`` (one flat folder, so links between
pages are plain file names). Department and district pages come with every report; office
and official pages with week and month reports (a request's ``"pages": "all"`` or
``"none"`` chooses otherwise). The 90-day charts and the tile map are drawn on the state page
only (each chart takes about a second to draw); a page's series is in ``series.csv`` terms
only at state level.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from samvad.reports.periods import BadRequest
from samvad.reports.reading import Scope

LEVELS = ("department", "district", "office", "official")
FIELDS = {
    "department": ("department",),
    "district": ("district",),
    "office": ("department", "office_code"),
    "official": ("department", "official_id"),
}
"""The row fields that say which page of a level a row belongs to."""
DEFAULT_LEVELS = {"day": ("department", "district"), "week": LEVELS, "month": LEVELS}
FOLDER = "pages/"


@dataclass
class Page:
    level: str
    code: tuple[str, ...]
    title: str
    summary: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return page_name(self.level, self.code)

    @property
    def key(self) -> str:
        """Where the page goes under the report's prefix."""
        return FOLDER + self.name


def page_name(level: str, code: tuple[str, ...]) -> str:
    text = "-".join(code)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", text)
    if slug != text:  # a name changed by the slug gets a hash, so two never collide
        slug += "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{level}-{slug}.html"


def levels_for(kind: str, requested: object) -> tuple[str, ...]:
    if requested is None:
        return DEFAULT_LEVELS[kind]
    if requested == "all":
        return LEVELS
    if requested == "none":
        return ()
    raise BadRequest(f"pages must be 'all' or 'none', not {requested!r}")


def scoped_summaries(
    state: dict, levels: tuple[str, ...], summarise: Callable[[Scope], dict]
) -> list[Page]:
    """One page per department, district, office and official of ``levels`` in the state's
    summary, each summarised over the rows of its scope."""
    pages = []
    for level in levels:
        for code, title in _members(state, level):
            page = Page(level, code, title)
            page.summary = summarise((FIELDS[level], code)) | {"scope": level, "heading": title}
            pages.append(page)
    return pages


def _members(state: dict, level: str) -> list[tuple[tuple[str, ...], str]]:
    """The (code, title) of each page of ``level``: what the state's tables name."""
    found: dict[tuple[str, ...], str] = {}
    if level == "department":
        for r in state["offices"] + state["departments"]:
            found[(r["department"],)] = r.get("department_name") or r["department"]
    elif level == "district":
        for r in state["window_districts"] + state["districts"]:
            if r.get("district"):
                found[(r["district"],)] = r["district"]
    elif level == "office":
        for r in state["offices"]:
            found[(r["department"], r["office_code"])] = r.get("office_name") or r["office_code"]
    else:
        for r in state["officials"]:
            found[(r["department"], r["official_id"])] = r.get("official_name") or r["official_id"]
    return sorted(found.items())


@dataclass(frozen=True)
class Links:
    """How a page links to the others: ``written`` page keys, from ``base`` (the folder of
    the pages relative to this page), its CSVs through ``up``."""

    written: frozenset[str]
    base: str
    up: str
    home: str | None

    def href(self, level: str, row: dict) -> str | None:
        fields = FIELDS[level]
        if not all(row.get(f) for f in fields):
            return None
        name = page_name(level, tuple(str(row[f]) for f in fields))
        return self.base + name if FOLDER + name in self.written else None


def state_links(written: set[str]) -> Links:
    return Links(frozenset(written), FOLDER, "", None)


def page_links(written: set[str]) -> Links:
    return Links(frozenset(written), "", "../", "../dashboard.html")


def top_pages(pages: list[Page]) -> list[tuple[str, str]]:
    """The state page's list: its departments' and districts' pages."""
    return [(p.title, p.key) for p in pages if p.level in ("department", "district")]
