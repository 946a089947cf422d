"""Stale market data: a venue's data stops while its matching goes on. The router never routes
on the stale book; the supervisor trips the breaker; the parent completes elsewhere."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_sim_helpers import SECOND, FaultSim, assert_exact_accounting

from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine, AlgoState, MarketView, TopOfBookRouter
from slipstream.engine.supervisor import VenueSupervisor
from slipstream.model.enums import Side
from slipstream.model.events import OrderCreated, RoutePlanned
from slipstream.model.feed import BookUpdate
from slipstream.model.intents import ChildIntent, Urgency
from slipstream.model.risk_events import CircuitBreakerOpened
from slipstream.testing.stubs import btc_usdt
from slipstream.venues.sim.faults import Fault, FaultKind
from slipstream.venues.sim.quote import QuoteVenue


def test_router_never_routes_on_a_stale_book() -> None:
    sim = FaultSim()
    sim.start_twap(slice_s=5)
    stale, fresh = sim.start_ns + 60 * SECOND, sim.start_ns + 300 * SECOND
    sim.venue("alpha").faults.add(Fault(kind=FaultKind.STALE, start_ns=stale, end_ns=fresh))
    sim.run_to(700)
    assert sim.algos.status("P1").state is AlgoState.DONE
    assert_exact_accounting(sim.engine, sim.market.venues)
    max_age = sim.router.router.config.book_max_age_ns
    blind = (stale + max_age + 10_000_000, fresh)  # the last book we saw is older than the router allows
    assert not [e for e in sim.events(OrderCreated) if e.order.venue == "alpha" and blind[0] <= e.ts_ns < blind[1]]
    routes = [e for e in sim.events(RoutePlanned) if blind[0] <= e.ts_ns < blind[1]]
    assert routes and all(venue != "alpha" for e in routes for venue, _ in e.legs)
    assert [e for e in sim.events(CircuitBreakerOpened) if e.venue == "alpha" and stale < e.ts_ns < fresh]


def test_guarded_view_hides_stale_tripped_and_excluded_venues() -> None:
    venues = [QuoteVenue(v, [btc_usdt(v)]) for v in ("a", "b")]
    engine = ExecutionEngine(venues)
    supervisor = VenueSupervisor(engine)
    algos = AlgoEngine(engine)
    view = supervisor.guard(algos.market)
    router = TopOfBookRouter(view)
    assert isinstance(view, MarketView)

    def book(venue: str, ask: int, ts: int) -> None:
        algos.market.on_book(BookUpdate(venue=venue, symbol="BTC/USDT", venue_ts_ns=ts, receive_ts_ns=ts,
                                        bids=((ask - 10, 10**6),), asks=((ask, 10**6),)))

    intent = ChildIntent(intent_id="i", parent_id="P", symbol="BTC/USDT", side=Side.BUY,
                         quantity=Decimal("0.1"), urgency=Urgency.TAKE)
    book("a", 6_000_000, 0)
    book("b", 6_000_050, 0)
    assert [o.venue for o in router.orders_for(intent, 0)] == ["a"]  # cheapest
    engine.loop.clock.advance_to(3_000_000_000)  # type: ignore[attr-defined]
    book("b", 6_000_050, 3_000_000_000)
    assert [o.venue for o in router.orders_for(intent, 0)] == ["b"]  # a's book is 3 s old: stale
    book("a", 6_000_000, 3_000_000_000)
    supervisor.breaker.trip("a", "test", 3_000_000_000)
    assert [o.venue for o in router.orders_for(intent, 0)] == ["b"]
    supervisor.breaker.reset("a", "test", 3_000_000_000)
    supervisor.exclude("a", 4_000_000_000)
    assert [o.venue for o in router.orders_for(intent, 0)] == ["b"]
    supervisor.exclude("b", 4_000_000_000)
    assert router.orders_for(intent, 0) == []
    assert algos.market.best_ask("BTC/USDT") is not None  # the algo's own view is untouched
