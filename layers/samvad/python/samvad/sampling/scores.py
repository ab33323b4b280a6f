"""Keyed random scores: the bottom-k sample of a stratum-day is its k smallest scores.

``day_secret(master, date)`` is derived from the sampling master key, so it exists in advance
for every day and revealing one day's secret reveals nothing about any other day's. A visit's
score is ``HMAC-SHA256(day_secret(visit date), visit_key)``, written when the visit is; once
the visit date can no longer be sampled its secret is revealed, and anyone can recompute.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from samvad.keyed import keyed_states

SCORE_HEX = 16  # 64 bits: fixed width, so string order is numeric order


def day_secret(master: bytes, day: dt.date) -> bytes:
    """The secret that scores the visits of ``day``."""
    return hmac.digest(master, f"samvad/sampling/visit-date/{day.isoformat()}".encode(), "sha256")


def run_secret(master: bytes, run_date: dt.date) -> bytes:
    """The secret that breaks ties in one run's allocation and assignment (revealed after it)."""
    return hmac.digest(master, f"samvad/sampling/run/{run_date.isoformat()}".encode(), "sha256")


def score(secret: bytes, visit_key: str) -> str:
    return hmac.digest(secret, visit_key.encode(), "sha256")[: SCORE_HEX // 2].hex()


def uniform(secret: bytes, label: str) -> float:
    """A number in [0, 1) that nobody can predict without ``secret``."""
    return int(score(secret, label), 16) / 16**SCORE_HEX


class Scorer:
    """Scores for many visits: one keyed HMAC per visit date, its pads hashed once (intake's
    hot path; the same scores as ``score``)."""

    def __init__(self, master: bytes):
        self._master = master
        self._states: dict[str, tuple[Any, Any]] = {}

    def states_for(self, visit_date: str) -> tuple[Any, Any]:
        """The keyed SHA-256 states (inner, outer) of ``visit_date``'s secret: HMAC of a
        ``visit_key`` is ``outer.copy()`` updated with the digest of ``inner.copy()`` updated
        with it (``keyed_states``), truncated to ``SCORE_HEX``."""
        states = self._states.get(visit_date)
        if states is None:
            states = keyed_states(day_secret(self._master, dt.date.fromisoformat(visit_date)))
            self._states[visit_date] = states
        return states

    def __call__(self, visit_date: str, visit_key: str) -> str:
        states = self.states_for(visit_date)
        state = states[0].copy()
        state.update(visit_key.encode())
        mac = states[1].copy()
        mac.update(state.digest())
        return mac.digest()[: SCORE_HEX // 2].hex()


def stratum_of(department: str, service: str, office_code: str) -> str:
    return f"{department}#{service}#{office_code}"


def sample_partition(stratum: str, visit_date: str) -> str:
    """The ``unsampled`` index partition of a stratum-day."""
    return f"{stratum}#{visit_date}"
