"""Smoke test: the AMM benchmark's core function runs on a tiny input."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[4] / "benchmarks" / "bench_amm.py"


def test_bench_amm_runs() -> None:
    spec = importlib.util.spec_from_file_location("bench_amm", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.run(8)
    assert all(rate > 0 for rate in results.values())
