"""Algo tracking and speed: each algorithm works 1 BTC over 10 minutes on a seeded simulated
market (top-of-book venue, 1-second quote random walk and trade prints); reports the RMS
tracking error of the realised fill against the algo's own target, the final fill, and the
wall time per run. Run: ``python benchmarks/bench_algos.py``."""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "algos"))
from algo_sim_helpers import SECOND, START, Sim, parent

from slipstream.algos import AlgoParams, IcebergAlgo, IsAlgo, PovAlgo, TwapAlgo, VwapAlgo
from slipstream.algos.base import ExecutionAlgo
from slipstream.algos.schedules import VolumeCurve

SHAPE = [5, 3, 2, 1, 1, 1, 1, 2, 3, 5]


def cases() -> list[tuple[str, ExecutionAlgo, AlgoParams]]:
    weights = [0.0] * 1440
    weights[:10] = SHAPE
    curve = VolumeCurve.from_weights(60, weights)
    ten = timedelta(seconds=10)
    return [
        ("twap", TwapAlgo(), AlgoParams(slice_interval=ten)),
        ("twap randomised", TwapAlgo(), AlgoParams(slice_interval=ten, size_randomization=0.3, time_randomization=0.3)),
        ("twap passive", TwapAlgo(), AlgoParams(slice_interval=ten, passive_only=True)),
        ("vwap (U curve)", VwapAlgo(curve), AlgoParams(slice_interval=ten)),
        ("pov 10%", PovAlgo(), AlgoParams(slice_interval=ten, participation_rate=0.1, max_participation=0.15)),
        ("is urgency 0.2", IsAlgo(), AlgoParams(slice_interval=ten, urgency=0.2)),
        ("is urgency 0.8", IsAlgo(), AlgoParams(slice_interval=ten, urgency=0.8)),
        ("iceberg 0.05", IcebergAlgo(), AlgoParams(slice_interval=ten, display_quantity=Decimal("0.05"),
                                                   display_variance=0.2)),
    ]


def run_case(algo: ExecutionAlgo, params: AlgoParams, seed: int = 1, quantity: str = "1") -> dict[str, float]:
    sim = Sim(seed=seed, sigma_units=200, volume=lambda t: 400.0 * SHAPE[min(9, int(t // 60))])
    sim.watch.append("P1")
    spec = parent(quantity, minutes=10)
    began = time.perf_counter()
    sim.algos.start(spec, algo, params)
    sim.run(START + 11 * 60 * SECOND)
    elapsed = time.perf_counter() - began
    run = sim.algos.runs["P1"]
    quarter = next(f for t, _, f, _ in sim.samples if t == START + 150 * SECOND)
    return {
        "tracking_error": sim.tracking_error("P1", spec.quantity_units),
        "filled": run.filled_units / spec.quantity_units,
        "filled_at_quarter": quarter / spec.quantity_units,
        "children": float(run.sent),
        "seconds": elapsed,
        "dispatched": float(sim.engine.loop.dispatched),
    }


def main() -> None:
    print("| algo | RMS tracking error | filled at T/4 | filled | children | wall ms | msgs/s |")
    print("|---|---|---|---|---|---|---|")
    for name, algo, params in cases():
        r = run_case(algo, params)
        te = "n/a (no schedule)" if r["tracking_error"] != r["tracking_error"] else f"{r['tracking_error']:.4f}"
        print(f"| {name} | {te} | {r['filled_at_quarter']:.3f} | {r['filled']:.4f} | {r['children']:.0f} "
              f"| {r['seconds'] * 1e3:.0f} | {r['dispatched'] / r['seconds']:,.0f} |")


if __name__ == "__main__":
    main()
