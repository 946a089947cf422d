"""Load test: many parent orders working at once in one engine.

Run: ``python benchmarks/bench_load.py [--parents 10000] [--instruments 50] [--quick]``.
Writes ``benchmarks/results/load.md`` (unless ``--no-write``).

Set-up: one simulated top-of-book venue (:class:`~slipstream.venues.sim.quote.QuoteVenue`)
listing ``instruments`` spot pairs; ``parents`` TWAP parents spread evenly over them, all
started at once and worked concurrently by one :class:`~slipstream.engine.executor.AlgoEngine`
in one :class:`~slipstream.engine.execution.ExecutionEngine` (in-memory hash-chained journal,
write-ahead outbox, default top-of-book router, no pre-trade risk — see the notes in the result
file). Each symbol's quote moves by a seeded random walk every ``quote_every_s`` seconds
(published as a BookUpdate, which every run of that symbol sees). Children are taking IOC
orders; the venue fills them in full at the touch one millisecond later.

Measured: wall time, journaled events and child orders per second of wall time, and the peak
resident set size of the process (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from slipstream.algos import AlgoParams, TwapAlgo
from slipstream.engine.clock import SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine, AlgoState
from slipstream.engine.loop import TimerFired
from slipstream.model.enums import Side
from slipstream.model.instruments import SpotPair
from slipstream.model.orders import ParentOrder
from slipstream.venues.sim.quote import QuoteVenue

SECOND = 1_000_000_000
START = 1_767_225_600 * SECOND
UNIT = Decimal("0.00001")


@dataclass(frozen=True)
class LoadResult:
    parents: int
    instruments: int
    minutes: float
    slice_s: int
    wall_s: float
    cpu_s: float
    setup_s: float
    events: int
    children: int
    done: int
    filled_units: int
    quantity_units: int
    peak_rss_mb: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.wall_s

    @property
    def children_per_s(self) -> float:
        return self.children / self.wall_s


def run_load(parents: int = 10_000, instruments: int = 50, minutes: float = 10, slice_s: int = 30,
             quote_every_s: int = 5, seed: int = 1) -> LoadResult:
    """Run the load scenario and return what was measured."""
    t0, c0 = time.perf_counter(), time.process_time()
    pairs = [SpotPair.create("sim", f"C{i:03d}", "USDT", Decimal("0.01"), UNIT, taker_fee=Decimal("0.001"),
                             maker_fee=Decimal("0.0002")) for i in range(instruments)]
    venue = QuoteVenue("sim", pairs, latency_ns=1_000_000)
    engine = ExecutionEngine([venue], clock=SimulatedClock(START), seed=seed)
    algos = AlgoEngine(engine, take_slippage_units=5)
    rng = np.random.default_rng(seed)
    bids = {p.symbol: 1_000_000 + 1_000 * i for i, p in enumerate(pairs)}
    for symbol, bid in bids.items():
        venue.set_quote(symbol, bid, bid + 2)
    engine.run(START)

    def on_timer(timer: TimerFired) -> None:
        if timer.name != "bench:quotes":
            return
        steps = rng.integers(-2, 3, size=len(bids))
        for (symbol, bid), step in zip(list(bids.items()), steps, strict=True):
            bids[symbol] = max(100, bid + int(step))
            venue.set_quote(symbol, bids[symbol], bids[symbol] + 2)

    engine.loop.subscribe(TimerFired, on_timer)
    engine.loop.set_timer("bench:quotes", START + quote_every_s * SECOND, quote_every_s * SECOND)
    end = START + round(minutes * 60 * SECOND)
    params = AlgoParams(slice_interval=timedelta(seconds=slice_s))
    twap = TwapAlgo
    for n in range(parents):
        symbol = pairs[n % instruments].symbol
        parent = ParentOrder(parent_id=f"P{n}", account="desk", symbol=symbol, side=Side.BUY if n % 2 else Side.SELL,
                             quantity=Decimal("0.02"), quantity_unit=UNIT, start_ts_ns=START, end_ts_ns=end)
        algos.start(parent, twap(), params)
    setup = time.perf_counter() - t0
    engine.run(end + 10 * SECOND)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    states = [run.state for run in algos.runs.values()]
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss_kb / 1024 if sys.platform != "darwin" else rss_kb / 2**20
    return LoadResult(
        parents=parents, instruments=instruments, minutes=minutes, slice_s=slice_s, wall_s=wall, cpu_s=cpu,
        setup_s=setup,
        events=engine.journal.head_sequence, children=len(engine.oms.orders),
        done=sum(s is AlgoState.DONE for s in states),
        filled_units=sum(p.filled_units for p in engine.oms.parents.values()),
        quantity_units=sum(p.quantity_units for p in engine.oms.parents.values()),
        peak_rss_mb=rss_mb,
    )


def _machine() -> str:
    try:
        cpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()[:10]
    except OSError:
        cpu = [platform.processor()]
    return "\n".join(cpu) + "\n" + sys.version.replace("\n", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=10_000)
    parser.add_argument("--instruments", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--slice-s", type=int, default=30)
    parser.add_argument("--quote-every-s", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 parents (a fast check)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    parents = 1_000 if args.quick else args.parents
    result = run_load(parents, args.instruments, args.minutes, args.slice_s, args.quote_every_s)
    table = (
        "| parents | instruments | horizon | slices | wall s | CPU s | setup s | events | child orders | "
        "events/s | child orders/s | parents done | filled / quantity | peak RSS MB |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {result.parents:,} | {result.instruments} | {result.minutes:g} min | {result.slice_s} s | "
        f"{result.wall_s:.1f} | {result.cpu_s:.1f} | {result.setup_s:.1f} | {result.events:,} | {result.children:,} | "
        f"{result.events_per_s:,.0f} | {result.children_per_s:,.0f} | {result.done:,} | "
        f"{result.filled_units / result.quantity_units:.4f} | {result.peak_rss_mb:,.0f} |\n"
    )
    print(table)
    if args.no_write:
        return
    command = "python benchmarks/bench_load.py " + " ".join(sys.argv[1:])
    out = Path(__file__).resolve().parent / "results" / "load.md"
    out.write_text(
        "# Load: concurrent parent orders in one engine\n\n"
        f"Command: `{command.strip()}`\n\n{table}\n"
        "Events/s and child orders/s are per second of wall time. Set-up: see the module docstring of "
        "`benchmarks/bench_load.py`.\n\n"
        "Notes:\n\n"
        "- Pre-trade risk is off. `RiskEngine` exposure checks scan every order (O(open orders) per "
        "child), which at this load would dominate; running totals in `risk/exposure.py` would fix it.\n"
        "- `AlgoEngine` hands every book update to every run (O(runs) per market event: here "
        f"{result.parents:,} runs x {result.instruments} symbols every quote step), which is why quotes move "
        "every few seconds here; an index of runs by symbol would remove it.\n"
        "- The journal is in memory and kept whole (hash-chained), so peak RSS includes every event.\n\n"
        f"Machine:\n\n```\n{_machine()}\n```\n"
    )


if __name__ == "__main__":
    main()
