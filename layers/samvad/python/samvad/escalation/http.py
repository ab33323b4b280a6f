"""The officials' ATR page, mountable under ``/atr/<case_id>`` of the feedback function URL.

``handle_atr_request(method, path, query, body, headers, ports)`` returns ``(status, headers,
body)``: GET shows the case summary and a form, POST files the report (``file_atr``). The
signed link in the official's notice is the credential (``samvad.escalation.links``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

from samvad.escalation import cases, links
from samvad.escalation.model import LEVELS, CaseError

HTML = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


@dataclass(frozen=True)
class AtrWebPorts:
    escalation: cases.EscalationPorts
    link_key: bytes  # links.atr_key(<feedback-link secret>)


def handle_atr_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    body: str,
    headers: Mapping[str, str],
    ports: AtrWebPorts,
) -> tuple[int, dict[str, str], str]:
    prefix = "/atr/"
    if not path.startswith(prefix) or "/" in path[len(prefix) :]:
        return 404, HTML, _page("Not found", "<p>No such page.</p>")
    case_id = unquote(path[len(prefix) :])
    fields = dict(query)
    if method == "POST":
        fields.update({k: v[0] for k, v in parse_qs(body or "").items()})
    official = fields.get("o", "")
    now = ports.escalation.clock().timestamp()
    problem = links.verify(
        ports.link_key, case_id, official, fields.get("e", ""), fields.get("s", ""), now
    )
    if problem:
        return 403, HTML, _page("Link not valid", f"<p>{html.escape(problem)}.</p>")
    if method == "GET":
        return _form(case_id, official, fields, ports)
    if method != "POST":
        return 405, {**HTML, "allow": "GET, POST"}, _page("Not allowed", "<p>GET or POST.</p>")
    try:
        result = cases.file_atr(case_id, fields.get("text", ""), official, ports.escalation)
    except CaseError as error:
        return 409, HTML, _page("Not filed", f"<p>{html.escape(str(error))}.</p>")
    return (
        200,
        HTML,
        _page(
            "Report filed",
            f"<p>Your action-taken report on {html.escape(case_id)} (L{result['level']}) was "
            "recorded. The citizen will now be asked to confirm; the case closes only if they "
            "do.</p>",
        ),
    )


def _form(
    case_id: str, official: str, fields: dict, ports: AtrWebPorts
) -> tuple[int, dict[str, str], str]:
    try:
        case = cases.show(case_id, ports.escalation)
    except CaseError as error:
        return 404, HTML, _page("No such case", f"<p>{html.escape(str(error))}.</p>")
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(fields.get(k, ""))}">'
        for k in ("o", "e", "s")
    )
    level = int(case.get("level") or 0)
    summary = (
        f"<p>Case {html.escape(case_id)} — L{level} {html.escape(LEVELS.get(level, ''))}, "
        f"due {html.escape(str(case.get('deadline', '')))}.</p>"
        f"<p>{html.escape(case.get('service', ''))} at "
        f"{html.escape(case.get('office_name') or case.get('office_code', ''))}: "
        f"{html.escape(', '.join(case.get('reasons', [])))}.</p>"
    )
    form = (
        f'<form method="post">{hidden}<label for="text">What was done</label>'
        '<textarea id="text" name="text" required maxlength="4000" rows="8"></textarea>'
        '<button type="submit">File the action-taken report</button></form>'
    )
    return 200, HTML, _page("Action-taken report", summary + form)


def _page(title: str, content: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"{content}</body></html>"
    )
