"""Multi-leg execution and delta hedging on the default scenario, and the gate's cost.

Run: ``python benchmarks/bench_multileg.py`` (writes nothing; prints markdown tables).

1. Legging: a 30-day 68k/71k BTC call spread (8 × 1) on the default scenario's Deribit-like venue,
   TWAP legs over 10 minutes in 30-second slices, with and without a legging limit: the largest
   imbalance and unmatched delta seen at any fill, whether it completed, and the wall time.
2. Hedging: the same spread delta-hedged on ``bybit-perp`` with two bands: hedges sent, and the
   largest |net delta| after a hedge that filled in full (nothing else in flight).
3. The gate: microseconds per :func:`~slipstream.algos.multileg.headroom` call by leg count.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

from slipstream.algos import AlgoParams
from slipstream.algos.multileg import LegFill, LeggingLimit, call_spread, headroom
from slipstream.engine.delta_hedge import BlackDeltas, DeltaHedger
from slipstream.engine.executor import AlgoEngine
from slipstream.engine.multileg import MultiLegEngine
from slipstream.model.enums import OptionKind
from slipstream.model.events import OrderFilled
from slipstream.model.strategy_events import HedgeCompleted, HedgeOrdered, LegPaused
from slipstream.scenarios import build_market, load_scenario

SECOND = 1_000_000_000


def run_spread(limit: LeggingLimit, band: Decimal | None = None, quantity: int = 8) -> dict[str, object]:
    """One legged call spread on the default scenario; returns the measured row."""
    wall = time.perf_counter()
    sim = build_market(load_scenario("default"))
    algos = AlgoEngine(sim.engine, take_slippage_units=50)
    sim.run(sim.start_ns + 30 * SECOND)
    options = [i for (venue, _), i in sorted(sim.instruments.items()) if venue == "deribit"]
    far = max(o.expiry_ts_ns for o in options)  # type: ignore[attr-defined]
    pick = {(int(o.strike), o.option_kind): o for o in options if o.expiry_ts_ns == far}  # type: ignore[attr-defined]
    deltas = BlackDeltas(algos.market, "BTC/USDT:USDT")
    legs = MultiLegEngine(algos, deltas)
    hedger = None
    if band is not None:
        hedger = DeltaHedger(algos, deltas, hedge_symbol="BTC/USDT:USDT", band=band, account="desk")
    now = sim.engine.now_ns
    spec = call_spread("S", "desk", pick[(68_000, OptionKind.CALL)], pick[(71_000, OptionKind.CALL)],
                       Decimal(quantity), limit, start_ts_ns=now, end_ts_ns=now + 600 * SECOND)
    samples: list[tuple[float, float]] = []
    sim.engine.loop.subscribe(OrderFilled, lambda _: samples.append(
        (legs.status("S").imbalance, abs(legs.status("S").legging_delta or 0.0))))
    legs.start(spec, params=AlgoParams(slice_interval=timedelta(seconds=30)))
    if hedger is not None:
        for k in range(2):
            hedger.watch(spec.leg_id(k))
    sim.run(now + 1_800 * SECOND)
    events = [e for _, e in sim.engine.journal.events()]
    status = legs.status("S")
    ordered = {e.parent_id: e for e in events if isinstance(e, HedgeOrdered)}
    settled = [abs(float(e.net_delta)) for e in events if isinstance(e, HedgeCompleted)
               and e.in_flight == 0 and e.filled == ordered[e.parent_id].quantity]
    return {
        "max_imbalance": max(s[0] for s in samples),
        "max_delta": max(s[1] for s in samples),
        "filled": "/".join(f"{leg.filled.normalize()}" for leg in status.legs),
        "state": status.state.value,
        "held": sum(isinstance(e, LegPaused) for e in events),
        "hedges": len(ordered),
        "settled_max": max(settled) if settled else float("nan"),
        "wall_ms": (time.perf_counter() - wall) * 1e3,
    }


def gate_cost(legs: int, calls: int = 300) -> float:
    """Microseconds per headroom() call with both limits, legs half filled with work in flight."""
    state = [LegFill(quantity_units=100_000 * (k + 1), filled_units=30_000 * (k + 1) + 500 * k,
                     committed_units=35_000 * (k + 1), delta_per_unit=(-1) ** k * 0.3 / (k + 1))
             for k in range(legs)]
    limit = LeggingLimit(max_imbalance=Decimal("0.05"), max_net_delta=Decimal("2000"))
    start = time.perf_counter()
    for i in range(calls):
        headroom(state, i % legs, limit)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    print("| limit | max imbalance at a fill | max unmatched delta (BTC) | filled | state | legs held | wall ms |")
    print("|---|---|---|---|---|---|---|")
    for name, limit in (("none (100 %)", LeggingLimit(max_imbalance=Decimal(1))),
                        ("imbalance 5 %", LeggingLimit(max_imbalance=Decimal("0.05"))),
                        ("delta 0.2 BTC", LeggingLimit(max_net_delta=Decimal("0.2"))),
                        ("5 % and 0.1 BTC", LeggingLimit(max_imbalance=Decimal("0.05"), max_net_delta=Decimal("0.1")))):
        row = run_spread(limit)
        print(f"| {name} | {row['max_imbalance']:.4f} | {row['max_delta']:.3f} | {row['filled']} | {row['state']} "
              f"| {row['held']} | {row['wall_ms']:.0f} |")
    print()
    print("| hedge band (BTC) | hedges | max abs net delta after a full hedge (BTC) | wall ms |")
    print("|---|---|---|---|")
    for band in ("0.1", "0.25", "0.5"):
        row = run_spread(LeggingLimit(max_imbalance=Decimal("0.05")), band=Decimal(band))
        print(f"| {band} | {row['hedges']} | {row['settled_max']:.4f} | {row['wall_ms']:.0f} |")
    print()
    print("| legs | µs per headroom() call (both limits) |")
    print("|---|---|")
    for legs in (2, 4, 6):
        print(f"| {legs} | {gate_cost(legs):.0f} |")


if __name__ == "__main__":
    main()
