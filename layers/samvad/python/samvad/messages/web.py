"""The citizen's feedback web form: self-contained HTML pages and the parser of what they post.

Pages need nothing but themselves (inline CSS, no script, no image, no font download), so they
load on a weak connection and pass ``CONTENT_SECURITY_POLICY``, which allows that one style
sheet by its hash. The pages are Jinja2 templates in ``templates/`` (every value escaped); the
visit is shown by office, service and date only, never by phone number.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from samvad import templates
from samvad.messages.languages import LANGUAGES, format_date, normalise_language, texts

CSS = templates.source("samvad.messages", "form.css").replace("\n", "")
CONTENT_SECURITY_POLICY = templates.policy(
    f"style-src {templates.style_hash(CSS)}", "form-action 'self'"
)
RESPONSE_HEADERS = templates.page_headers(CONTENT_SECURITY_POLICY)
"""Headers for every page the feedback function serves."""
PAGES = ("thanks", "expired", "used", "invalid", "error")
FORM_KINDS = ("survey", "confirmation")
FREE_TEXT_LIMIT = 1000
BODY_LIMIT = 16 * 1024
_MAX_FIELDS = 16
_YES_NO = {"yes": True, "no": False}
_TRUE = frozenset({"1", "on", "yes", "true"})


class FormError(ValueError):
    """A posted value that cannot be recorded: which field, and why (in English, for logs;
    ``render_form(error=...)`` shows the citizen the catalog's words for that field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.values: dict[str, str] = {}  # what was posted, to show the form again with


@dataclass(frozen=True)
class FormAnswer:
    token: str
    rating: int | None = None
    work_done: bool | None = None
    bribe_asked: bool | None = None
    free_text: str | None = None
    opt_out: bool = False
    resolved: bool | None = None


def _date_or_none(value: object) -> str | dt.date | None:
    return value if value is None or isinstance(value, str | dt.date) else str(value)


def _render(template: str, language: str, **context: object) -> str:
    return templates.render(
        "samvad.messages",
        template,
        language=language,
        web=texts(language)["web"],
        languages=[(code, texts(code)["name"]) for code in LANGUAGES],
        policy=CONTENT_SECURITY_POLICY,
        css=CSS,
        **context,
    )


def error_message(language: str, error: FormError | str | None) -> str | None:
    """The catalog's words for the field an error names (the form's own when none fits)."""
    if error is None:
        return None
    field = error.field if isinstance(error, FormError) else str(error)
    errors = texts(language)["web"]["errors"]
    return errors.get(field, errors["form"])


def render_form(
    language: str | None,
    token: str,
    visit: Mapping[str, object],
    kind: str = "survey",
    error: FormError | str | None = None,
    *,
    values: Mapping[str, str] | None = None,
) -> str:
    """The form for one visit. ``visit`` supplies ``office_name``, ``service`` and
    ``visit_date`` (nothing else is read). ``error`` is a ``FormError`` or a field name;
    ``values`` re-selects what the citizen had chosen when the form is shown again."""
    if kind not in FORM_KINDS:
        raise ValueError(f"kind must be one of {FORM_KINDS}, not {kind!r}")
    language = normalise_language(language)
    web = texts(language)["web"]
    chosen = dict(values or {})
    rows = [
        (web["office"], visit.get("office_name")),
        (web["service"], visit.get("service")),
        (web["visit_date"], format_date(_date_or_none(visit.get("visit_date")), language) or None),
    ]
    return _render(
        "form.html",
        language,
        kind=kind,
        token=token,
        details=[(term, value) for term, value in rows if value],
        error=error_message(language, error),
        chosen=chosen,
        ratings=[(str(n), (n, word)) for n, word in enumerate(web["rating_words"], start=1)],
        opted_out=chosen.get("opt_out", "").casefold() in _TRUE,
        free_text_limit=FREE_TEXT_LIMIT,
    )


def render_page(page: str, language: str | None) -> str:
    """A short page in the form's look: ``thanks``, ``expired``, ``used``, ``invalid`` or
    ``error``."""
    if page not in PAGES:
        raise ValueError(f"page must be one of {PAGES}, not {page!r}")
    language = normalise_language(language)
    return _render("outcome.html", language, text=texts(language)["pages"][page])


def _clean_text(value: str) -> str | None:
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    kept = "".join(
        ch for ch in text
        if ch in "\n\t\u200c\u200d" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )  # fmt: skip
    kept = kept.strip()
    return kept or None


def _fields(body: str | bytes | None, content_type: str | None) -> dict[str, str]:
    media, *params = (content_type or "").split(";")
    charset = next(
        (p.split("=", 1)[1].strip().strip('"').casefold() for p in params if "=" in p
         and p.split("=", 1)[0].strip().casefold() == "charset"),
        "utf-8",
    )  # fmt: skip
    if media.strip().casefold() != "application/x-www-form-urlencoded" or charset != "utf-8":
        raise FormError("content_type", f"expected a UTF-8 urlencoded form, got {content_type!r}")
    if body is None:
        raise FormError("encoding", "the body was flagged base64 but is not")
    if len(body) > BODY_LIMIT:
        raise FormError("body", f"body of {len(body)} bytes exceeds {BODY_LIMIT}")
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        parsed = parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=_MAX_FIELDS)
    except UnicodeDecodeError as exc:
        raise FormError("encoding", f"not valid UTF-8 at byte {exc.start}") from None
    except ValueError:
        raise FormError("body", f"more than {_MAX_FIELDS} fields") from None
    repeated = sorted(name for name, found in parsed.items() if len(found) > 1)
    if repeated:
        raise FormError(repeated[0], "given more than once")
    return {name: found[0] for name, found in parsed.items()}


