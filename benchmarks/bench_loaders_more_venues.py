"""Throughput and peak memory of the Lighter, dYdX, Hyperliquid and on-chain swap loaders.

The real samples of these venues are single messages, so the bench writes seeded synthetic
recordings of the same shapes (JSON Lines) to a temporary folder and streams them through
``load()``; peak traced memory shows the loaders stream (it must not grow with the file).

Run: ``python benchmarks/bench_loaders_more_venues.py [messages]`` (default 50,000 per format).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from slipstream.marketdata.loaders import chain_swaps, load

PANCAKE = chain_swaps.PANCAKESWAP_V3_SWAP_TOPIC
ADDRESS_TOPIC = "0x" + "0" * 24 + "7eded5ce04fd9bb6d125a0a470cc3ffcd972e182"


def lighter_book(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    """One snapshot, then updates whose ``begin_nonce`` chains to the previous ``nonce``."""
    nonce = 1000
    for index in range(count):
        begin, nonce = nonce, nonce + rng.randint(1, 50)
        levels = [{"price": f"{2300 + rng.randint(0, 2000) / 100:.2f}", "size": f"{rng.random() * 5:.4f}"}
                  for _ in range(rng.randint(1, 4))]
        yield {"channel": "order_book:0", "timestamp": 1774884082326 + index,
               "type": "subscribed/order_book" if index == 0 else "update/order_book",
               "order_book": {"code": 0, "asks": levels, "bids": levels[:1], "nonce": nonce,
                              "begin_nonce": begin}}


def dydx_book(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    """``v4_orderbook`` channel_data with contiguous message ids on one connection."""
    for index in range(count):
        levels = [[f"{65000 + rng.randint(-500, 500)}", f"{rng.random():.4f}"] for _ in range(3)]
        yield {"type": "channel_data", "connection_id": "c", "message_id": index + 1,
               "channel": "v4_orderbook", "id": "BTC-USD", "contents": {"bids": levels, "asks": levels[:1]}}


def hyperliquid_book(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    """Full 20-level ``l2Book`` images."""
    for index in range(count):
        mid = 98000 + rng.randint(-100, 100)
        bids = [{"px": f"{mid - i}.0", "sz": f"{rng.random():.5f}", "n": 1} for i in range(1, 21)]
        asks = [{"px": f"{mid + i}.0", "sz": f"{rng.random():.5f}", "n": 1} for i in range(1, 21)]
        yield {"channel": "l2Book", "data": {"coin": "BTC", "time": 1703875200000 + index,
                                             "levels": [bids, asks]}}


def swaps(rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    """PancakeSwap v3 Swap logs in increasing (block, log index)."""
    for index in range(count):
        words = [rng.randint(-(10**20), 10**20), rng.randint(-(10**20), 10**20), rng.randint(1, 2**160 - 1),
                 rng.randint(0, 2**100), rng.randint(-800000, 800000), 0, 0]
        yield {"removed": False, "logIndex": hex(index % 500), "transactionIndex": "0x1",
               "transactionHash": "0x" + f"{index:064x}", "blockNumber": hex(1000 + index // 500),
               "address": "0x172fcd41e0913e95784454622d1c3724f546f849",
               "data": "0x" + "".join(f"{w % 2**256:064x}" for w in words),
               "topics": [PANCAKE, ADDRESS_TOPIC, ADDRESS_TOPIC]}


GENERATORS: dict[str, Callable[[random.Random, int], Iterator[dict[str, Any]]]] = {
    "lighter.json (order_book)": lighter_book,
    "dydx.json (v4_orderbook)": dydx_book,
    "hyperliquid.json (l2Book, 20 levels)": hyperliquid_book,
    "chain.swaps (PancakeSwap v3 logs)": swaps,
}


def measure(path: Path, repeats: int = 3) -> tuple[int, float, int]:
    """Return (events, best seconds, peak traced bytes of one extra pass) for ``load(path)``."""
    best = float("inf")
    count = 0
    for _ in range(repeats):
        start = time.perf_counter()
        count = sum(1 for _ in load(path))
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    try:
        sum(1 for _ in load(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, best, peak


def write(folder: Path, name: str, messages: Iterator[dict[str, Any]]) -> Path:
    path = folder / (name.split()[0] + ".jsonl")
    with open(path, "w", encoding="utf-8") as out:
        for message in messages:
            out.write(json.dumps(message, separators=(",", ":")) + "\n")
    return path


def main(messages: int = 50_000) -> None:
    print("| format | messages | events | MB | best s | events/s | MB/s | peak MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, generator in GENERATORS.items():
            path = write(Path(tmp), name, generator(random.Random(7), messages))
            count, seconds, peak = measure(path)
            megabytes = path.stat().st_size / 1e6
            print(f"| {name} | {messages:,} | {count:,} | {megabytes:.1f} | {seconds:.3f} | "
                  f"{count / seconds:,.0f} | {megabytes / seconds:.1f} | {peak / 2**20:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
