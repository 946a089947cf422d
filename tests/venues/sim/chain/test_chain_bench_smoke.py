"""The benchmark's core runs on a tiny input (not a performance test)."""

from __future__ import annotations

import sys
from pathlib import Path


def test_bench_chain_main_runs() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "benchmarks"))
    try:
        import bench_chain
    finally:
        sys.path.pop(0)
    rows = bench_chain.main(scale=0)
    assert len(rows) == 6
