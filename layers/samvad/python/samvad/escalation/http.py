"""The retired bearer ATR link: ``/atr/<case_id>`` of the feedback function URL.

Officials once filed action-taken reports through a signed link that was itself the
credential. Notices now deep-link to the workspace's case page (``/cases/<case_id>``), which
needs a sign-in; an old link answers ``410 Gone`` with a page that says where to go and shows
nothing of the case (no name, phone, answers or report text) and takes no report, whatever
the link carries.
"""

from __future__ import annotations

from samvad import templates

PACKAGE = "samvad.escalation"  # its templates/
CONTENT_SECURITY_POLICY = templates.policy("form-action 'none'")
HTML = templates.page_headers(CONTENT_SECURITY_POLICY)
Response = tuple[int, dict[str, str], str]
RETIRED = (
    "Action-taken reports are filed in the Samvad workspace now. Open the link in your latest "
    "notice, or sign in to the workspace: the case is under My cases."
)


def handle_atr_request(method: str, path: str) -> Response:
    """``(status, headers, body)``: 410 for any ``/atr/…`` (GET or HEAD; any other method is
    also refused, and nothing is read or written), 404 elsewhere."""
    if not path.startswith("/atr/"):
        return _message(404, "Not found", "No such page.")
    return _message(410, "This link is no longer used", RETIRED)


def _message(status: int, title: str, message: str) -> Response:
    page = templates.render(
        PACKAGE, "atr_page.html", policy=CONTENT_SECURITY_POLICY, title=title, message=message
    )
    return status, dict(HTML), page
