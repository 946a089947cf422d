"""Throughput of the simulated order-book venue.

Measures (a) recorded L2 deltas applied per second with publication of the top 10 levels per
delta, (b) the same without publication (batched feeds), (c) order round trips per second
(submit of a resting limit + cancel) and (d) taker orders per second walking 3 levels.

Run: ``python benchmarks/bench_book_venue.py`` (results: benchmarks/results/book_venue.md).
"""

from __future__ import annotations

import time
import zlib
from decimal import Decimal
from typing import Any

import numpy as np

from slipstream.marketdata.book import ASK, BID, UPDATE
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instruments import SpotPair
from slipstream.model.orders import ChildOrder
from slipstream.venues.sim.book_venue import BookVenue

SYMBOL = "BTC/USDT"


class _Context:
    def __init__(self) -> None:
        self.now = 0
        self.count = 0

    def now_ns(self) -> int:
        return self.now

    def deliver(self, ts_ns: int, message: Any) -> None:
        self.count += 1

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([0, zlib.crc32(name.encode())])


def make() -> tuple[BookVenue, _Context]:
    pair = SpotPair.create("sim", "BTC", "USDT", Decimal("0.1"), Decimal("0.001"))
    venue = BookVenue("sim", [pair])
    ctx = _Context()
    venue.attach(ctx)
    for level in range(1, 51):
        venue.feed(0, SYMBOL, UPDATE, BID, 100_000 - level, 100)
        venue.feed(0, SYMBOL, UPDATE, ASK, 100_000 + level, 100)
    return venue, ctx


def bench_feed(n: int, publish: bool) -> float:
    venue, _ = make()
    rng = np.random.default_rng(1)
    sides = rng.integers(1, 3, n).tolist()
    offsets = rng.integers(1, 50, n).tolist()
    sizes = rng.integers(1, 200, n).tolist()
    start = time.perf_counter()
    for i in range(n):
        side = sides[i]
        price = 100_000 - offsets[i] if side == BID else 100_000 + offsets[i]
        venue.feed(i, SYMBOL, UPDATE, side, price, sizes[i], publish=publish)
    return n / (time.perf_counter() - start)


def bench_round_trips(n: int) -> float:
    venue, ctx = make()
    start = time.perf_counter()
    for i in range(n):
        ctx.now = i
        venue.submit(ChildOrder(client_order_id=f"o{i}", venue="sim", symbol=SYMBOL, side=Side.BUY,
                                lots=5, price_units=99_990))
        venue.cancel(f"o{i}")
        venue.advance(i)
    return n / (time.perf_counter() - start)


def bench_takers(n: int) -> float:
    venue, ctx = make()
    start = time.perf_counter()
    for i in range(n):
        ctx.now = i
        venue.feed(i, SYMBOL, UPDATE, ASK, 100_001, 100, publish=False)
        venue.feed(i, SYMBOL, UPDATE, ASK, 100_002, 100, publish=False)
        venue.feed(i, SYMBOL, UPDATE, ASK, 100_003, 100, publish=False)
        venue.submit(ChildOrder(client_order_id=f"t{i}", venue="sim", symbol=SYMBOL, side=Side.BUY,
                                lots=250, price_units=100_003, order_type=OrderType.LIMIT,
                                time_in_force=TimeInForce.IOC))
        venue.advance(i)
    return n / (time.perf_counter() - start)


def main(n: int = 50_000) -> dict[str, float]:
    results = {
        "deltas/s (publish top 10 each)": bench_feed(n, True),
        "deltas/s (no publication)": bench_feed(n, False),
        "submit+cancel round trips/s": bench_round_trips(n // 5),
        "IOC takers/s (3 levels, 3 refill deltas each)": bench_takers(n // 5),
    }
    for name, value in results.items():
        print(f"| {name} | {value:,.0f} |")
    return results


if __name__ == "__main__":
    main()
