"""Load test: many parent orders working at once in one engine.

Run: ``python benchmarks/bench_load.py [--parents 10000] [--instruments 50] [--quick] [--risk]``.
Writes ``benchmarks/results/load.md`` (unless ``--no-write``). ``--risk`` runs the scenario a
second time with a :class:`~slipstream.risk.engine.RiskEngine` installed (limits in ``LOAD_RISK``:
every child is checked for quantity, notional, open orders, order rate, position, net and gross
exposure per account and for the portfolio, and max loss; all set wide, so nothing is refused).

Set-up: one simulated top-of-book venue (:class:`~slipstream.venues.sim.quote.QuoteVenue`)
listing ``instruments`` spot pairs; ``parents`` TWAP parents spread evenly over them, all
started at once and worked concurrently by one :class:`~slipstream.engine.executor.AlgoEngine`
in one :class:`~slipstream.engine.execution.ExecutionEngine` (in-memory hash-chained journal,
write-ahead outbox, default top-of-book router, pre-trade risk off unless ``--risk``).
Each symbol's quote moves by a seeded random walk every ``quote_every_s`` seconds
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
from slipstream.model.events import OrderDenied
from slipstream.model.instruments import SpotPair
from slipstream.model.orders import ParentOrder
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
from slipstream.venues.sim.quote import QuoteVenue

SECOND = 1_000_000_000
START = 1_767_225_600 * SECOND
UNIT = Decimal("0.00001")
WIDE = Decimal(10**12)
LOAD_RISK = RiskLimits(
    instruments={"*": InstrumentLimits(max_order_quantity=WIDE, max_order_notional=WIDE)},
    venues={"*": VenueLimits(max_open_orders=10**9, max_order_rate=Rate(10**9, timedelta(seconds=1)))},
    accounts={"*": {"*": ExposureLimits(max_position=WIDE, max_net_notional=WIDE)}},
    portfolio={"*": ExposureLimits(max_position=WIDE, max_gross_notional=WIDE)},
    max_loss=WIDE,
)


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
    risk: bool = False
    denied: int = 0

    @property
    def events_per_s(self) -> float:
        return self.events / self.wall_s

    @property
    def children_per_s(self) -> float:
        return self.children / self.wall_s


def run_load(parents: int = 10_000, instruments: int = 50, minutes: float = 10, slice_s: int = 30,
             quote_every_s: int = 5, seed: int = 1, risk: bool = False) -> LoadResult:
    """Run the load scenario (with ``LOAD_RISK`` pre-trade risk if ``risk``) and return what was measured."""
    t0, c0 = time.perf_counter(), time.process_time()
    pairs = [SpotPair.create("sim", f"C{i:03d}", "USDT", Decimal("0.01"), UNIT, taker_fee=Decimal("0.001"),
                             maker_fee=Decimal("0.0002")) for i in range(instruments)]
    venue = QuoteVenue("sim", pairs, latency_ns=1_000_000)
    engine = ExecutionEngine([venue], clock=SimulatedClock(START), seed=seed)
    references = ReferencePriceTable()
    if risk:
        RiskEngine(LOAD_RISK, references=references).install(engine)
    denied: list[OrderDenied] = []
    engine.loop.subscribe(OrderDenied, denied.append)
    algos = AlgoEngine(engine, take_slippage_units=5)
    rng = np.random.default_rng(seed)
    bids = {p.symbol: 1_000_000 + 1_000 * i for i, p in enumerate(pairs)}
    def quote(symbol: str, bid: int) -> None:
        venue.set_quote(symbol, bid, bid + 2)
        references.set("sim", symbol, ReferenceKind.MID, (bid + 1) * Decimal("0.01"))

    for symbol, bid in bids.items():
        quote(symbol, bid)
    engine.run(START)

    def on_timer(timer: TimerFired) -> None:
        if timer.name != "bench:quotes":
            return
        steps = rng.integers(-2, 3, size=len(bids))
        for (symbol, bid), step in zip(list(bids.items()), steps, strict=True):
            bids[symbol] = max(100, bid + int(step))
            quote(symbol, bids[symbol])

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
        risk=risk,
        denied=len(denied),
    )


def _machine() -> str:
    try:
        cpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()[:10]
    except OSError:
        cpu = [platform.processor()]
    return "\n".join(cpu) + "\n" + sys.version.replace("\n", " ")


def _row(result: LoadResult) -> str:
    return (
        f"| {'on' if result.risk else 'off'} | {result.parents:,} | {result.instruments} | {result.minutes:g} min | "
        f"{result.slice_s} s | {result.wall_s:.1f} | {result.cpu_s:.1f} | {result.setup_s:.1f} | {result.events:,} | "
        f"{result.children:,} | {result.events_per_s:,.0f} | {result.children_per_s:,.0f} | "
        f"{result.cpu_s and result.children / result.cpu_s:,.0f} | {result.done:,} | "
        f"{result.filled_units / result.quantity_units:.4f} | {result.denied:,} | {result.peak_rss_mb:,.0f} |\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=10_000)
    parser.add_argument("--instruments", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--slice-s", type=int, default=30)
    parser.add_argument("--quote-every-s", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 parents (a fast check)")
    parser.add_argument("--risk", action="store_true", help="also run with the RiskEngine installed")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    parents = 1_000 if args.quick else args.parents
    rows = []
    for risk in (False, True) if args.risk else (False,):
        result = run_load(parents, args.instruments, args.minutes, args.slice_s, args.quote_every_s, risk=risk)
        rows.append(_row(result))
        print(rows[-1], end="", flush=True)
    table = (
        "| risk | parents | instruments | horizon | slices | wall s | CPU s | setup s | events | child orders | "
        "events/s | child orders/s | child orders/CPU s | parents done | filled / quantity | denied | peak RSS MB |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        + "".join(rows)
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
        "`benchmarks/bench_load.py`. Each run is a separate scenario in the same process (peak RSS is the "
        "process's, so the second row's includes the first's peak).\n\n"
        "Notes:\n\n"
        "- Risk on: `RiskEngine` with `LOAD_RISK` (every check configured, nothing refused). Position, "
        "exposure and open-order checks read running totals (`risk/exposure.py` `ExposureBook`), so a check "
        "costs the same at 10 or 10,000 working parents.\n"
        "- `AlgoEngine` offers a book update or trade print only to the runs of its symbol (an index by "
        f"symbol): here {result.parents // max(1, result.instruments):,} runs per update, not "
        f"{result.parents:,}.\n"
        "- The journal is in memory and kept whole (hash-chained), so peak RSS includes every event.\n\n"
        f"Machine:\n\n```\n{_machine()}\n```\n"
    )


if __name__ == "__main__":
    main()
