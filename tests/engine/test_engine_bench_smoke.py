"""The engine benchmark's workloads run (and check their own accounting) on a small size."""

from __future__ import annotations

import sys
from pathlib import Path

from slipstream.journal import NullJournal, SqliteJournal

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_engine import bench_dispatch, bench_lifecycles


def test_bench_workloads_run(tmp_path: Path) -> None:
    assert bench_dispatch(10_000) > 0
    assert bench_lifecycles(500, NullJournal()) > 0
    assert bench_lifecycles(500, SqliteJournal(tmp_path / "b.db")) > 0
