"""Text cells a spreadsheet cannot run (CSV injection, OWASP), for every CSV officials open.

Excel, LibreOffice and Google Sheets read a cell as a formula when it starts with ``=``,
``+``, ``-`` or ``@``, also behind leading spaces, tabs, carriage returns or line breaks, and
some read the full-width forms (``＝``, ``＋``, ``－``, ``＠``) too. Such a cell gets a leading
apostrophe, which a spreadsheet shows as plain text; the text itself is kept as written.
"""

from __future__ import annotations

import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@")
GUARD = "'"


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula: it starts, after compatibility
    normalisation (NFKC folds full-width signs) and leading whitespace, with ``= + - @``, or
    it starts with a tab or a carriage return."""
    if not text:
        return False
    if text[0] in "\t\r":
        return True
    return unicodedata.normalize("NFKC", text).lstrip().startswith(FORMULA_STARTS)


def formula_safe(text: str) -> str:
    """``text``, with a leading apostrophe when a spreadsheet could read it as a formula."""
    return GUARD + text if is_formula(text) else text
