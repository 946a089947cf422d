"""Every algorithm on the packaged default scenario: schedule tracking, cost and run time.

Run: ``python benchmarks/bench_simulate.py [--quick]``. Writes ``benchmarks/results/simulate.md``.

Tracking error = RMS over the run's schedule samples of (cumulative filled − algo target) / quantity,
where the target is what the algorithm itself planned to have done by then (``AlgoEngine.status``).
Same seed for every algorithm, so they all face the same market path.
"""

from __future__ import annotations

import argparse
import bisect
import math
import platform
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from slipstream import SimulationRequest, run_simulation
from slipstream.simulation.runner import SimulationOutcome

ALGOS = (("twap", {}), ("vwap", {}), ("pov", {"participation": 0.2}), ("is", {"urgency": 0.2}),
         ("is", {"urgency": 0.9}), ("iceberg", {"display_quantity": Decimal("0.5")}))


def tracking_error(outcome: SimulationOutcome) -> float | None:
    schedule = outcome.inputs.order.schedule
    if len(schedule) < 2:
        return None
    fills = sorted(outcome.inputs.fills, key=lambda f: f.ts_ns)
    times = [f.ts_ns for f in fills]
    cumulative: list[Decimal] = []
    total = Decimal(0)
    for fill in fills:
        total += fill.quantity
        cumulative.append(total)
    quantity = outcome.inputs.order.quantity
    errors = []
    for ts, target in schedule:
        i = bisect.bisect_right(times, ts) - 1
        filled = cumulative[i] if i >= 0 else Decimal(0)
        errors.append(float((filled - target) / quantity))
    return math.sqrt(sum(e * e for e in errors) / len(errors))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quantity, minutes = (Decimal("2"), 5) if args.quick else (Decimal("10"), 30)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (algo, extra) in enumerate(ALGOS):
            request = SimulationRequest(algo=algo, quantity=quantity, duration=timedelta(minutes=minutes),
                                        journal=Path(tmp) / f"{i}.db", **extra)  # type: ignore[arg-type]
            start = time.perf_counter()
            outcome = run_simulation(request)
            wall = time.perf_counter() - start
            row = outcome.to_dict()
            label = algo + "".join(f" {k}={v}" for k, v in extra.items())
            rows.append((label, tracking_error(outcome), row, wall))
    lines = [
        "# Algorithms on the default scenario",
        "",
        f"Command: `python benchmarks/bench_simulate.py{' --quick' if args.quick else ''}` — buy {quantity} BTC over "
        f"{minutes} simulated minutes on the packaged `default` scenario (three books, two Uniswap pools, seed "
        "20240603), smart routing, 30-s slices.",
        "",
        f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}.",
        "",
        "| algo | tracking error (RMS) | filled | IS bps | timing bps | spread+impact bps | fees bps | gas bps "
        "| SOR saving vs best venue bps | wall s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, te, row, wall in rows:
        lines.append(
            f"| {label} | {'n/a' if te is None else f'{te:.4f}'} | {row['filled_qty']} | "
            f"{row['implementation_shortfall_bps']:.2f} | {row['timing_bps']:.2f} | {row['spread_impact_bps']:.2f} | "
            f"{row['fees_bps']:.2f} | {row['gas_bps']:.2f} | {row['routing']['saving_vs_best_single_venue_bps']:.2f} "
            f"| {wall:.1f} |"
        )
    text = "\n".join(lines) + "\n"
    if not args.quick:
        (Path(__file__).with_name("results") / "simulate.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
