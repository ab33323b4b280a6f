"""The officials' ATR page, mountable under ``/atr/<case_id>`` of the feedback function URL.

``handle_atr_request(method, path, query, body, headers, ports)`` returns ``(status, headers,
body)``: GET shows the case summary and a form, POST files the report (``file_atr``). The
signed link in the official's notice is the credential (``samvad.escalation.links``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

from samvad import templates
from samvad.escalation import cases, links
from samvad.escalation.model import LEVELS, CaseError

PACKAGE = "samvad.escalation"  # its templates/
CONTENT_SECURITY_POLICY = templates.policy("form-action 'self'")
HTML = templates.page_headers(CONTENT_SECURITY_POLICY)
Response = tuple[int, dict[str, str], str]


@dataclass(frozen=True)
class AtrWebPorts:
    escalation: cases.EscalationPorts
    link_key: bytes  # links.atr_key(<feedback-link secret>)


def handle_atr_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    body: str | bytes | None,
    headers: Mapping[str, str],
    ports: AtrWebPorts,
) -> Response:
    """``body``: the posted form (bytes are read as UTF-8; ``None`` could not be decoded)."""
    prefix = "/atr/"
    if not path.startswith(prefix) or "/" in path[len(prefix) :]:
        return _message(404, "Not found", "No such page.")
    case_id = unquote(path[len(prefix) :])
    fields = dict(query)
    if method == "POST":
        posted = _posted(body)
        if posted is None:
            return _message(400, "Not readable", "The form was not sent as UTF-8 form text.")
        fields.update(posted)
    official = fields.get("o", "")
    now = ports.escalation.clock().timestamp()
    problem = links.verify(
        ports.link_key, case_id, official, fields.get("e", ""), fields.get("s", ""), now
    )
    if problem:
        return _message(403, "Link not valid", f"{problem}.")
    if method == "GET":
        return _form(case_id, fields, ports)
    if method != "POST":
        status, allowed, page = _message(405, "Not allowed", "GET or POST.")
        allowed["Allow"] = "GET, POST"
        return status, allowed, page
    try:
        result = cases.file_atr(case_id, fields.get("text", ""), official, ports.escalation)
    except CaseError as error:
        return _message(409, "Not filed", f"{error}.")
    return _message(
        200,
        "Report filed",
        f"Your action-taken report on {case_id} (L{result['level']}) was recorded. The "
        "citizen will now be asked to confirm; the case closes only if they do.",
    )


def _posted(body: str | bytes | None) -> dict[str, str] | None:
    """The posted fields, or None when the body is not a UTF-8 urlencoded form."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        if text is None:
            return None
        posted = parse_qs(text, errors="strict", max_num_fields=8)
    except ValueError:  # UnicodeDecodeError is one; so are too many fields
        return None
    return {name: values[0] for name, values in posted.items()}


def _form(case_id: str, fields: dict[str, str], ports: AtrWebPorts) -> Response:
    try:
        case = cases.show(case_id, ports.escalation)
    except CaseError as error:
        return _message(404, "No such case", f"{error}.")
    level = int(case.get("level") or 0)
    page = templates.render(
        PACKAGE,
        "atr_form.html",
        policy=CONTENT_SECURITY_POLICY,
        title="Action-taken report",
        case_id=case_id,
        level=level,
        level_title=LEVELS.get(level, ""),
        deadline=str(case.get("deadline", "")),
        service=case.get("service", ""),
        office=case.get("office_name") or case.get("office_code", ""),
        reasons=case.get("reasons", []),
        signed=[(name, fields.get(name, "")) for name in ("o", "e", "s")],
    )
    return 200, dict(HTML), page


def _message(status: int, title: str, message: str) -> Response:
    page = templates.render(
        PACKAGE, "atr_page.html", policy=CONTENT_SECURITY_POLICY, title=title, message=message
    )
    return status, dict(HTML), page