def clean_text(value: str) -> str | None:
    """A citizen's free text as the feedback form keeps it (NFC, no control characters)."""
    return _clean_text(value)


def form_fields(body: str | bytes | None, content_type: str | None) -> dict[str, str]:
    """A posted form's fields, read as strictly as the feedback form's (other forms on the
    function URL: the grievance form ``/g``); ``FormError`` names what is wrong."""
    return _fields(body, content_type)


def _yes_no(fields: Mapping[str, str], name: str) -> bool | None:
    value = fields.get(name, "").strip().casefold()
    if not value:
        return None
    if value not in _YES_NO:
        raise FormError(name, "must be yes or no")
    return _YES_NO[value]


def parse_form(
    body: str | bytes | None, content_type: str | None, kind: str = "survey"
) -> FormAnswer:
    """The answers in a posted form, or ``FormError`` naming the first field that is wrong.
    A ``confirmation`` must say whether the complaint was resolved. Bytes are read as UTF-8,
    strictly; ``None`` is a body that could not be decoded. A ``FormError`` after the body was
    read carries the posted ``values``."""
    fields = _fields(body, content_type)
    try:
        answer = _answer(fields)
        if kind == "confirmation" and answer.resolved is None:
            raise FormError("resolved", "please say whether it was resolved")
        return answer
    except FormError as error:
        error.values = fields
        raise


def _answer(fields: Mapping[str, str]) -> FormAnswer:
    token = fields.get("token", "").strip()
    if not token or len(token) > 512 or not token.isascii() or not token.isprintable():
        raise FormError("token", "missing or malformed")
    rating_text = fields.get("rating", "").strip()
    if rating_text and rating_text not in {"1", "2", "3", "4", "5"}:
        raise FormError("rating", "must be a whole number from 1 to 5")
    free_text = _clean_text(fields.get("free_text", ""))
    if free_text and len(free_text) > FREE_TEXT_LIMIT:
        raise FormError("free_text", f"longer than {FREE_TEXT_LIMIT} characters")
    opt_out_text = fields.get("opt_out", "").strip().casefold()
    if opt_out_text and opt_out_text not in _TRUE:
        raise FormError("opt_out", "must be a ticked checkbox or absent")
    answer = FormAnswer(
        token=token,
        rating=int(rating_text) if rating_text else None,
        work_done=_yes_no(fields, "work_done"),
        bribe_asked=_yes_no(fields, "bribe_asked"),
        free_text=free_text,
        opt_out=bool(opt_out_text),
        resolved=_yes_no(fields, "resolved"),
    )
    given = (answer.rating, answer.work_done, answer.bribe_asked, answer.free_text, answer.resolved)
    if all(value is None for value in given) and not answer.opt_out:
        raise FormError("form", "no question was answered")
    return answer
