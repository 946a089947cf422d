"""SmartRouter end to end: route invariants, order conversion, exclusions, limits, passive choice,
re-routing and the stable JSON / table outputs."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from router_cases import NOW, all_in, intent, small_view

from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.intents import Urgency
from slipstream.routing import MarketView, RouterConfig, SmartRouter, VenueConditions, render_route
from slipstream.routing.view import ConsolidatedView

SEEDS = st.integers(0, 10**9)


@settings(max_examples=40, deadline=None)
@given(SEEDS, st.integers(1, 40), st.sampled_from([Side.BUY, Side.SELL]), st.sampled_from(["v2", "v3", "none"]))
def test_route_beats_single_venue_and_every_equal_split(seed: int, k: int, side: Side, amm: str) -> None:
    router = SmartRouter()
    view = small_view(seed, amm)
    it = intent(str(Decimal(k) * Decimal("0.05")), side)
    route = router.route(it, view)
    prep = router.prepare(it, view)
    if route.unfilled_quantity:
        return
    assert sum(leg.quantity for leg in route.legs) == it.quantity
    single = route.best_single_venue
    assert single is not None
    if single.savings is not None:
        assert single.savings >= 0
    assert route.equal_split is not None
    if route.equal_split.savings is not None:
        assert route.equal_split.savings >= 0
    # every equal split over every subset of venues (rounded to lots) costs at least as much
    curves, total = prep.curves, prep.total
    route_cost = sum(all_in(curves[i], n) or 0 for i, n in _alloc(route, prep).items())
    from itertools import combinations

    for r in range(2, len(curves) + 1):
        for subset in combinations(curves, r):
            share = total // r
            parts = [share // c.step * c.step for c in subset]
            rest = total - sum(parts)
            if rest % subset[-1].step:
                continue
            parts[-1] += rest
            costs = [all_in(c, n) if n >= c.lo or n == 0 else None for c, n in zip(subset, parts, strict=True)]
            if any(v is None for v in costs):
                continue
            assert route_cost <= sum(v for v in costs if v is not None)


def _alloc(route: object, prep: object) -> dict[int, int]:
    index = {c.source.venue: c for c in prep.curves}  # type: ignore[attr-defined]
    return {index[leg.venue].index: leg.lots * index[leg.venue].step for leg in route.legs}  # type: ignore[attr-defined]


@pytest.mark.parametrize("amm", ["v2", "v3"])
def test_child_orders_are_valid_and_conserve_quantity(amm: str) -> None:
    route = SmartRouter().route(intent("2.5"), small_view(11, amm))
    orders = route.to_child_orders("p1", "p1-c")
    assert [o.client_order_id for o in orders] == [f"p1-c-{n}" for n in range(1, len(orders) + 1)]
    assert sum(o.lots * Decimal(leg.quantity / leg.lots) for o, leg in zip(orders, route.legs, strict=True)) == \
        route.routed_quantity
    for o, leg in zip(orders, route.legs, strict=True):
        assert o.order_type is OrderType.LIMIT and o.time_in_force is TimeInForce.IOC
        assert o.price_units == leg.limit_price_units > 0
        if leg.kind == "book":  # IOC limit = worst level taken: never below the average for a buy
            assert leg.limit_price >= leg.expected_avg_price


def test_every_cost_term_is_explained_and_adds_up() -> None:
    route = SmartRouter().route(intent("3.0"), small_view(5, "v3"))
    for leg in route.legs:
        c = leg.costs
        assert c.total == c.impact + c.fee + c.gas + c.latency + c.mev
        assert c.fee > 0 and c.latency > 0
        if leg.kind == "amm":
            assert c.gas > 0 and c.mev > 0
    doc = route.to_dict()
    assert list(doc["costs"]) == ["cash", "impact", "fee", "gas", "latency", "mev", "total"]
    assert json.loads(route.to_json()) == doc


def test_stale_unhealthy_and_rate_limited_sources_are_excluded_with_reasons() -> None:
    view = small_view(2, "v2")
    alpha, beta, pool = view.sources
    stale = replace(alpha, conditions=replace(alpha.conditions, received_ts_ns=NOW - 5_000_000_000))
    sick = replace(beta, conditions=replace(beta.conditions, healthy=False))
    limited = replace(pool, conditions=replace(pool.conditions, rate_limit_headroom=False))
    route = SmartRouter().route(intent("0.5"), MarketView(NOW, (stale, sick, limited)))
    assert route.legs == ()
    assert {(e.venue, e.reason) for e in route.excluded} == {
        ("alpha", "stale"), ("beta", "unhealthy"), ("univ2", "rate_limited")}
    assert {s.venue: s.age_ns for s in route.sources}["alpha"] == 5_000_000_000


def test_limit_price_is_never_crossed() -> None:
    view = small_view(8, "v2")
    free = SmartRouter().route(intent("4.0"), view)
    worst = max(leg.limit_price for leg in free.legs if leg.kind == "book")
    capped = SmartRouter().route(intent("4.0", limit_price=worst - Decimal("1")), view)
    assert capped.routed_quantity <= free.routed_quantity
    for leg in capped.legs:
        if leg.kind == "book":
            assert leg.limit_price <= worst - 1


def test_balance_caps_and_max_venues_are_respected() -> None:
    view = small_view(4, "v2")
    alpha, beta, pool = view.sources
    capped = replace(alpha, conditions=replace(alpha.conditions, max_base=Decimal("0.3")))
    broke = replace(beta, conditions=replace(beta.conditions, max_quote=Decimal("10000")))
    route = SmartRouter().route(intent("2.0"), MarketView(NOW, (capped, broke, pool)))
    by = {leg.venue: leg for leg in route.legs}
    assert by.get("alpha") is None or by["alpha"].quantity <= Decimal("0.3")
    assert by.get("beta") is None or by["beta"].costs.cash <= Decimal("10000")
    one = SmartRouter(RouterConfig(max_venues=1)).route(intent("1.0"), view)
    assert len(one.legs) <= 1


def test_patient_intent_posts_when_fill_is_likely_and_takes_when_not() -> None:
    view = small_view(6, "none")
    busy = MarketView(NOW, tuple(replace(s, traded_lots_per_s=1e9) for s in view.sources))
    dead = MarketView(NOW, tuple(replace(s, traded_lots_per_s=0.0) for s in view.sources))
    router = SmartRouter()
    posted = router.route(intent("0.5", urgency=Urgency.PASSIVE), busy)
    assert posted.mode == "passive" and len(posted.legs) == 1
    leg = posted.legs[0]
    assert leg.order_type is OrderType.POST_ONLY and leg.time_in_force is TimeInForce.GTC
    src = {s.venue: s for s in busy.sources}[leg.venue]
    assert leg.limit_price_units == src.bids[0][0]
    posted.to_child_orders("p1", "c")  # valid ChildOrders
    taken = router.route(intent("0.5", urgency=Urgency.PASSIVE), dead)
    assert taken.mode == "take" and "take" in taken.reason


def test_reroute_excludes_failed_venue_until_expiry_and_healthy() -> None:
    healthy = {"alpha": False}
    router = SmartRouter(RouterConfig(exclusion_ns=1_000), health=lambda v, t: healthy.get(v, True))
    view = small_view(9, "none")
    first = router.route(intent("2.0"), view)
    assert len(first.legs) >= 1
    failed = first.legs[0].venue
    healthy[failed] = False
    again = router.reroute(first, view, failed={failed})
    assert failed not in again.venues
    assert again.quantity == first.legs[0].quantity
    assert any(e.venue == failed and e.reason == "excluded" for e in again.excluded)
    later = MarketView(NOW + 10_000, view.sources)
    assert router.is_excluded(failed, later.now_ns)  # expired but still unhealthy
    healthy[failed] = True
    assert not router.is_excluded(failed, later.now_ns)


def test_reroute_of_short_fill_routes_the_remainder() -> None:
    router = SmartRouter()
    view = small_view(10, "none")
    first = router.route(intent("1.0"), view)
    leg = first.legs[0]
    short = leg.lots // 2
    again = router.reroute(first, view, fills_short={leg.venue: short})
    assert again.quantity == leg.quantity * short / leg.lots
    with pytest.raises(Exception, match="not a leg"):
        router.reroute(first, view, fills_short={"nowhere": 1})


def test_consolidated_view_tracks_updates_and_ages() -> None:
    from slipstream.model.feed import BookUpdate

    view = small_view(1, "v2")
    cv = ConsolidatedView()
    for s in view.sources:
        cv.add(s)
    alpha = view.sources[0]
    cv.apply_book(BookUpdate(venue="alpha", symbol="BTC/USDT", venue_ts_ns=NOW, receive_ts_ns=NOW + 5,
                             bids=alpha.bids[:2], asks=alpha.asks[:2]))
    snap = cv.snapshot(NOW + 10)
    got = {s.venue: s for s in snap.sources}
    assert got["alpha"].asks == alpha.asks[:2]
    assert snap.age_ns(got["alpha"]) == 5
    cv.set_conditions("beta", VenueConditions(received_ts_ns=NOW, healthy=False))
    route = SmartRouter().route(intent("0.1"), cv.snapshot(NOW + 10))
    assert "beta" not in route.venues


def test_render_route_prints_every_leg_and_alternative() -> None:
    route = SmartRouter().route(intent("3.0"), small_view(12, "v3"))
    console = Console(width=220, record=True)
    console.print(render_route(route))
    text = console.export_text()
    for leg in route.legs:
        assert leg.venue in text
    assert "best single venue" in text and "equal split" in text
