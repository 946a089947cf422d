"""Event loop: ordering rule, timers, simulated time, seeded randomness."""

from __future__ import annotations

import msgspec

from slipstream.engine import EventLoop, SimulatedClock, TimerFired


class Ping(msgspec.Struct, frozen=True):
    n: int


def test_ready_before_timed_and_ties_by_publication_order() -> None:
    loop = EventLoop(SimulatedClock(100))
    seen: list[tuple[int, int]] = []
    loop.subscribe(Ping, lambda m: seen.append((loop.now_ns(), m.n)))
    loop.schedule(200, Ping(3))
    loop.schedule(150, Ping(2))
    loop.schedule(200, Ping(4))
    loop.publish(Ping(1))
    loop.run()
    assert seen == [(100, 1), (150, 2), (200, 3), (200, 4)]


def test_handlers_run_in_subscription_order_and_can_publish() -> None:
    loop = EventLoop()
    seen: list[str] = []

    def first(m: Ping) -> None:
        seen.append(f"a{m.n}")
        if m.n == 0:
            loop.publish(Ping(1))

    loop.subscribe(Ping, first)
    loop.subscribe(Ping, lambda m: seen.append(f"b{m.n}"))
    loop.publish(Ping(0))
    loop.run()
    assert seen == ["a0", "b0", "a1", "b1"]


def test_repeating_timer_and_cancel() -> None:
    loop = EventLoop(SimulatedClock(0))
    fired: list[int] = []

    def on_timer(t: TimerFired) -> None:
        fired.append(t.ts_ns)
        if len(fired) == 3:
            loop.cancel_timer("tick")

    loop.subscribe(TimerFired, on_timer)
    loop.set_timer("tick", 10, 10)
    loop.run()
    assert fired == [10, 20, 30]


def test_run_until_stops_and_advances_clock() -> None:
    clock = SimulatedClock(0)
    loop = EventLoop(clock)
    seen: list[int] = []
    loop.subscribe(Ping, lambda m: seen.append(m.n))
    loop.schedule(50, Ping(1))
    loop.schedule(500, Ping(2))
    loop.run(until_ns=100)
    assert seen == [1] and clock.now_ns() == 100
    loop.run()
    assert seen == [1, 2] and clock.now_ns() == 500


def test_component_random_streams_are_seeded_and_independent() -> None:
    a = EventLoop(seed=5).rng_for("venue:x").integers(0, 10**9, 5).tolist()
    b = EventLoop(seed=5).rng_for("venue:x").integers(0, 10**9, 5).tolist()
    c = EventLoop(seed=5).rng_for("venue:y").integers(0, 10**9, 5).tolist()
    d = EventLoop(seed=6).rng_for("venue:x").integers(0, 10**9, 5).tolist()
    assert a == b and a != c and a != d
