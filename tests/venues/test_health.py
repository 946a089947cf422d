"""Venue health: thresholds with hysteresis and dwell, the circuit breaker, fail-over of a down venue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import ValidationError
from slipstream.journal.codec import decode_event, encode_event
from slipstream.model.enums import OrderStatus
from slipstream.model.risk_events import CircuitBreakerClosed, CircuitBreakerOpened, VenueHealthChanged
from slipstream.testing.stubs import btc_usdt, child, parent
from slipstream.venues.base import VenueHealth
from slipstream.venues.health import CircuitBreaker, HealthConfig, RatioBand, VenueHealthMonitor, fail_over
from slipstream.venues.sim.quote import QuoteVenue

S = 1_000_000_000
MS = 1_000_000
H, DG, DN = VenueHealth.HEALTHY, VenueHealth.DEGRADED, VenueHealth.DOWN


def states(events: list[object]) -> list[tuple[str, str, str]]:
    return [(e.venue, e.previous, e.current) for e in events]  # type: ignore[attr-defined]


def test_staleness_degrades_then_downs_at_once_and_recovers_after_dwell() -> None:
    monitor = VenueHealthMonitor()  # staleness: degraded 2 s (exit 1 s), down 10 s (exit 5 s); dwell 5 s
    monitor.add_venue("a", 0)
    assert monitor.evaluate(1_999 * MS) == []
    assert states(monitor.evaluate(2 * S)) == [("a", "healthy", "degraded")]
    assert states(monitor.evaluate(10 * S)) == [("a", "degraded", "down")]
    monitor.on_market_data("a", 10 * S)
    assert monitor.evaluate(10 * S) == []  # fresh, but must stay good for the dwell
    monitor.on_market_data("a", 14 * S)
    assert monitor.evaluate(14 * S) == []
    monitor.on_market_data("a", 15 * S)
    (event,) = monitor.evaluate(15 * S)
    assert (event.previous, event.current) == ("down", "healthy")  # type: ignore[attr-defined]
    assert dict(event.signals)["staleness_ns"] == "0"  # type: ignore[attr-defined]
    assert monitor.health("a") is H


@pytest.mark.parametrize(
    ("feed", "expected"),
    [
        # (requests, rejects, errors, ack latency ms, rate used/capacity) -> health
        ((20, 3, 0, 10, None), H),  # 15 % rejects < 20 %
        ((20, 4, 0, 10, None), DG),  # 20 % rejects
        ((20, 10, 0, 10, None), DN),  # 50 % rejects
        ((9, 9, 0, 10, None), H),  # too few requests to judge a ratio
        ((20, 0, 1, 10, None), DG),  # 5 % errors
        ((20, 0, 4, 10, None), DN),  # 20 % errors
        ((20, 0, 0, 500, None), DG),  # mean ack latency 500 ms
        ((20, 0, 0, 5_000, None), DN),
        ((20, 0, 0, 10, (80, 100)), DG),  # 80 % of the rate limit used
        ((20, 0, 0, 10, (100, 100)), DN),  # rate limit exhausted
    ],
)
def test_signals_combine_worst_wins(feed: tuple[int, int, int, int, tuple[int, int] | None],
                                    expected: VenueHealth) -> None:
    requests, rejects, errors, latency_ms, rate = feed
    monitor = VenueHealthMonitor()
    monitor.add_venue("v", 0)
    for i in range(requests):
        monitor.on_request("v", i * MS)
        monitor.on_ack("v", latency_ms * MS, i * MS)
    for i in range(rejects):
        monitor.on_reject("v", i * MS)
    for i in range(errors):
        monitor.on_error("v", i * MS)
    if rate is not None:
        monitor.on_rate_limit("v", rate[0], rate[1], 0)
    monitor.on_market_data("v", S)
    monitor.evaluate(S)
    assert monitor.health("v") is expected


def test_window_forgets_old_samples() -> None:
    monitor = VenueHealthMonitor(HealthConfig(min_dwell=timedelta(0)))
    for i in range(20):
        monitor.on_request("v", i)
        monitor.on_reject("v", i)
    monitor.on_market_data("v", S)
    assert states(monitor.evaluate(S)) == [("v", "healthy", "down")]
    monitor.on_market_data("v", 11 * S)
    assert states(monitor.evaluate(11 * S)) == [("v", "down", "healthy")]


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValidationError):
        RatioBand(degraded=Decimal("0.1"), degraded_exit=Decimal("0.2"), down=Decimal("0.5"), down_exit=Decimal("0.3"))
    with pytest.raises(ValidationError):
        HealthConfig(min_requests=0)
    with pytest.raises(ValidationError):
        VenueHealthMonitor().on_rate_limit("v", 5, 4, 0)


# Hysteresis: once a state is reached, noise between that level's exit and enter thresholds never
# changes it, however long it lasts and however it is timed.
@settings(max_examples=100, deadline=None)
@given(
    start=st.sampled_from(["healthy", "degraded", "down"]),
    noise=st.lists(st.tuples(st.integers(1, 3 * S), st.integers(0, 999)), min_size=1, max_size=60),
)
def test_noise_within_the_band_never_flaps(start: str, noise: list[tuple[int, int]]) -> None:
    config = HealthConfig(min_dwell=timedelta(seconds=1))
    monitor = VenueHealthMonitor(config)
    monitor.add_venue("v", 0)
    # staleness noise that must not move each state: healthy below its enter (2 s), degraded
    # between its exit and down's enter [1 s, 10 s), down above its exit (5 s).
    low, high = {"healthy": (0, 2 * S - 1), "degraded": (1 * S, 10 * S - 1), "down": (5 * S, 60 * S)}[start]
    now = 0
    if start != "healthy":
        now = 10 * S if start == "down" else 2 * S
        monitor.evaluate(now)
    assert monitor.health("v").value == start
    for step, fraction in noise:
        now += step
        staleness = low + (high - low) * fraction // 999
        monitor.on_market_data("v", now - staleness)
        monitor._venues["v"].last_data_ns = now - staleness  # let the noise go staler as well as fresher
        assert monitor.evaluate(now) == []


def test_circuit_breaker_follows_health_and_manual_trips() -> None:
    breaker = CircuitBreaker()
    down = VenueHealthChanged(ts_ns=1, venue="a", previous="healthy", current="down")
    (opened,) = breaker.on_health(down)
    assert isinstance(opened, CircuitBreakerOpened) and breaker.is_open("a")
    assert breaker.allowed(["b", "a", "c"]) == ["b", "c"]
    assert breaker.on_health(down) == []
    (closed,) = breaker.on_health(VenueHealthChanged(ts_ns=2, venue="a", previous="down", current="degraded"))
    assert isinstance(closed, CircuitBreakerClosed) and not breaker.is_open("a")
    breaker.trip("b", "maintenance", 3)
    assert breaker.on_health(VenueHealthChanged(ts_ns=4, venue="b", previous="down", current="healthy")) == []
    assert breaker.open_venues() == ("b",)
    assert len(breaker.reset("b", "done", 5)) == 1 and breaker.open_venues() == ()
    replayed = CircuitBreaker()
    for event in (opened, closed, *breaker.trip("c", "x", 6)):
        replayed.apply(decode_event(encode_event(event)))
    assert replayed.open_venues() == ("c",)


def _engine() -> tuple[ExecutionEngine, QuoteVenue, QuoteVenue]:
    a = QuoteVenue("sim", [btc_usdt("sim")], latency_ns=1_000)
    b = QuoteVenue("alt", [btc_usdt("alt")], latency_ns=1_000)
    engine = ExecutionEngine([a, b])
    for v in (a, b):
        v.set_quote("BTC/USDT", 5_999_990, 6_000_010)
    engine.submit_parent(parent(quantity="1"))
    for i in range(3):
        engine.submit_order(child(f"r{i}", lots=10_000, price_units=5_900_000))
    engine.run()
    return engine, a, b


def test_fail_over_reachable_cancels_and_frees_the_quantity_for_rerouting() -> None:
    engine, _, _ = _engine()
    cancelled, unknown = fail_over(engine, "sim", "venue down", reachable=True)
    engine.run()
    assert (cancelled, unknown) == (["r0", "r1", "r2"], [])
    assert engine.parent("P1").remaining_units == 100_000
    rerouted = engine.submit_order(child("x", lots=10_000, price_units=6_000_010, venue="alt"))
    engine.run()
    assert rerouted.status is OrderStatus.FILLED


def test_fail_over_unreachable_marks_unknown_until_reconciled() -> None:
    engine, _, _ = _engine()
    cancelled, unknown = fail_over(engine, "sim", "venue down", reachable=False)
    assert (cancelled, unknown) == ([], ["r0", "r1", "r2"])
    assert all(engine.oms.orders[c].status is OrderStatus.UNKNOWN for c in unknown)
    assert engine.parent("P1").remaining_units == 70_000  # held until the venue answers
    engine.reconcile()
    assert all(engine.oms.orders[c].status is OrderStatus.ACCEPTED for c in unknown)
