"""The dashboard's labels in Odia, Hindi and English (``catalog/<language>.json``).

Every label is written in all three languages, each in its own ``<span lang>``; the page's
language switch (radio buttons and CSS, no script) shows one of them.
"""

from __future__ import annotations

import functools
import json
from importlib import resources as package_files

from markupsafe import Markup, escape

LANGUAGES = ("en", "or", "hi")
"""English first: the page opens in English; the switch offers Odia and Hindi."""


@functools.cache
def catalog(language: str) -> dict:
    text = (
        package_files.files("samvad.reports")
        .joinpath(f"catalog/{language}.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def text(key: str, language: str) -> str:
    """One label in one language (KeyError names a label missing from a catalog)."""
    return catalog(language)["labels"][key]


@functools.cache
def spans(key: str) -> Markup:
    """The label in every language, for the switch to choose from."""
    return Markup("").join(
        Markup('<span class="l-{0}" lang="{0}">{1}</span>').format(lang, escape(text(key, lang)))
        for lang in LANGUAGES
    )


@functools.cache
def attributes(key: str) -> Markup:
    """``data-en``/``data-or``/``data-hi`` attributes: a stacked table cell's caption."""
    return Markup(" ").join(
        Markup('data-{0}="{1}"').format(lang, text(key, lang)) for lang in LANGUAGES
    )


def names() -> list[tuple[str, str]]:
    return [(lang, catalog(lang)["name"]) for lang in LANGUAGES]
