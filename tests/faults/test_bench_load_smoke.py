"""The load benchmark's core runs on a small input and completes every parent exactly."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_load


def test_load_bench_runs_small() -> None:
    result = bench_load.run_load(parents=40, instruments=5, minutes=2, slice_s=30)
    assert result.done == 40 and result.filled_units == result.quantity_units
    assert result.children >= 40 and result.events > result.children
