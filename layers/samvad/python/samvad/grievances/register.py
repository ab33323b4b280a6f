"""Register a grievance: once per channel message, folded into the same citizen's open
identical grievance, rate-limited per phone and per source, its reference sent by SMS once.

Steps (each idempotent, so a replay after a crash at any point finishes the work):
1. ``ref#<R>``: the grievance record under its reference ``R``, derived from the idempotency
   key (a replay derives the same ``R`` and finds its own record);
2. ``fold#<phone hash>#<digest>``: the first open grievance with the same department,
   service, office, category and text from this phone owns it; a later one is folded into
   it (no new case) unless that case is resolved;
3. the citizen as visit ``grv-<R>`` (phone there only), then ``GrievanceRegistered`` (no phone,
   no name, no text) which the escalation stage turns into a case of type ``grievance``;
4. the reference SMS, claimed before it is sent (at most once per message).
Anything that cannot be registered is kept in the rejects with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata

from samvad import messages, resources
from samvad.grievances.catalogue import departments_document
from samvad.grievances.model import (
    VISIT_PREFIX,
    GrievanceError,
    Registration,
    Rejected,
    Submission,
)
from samvad.grievances.outbox import request_sms
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.rules import CONFIG_NAME, GrievanceRules, check, checked_phone
from samvad.logs import logger_for
from samvad.ports import Record

log = logger_for("grievances")
COLLISION_ATTEMPTS = 8
LIMITED = {
    "phone": "too many grievances from this phone today; try again tomorrow",
    "source": "too many grievances from this source; try again later",
}
RETENTION_DAYS = 3 * 365


def case_id_of(reference: str) -> str:
    return f"case-{VISIT_PREFIX}{reference}"


def rules_of(ports: GrievancePorts) -> GrievanceRules:
    return GrievanceRules.from_document(
        ports.config.latest(CONFIG_NAME), departments_document(ports.config)
    )


def register(
    ports: GrievancePorts, submission: Submission, now: dt.datetime | None = None
) -> Registration | Rejected:
    """Register ``submission``; the same message replayed returns the same registration."""
    now = now or ports.clock()
    rules = rules_of(ports)
    try:
        clean = check(submission, rules)
    except GrievanceError as error:
        return reject(ports, submission, "invalid", error.field, str(error), now)
    phone_hash = ports.hasher(clean.phone)
    reference, record, fresh = _reference(ports, clean, phone_hash, now)
    if fresh:  # a replay is not counted against the limits again
        limited = _rate_limited(ports, rules, clean, phone_hash, now)
        if limited:
            record = {**record, "state": "rejected", "reason": limited}
            ports.store.put(f"ref#{reference}", record)
    if record.get("state") == "rejected":
        reason = str(record.get("reason"))
        where = "source" if reason == "rate_limited_source" else "phone"
        return reject(ports, submission, reason, where, LIMITED[where], now)
    owner = _fold_owner(ports, reference, phone_hash, clean, rules, now)
    if owner != reference:
        log.info("grievance folded", extra={"reference": owner, "channel": clean.channel})
        _sms_once(ports, clean, "grievance_folded", owner, now)
        return Registration(owner, case_id_of(owner), folded=True, replayed=not fresh)
    if not record.get("published"):  # a replay after a completed registration skips this
        _open(ports, clean, reference, phone_hash, now)
        ports.store.put(f"ref#{reference}", {**record, "published": True})
    _sms_once(ports, clean, "grievance_registered", reference, now)
    log.info("grievance registered", extra={"reference": reference, "channel": clean.channel})
    return Registration(reference, case_id_of(reference), folded=False, replayed=not fresh)


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _reference(
    ports: GrievancePorts, sub: Submission, phone_hash: str, now: dt.datetime
) -> tuple[str, Record, bool]:
    """The grievance's reference, its record and whether this call stored it (not a replay)."""
    key = sub.idempotency_key
    for attempt in range(COLLISION_ATTEMPTS):
        reference = ports.reference_for(key, attempt)
        item = {
            "reference": reference,
            "case_id": case_id_of(reference),
            "idempotency_key": key,
            "state": "registered",
            "channel": sub.channel,
            "phone_hash": phone_hash,
            "department": sub.department,
            "service": sub.service,
            "office_code": sub.office_code or "",
            "category": sub.category,
            "text": sub.text or "",
            "voice_key": sub.voice_key or "",
            "language": sub.language,
            "by": sub.by,
            "registered_at": _iso(now),
            "expires_at": _epoch(now) + RETENTION_DAYS * 86400,
        }
        stored, created = ports.store.claim(f"ref#{reference}", item, _epoch(now))
        if stored.get("idempotency_key") == key:
            return reference, stored, created
    raise GrievanceError("source_id", "no free reference after several draws; retry")


