"""Smoke test: the core of benchmarks/bench_schedules.py runs on small input."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_schedules.py"


def test_bench_quick_run() -> None:
    spec = importlib.util.spec_from_file_location("bench_schedules", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    try:
        spec.loader.exec_module(module)
        rows = module.run(quick=True)
    finally:
        del sys.modules[spec.name]
    assert len(rows) == 6
    assert all(row.median_us > 0 for row in rows)
    assert rows[0].markdown().startswith("| optimal_schedule N=5 |")
