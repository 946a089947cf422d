"""The prepared curves memoised per snapshot, side and decision time never leak across what they do
not depend on: a new router config, an excluded venue, a limit price, another side."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from router_cases import intent, small_view

import bench_router
from slipstream.model.enums import Side
from slipstream.routing import MarketView, RouterConfig, SmartRouter


def _json(router: SmartRouter, seed: int, qty: str, side: Side = Side.BUY, **kw: object) -> bytes:
    return router.route(intent(qty, side, **kw), small_view(seed)).to_json()


def test_memo_serves_later_decisions_with_the_same_routes() -> None:
    view = small_view(7)
    router = SmartRouter()
    router.precompute(view, "BTC/USDT")
    first = router.route(intent("0.5"), view)
    again = router.route(intent("0.5"), view)
    fresh = SmartRouter().route(intent("0.5"), small_view(7))
    assert first.to_json() == again.to_json() == fresh.to_json()
    assert router.prepare(intent("0.5"), view).curves is router.prepare(intent("1.5"), view).curves


def test_a_new_config_is_not_served_from_the_memo() -> None:
    view = small_view(11)
    router = SmartRouter()
    assert router.route(intent("0.5"), view).legs
    router.config = replace(router.config, book_max_age_ns=0)
    aged = {s.venue for s in view.sources if s.conditions.received_ts_ns < view.now_ns and s.venue != "univ2"}
    assert aged
    route = router.route(intent("0.5"), view)
    assert {e.venue for e in route.excluded if e.reason == "stale"} == aged
    assert not aged & set(route.venues)


def test_an_excluded_venue_is_left_out_although_the_snapshot_was_prepared() -> None:
    view = small_view(12)
    router = SmartRouter()
    router.precompute(view, "BTC/USDT")
    before = router.route(intent("0.3"), view)
    venue = before.legs[0].venue
    router.exclude(venue, view.now_ns + 1)
    after = router.route(intent("0.3"), view)
    assert venue not in after.venues
    assert any(e.venue == venue and e.reason == "excluded" for e in after.excluded)


def test_a_limit_price_gets_its_own_curves_and_leaves_the_memo_intact() -> None:
    view = small_view(13)
    router = SmartRouter()
    plain = router.route(intent("2"), view)
    mid = Decimal(view.sources[0].asks[0][0]) / 100  # type: ignore[union-attr]
    limited = router.route(intent("2", limit_price=mid), view)
    assert limited.routed_quantity <= plain.routed_quantity
    assert router.route(intent("2"), view).to_json() == plain.to_json()


def test_sides_do_not_share_prepared_curves() -> None:
    view = small_view(14)
    router = SmartRouter(RouterConfig())
    buy = router.prepare(intent("1", Side.BUY), view)
    sell = router.prepare(intent("1", Side.SELL), view)
    assert buy.curves is not sell.curves
    assert router.route(intent("1", Side.SELL), view).to_json() == SmartRouter().route(
        intent("1", Side.SELL), small_view(14)).to_json()


def test_memo_keeps_one_prepared_slot_per_side_whatever_the_decision_times() -> None:
    """A source that does not change for a while sees decisions at many times: memory stays bounded."""
    view = small_view(14)
    router = SmartRouter()
    for dt in range(0, 50_000_000, 1_000_000):
        for side in (Side.BUY, Side.SELL):
            router.route(intent("0.3", side), MarketView(view.now_ns + dt, view.sources))
    prepared = [k for k in view.sources[0].memo if isinstance(k, tuple) and k and k[0] == "prepared"]
    assert len(prepared) == 2


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.05, 1.0]), st.sampled_from([Side.BUY, Side.SELL]))
def test_warm_precompute_changes_no_route(seed: int, depth: float, side: Side) -> None:
    """The precompute's probe decisions (``warm``) only fill caches: the same routes as without them
    and as without any precompute."""
    base = bench_router.scenario(seed, depth=depth)
    it = bench_router.intent(seed, side=side)
    routes = []
    for warm in (True, False, None):
        view = bench_router.fresh_copy(base)
        router = SmartRouter(RouterConfig(compare_alternatives=True))
        if warm is not None:
            router.precompute(view, "BTC/USDT", warm=warm)
        routes.append(router.route(it, view).to_json())
    assert routes[0] == routes[1] == routes[2]
