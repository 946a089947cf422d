"""Pre-trade risk cost: RiskEngine.check latency against the number of orders in the OMS.

Run: ``python benchmarks/bench_risk.py``. Every check runs with all limits configured
(position/exposure and open orders read running totals, see ``ExposureBook``), and with
instrument-only limits. The risk engine is installed after the resting orders exist, so its
first decision rebuilds the totals from every order once; that one-off cost is timed apart
("first check") and the per-check means exclude it.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

from slipstream.engine.execution import ExecutionEngine
from slipstream.risk import (
    ExposureLimits,
    InstrumentLimits,
    Rate,
    ReferenceKind,
    ReferencePriceTable,
    RiskEngine,
    RiskLimits,
    VenueLimits,
)
from slipstream.testing.stubs import btc_usdt, child
from slipstream.venues.health import VenueHealthMonitor
from slipstream.venues.sim.quote import QuoteVenue

FULL = RiskLimits(
    instruments={"*": InstrumentLimits(max_order_quantity=Decimal(100), max_order_notional=Decimal(10**9),
                                       price_band=Decimal("0.5"), fat_finger=Decimal("0.9"))},
    venues={"*": VenueLimits(max_open_orders=10**9, max_order_rate=Rate(10**9, timedelta(seconds=1)))},
    accounts={"*": {"*": ExposureLimits(max_position=Decimal(10**6), max_net_notional=Decimal(10**12))}},
    portfolio={"*": ExposureLimits(max_gross_notional=Decimal(10**12))},
    max_loss=Decimal(10**9),
)
ORDER_ONLY = RiskLimits(instruments=FULL.instruments)


def bench_check(resting: int, limits: RiskLimits, checks: int = 2_000) -> tuple[float, float]:
    """Mean microseconds per ``RiskEngine.check`` with ``resting`` working orders in the OMS,
    and the microseconds of the first check (which builds the totals)."""
    venue = QuoteVenue("sim", [btc_usdt()])
    engine = ExecutionEngine([venue])
    refs = ReferencePriceTable()
    refs.set("sim", "BTC/USDT", ReferenceKind.MID, Decimal(60_000))
    venue.set_quote("BTC/USDT", 5_999_990, 6_000_010)
    for i in range(resting):
        engine.submit_order(child(f"r{i}", lots=1_000, price_units=5_000_000, parent_id=None))
    engine.run()
    risk = RiskEngine(limits, references=refs).install(engine)
    instrument = btc_usdt()
    order = child("probe", lots=1_000, price_units=5_000_000, parent_id=None)
    start = time.perf_counter()
    assert risk.check(order, instrument) is None
    first = (time.perf_counter() - start) * 1e6
    start = time.perf_counter()
    for _ in range(checks):
        assert risk.check(order, instrument) is None
    return (time.perf_counter() - start) / checks * 1e6, first


def bench_health(venues: int = 20, rounds: int = 2_000) -> float:
    """Mean microseconds per ``VenueHealthMonitor.evaluate`` over ``venues`` venues with live samples."""
    monitor = VenueHealthMonitor()
    names = [f"v{i}" for i in range(venues)]
    start = time.perf_counter()
    for r in range(rounds):
        now = r * 1_000_000
        for name in names:
            monitor.on_market_data(name, now)
            monitor.on_request(name, now)
            monitor.on_ack(name, 100_000, now)
        monitor.evaluate(now)
    return (time.perf_counter() - start) / rounds * 1e6


def main() -> None:
    print("| working orders in OMS | check, all limits (µs) | check, order limits only (µs) "
          "| first check after install, all limits (µs) |")
    print("|---:|---:|---:|---:|")
    for resting in (0, 100, 1_000, 10_000, 100_000):
        full, first = bench_check(resting, FULL)
        order_only, _ = bench_check(resting, ORDER_ONLY)
        print(f"| {resting:,} | {full:.1f} | {order_only:.1f} | {first:,.0f} |")
    print()
    print(f"VenueHealthMonitor.evaluate, 20 venues, 3 observations each per round: {bench_health():.1f} µs/round")


if __name__ == "__main__":
    main()
