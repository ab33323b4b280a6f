"""Caps on the SMS acknowledgements a citizen's replies earn, so an auto-responder cannot
loop at the government's cost.

Each acknowledgement has a key (what it acknowledges) and counts against its number's day
(India time): a key is acknowledged once, whatever the day, and a number gets at most
``DAILY_LIMIT`` acknowledgements a day. Five garbage replies to one survey SMS earn one
"not understood"; garbage to five surveys earns ``DAILY_LIMIT``. The claim is recorded before
the SMS is sent, so a replayed reply, or a crash after the claim, sends nothing more: an
acknowledgement is a courtesy, sent at most once. The opt-out confirmation is not capped
(the registry's "already opted out" makes it once).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

DAILY_LIMIT = 3
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "Asia/Kolkata")


class Acknowledgements(Protocol):
    def claim(self, phone_hash: str, day: str, key: str, limit: int) -> bool:
        """Record ``key`` for the number's ``day``; False when it is recorded already (for
        any day) or the day holds ``limit`` keys. Atomic and idempotent."""
        ...


def may_acknowledge(acks: Acknowledgements, phone_hash: str, key: str, now: dt.datetime) -> bool:
    """Whether to send the acknowledgement ``key`` to this number now (and claim it)."""
    day = now.astimezone(IST).date().isoformat()
    return acks.claim(phone_hash, day, key, DAILY_LIMIT)
