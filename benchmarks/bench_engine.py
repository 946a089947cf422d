"""Foundation benchmarks: bare event dispatch, and full order lifecycles with the journal off/on.

Run: ``python benchmarks/bench_engine.py [--quick]``. Writes ``benchmarks/results/engine.md``.

A lifecycle is: submit child → pre-trade risk (a real notional check) → OMS create + submitted →
journal → venue (top-of-book QuoteVenue) → ack report → OMS accepted → fill report → OMS filled →
position and balances updated. Orders are submitted in bursts of 100 per simulated millisecond,
so the journal group-commits once per burst (one SQLite transaction, fsync'd).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import msgspec

from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.gc_tuning import tuned_gc
from slipstream.engine.loop import EventLoop
from slipstream.journal import NullJournal, SqliteJournal
from slipstream.journal.store import EventStore
from slipstream.model.enums import OrderType, Side
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.risk import MaxOrderNotional
from slipstream.testing.stubs import btc_usdt
from slipstream.venues.sim.quote import QuoteVenue


class Tick(msgspec.Struct, frozen=True):
    n: int


def bench_dispatch(n: int) -> float:
    """Events/s through publish → drain → one handler."""
    loop = EventLoop()
    count = [0]

    def handler(message: Tick) -> None:
        count[0] += 1

    loop.subscribe(Tick, handler)
    events = [Tick(i) for i in range(n)]
    start = time.perf_counter()
    ready = loop._ready  # the loop's own queue, filled in bulk as a feed would
    ready.extend(events)
    loop.drain()
    elapsed = time.perf_counter() - start
    assert count[0] == n
    return n / elapsed


def bench_lifecycles(n: int, journal: EventStore, burst: int = 100) -> float:
    venue = QuoteVenue("sim", [btc_usdt()], latency_ns=0)
    engine = ExecutionEngine([venue], journal=journal, risk=MaxOrderNotional(Decimal(10**9)), publish_events=False)
    venue.set_quote("BTC/USDT", 5_999_990, 6_000_000)
    engine.deposit("sim", "USDT", Decimal(10**12))
    engine.submit_parent(
        ParentOrder(
            parent_id="P",
            account="desk",
            symbol="BTC/USDT",
            side=Side.BUY,
            quantity=Decimal(n),
            quantity_unit=Decimal("0.00001"),
        )
    )
    orders = [
        ChildOrder(
            client_order_id=f"c{i}",
            venue="sim",
            symbol="BTC/USDT",
            side=Side.BUY,
            lots=100,
            order_type=OrderType.LIMIT,
            price_units=6_000_000,
            parent_id="P",
        )
        for i in range(n)
    ]
    clock = engine.loop.clock
    start = time.perf_counter()
    for i in range(0, n, burst):
        engine._in_loop = True  # a burst arrives inside one loop step: one group commit
        for order in orders[i : i + burst]:
            engine.submit_order(order)
        engine._in_loop = False
        engine.commit()
        engine.run()
        clock.advance_to(clock.now_ns() + 1_000_000)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    parent = engine.parent("P")
    assert parent.filled_units == n * 100 and parent.working_units == 0
    assert engine.oms.portfolio.balance("sim", "BTC") == Decimal("0.001") * n
    return n / elapsed


def machine() -> str:
    cpu = "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.machine()}; Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "engine.md")
    args = parser.parse_args()
    n_events = 200_000 if args.quick else 2_000_000
    n_life = 5_000 if args.quick else 100_000
    rows: list[tuple[str, list[float], int]] = []
    rows.append(("bare event dispatch (events/s)", [bench_dispatch(n_events) for _ in range(3)], 2_000_000))
    runs = [bench_lifecycles(n_life, NullJournal()) for _ in range(3)]
    rows.append(("order lifecycles, journal off (lifecycles/s)", runs, 100_000))
    with tuned_gc():
        runs = [bench_lifecycles(n_life, NullJournal()) for _ in range(3)]
    rows.append(("order lifecycles, journal off, `tuned_gc()` (lifecycles/s)", runs, 100_000))
    with tempfile.TemporaryDirectory() as tmp:
        runs = [bench_lifecycles(n_life, SqliteJournal(Path(tmp) / f"b{i}.db")) for i in range(3)]
        rows.append(("order lifecycles, SQLite journal (lifecycles/s)", runs, 30_000))
        with tuned_gc():
            runs = [bench_lifecycles(n_life, SqliteJournal(Path(tmp) / f"g{i}.db")) for i in range(3)]
        rows.append(("order lifecycles, SQLite journal, `tuned_gc()` (lifecycles/s)", runs, 30_000))
    lines = [
        "# Engine foundation benchmarks",
        "",
        f"Command: `python benchmarks/bench_engine.py{' --quick' if args.quick else ''}` "
        "(3 runs each, one process, one core; ratio is best / target; the machine is shared, so "
        "compare the median too)",
        "",
        f"Machine: {machine()}",
        "",
        "| workload | best | median | target | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, runs, target in rows:
        best, median = max(runs), statistics.median(runs)
        lines.append(f"| {name} | {best:,.0f} | {median:,.0f} | {target:,} | {best / target:.2f}× |")
    text = "\n".join(lines) + "\n"
    if not args.quick:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
