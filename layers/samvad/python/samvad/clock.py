"""The time handlers act on: the real clock, or the local runtime's simulated one.

The local runtime compresses a day into minutes by setting ``SAMVAD_SIMULATED_NOW`` (an
ISO-8601 instant) for each invocation; on AWS it is never set. Read at call time, never at
import time.
"""

from __future__ import annotations

import datetime as dt
import os

SIMULATED_NOW_ENV = "SAMVAD_SIMULATED_NOW"


def now() -> dt.datetime:
    simulated = os.environ.get(SIMULATED_NOW_ENV)
    if simulated:
        return dt.datetime.fromisoformat(simulated)
    return dt.datetime.now(dt.UTC)


def simulated() -> bool:
    return bool(os.environ.get(SIMULATED_NOW_ENV))


def sleep(seconds: float) -> None:
    """Sleep on the real clock, or move the simulated clock on by ``seconds`` (the local
    runtime reads it back when the handler returns)."""
    if simulated():
        later = now() + dt.timedelta(seconds=seconds)
        os.environ[SIMULATED_NOW_ENV] = later.isoformat()
        return
    import time

    time.sleep(seconds)
