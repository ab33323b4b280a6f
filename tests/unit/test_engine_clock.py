"""The simulated clock moto's Step Functions engine waits on (``samvad_dev.local.engine_clock``)."""

from __future__ import annotations

import datetime as dt
import threading

from samvad_dev.local.engine_clock import EngineClock, SimulatedEvent

T0 = dt.datetime(2026, 11, 30, 15, 30, tzinfo=dt.UTC)


def _parked(clock: EngineClock, event: SimulatedEvent, timeout: float | None) -> tuple:
    """A thread waiting on ``event``; returns it and the list its result lands in."""
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(event.wait(timeout)), daemon=True)
    thread.start()
    while timeout is not None and clock.next_deadline() is None:
        threading.Event().wait(0.001)
    return thread, results


def test_a_wait_times_out_only_when_the_clock_reaches_its_deadline() -> None:
    """Given a thread waiting an hour on the simulated clock, When the clock moves half an
    hour, Then it still waits; When it moves to the hour, Then the wait ends as a timeout."""
    clock = EngineClock(T0)
    thread, results = _parked(clock, SimulatedEvent(clock), 3600)
    assert clock.next_deadline() == T0 + dt.timedelta(hours=1)
    assert clock.advance(T0 + dt.timedelta(minutes=30)) == 0
    thread.join(0.05)
    assert thread.is_alive() and results == []
    assert clock.advance(T0 + dt.timedelta(hours=1)) == 1
    thread.join(5)
    assert results == [False] and clock.next_deadline() is None


def test_a_set_event_ends_the_wait_and_a_later_deadline_cannot_undo_it() -> None:
    """Given a thread waiting on an event, When the event is set and then the clock passes
    the deadline, Then the wait ended as set (True), not as a timeout."""
    clock = EngineClock(T0)
    event = SimulatedEvent(clock)
    thread, results = _parked(clock, event, 60)
    event.set()
    assert clock.advance(T0 + dt.timedelta(minutes=5)) == 0
    thread.join(5)
    assert results == [True]
    assert event.wait(60) is True  # already set: no wait at all


def test_setting_one_event_wakes_only_its_own_waiter() -> None:
    """Given three threads parked on three events (one of them with a deadline), When one
    event is set, Then only that thread wakes: the others are never woken (each parked
    thread sleeps on its own ``wake``; with one shared condition every parked thread woke
    on every set, wait and advance, hundreds at a time in the week's demo); and advancing
    past the deadline wakes that thread alone."""
    clock = EngineClock(T0)
    events = [SimulatedEvent(clock) for _ in range(3)]
    parked = [_parked(clock, e, t) for e, t in zip(events, (None, None, 60), strict=True)]
    while len(clock._waiters) < 3:
        threading.Event().wait(0.001)
    waiter_of = {w.event: w for w in clock._waiters}

    events[0].set()
    parked[0][0].join(5)

    assert parked[0][1] == [True]
    assert not waiter_of[events[1]].wake.is_set() and not waiter_of[events[2]].wake.is_set()
    assert parked[1][0].is_alive() and parked[2][0].is_alive()
    assert clock.advance(T0 + dt.timedelta(minutes=1)) == 1
    parked[2][0].join(5)
    assert parked[2][1] == [False] and not waiter_of[events[1]].wake.is_set()
    events[1].set()
    parked[1][0].join(5)
    assert parked[1][1] == [True]
