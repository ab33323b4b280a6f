"""The demo's contact day: the sample is dispatched on the simulated clock, simulated
citizens answer, the human callers work their lists at the call desk (``demo.desk``), and
what the citizens said is summarised from the domain events."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from samvad import resources
from samvad_dev.demo.console import Console
from samvad_dev.demo.desk import Desks
from samvad_dev.local.citizens import Citizens, Population
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.dispatching import run_contacts

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
VOICE = ("ivr_call",)  # the human callers' calls are the desk's (``desk`` in the summary)


def contact_day(
    cloud: LocalCloud,
    run_date: dt.date,
    seed: int,
    console: Console | None = None,
    each_round: Callable[[], None] | None = None,
    desk: bool = True,
) -> tuple[dict, list[dict]]:
    """Dispatch what is queued, from 09:05 to 21:00 IST of ``run_date``; return the summary
    and the domain events published meanwhile (for the stages that follow). ``each_round``
    is called after every round of the dispatch loop. With ``desk``, simulated officials
    work the human callers' lists meanwhile (``samvad serve`` leaves them to people)."""
    citizens = Citizens(cloud, Population(seed=seed))
    desks = Desks(cloud, citizens) if desk else None
    start = dt.datetime.combine(run_date, dt.time(9, 5), IST)
    until = dt.datetime.combine(run_date, dt.time(21, 0), IST)
    events: list[dict] = []
    minutes = int((until - start).total_seconds() // 60)
    with (console or Console()).bar(f"contacts {run_date}", minutes, "min") as update:

        def progress(now: dt.datetime) -> None:
            update(min(minutes, int((now - start).total_seconds() // 60)))
            if desks is not None:
                desks.work()
            if each_round is not None:
                each_round()

        counts = run_contacts(cloud, citizens, start, until, events, progress=progress)
    summary = summarise(events, counts, citizens.counts)
    if desks is not None:
        summary["desk"] = desks.summary()
    return summary, events


def summarise(events: list[dict], counts: dict, citizens: Counter) -> dict:
    def of(kind: str) -> list[dict]:
        return [e["detail"] for e in events if e["detail-type"] == kind]

    outcomes = of(resources.CONTACT_OUTCOME)
    feedback = of(resources.FEEDBACK_RECORDED)
    return {
        "calls_placed": sum(
            1
            for o in outcomes
            if o["channel"] in VOICE and o["outcome"] in ("answered", "no_answer", "busy")
        ),
        "calls_answered": sum(
            1 for o in outcomes if o["channel"] in VOICE and o["outcome"] == "answered"
        ),
        "calls_unanswered": sum(
            1 for o in outcomes if o["channel"] in VOICE and o["outcome"] in ("no_answer", "busy")
        ),
        "sms_sent": sum(1 for o in outcomes if o["outcome"] == "sms_sent"),
        "sms_replies": citizens["sms_replies"] + citizens["sms_stop"],
        "web_forms_submitted": citizens["web_forms"],
        "opt_outs": len(of(resources.CITIZEN_OPTED_OUT)),
        "contacts_still_pending": counts.get("deferred_past_the_day", 0),
        "feedback": len(feedback),
        "feedback_by_rating": dict(sorted(Counter(str(f["rating"]) for f in feedback).items())),
        "feedback_by_channel": dict(Counter(f["channel"] for f in feedback)),
        "poor_feedback_events": len(of(resources.FEEDBACK_POOR)),
        "failed_deliveries": counts.get("failed", 0),
    }
