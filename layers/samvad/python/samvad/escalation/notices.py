"""What officials read: SMS and e-mail texts for a notice, a reminder and an overdue notice.

Citizens appear only by masked phone; the citizen's free text never goes in a notice. The
link is the workspace's case page, which needs a sign-in: it carries no credential. An
official appears by title and id, not by name: the state machine publishes these texts, and
its execution history is kept 90 days.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from samvad.escalation.model import LEVELS

SENDER_ATTRIBUTE, CLERK = "sender", "clerk"
"""The attribute that marks a notice the clerk sent (the stage's queue subscription takes
only messages without it: the state machine's); officials' subscriptions filter on
``official_id`` and ``task = await_atr``, as they did when the state machine sent notices."""
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
REASONS = {
    "low_rating": "low rating",
    "work_not_done": "work not done",
    "money_asked": "money asked",
}


def case_page(workspace_url: str, case_id: str) -> str:
    """The workspace's page of ``case_id`` (sign-in required)."""
    return f"{workspace_url.rstrip('/')}/cases/{quote(case_id, safe='')}"


def ist(moment: dt.datetime) -> str:
    return moment.astimezone(IST).strftime("%d %b %Y %H:%M IST")


def texts(case: dict, holder: dict, deadline: dt.datetime, masked_phone: str, link: str) -> dict:
    """``{"notice", "reminder", "overdue"}``, each ``{"default", "sms", "email"}``."""
    level = holder["level"]
    where = f"{case.get('service') or 'service'} at {case.get('office_name') or case.get('office_code') or 'office'}"  # noqa: E501
    why = ", ".join(REASONS.get(r, r) for r in case.get("reasons") or []) or "poor feedback"
    how = f"samvad case atr {case['case_id']} --text '…' (signed in)"
    file_it = f"Open the case and file the report (sign in): {link}" if link else ""
    head = f"Samvad grievance {case['case_id']} — L{level} {LEVELS[level]}"
    body = (
        f"{head}\nFor: the {holder['title'] or 'holder'} ({holder['official_id']})\n"
        f"Citizen feedback on {where} ({case.get('district') or '-'}, "
        f"{case.get('department') or '-'}): {why}.\nCitizen: {masked_phone}\n"
        f"Action-taken report due by {ist(deadline)}. The case closes only when the citizen "
        f"confirms it is resolved; if the deadline passes it goes to the next level.\n"
        + (f"{file_it}\nOr: {how}" if file_it else f"File it with: {how}")
    )
    sms = f"Samvad case {case['case_id'][:20]}… L{level}: {why} at {where}. Citizen {masked_phone}. ATR due {ist(deadline)}. {link or how}"  # noqa: E501
    return {
        "notice": {"default": sms, "sms": sms, "email": body},
        "reminder": {
            "default": "REMINDER " + sms,
            "sms": "REMINDER " + sms,
            "email": "REMINDER: a quarter of the time is left.\n\n" + body,
        },
        "overdue": {
            "default": "OVERDUE " + sms,
            "sms": "OVERDUE " + sms,
            "email": "OVERDUE at the Chief Minister's office: the last deadline has passed and "
            "the case stays open until the citizen confirms it is resolved.\n\n" + body,
        },
    }
