"""Throughput of the recorded-data loaders on the real samples in ../shared/data/nautilus.

Run: ``python benchmarks/bench_loaders.py`` (best of 3 full passes per file).
"""

from __future__ import annotations

import time
from pathlib import Path

from slipstream.marketdata.loaders import load

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "nautilus"
FILES = [
    "_history/517bb552ca64a6a884e93bb1085fe41ee4f11f0f/tests/test_data/bitmex/L3_feed.json",
    "_history/8a2858d0e72516aeae89cf0b32a257f18f06ddd5/tests/test_data/tardis/trades.csv",
    "_history/8a2858d0e72516aeae89cf0b32a257f18f06ddd5/tests/test_data/tardis/quotes.csv",
    "tests/test_data/bybit/xrpusdt-ob500.data.zip",
    "tests/test_data/binance/btcusdt-trades.parquet",
    "tests/test_data/btc-perp-20211231-20220201_1m.csv",
]


def measure(path: Path, repeats: int = 3) -> tuple[int, float]:
    """Return (events, best seconds) for fully iterating ``load(path)``."""
    best = float("inf")
    count = 0
    for _ in range(repeats):
        start = time.perf_counter()
        count = sum(1 for _ in load(path))
        best = min(best, time.perf_counter() - start)
    return count, best


def main() -> None:
    print("| file | events | MB | best s | events/s | MB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for relative in FILES:
        path = DATA / relative
        count, seconds = measure(path)
        megabytes = path.stat().st_size / 1e6
        print(f"| {Path(relative).name} | {count} | {megabytes:.2f} | {seconds:.3f} | "
              f"{count / seconds:,.0f} | {megabytes / seconds:.1f} |")


if __name__ == "__main__":
    main()
