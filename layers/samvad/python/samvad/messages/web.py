"""The citizen's feedback web form: self-contained HTML pages and the parser of what they post.

Pages need nothing but themselves (inline CSS, no script, no image, no font download), so they
load on a weak connection and pass ``CONTENT_SECURITY_POLICY``. Every value is escaped; the
visit is shown by office, service and date only, never by phone number.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs

from samvad.messages.languages import LANGUAGES, format_date, normalise_language, texts

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
RESPONSE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
"""Headers for every page the feedback function serves."""
PAGES = ("thanks", "expired", "used", "invalid", "error")
FORM_KINDS = ("survey", "confirmation")
FREE_TEXT_LIMIT = 1000
BODY_LIMIT = 16 * 1024
_MAX_FIELDS = 16
_YES_NO = {"yes": True, "no": False}
_TRUE = frozenset({"1", "on", "yes", "true"})

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:18px/1.5 system-ui,"Noto Sans Oriya","Noto Sans Devanagari",sans-serif;
color:#1a1a1a;background:#f4f6f8}
header{background:#0b4f7c;color:#fff;padding:16px}
header p{margin:0;font-size:15px;opacity:.9}
h1{margin:4px 0 8px;font-size:24px;line-height:1.3}
nav a{display:inline-block;min-height:44px;min-width:44px;padding:10px 12px;margin-right:4px;
color:#fff;border-radius:8px}
nav a[aria-current]{background:#fff;color:#0b4f7c;font-weight:700;text-decoration:none}
main{max-width:560px;margin:0 auto;padding:16px}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;background:#fff;padding:12px;
border-radius:10px;margin:0 0 16px}
dt{color:#555}dd{margin:0;font-weight:600;overflow-wrap:anywhere}
fieldset{border:0;margin:0 0 20px;padding:0}
legend,.label{font-weight:700;margin-bottom:8px;padding:0}
.choices{display:grid;gap:8px}.two{grid-template-columns:1fr 1fr}
.five{grid-template-columns:repeat(5,1fr)}
.choice{position:relative;display:flex}
.choice input{position:absolute;opacity:0;width:1px;height:1px}
.choice span{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;
min-height:56px;min-width:44px;padding:6px 4px;background:#fff;border:2px solid #0b4f7c;
border-radius:10px;text-align:center;cursor:pointer}
.choice b{font-size:22px}.choice small{font-size:12px;line-height:1.2}
.choice input:checked+span{background:#0b4f7c;color:#fff}
.choice input:focus-visible+span{outline:3px solid #f0a500;outline-offset:2px}
textarea{width:100%;min-height:110px;font:inherit;padding:10px;border:2px solid #8a99a8;
border-radius:10px}
.hint,.privacy{font-size:14px;color:#555;margin:4px 0 8px}
.optout{display:flex;gap:12px;align-items:center;min-height:48px;margin:16px 0}
.optout input{width:28px;height:28px;flex:none}
button{width:100%;min-height:56px;font:inherit;font-weight:700;color:#fff;background:#0b6e3b;
border:0;border-radius:10px;cursor:pointer}
.alert{background:#fdecea;border-left:6px solid #b3261e;padding:12px;margin:0 0 16px;
border-radius:6px}
.alert h2{margin:0 0 4px;font-size:18px}
.page{background:#fff;padding:20px;border-radius:10px}
""".replace("\n", "")


