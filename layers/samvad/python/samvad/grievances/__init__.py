"""Inbound grievances: citizens who call, text or write in first (issue 11).

One domain, four entry points (IVR, SMS keyword, web form ``/g``, contact-centre agent).

Public API (what the channels call)::

    from samvad.grievances import (
        Submission, Registration, Rejected, StatusView, Refusal, GrievanceError,
        GrievancePorts, register, status, parse_reference, new_reference,
    )

    sub = Submission(channel="ivr" | "sms" | "web" | "agent", phone="+9198…",
                     department="health", service="opd", office_code="KHU-PHC-07" | None,
                     category="money_asked", text="…" | None, voice_key="s3 key" | None,
                     language="or" | "hi" | "en", source_id="<channel's message id>",
                     source="<sender address for per-source limits>", by="<agent id>")
    result = register(ports, sub, now)        # Registration | Rejected
    #   Registration(reference="OD-7K3M9Q", case_id="case-grv-OD-7K3M9Q", folded, replayed)
    #   Rejected(reason="invalid" | "rate_limited_phone" | "rate_limited_source",
    #            field="category", message="…", reject_id)   (kept in the rejects store)
    view = status(ports, "od 7k3m9q", phone, source="")   # StatusView | Refusal
    #   StatusView(reference, level, state, last_action, last_action_at, language, …)
    #   Refusal(reason="no_reference" | "no_match" | "rate_limited")

- References: ``OD-`` + 6 characters of ``references.ALPHABET`` (no look-alikes);
  ``parse_reference`` accepts lower case, spaces, no dash, Odia/Devanagari digits.
- Idempotency: ``channel#source_id``; the same message replayed gives the same registration
  and one case. Identical grievances (department, service, office, category, text) from the
  same phone while the first is open are folded into it (``folded=True``, same reference).
- Privacy: the phone is stored only in the grievance's visit item ``grv-<reference>`` (the
  Visits table, encrypted at rest) and as its keyed hash; events, the case, the execution
  input and officials' notices never carry it, nor the citizen's text (only the case item).
- The escalation stage opens the case from ``GrievanceRegistered`` (``case_type:
  grievance``, its SLA from the ``grievances`` section of the escalation SLA config), at L1
  of the office named, or L2 when the office is unknown.
- Configuration: config document ``grievances`` (``rules.GrievanceRules``): departments'
  services and categories, limits per phone/source, the folding window.
"""

from samvad.grievances.model import (
    GrievanceError,
    Refusal,
    Registration,
    Rejected,
    StatusView,
    Submission,
)
from samvad.grievances.ports import GrievancePorts, GrievanceStore, hashed_reference
from samvad.grievances.references import new_reference, parse_reference
from samvad.grievances.register import case_id_of, register
from samvad.grievances.status import status

__all__ = [
    "GrievanceError",
    "GrievancePorts",
    "GrievanceStore",
    "Refusal",
    "Registration",
    "Rejected",
    "StatusView",
    "Submission",
    "case_id_of",
    "hashed_reference",
    "new_reference",
    "parse_reference",
    "register",
    "status",
]
