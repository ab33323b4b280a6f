"""moto's Step Functions engine on the local runtime's simulated clock.

moto runs every execution in threads that wait on the wall clock: ``threading.Event.wait``
for a task's timeout (``TimeoutSecondsPath``, a task token's wait) and ``time.sleep``
between retries. While an ``EngineClock`` is active, those waits are on its simulated
instant instead, which moves only when the runtime calls ``advance`` — and the runtime does
so only when the engine is ``idle()`` (every engine thread is parked in such a wait) and the
queues are empty. A 7-day SLA then passes in one step, and whether an official's report or
the deadline comes first is decided by the simulated schedule, never by the machine's load.

``activate`` patches names in moto's engine (once; it also logs the exception behind a Task's
``States.Runtime``, which moto does not): its threads become ``_Thread``s, each
bound to the clock that was active when its execution started (threads inherit their
creator's, as they inherit the server the execution was started through: ``isolation``),
and the ``Event`` of callback endpoints and of a task's timeout, the ``time.sleep`` of
retries and the ``join`` with which an execution waits for its worker use the current
thread's clock — or the wall clock, for executions started without one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import types
from dataclasses import dataclass, field
from typing import Any

from samvad_dev.local import isolation

ENGINE_LOG = logging.getLogger("samvad_dev.engine")
_ACTIVE: EngineClock | None = None
_PATCHED = False


@dataclass(eq=False)
class _Waiter:
    """One parked engine thread. It sleeps on its own ``wake``, so waking it (its event set,
    its deadline passed) wakes no other: with one shared condition, every set, wait and
    advance woke every parked thread of the run (hundreds in a week's demo) to find that it
    was not for them."""

    thread: threading.Thread
    deadline: dt.datetime | None
    event: SimulatedEvent | None
    woken: bool = False
    result: bool = False
    wake: threading.Event = field(default_factory=threading.Event)

    def end(self, result: bool) -> None:
        """Wake it with ``result`` (under the clock's lock)."""
        self.woken, self.result = True, result
        self.wake.set()


class SimulatedEvent:
    """``threading.Event``'s interface; a timed wait ends when the clock reaches it."""

    def __init__(self, clock: EngineClock) -> None:
        self._clock = clock
        self.flag = False
        self.waiters: set[_Waiter] = set()

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
            for waiter in event.waiters:
                if not waiter.woken:
                    waiter.end(True)
            self._condition.notify_all()  # the runtime, if it waits for the engine to idle

    def wait(self, event: SimulatedEvent | None, timeout: float | None) -> bool:
        """Park until ``event`` is set (True) or the clock passes ``timeout`` (False)."""
        with self._condition:
            if event is not None and event.flag:
                return True
            deadline = None if timeout is None else self.now + dt.timedelta(seconds=timeout)
            waiter = _Waiter(threading.current_thread(), deadline, event)
            self._waiters.add(waiter)
            if event is not None:
                event.waiters.add(waiter)
            self._condition.notify_all()  # the runtime may be waiting for the engine to idle
        waiter.wake.wait()
        with self._condition:
            self._waiters.discard(waiter)
            if event is not None:
                event.waiters.discard(waiter)
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
            appended = TMP_THREADS[self._seen :]  # threads are appended before they start
            self._seen += len(appended)
            self._threads.update(t for t in appended if getattr(t, "clock", None) is self)
            # forget threads that have ended; one not started yet counts as running
            self._threads = {t for t in self._threads if t.ident is None or t.is_alive()}
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
                    waiter.end(False)
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


class _Thread(threading.Thread):
    """An engine thread, bound to the clock active when its execution started."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creator = threading.current_thread()
        self.clock = creator.clock if isinstance(creator, _Thread) else _ACTIVE
        self.server = creator.server if isinstance(creator, _Thread) else isolation.serving()
        """The server the execution was started through, if any (``local.isolation``)."""

    def join(self, timeout: float | None = None) -> None:
        """An execution's thread joining its worker is parked while the worker runs."""
        if self.clock is None:
            return super().join(timeout)
        self.clock.joining(self, True)
        try:
            super().join(timeout)
        finally:
            self.clock.joining(self, False)


def server_of(thread: threading.Thread) -> isolation.Served | None:
    """The server through which ``thread``'s execution was started (None: in-process)."""
    return thread.server if isinstance(thread, _Thread) else None


def _clock() -> EngineClock | None:
    thread = threading.current_thread()
    return thread.clock if isinstance(thread, _Thread) else None


def _event() -> Any:
    clock = _clock()
    return SimulatedEvent(clock) if clock is not None else threading.Event()


class _TokenEvent(SimulatedEvent):
    """A task token's wait: it ends when the token is answered, never by its own timeout.

    moto gives the task's thread and the token's thread the same timeout; the task's ends
    the state (``States.Timeout``), and a token thread woken with it would run on, stale,
    beside the next state of the same execution (it clears the context's task token that
    the next state has just set). On the simulated clock it stays parked instead."""

    def wait(self, timeout: float | None = None) -> bool:
        return self._clock.wait(self, None)


def _token_event() -> Any:
    clock = _clock()
    return _TokenEvent(clock) if clock is not None else threading.Event()


def _sleep(seconds: float) -> None:
    clock = _clock()
    if clock is not None:
        clock.wait(None, seconds)
    else:
        time.sleep(seconds)


def install() -> None:
    """Patch the engine's threads (once) without activating a clock."""
    _patch()


def _log_unhandled(state_class: Any) -> None:
    """moto turns an exception in a Task's body into ``States.Runtime`` and logs only that it
    happened; log the exception itself, with its traceback (``samvad_dev.engine``)."""
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEventException,
    )

    original = state_class._from_error

    def _from_error(self: Any, env: Any, ex: Exception) -> Any:
        if not isinstance(ex, FailureEventException):
            ENGINE_LOG.error("a Task state raised %r", ex, exc_info=ex)
        return original(self, env, ex)

    state_class._from_error = _from_error


def _patch() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.program import program
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state
    from moto.stepfunctions.parser.asl.eval.callback import callback
    from moto.stepfunctions.parser.backend import execution_worker

    execution_worker.Thread = _Thread  # an execution's thread
    program.threading = types.SimpleNamespace(Thread=_Thread)  # … its worker
    execute_state.Thread = _Thread  # … a task's body
    execute_state.threading = types.SimpleNamespace(Event=_event)  # … a task's timeout
    _log_unhandled(execute_state.ExecutionState)
    callback.Event = _token_event  # … a task token's wait
    retrier_decl.time = types.SimpleNamespace(sleep=_sleep)  # … Retry's interval
    _PATCHED = True
