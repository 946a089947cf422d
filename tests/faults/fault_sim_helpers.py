"""A small two-venue simulated market for the fault-injection tests, with the whole failure
path wired: health monitor, circuit breaker, fail-over, smart router exclusions, reconciliation.

Venues ``alpha`` and ``beta`` are :class:`~slipstream.venues.sim.book_venue.BookVenue` order books
built from a tiny scenario (the same synthetic market makers as ``slipstream simulate``); each
test injects failures through the venue's own fault hook (``venue.faults.add(Fault(...))``).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

from slipstream.algos import AlgoParams, TwapAlgo
from slipstream.engine.executor import AlgoEngine, ParentStatus
from slipstream.engine.supervisor import SupervisorConfig, VenueSupervisor
from slipstream.journal.store import EventStore
from slipstream.model.enums import Side
from slipstream.model.orders import ParentOrder
from slipstream.scenarios import build_market
from slipstream.scenarios.schema import parse_scenario
from slipstream.simulation.routing import SmartIntentRouter
from slipstream.venues.health import CircuitBreaker, HealthConfig, VenueHealthMonitor
from slipstream.venues.sim.book_venue import BookVenue

SECOND = 1_000_000_000
UNIT = Decimal("0.00001")
_VENUE = '''
[[venues]]
name = "{name}"
kind = "book"
tick = "0.1"
lot = "0.00001"
taker_fee = "0.001"
maker_fee = "0.001"
latency = {{ model = "constant", entry_ms = 5, response_ms = 5, market_data_ms = 2 }}
rate_limits = {rate_limits}
balances = {{ BTC = "100", USDT = "10000000" }}
[venues.book]
spread_bps = 1.0
depth_usd_10bps = {depth}
levels = 10
'''
SCENARIO = '''
[scenario]
name = "faults"
seed = 7
start = 2024-06-03T00:00:00Z
duration_s = 1800
step_ms = 1000
[asset]
symbol = "BTC"
initial_price = 68000.0
[[asset.regimes]]
name = "calm"
annual_vol = 0.4
'''


def scenario_text(rate_limited: tuple[str, ...] = ()) -> str:
    """Two venues; ``alpha`` is deeper so the router prefers it while it is healthy."""
    text = SCENARIO
    for name, depth in (("alpha", 4_000_000), ("beta", 2_000_000)):
        limits = '["okx-place-order"]' if name in rate_limited else "[]"
        text += _VENUE.format(name=name, depth=depth, rate_limits=limits)
    return text


HEALTH = HealthConfig(min_requests=3, min_dwell=timedelta(seconds=5))


class FaultSim:
    """Market + engine + supervisor + smart router + algo engine, seeded.

    Args:
        seed: market and engine seed.
        journal: event store (default in memory).
        rate_limited: venues given OKX's 60-orders-per-2-s limit.
        health: health thresholds.
        config: supervisor intervals.
    """

    def __init__(self, seed: int = 7, journal: EventStore | None = None, rate_limited: tuple[str, ...] = (),
                 health: HealthConfig = HEALTH, config: SupervisorConfig | None = None,
                 start_supervisor: bool = True) -> None:
        self.market = build_market(parse_scenario(scenario_text(rate_limited)), seed, journal=journal)
        self.engine = self.market.engine
        self.breaker = CircuitBreaker()
        self.router = SmartIntentRouter(self.engine, self.market,
                                        healthy=lambda venue, _now: not self.breaker.is_open(venue))
        self.supervisor = VenueSupervisor(self.engine, monitor=VenueHealthMonitor(health), breaker=self.breaker,
                                          config=config, exclude=self.router.router.exclude)
        self.algos = AlgoEngine(self.engine, self.router)
        self.start_ns = self.market.start_ns + 10 * SECOND
        if start_supervisor:
            self.supervisor.start()
        self.market.run(self.start_ns)

    def venue(self, name: str) -> BookVenue:
        venue = self.market.venues[name]
        assert isinstance(venue, BookVenue)
        return venue

    def start_twap(self, quantity: str = "2", minutes: float = 10, slice_s: int = 10,
                   parent_id: str = "P1", passive: bool = False, limit: str | None = None) -> ParentStatus:
        parent = ParentOrder(parent_id=parent_id, account="desk", symbol="BTC/USDT", side=Side.BUY,
                             quantity=Decimal(quantity), quantity_unit=UNIT, start_ts_ns=self.start_ns,
                             limit_price=None if limit is None else Decimal(limit),
                             end_ts_ns=self.start_ns + round(minutes * 60 * SECOND))
        return self.algos.start(parent, TwapAlgo(), AlgoParams(slice_interval=timedelta(seconds=slice_s),
                                                                passive_only=passive))

    def run_for(self, seconds: float) -> None:
        self.market.run(self.engine.now_ns + round(seconds * SECOND))

    def run_to(self, offset_s: float) -> None:
        self.market.run(self.start_ns + round(offset_s * SECOND))

    def events(self, *types: type) -> list[Any]:
        return [e for _, e in self.engine.journal.events() if not types or isinstance(e, types)]


def venue_filled_lots(venues: dict[str, Any], parent_id: str = "P1") -> Counter[str]:
    """Lots each of the parent's children filled according to the venues themselves."""
    lots: Counter[str] = Counter()
    for venue in venues.values():
        for report in venue.fills_since(0):
            if report.fill is not None and report.client_order_id.startswith(f"{parent_id}-"):
                lots[report.client_order_id] += report.fill.lots
    return lots


def assert_exact_accounting(engine: Any, venues: dict[str, Any], parent_id: str = "P1") -> None:
    """OMS and venues agree on every child's fills; the parent's units add up exactly."""
    parent = engine.oms.parents[parent_id]
    assert parent.filled_units + parent.working_units + parent.remaining_units == parent.quantity_units
    assert min(parent.filled_units, parent.working_units, parent.remaining_units) >= 0
    oms_lots = Counter({c: engine.oms.orders[c].filled_lots for c in parent.children
                        if engine.oms.orders[c].filled_lots})
    assert oms_lots == venue_filled_lots(venues, parent_id)
    units = sum(engine.oms.orders[c].filled_lots * engine.oms.orders[c].units_per_lot for c in parent.children)
    assert units == parent.filled_units + parent.excess_units
