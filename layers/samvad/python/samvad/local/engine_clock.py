"""moto's Step Functions engine on the local runtime's simulated clock.

moto runs every execution in threads that wait on the wall clock: ``threading.Event.wait``
for a task's timeout (``TimeoutSecondsPath``, a task token's wait) and ``time.sleep``
between retries. While an ``EngineClock`` is active, those waits are on its simulated
instant instead, which moves only when the runtime calls ``advance`` — and the runtime does
so only when the engine is ``idle()`` (every engine thread is parked in such a wait) and the
queues are empty. A 7-day SLA then passes in one step, and whether an official's report or
the deadline comes first is decided by the simulated schedule, never by the machine's load.

``activate`` patches four names in moto's engine (once; they defer to the real clock again
when no clock is active): the ``Event`` of callback endpoints and of a task's timeout, the
``time.sleep`` of retries, and the ``join`` with which an execution waits for its worker.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import types
from dataclasses import dataclass
from typing import Any

_ACTIVE: EngineClock | None = None
_PATCHED = False


@dataclass(eq=False)
class _Waiter:
    thread: threading.Thread
    deadline: dt.datetime | None
    event: SimulatedEvent | None
    woken: bool = False
    result: bool = False


class SimulatedEvent:
    """``threading.Event``'s interface; a timed wait ends when the clock reaches it."""

    def __init__(self, clock: EngineClock) -> None:
        self._clock = clock
        self.flag = False

    def is_set(self) -> bool:
        return self.flag

    def set(self) -> None:
        self._clock.set(self)

    def clear(self) -> None:
        self.flag = False

    def wait(self, timeout: float | None = None) -> bool:
        return self._clock.wait(self, timeout)


class EngineClock:
    """The simulated instant moto's engine waits on; see the module's docstring."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self._condition = threading.Condition()
        self._waiters: set[_Waiter] = set()
        self._joining: dict[threading.Thread, threading.Thread] = {}
        self._threads: set[threading.Thread] = set()
        self._seen = 0

    # -- the engine's side ----------------------------------------------------------------

    def set(self, event: SimulatedEvent) -> None:
        """Set ``event``; its waiters count as running from now on (not when they wake)."""
        with self._condition:
            event.flag = True
            for waiter in self._waiters:
                if waiter.event is event and not waiter.woken:
                    waiter.woken = waiter.result = True
            self._condition.notify_all()

    def wait(self, event: SimulatedEvent | None, timeout: float | None) -> bool:
        """Park until ``event`` is set (True) or the clock passes ``timeout`` (False)."""
        with self._condition:
            if event is not None and event.flag:
                return True
            deadline = None if timeout is None else self.now + dt.timedelta(seconds=timeout)
            waiter = _Waiter(threading.current_thread(), deadline, event)
            self._waiters.add(waiter)
            self._condition.notify_all()  # the runtime may be waiting for the engine to idle
            while not waiter.woken:
                self._condition.wait()
            self._waiters.discard(waiter)
            return waiter.result

    def joining(self, worker: threading.Thread, joined: bool) -> None:
        with self._condition:
            if joined:
                self._joining[threading.current_thread()] = worker
            else:
                self._joining.pop(threading.current_thread(), None)

    # -- the runtime's side ---------------------------------------------------------------

    def idle(self) -> bool:
        """True when every live engine thread is parked: nothing moves until ``advance``
        or a call to the emulator (a task token sent back, an execution started)."""
        from moto.stepfunctions.parser.utils import TMP_THREADS

        with self._condition:
            self._threads.update(TMP_THREADS[self._seen :])  # appended before started
            self._seen = len(TMP_THREADS)
            self._threads = {t for t in self._threads if t.is_alive()}
            parked = {w.thread for w in self._waiters if not w.woken}
            for thread in self._threads:
                worker = self._joining.get(thread)
                if thread not in parked and not (worker is not None and worker.is_alive()):
                    return False
            return True

    def wait_idle(self, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.idle():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the Step Functions engine did not idle in {timeout} s")
            with self._condition:
                self._condition.wait(0.005)

    def next_deadline(self) -> dt.datetime | None:
        """The soonest instant a parked wait ends, if any."""
        with self._condition:
            deadlines = [w.deadline for w in self._waiters if w.deadline and not w.woken]
            return min(deadlines, default=None)

    def advance(self, to: dt.datetime) -> int:
        """Move to ``to``: every wait that ends by then times out; returns how many."""
        with self._condition:
            self.now = max(self.now, to)
            ended = 0
            for waiter in self._waiters:
                if not waiter.woken and waiter.deadline is not None and waiter.deadline <= to:
                    waiter.woken, waiter.result = True, False
                    ended += 1
            self._condition.notify_all()
            return ended

    # -- activation -----------------------------------------------------------------------

    def __enter__(self) -> EngineClock:
        activate(self)
        return self

    def __exit__(self, *exc: object) -> None:
        deactivate()


def activate(clock: EngineClock) -> None:
    """Executions started from now on wait on ``clock``."""
    global _ACTIVE
    _patch()
    _ACTIVE = clock


def deactivate() -> None:
    """Executions started from now on wait on the wall clock again."""
    global _ACTIVE
    _ACTIVE = None


def _event() -> Any:
    return SimulatedEvent(_ACTIVE) if _ACTIVE is not None else threading.Event()


def _sleep(seconds: float) -> None:
    if _ACTIVE is not None:
        _ACTIVE.wait(None, seconds)
    else:
        time.sleep(seconds)


class _Thread(threading.Thread):
    """An execution's worker thread: the execution's own thread, joining it, is parked."""

    def join(self, timeout: float | None = None) -> None:
        clock = _ACTIVE
        if clock is None:
            return super().join(timeout)
        clock.joining(self, True)
        try:
            super().join(timeout)
        finally:
            clock.joining(self, False)


def _patch() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.program import program
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state
    from moto.stepfunctions.parser.asl.eval.callback import callback

    callback.Event = _event  # callback endpoints (task tokens)
    execute_state.threading = types.SimpleNamespace(Event=_event)  # a task's timeout
    retrier_decl.time = types.SimpleNamespace(sleep=_sleep)  # Retry's interval
    program.threading = types.SimpleNamespace(Thread=_Thread)  # the execution's worker
    _PATCHED = True
