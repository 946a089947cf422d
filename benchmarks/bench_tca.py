"""Benchmark TCA: analyse(), to_dict() and the HTML report on seeded synthetic runs.

Run: python benchmarks/bench_tca.py [--quick]

A synthetic run is one buy parent order over one hour: a random-walk mid sampled every
``hour / mids`` ns, a market tape of ``prints`` trades around the mid, and ``fills`` child fills
over five venues (maker/taker mix, fees, gas on the DEX). Everything comes from
``random.Random(seed)``, so each size is the same data every time.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from slipstream.tca import (
    MarketPrint,
    MidSample,
    TcaFill,
    TcaOrder,
    analyse,
    render_html,
)

HOUR_NS = 3_600 * 1_000_000_000
VENUES = ("binance", "bybit", "okx", "uniswap-v3", "curve")
TICK = Decimal("0.01")


@dataclass(frozen=True)
class Run:
    """One synthetic TCA input set."""

    order: TcaOrder
    fills: tuple[TcaFill, ...]
    prints: tuple[MarketPrint, ...]
    mids: tuple[MidSample, ...]


def synthetic_run(fills: int, prints: int, mids: int, seed: int = 7) -> Run:
    """Build a deterministic run with the given numbers of fills, prints and mid samples."""
    rng = random.Random(seed)
    ticks = 6_000_000  # 60,000.00
    mid_ticks: list[int] = []
    mid_samples: list[MidSample] = []
    step = HOUR_NS // mids
    for i in range(mids):
        ticks += rng.choice((-2, -1, 0, 0, 1, 2))
        mid_ticks.append(ticks)
        mid_samples.append(MidSample(i * step, ticks * TICK))

    def mid_index(ts_ns: int) -> int:
        return min(ts_ns // step, mids - 1)

    tape = []
    for _ in range(prints):
        ts_ns = rng.randrange(HOUR_NS)
        price = (mid_ticks[mid_index(ts_ns)] + rng.choice((-3, -1, 1, 3))) * TICK
        tape.append(MarketPrint(ts_ns, price, Decimal(rng.randrange(1, 500)) / 1000))
    tape.sort(key=lambda p: p.ts_ns)

    per_fill = Decimal(rng.randrange(1, 50)) / 1000
    executions = []
    for i in range(fills):
        ts_ns = rng.randrange(HOUR_NS)
        venue = rng.choice(VENUES)
        maker = venue not in ("uniswap-v3", "curve") and rng.random() < 0.4
        price = (mid_ticks[mid_index(ts_ns)] + (-1 if maker else rng.randrange(1, 6))) * TICK
        fee = (per_fill * price * Decimal("-0.0001" if maker else "0.0005")).quantize(TICK)
        executions.append(
            TcaFill(
                ts_ns=ts_ns,
                venue=venue,
                side="buy",
                quantity=per_fill,
                price=price,
                fee=fee,
                fee_asset="USDT",
                fee_in_quote=fee,
                gas_in_quote=Decimal("4.20") if venue in ("uniswap-v3", "curve") else Decimal(0),
                liquidity="maker" if maker else "taker",
                order_type="limit" if maker else ("swap" if venue in ("uniswap-v3", "curve") else "ioc"),
                child_id=f"c{i}",
                queue_wait_ns=rng.randrange(10**10) if maker else None,
                expected_cost_in_quote=(per_fill * price * Decimal("0.0003")).quantize(TICK),
            )
        )
    quantity = per_fill * fills * Decimal("1.25")
    order = TcaOrder(
        side="buy",
        quantity=quantity,
        decision_ts_ns=0,
        decision_price=mid_samples[0].mid - 5,
        arrival_ts_ns=0,
        arrival_price=mid_samples[0].mid,
        start_ts_ns=0,
        end_ts_ns=HOUR_NS - 1,
        symbol="BTC-USDT",
        quote_asset="USDT",
        schedule=tuple((k * HOUR_NS // 60, quantity * k / 60) for k in range(61)),
    )
    return Run(order, tuple(executions), tuple(tape), tuple(mid_samples))


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Best wall time in seconds of ``repeats`` calls (perf_counter; benchmarks only)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke run)")
    args = parser.parse_args()
    sizes = [(100, 10_000, 3_600), (1_000, 100_000, 36_000), (10_000, 1_000_000, 360_000)]
    if args.quick:
        sizes = sizes[:1]
    print(f"python {platform.python_version()} on {platform.machine()} ({sys.platform})")
    print("| fills | prints | mids | analyse (s) | to_dict (ms) | render_html (s) | html KiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for fills, prints, mids in sizes:
        run = synthetic_run(fills, prints, mids)
        result = analyse(run.order, run.fills, run.prints, run.mids)
        t_analyse = best_of(3, partial(analyse, run.order, run.fills, run.prints, run.mids))
        t_dict = best_of(5, result.to_dict)
        html = render_html(result, run.order, run.fills, run.prints, run.mids)
        t_html = best_of(3, partial(render_html, result, run.order, run.fills, run.prints, run.mids))
        print(
            f"| {fills:,} | {prints:,} | {mids:,} | {t_analyse:.3f} | {t_dict * 1e3:.2f} | "
            f"{t_html:.3f} | {len(html.encode()) / 1024:.0f} |"
        )


if __name__ == "__main__":
    main()