def _rate_limited(
    ports: GrievancePorts, rules: GrievanceRules, sub: Submission, phone_hash: str, now: dt.datetime
) -> str | None:
    if ports.limiter is None:
        return None
    at = now.timestamp()
    if ports.limiter.acquire(f"grv#phone#{phone_hash}", rules.phone_rate(), at) > 0:
        return "rate_limited_phone"
    if sub.source and ports.limiter.acquire(f"grv#source#{sub.source}", rules.source_rate(), at):
        return "rate_limited_source"
    return None


def fold_digest(sub: Submission) -> str:
    text = " ".join(unicodedata.normalize("NFKC", sub.text or "").casefold().split())
    what = "|".join((sub.department, sub.service, sub.office_code or "", sub.category, text))
    return hashlib.sha256(what.encode()).hexdigest()[:32]


def _fold_owner(
    ports: GrievancePorts,
    reference: str,
    phone_hash: str,
    sub: Submission,
    rules: GrievanceRules,
    now: dt.datetime,
) -> str:
    """The reference that owns this grievance: its own, or the open identical one's."""
    key = f"fold#{phone_hash}#{fold_digest(sub)}"
    expires = _epoch(now) + int(rules.fold_days * 86400)
    for _ in range(5):
        stored, _created = ports.store.claim(
            key, {"reference": reference, "expires_at": expires}, _epoch(now)
        )
        owner = str(stored["reference"])
        if owner == reference:
            return reference
        case = ports.cases.get(case_id_of(owner)) or {}
        if case.get("status") != "resolved":
            return owner
        key = f"{key}#after#{owner}"  # the earlier one is resolved: this one is new
    return reference


def _open(
    ports: GrievancePorts, sub: Submission, reference: str, phone_hash: str, now: dt.datetime
) -> None:
    visit_key = VISIT_PREFIX + reference
    ports.citizens.keep(
        visit_key,
        {
            "visit_key": visit_key,
            "phone": sub.phone,
            "phone_hash": phone_hash,
            "department": sub.department,
            "service": sub.service,
            "office_code": sub.office_code or "",
            "district": sub.district,
            "language": sub.language,
            "kind": "grievance",
            "expires_at": _epoch(now) + RETENTION_DAYS * 86400,
        },
    )
    ports.events.publish(
        resources.GRIEVANCE_REGISTERED,
        {
            "reference": reference,
            "case_id": case_id_of(reference),
            "visit_key": visit_key,
            "case_type": "grievance",
            "channel": sub.channel,
            "department": sub.department,
            "service": sub.service,
            "office_code": sub.office_code or "",
            "district": sub.district,
            "category": sub.category,
            "language": sub.language,
            "has_voice": bool(sub.voice_key),
            "registered_at": _iso(now),
        },
    )


def _sms_once(
    ports: GrievancePorts, sub: Submission, template: str, reference: str, now: dt.datetime
) -> bool:
    """Send the reference SMS at most once per message (claimed before sending); where this
    function may not send SMS, request it (the sender claims it: a replay requests again)."""
    if ports.sms_by_request:
        request_sms(ports, template, reference, sub.language, f"sms#{sub.idempotency_key}")
        return True
    if ports.sms is None or ports.policy is None:
        return False
    _stored, created = ports.store.claim(
        f"once#sms#{sub.idempotency_key}",
        {"reference": reference, "expires_at": _epoch(now) + 30 * 86400},
        _epoch(now),
    )
    if not created:
        return False
    ports.sms.send(sub.phone, messages.sms(template, sub.language, ref=reference), ports.policy)
    return True


def reject(
    ports: GrievancePorts,
    submission: Submission,
    reason: str,
    field_name: str,
    message: str,
    now: dt.datetime,
) -> Rejected:
    """Keep what could not be registered, with the reason, for the contact centre: the
    phone only hashed, the rest as received. Once per message."""
    reject_id = hashlib.sha256(submission.idempotency_key.encode()).hexdigest()[:24]
    try:
        phone_hash = ports.hasher(checked_phone(submission.phone))
    except GrievanceError:
        phone_hash = ""
    ports.store.add_reject(
        now.astimezone(dt.UTC).date().isoformat(),
        reject_id,
        {
            "reject_id": reject_id,
            "reason": reason,
            "field": field_name,
            "message": message,
            "at": _iso(now),
            "channel": submission.channel,
            "source_id": submission.source_id,
            "phone_hash": phone_hash,
            "department": submission.department,
            "service": submission.service,
            "office_code": submission.office_code or "",
            "category": submission.category,
            "text": (submission.text or "")[:4000],
            "voice_key": submission.voice_key or "",
            "language": submission.language,
            "expires_at": _epoch(now) + 400 * 86400,
        },
    )
    log.info("grievance rejected", extra={"reason": reason, "field": field_name})
    return Rejected(reason, field_name, message, reject_id)
