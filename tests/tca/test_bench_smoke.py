"""Smoke test: the TCA benchmark's data generator and analyse() run on a tiny input
(benchmarks/bench_tca.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from slipstream.tca import analyse, render_html

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_tca.py"


def test_bench_core_runs_on_small_input(monkeypatch: pytest.MonkeyPatch) -> None:
    if not BENCH.exists():
        pytest.skip(f"benchmark script not found at {BENCH}")
    spec = importlib.util.spec_from_file_location("bench_tca", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_tca", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    run = module.synthetic_run(fills=20, prints=200, mids=100)
    again = module.synthetic_run(fills=20, prints=200, mids=100)
    assert run == again  # seeded: the same data every time
    result = analyse(run.order, run.fills, run.prints, run.mids)
    assert result.fill_count == 20 and result.to_dict()["fill_rate"] == 0.8
    assert "<svg" in render_html(result, run.order, run.fills, run.prints, run.mids)