class FormError(ValueError):
    """A posted value that cannot be recorded: which field, and why (in English, for logs;
    ``render_form(error=...)`` shows the citizen the catalog's words for that field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _page(language: str, body: str) -> str:
    web = texts(language)["web"]
    links = ""
    for code in LANGUAGES:
        current = ' aria-current="true"' if code == language else ""
        links += (
            f'<a href="?lang={code}" lang="{code}" hreflang="{code}"{current}>'
            f"{_e(texts(code)['name'])}</a>"
        )
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        f"<title>{_e(web['title'])} · {_e(web['government'])}</title><style>{_CSS}</style>"
        f"</head><body><header><p>{_e(web['government'])}</p><h1>{_e(web['title'])}</h1>"
        f'<nav aria-label="{_e(web["language"])}">{links}</nav></header>'
        f"<main>{body}</main></body></html>"
    )


def _choices(name: str, options: list[tuple[str, str]], selected: str | None, cls: str) -> str:
    items = "".join(
        f'<label class="choice"><input type="radio" name="{name}" value="{_e(value)}"'
        f"{' checked' if value == selected else ''}><span>{label}</span></label>"
        for value, label in options
    )
    return f'<div class="choices {cls}">{items}</div>'


def _question(name: str, legend: str, choices: str) -> str:
    return f'<fieldset id="q-{name}"><legend>{_e(legend)}</legend>{choices}</fieldset>'


def _error_box(web: dict, error: FormError | str | None) -> str:
    if error is None:
        return ""
    field = error.field if isinstance(error, FormError) else str(error)
    message = web["errors"].get(field, web["errors"]["form"])
    title = _e(web["error_title"])
    return f'<div class="alert" role="alert"><h2>{title}</h2><p>{_e(message)}</p></div>'


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
    ``visit_date`` (nothing else is read). ``values`` re-selects what the citizen had chosen
    when the form is shown again with an ``error``."""
    if kind not in FORM_KINDS:
        raise ValueError(f"kind must be one of {FORM_KINDS}, not {kind!r}")
    language = normalise_language(language)
    web = texts(language)["web"]
    chosen = dict(values or {})
    yes_no = [("yes", _e(web["yes"])), ("no", _e(web["no"]))]
    rows = [
        (web["office"], visit.get("office_name")),
        (web["service"], visit.get("service")),
        (web["visit_date"], format_date(_date_or_none(visit.get("visit_date")), language) or None),
    ]
    details = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v)
    if kind == "survey":
        ratings = [
            (str(n), f"<b>{n}</b><small>{_e(word)}</small>")
            for n, word in enumerate(web["rating_words"], start=1)
        ]
        questions = (
            _question("work_done", web["q_work_done"],
                      _choices("work_done", yes_no, chosen.get("work_done"), "two"))
            + _question("rating", web["q_rating"],
                        _choices("rating", ratings, chosen.get("rating"), "five"))
            + _question("bribe_asked", web["q_bribe"],
                        _choices("bribe_asked", yes_no, chosen.get("bribe_asked"), "two"))
        )  # fmt: skip
    else:
        resolved = [("yes", _e(web["resolved_yes"])), ("no", _e(web["resolved_no"]))]
        questions = _question(
            "resolved",
            web["q_resolved"],
            _choices("resolved", resolved, chosen.get("resolved"), "two"),
        )
    free_text = _e(chosen.get("free_text", ""))
    opt_out = " checked" if chosen.get("opt_out", "").casefold() in _TRUE else ""
    body = (
        f"<p>{_e(web['intro_' + kind])}</p>"
        + (f"<dl>{details}</dl>" if details else "")
        + _error_box(web, error)
        + '<form method="post" accept-charset="utf-8">'
        f'<input type="hidden" name="token" value="{_e(token)}">{questions}'
        f'<label class="label" for="free_text">{_e(web["q_free_text"])}</label>'
        f'<p class="hint" id="free_text_hint">{_e(web["free_text_hint"])}</p>'
        f'<textarea id="free_text" name="free_text" maxlength="{FREE_TEXT_LIMIT}" rows="4"'
        f' aria-describedby="free_text_hint">{free_text}</textarea>'
        f'<label class="optout"><input type="checkbox" name="opt_out" value="1"{opt_out}>'
        f"<span>{_e(web['opt_out'])}</span></label>"
        f'<button type="submit">{_e(web["submit"])}</button></form>'
        f'<p class="privacy">{_e(web["privacy"])}</p>'
    )
    return _page(language, body)


def render_page(page: str, language: str | None) -> str:
    """A short page in the form's look: ``thanks``, ``expired``, ``used``, ``invalid`` or
    ``error``."""
    if page not in PAGES:
        raise ValueError(f"page must be one of {PAGES}, not {page!r}")
    language = normalise_language(language)
    text = texts(language)["pages"][page]
    body = f'<div class="page"><h2>{_e(text["title"])}</h2><p>{_e(text["body"])}</p></div>'
    return _page(language, body)


def _clean_text(value: str) -> str | None:
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    kept = "".join(
        ch for ch in text
        if ch in "\n\t\u200c\u200d" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )  # fmt: skip
    kept = kept.strip()
    return kept or None


def _fields(body: str | bytes, content_type: str | None) -> dict[str, str]:
    media, *params = (content_type or "").split(";")
    charset = next(
        (p.split("=", 1)[1].strip().strip('"').casefold() for p in params if "=" in p
         and p.split("=", 1)[0].strip().casefold() == "charset"),
        "utf-8",
    )  # fmt: skip
    if media.strip().casefold() != "application/x-www-form-urlencoded" or charset != "utf-8":
        raise FormError("content_type", f"expected a UTF-8 urlencoded form, got {content_type!r}")
    if len(body) > BODY_LIMIT:
        raise FormError("form", f"body of {len(body)} bytes exceeds {BODY_LIMIT}")
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        parsed = parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError("form", f"unreadable form body ({type(exc).__name__})") from None
    repeated = sorted(name for name, found in parsed.items() if len(found) > 1)
    if repeated:
        raise FormError(repeated[0], "given more than once")
    return {name: found[0] for name, found in parsed.items()}


def _yes_no(fields: Mapping[str, str], name: str) -> bool | None:
    value = fields.get(name, "").strip().casefold()
    if not value:
        return None
    if value not in _YES_NO:
        raise FormError(name, "must be yes or no")
    return _YES_NO[value]


def parse_form(body: str | bytes, content_type: str | None) -> FormAnswer:
    """The answers in a posted form, or ``FormError`` naming the first field that is wrong."""
    fields = _fields(body, content_type)
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
