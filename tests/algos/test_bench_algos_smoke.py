"""The algo benchmark's core runs on a small case."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def test_bench_algos_core_runs() -> None:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_algos.py"
    spec = importlib.util.spec_from_file_location("bench_algos", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _, algo, params = module.cases()[0]
    result = module.run_case(algo, params, quantity="0.1")
    assert result["filled"] == 1.0 and result["tracking_error"] < 0.05
