"""The feedback web form behind the function URL: ``GET``/``POST /f/<token>``.

The token in the link is checked before anything is read (signature), then its record:
unknown → 404, expired → 410, already used → 409. ``GET`` renders the form in the link's
language (``?lang=or|hi|en`` switches); ``POST`` validates the answers, records them (once per
visit, whichever channel answered first) and only then spends the link, so a failure half-way
leaves the citizen able to try again, and a second submission finds the link used. A post
that cannot be read (not UTF-8, too large, a wrong content type) or has a wrong answer is
refused with 400 and the form again, saying what to fix for that field.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from samvad import messages
from samvad.feedback.answers import AnswerError, Answers
from samvad.feedback.service import FeedbackPorts, opt_out, record_confirmation, record_survey
from samvad.grievances import web as grievance_web
from samvad.messages import web as pages

SECURITY_HEADERS = pages.RESPONSE_HEADERS


@dataclass(frozen=True)
class WebRequest:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: str | bytes | None = ""  # bytes: decoded base64, read as UTF-8; None: unreadable
    content_type: str = ""
    source: str = ""  # the client's address (per-source rate limits of the form ``/g``)


@dataclass(frozen=True)
class WebResponse:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=lambda: dict(SECURITY_HEADERS))


def request_body(body: str, is_base64: bool) -> str | bytes | None:
    """The posted body as the function URL gives it: text, or base64 decoded to bytes (which
    the form parser reads as UTF-8, strictly); ``None`` when flagged base64 but not."""
    if not is_base64:
        return body
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        return None


def handle_web(request: WebRequest, ports: FeedbackPorts) -> WebResponse:
    parts = [p for p in request.path.split("/") if p]
    language = messages.normalise_language(request.query.get("lang"))
    if parts[:1] == ["g"] and ports.grievances is not None:  # the grievance form and status
        served = grievance_web.handle(
            request.method,
            "/" + "/".join(parts),
            language,
            request.body,
            request.content_type,
            request.source,
            ports.grievances,
        )
        return WebResponse(served.status, served.body)
    if len(parts) != 2 or parts[0] != "f":
        return _page(404, "invalid", language)
    if request.method not in ("GET", "POST"):
        response = _page(405, "error", language)
        return WebResponse(405, response.body, {**response.headers, "Allow": "GET, POST"})
    token = parts[1]
    links = ports.links
    if links is None:
        raise RuntimeError("the feedback form needs the links port")
    link = links.lookup(token)
    if link is None:
        return _page(404, "invalid", language)
    if "lang" not in request.query:
        language = messages.normalise_language(link.get("language"))
    now = ports.clock()
    if link.get("used_at"):
        return _page(409, "used", language)
    if int(link.get("expires_at", 0)) < now.timestamp():
        return _page(410, "expired", language)
    visit = ports.visits.get(link["visit_key"])
    if visit is None:
        return _page(410, "expired", language)
    kind = link.get("kind") or "survey"
    display = {name: visit.get(name, "") for name in ("office_name", "service", "visit_date")}
    display["office_name"] = display["office_name"] or visit.get("office_code", "")
    if request.method == "GET":
        return WebResponse(200, pages.render_form(language, token, display, kind=kind))
    try:
        answer = pages.parse_form(request.body, request.content_type, kind)
        if answer.token != token:
            raise pages.FormError("token", "the form does not belong to this link")
        result = _record(link, kind, answer, visit, language, ports)
    except pages.FormError as error:
        page = pages.render_form(language, token, display, kind, error, values=error.values)
        return WebResponse(400, page)
    except AnswerError:  # parse_form refuses what Answers would, so this is a safety net
        return WebResponse(400, pages.render_form(language, token, display, kind, "form"))
    spent = links.use(link["token_id"], now)
    if not spent and result == "duplicate":
        return _page(409, "used", language)
    return _page(200, "thanks", language)


def _record(
    link: dict,
    kind: str,
    answer: pages.FormAnswer,
    visit: dict,
    language: str,
    ports: FeedbackPorts,
) -> str:
    if kind == "confirmation":
        if answer.resolved is None:  # parse_form refuses this already; kept for the type
            raise pages.FormError("resolved", "please say whether it was resolved")
        return record_confirmation(
            link.get("case_id", ""),
            _round_of(link),
            link["visit_key"],
            answer.resolved,
            "web",
            ports,
        ).status
    answers = Answers(
        rating=answer.rating,
        work_done=answer.work_done,
        bribe_asked=answer.bribe_asked,
        free_text=(answer.free_text or "").strip(),
    )
    status = "opted_out"
    if not answers.empty or answers.free_text:  # the form may carry only "do not contact me"
        status = record_survey(link["visit_key"], answers, "web", language, ports).status
    if answer.opt_out:
        opt_out(visit["phone"], "web", ports)
    return status


def _round_of(link: dict) -> int:
    key = link.get("contact_key", "")
    tail = key.rsplit("#", 1)[-1]
    return int(tail) if key.startswith("confirm#") and tail.isdigit() else 1


def _page(status: int, page: str, language: str) -> WebResponse:
    return WebResponse(status, pages.render_page(page, language))
