"""The book-venue benchmark's core runs on a small input."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))

import bench_book_venue


def test_bench_runs_small() -> None:
    results = bench_book_venue.main(500)
    assert len(results) == 4 and all(v > 0 for v in results.values())
