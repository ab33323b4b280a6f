"""The public grievance form ``/g`` and status page ``/g/status`` on the feedback function URL,
in Odia, Hindi and English (``?lang=``), without script.

- ``GET /g`` asks for the mobile number; ``POST /g/code`` sends a one-time code (rate-limited
  per phone and per source address) and shows the form; ``POST /g`` checks the code and
  registers the grievance, then shows its reference. The form carries a random ``form_id``:
  a resubmitted form is the same grievance (idempotency key ``web#<form_id>``).
- ``GET /g/status`` asks for the reference and the phone; ``POST /g/status/code`` sends a code
  only when they match (the page says the same either way); ``POST /g/status`` checks the
  code and shows the level, state and last action.

Every refusal is a 4xx naming the field (``error_field``), the form shown again with what was
typed; nothing typed is logged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from samvad.grievances import otp
from samvad.grievances.catalogue import departments
from samvad.grievances.model import GrievanceError, Registration, StatusView, Submission
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.references import parse_reference
from samvad.grievances.register import register, rules_of
from samvad.grievances.rules import checked_phone
from samvad.grievances.status import status
from samvad.grievances.texts import category_label, status_words
from samvad.messages import web as pages
from samvad.messages.languages import LANGUAGES, texts
from samvad.templates import render

ROUTES = {
    ("GET", "/g"): "start",
    ("POST", "/g/code"): "code",
    ("POST", "/g"): "submit",
    ("GET", "/g/status"): "status_start",
    ("POST", "/g/status/code"): "status_code",
    ("POST", "/g/status"): "status_view",
}
STATUS_FOR = {"rate_limited": 429, "code": 403, "no_match": 403}


@dataclass(frozen=True)
class Page:
    status: int
    body: str
    error_field: str = ""


def handle(
    method: str,
    path: str,
    language: str,
    body: str | bytes | None,
    content_type: str,
    source: str,
    ports: GrievancePorts,
) -> Page:
    path = path.rstrip("/")
    if method == "GET" and path in {p for _, p in ROUTES}:  # a language switch lands here too
        return _page(
            200, "status_start" if path.startswith("/g/status") else "phone", language, ports
        )
    route = ROUTES.get((method, path))
    if route is None:
        return _page(
            404 if method in ("GET", "POST") else 405, "phone", language, ports, error="form"
        )
    try:
        fields = pages.form_fields(body, content_type)
    except pages.FormError:
        step = "phone" if route in ("code", "submit") else "status_start"
        return _page(400, step, language, ports, error="form")
    return {"code": _code, "submit": _submit, "status_code": _status_code,
            "status_view": _status_view}[route](fields, language, source, ports)  # fmt: skip


def _code(fields: dict, language: str, source: str, ports: GrievancePorts) -> Page:
    phone = fields.get("phone", "").strip()
    refused = otp.issue(ports, phone, "submit", language, source)
    if refused is not None:
        code = STATUS_FOR.get(refused.reason, 400)
        return _page(code, "phone", language, ports, error=refused.reason, values=fields)
    values = {"phone": phone, "form_id": secrets.token_urlsafe(16)}
    return _page(200, "form", language, ports, values=values)


def _submit(fields: dict, language: str, source: str, ports: GrievancePorts) -> Page:
    phone, form_id = fields.get("phone", "").strip(), fields.get("form_id", "").strip()
    if not form_id or len(form_id) > 64 or not form_id.isascii():
        return _page(400, "form", language, ports, error="form", values=fields)
    if not otp.verify(ports, phone, "submit", fields.get("code", "")):
        return _page(403, "form", language, ports, error="code", values=fields)
    department, _, service = fields.get("service", "").partition("/")
    submission = Submission(
        channel="web",
        phone=phone,
        department=department,
        service=service,
        office_code=fields.get("office_code", "").strip() or None,
        category=fields.get("category", "").strip(),
        text=pages.clean_text(fields.get("text", "")),
        voice_key=None,
        language=language,
        source_id=form_id,
        source=source,
    )
    result = register(ports, submission)
    if isinstance(result, Registration):
        return _page(
            200, "registered", language, ports, reference=result.reference, folded=result.folded
        )
    field = {"department": "service"}.get(result.field, result.field)
    if result.reason.startswith("rate_limited"):
        return _page(429, "form", language, ports, error="rate_limited", values=fields)
    return _page(400, "form", language, ports, error=field, values=fields)


def _status_code(fields: dict, language: str, source: str, ports: GrievancePorts) -> Page:
    reference = parse_reference(fields.get("reference", ""))
    if reference is None:
        return _page(400, "status_start", language, ports, error="reference", values=fields)
    phone = fields.get("phone", "").strip()
    try:
        phone_hash = ports.hasher(checked_phone(phone))
    except GrievanceError:
        return _page(400, "status_start", language, ports, error="phone", values=fields)
    record = ports.store.get(f"ref#{reference}") or {}
    matches = record.get("phone_hash") == phone_hash and record.get("state") != "rejected"
    refused = otp.issue(ports, phone, "status", language, source, send=matches)
    if refused is not None:
        code = STATUS_FOR.get(refused.reason, 400)
        return _page(code, "status_start", language, ports, error=refused.reason, values=fields)
    values = {"reference": reference, "phone": phone}
    return _page(200, "status_code", language, ports, values=values)


def _status_view(fields: dict, language: str, source: str, ports: GrievancePorts) -> Page:
    reference, phone = fields.get("reference", ""), fields.get("phone", "").strip()
    if not otp.verify(ports, phone, "status", fields.get("code", "")):
        values = {"reference": reference, "phone": phone}
        return _page(403, "status_code", language, ports, error="code", values=values)
    view = status(ports, reference, phone, source=source)
    if not isinstance(view, StatusView):
        code = STATUS_FOR.get(view.reason, 403)
        error = view.reason if view.reason in ("rate_limited", "no_match") else "reference"
        return _page(code, "status_start", language, ports, error=error, values=fields)
    level_title = texts(language)["grievance"]["levels"].get(str(view.level), "")
    return _page(
        200,
        "status_view",
        language,
        ports,
        reference=view.reference,
        words=status_words(view, language),
        level_title=level_title,
        question=view.question,
    )


def _page(
    code: int,
    step: str,
    language: str,
    ports: GrievancePorts,
    *,
    error: str = "",
    values: dict | None = None,
    **context: Any,
) -> Page:
    catalog = texts(language)
    g = catalog["grievance"]["web"]
    title = g["status_title"] if step.startswith("status") else g["title"]
    options = []
    if step == "form":
        for dept, entry in sorted(departments(ports.config).items()):
            services = sorted((entry or {}).get("services") or {})
            names = (entry or {}).get("services") or {}
            options.append(
                (dept, (entry or {}).get("name", dept), [(s, names[s]) for s in services])
            )
    categories = [(c, category_label(c, language)) for c in rules_of(ports).categories]
    body = render(
        "samvad.messages",
        "grievance.html",
        language=language,
        web={**catalog["web"], "title": title},
        g=g,
        languages=[(code_, texts(code_)["name"]) for code_ in LANGUAGES],
        policy=pages.CONTENT_SECURITY_POLICY,
        css=pages.CSS,
        step=step,
        error=g["errors"].get(error, g["errors"]["form"]) if error else None,
        error_field=error,
        values=dict(values or {}),
        departments=options,
        categories=categories,
        **context,
    )
    return Page(code, body, error)
