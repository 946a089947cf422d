"""Benchmark the execution schedules: Almgren–Chriss trajectories and intraday volume curves.

Run: ``python benchmarks/bench_schedules.py`` (add ``--quick`` for a smoke run). Prints a markdown
table of median wall time per call. Uses the FTX BTC-PERP 1-minute bars from ../shared/data when
present, else 31 days of seeded synthetic minute bars of the same size.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from slipstream.algos.schedules import (
    DAY_NS,
    AlmgrenChrissParams,
    VolumeCurve,
    efficient_frontier,
    optimal_schedule,
)

FTX_BARS = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "nautilus"
    / "tests"
    / "test_data"
    / "btc-perp-20211231-20220201_1m.csv"
)
PAPER = AlmgrenChrissParams(1e6, 50.0, 0.95, 2.5e-6, 2.5e-7, 0.0625, 1e-6, 5.0, 5)


@dataclass(frozen=True)
class Row:
    """One measured case."""

    case: str
    calls: int
    median_us: float

    def markdown(self) -> str:
        return f"| {self.case} | {self.calls} | {self.median_us:,.1f} |"


def _measure(case: str, func: Callable[[], object], calls: int, repeats: int) -> Row:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            func()
        samples.append((time.perf_counter() - start) / calls)
    return Row(case, calls, statistics.median(samples) * 1e6)


def load_bars(synthetic_days: int = 31) -> tuple[str, list[tuple[int, float]]]:
    """The FTX minute bars (start-stamped) or a seeded synthetic stand-in."""
    if FTX_BARS.is_file():
        bars = []
        with FTX_BARS.open(newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            for row in reader:
                closed = datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
                start_ns = int(closed.timestamp()) * 1_000_000_000 - 60_000_000_000
                bars.append((start_ns, float(row[5])))
        return "FTX BTC-PERP 1m", bars
    rng = random.Random(42)
    day0 = 19_000 * DAY_NS
    minutes = synthetic_days * 1_440
    synthetic = [(day0 + m * 60_000_000_000, rng.expovariate(1.0)) for m in range(minutes)]
    return "synthetic 1m", synthetic


def run(quick: bool = False) -> list[Row]:
    """Measure every case; ``quick`` shrinks sizes and repeats for a smoke test."""
    repeats = 3 if quick else 7
    rows = []
    for steps in (5, 390) if quick else (5, 390, 10_000):
        params = replace(PAPER, steps=steps)
        calls = max(1, 2_000 // steps) if quick else max(1, 200_000 // steps)
        rows.append(_measure(f"optimal_schedule N={steps}", lambda p=params: optimal_schedule(p),
                             calls, repeats))
    lambdas = [i * 1e-7 for i in range(100)]
    params = replace(PAPER, steps=390)
    rows.append(_measure("efficient_frontier 100 λ, N=390",
                         lambda: efficient_frontier(params, lambdas), 1 if quick else 5, repeats))
    label, bars = load_bars(synthetic_days=3 if quick else 31)
    if quick:
        bars = bars[: 3 * 1_440]
    for bucket in (60, 3_600):
        rows.append(_measure(f"VolumeCurve.from_bars {label} ({len(bars)} bars), {bucket}s",
                             lambda b=bucket: VolumeCurve.from_bars(bars, b, 0.5),
                             1, repeats))
    curve = VolumeCurve.from_bars(bars, 60, 0.5)
    day = 19_000 * DAY_NS
    rng = random.Random(1)
    queries = [day + rng.randrange(DAY_NS) for _ in range(1_000)]

    def ask() -> None:
        for t in queries:
            curve.target_cumulative(day, day + DAY_NS, t)

    per_batch = _measure("target_cumulative ×1000", ask, 1 if quick else 20, repeats)
    rows.append(Row("VolumeCurve.target_cumulative", 1_000 * per_batch.calls,
                    per_batch.median_us / 1_000))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    print("| case | calls per sample | median µs per call |")
    print("|---|---:|---:|")
    for row in run(quick=args.quick):
        print(row.markdown())


if __name__ == "__main__":
    main()
