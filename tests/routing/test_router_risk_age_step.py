"""``RouterConfig.risk_age_step_ns``: the risk model's ages rounded up to a step, so a decision made
after the market-data update still uses the update's precompute — without changing what the route
reports (actual ages) or what it would be if computed from scratch at that decision time."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from router_cases import intent, small_view

import bench_router
from slipstream.errors import ValidationError
from slipstream.model.enums import Side
from slipstream.routing import AmmSource, BookSource, MarketView, RouterConfig, SmartRouter

STEP = 5_000_000  # 5 ms


def _later(view: MarketView, dt_ns: int) -> MarketView:
    return MarketView(view.now_ns + dt_ns, view.sources)


def test_default_is_exact_ages() -> None:
    assert RouterConfig().risk_age_step_ns == 0
    with pytest.raises(ValidationError):
        RouterConfig(risk_age_step_ns=-1)


def test_a_later_decision_in_the_same_step_reuses_the_precompute() -> None:
    view = bench_router.scenario(5, depth=0.05)
    view = _later(view, 1_234_567)  # an update between two steps' boundaries
    router = SmartRouter(RouterConfig(compare_alternatives=False, risk_age_step_ns=STEP))
    router.precompute(view, "BTC/USDT")
    probe = bench_router.intent(5, Decimal(3), Side.BUY)
    at_update = router.prepare(probe, view)
    end = (view.now_ns // STEP + 1) * STEP  # the step's end: the time the risk model uses
    later = _later(view, end - view.now_ns - 1)
    assert router.prepare(probe, later).curves is at_update.curves
    assert router.prepare(probe, _later(view, end - view.now_ns)).curves is not at_update.curves
    # a route served from the update's curves still reports the decision's own ages
    route = router.route(probe, later)
    assert {s.venue: s.age_ns for s in route.sources} == \
        {s.venue: later.now_ns - s.conditions.received_ts_ns for s in later.sources}


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 20_000_000), st.sampled_from([Side.BUY, Side.SELL]),
       st.sampled_from([0.05, 1.0]))
def test_routes_equal_a_fresh_router_at_the_decision_time(seed: int, dt: int, side: Side, depth: float) -> None:
    """Memo or not, a route depends only on the snapshot, the decision time and the intent."""
    base = bench_router.scenario(seed, depth=depth)
    config = RouterConfig(compare_alternatives=True, risk_age_step_ns=STEP)
    warm = SmartRouter(config)
    warm.precompute(base, "BTC/USDT")
    it = bench_router.intent(seed, side=side)
    got = warm.route(it, _later(base, dt))
    fresh_view = bench_router.fresh_copy(base)
    want = SmartRouter(config).route(it, _later(fresh_view, dt))
    assert got.to_json() == want.to_json()


def test_routes_report_actual_ages_and_price_risk_at_the_step_end() -> None:
    view = small_view(21)
    step = 50_000_000
    stepped = SmartRouter(RouterConfig(risk_age_step_ns=step)).route(intent("0.4"), view)
    actual = {s.venue: view.now_ns - s.conditions.received_ts_ns for s in view.sources}
    assert {s.venue: s.age_ns for s in stepped.sources} == actual
    assert stepped.decided_ts_ns == view.now_ns
    # the exact model at the step's end prices the same legs and costs
    end = (view.now_ns // step + 1) * step
    exact = SmartRouter(RouterConfig()).route(intent("0.4"), _later(view, end - view.now_ns))
    assert [(leg.venue, leg.lots, leg.costs) for leg in stepped.legs] == \
        [(leg.venue, leg.lots, leg.costs) for leg in exact.legs]
    assert stepped.costs == exact.costs
    assert stepped.costs.latency > SmartRouter(RouterConfig()).route(intent("0.4"), view).costs.latency


def test_staleness_uses_the_age_at_the_step_end() -> None:
    view = small_view(22)
    book = next(s for s in view.sources if s.venue == "alpha")
    age = view.now_ns - book.conditions.received_ts_ns
    assert age > 0
    config = RouterConfig(book_max_age_ns=age)  # fresh at the decision time exactly
    assert "alpha" not in {e.venue for e in SmartRouter(config).route(intent("0.4"), view).excluded}
    stepped = SmartRouter(replace(config, risk_age_step_ns=1_000_000)).route(intent("0.4"), view)
    assert any(e.venue == "alpha" and e.reason == "stale" for e in stepped.excluded)


def _received(source: BookSource | AmmSource, ts: int) -> BookSource | AmmSource:
    return replace(source, conditions=replace(source.conditions, received_ts_ns=ts))
