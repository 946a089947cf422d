"""Shared fixtures for the order-book venue tests: a recording VenueContext and a spot pair."""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

import numpy as np

from slipstream.marketdata.book import ADD, ASK, BID
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instruments import SpotPair
from slipstream.model.orders import ChildOrder
from slipstream.model.reports import ExecutionReport, ReportKind
from slipstream.venues.sim.book_venue import BookVenue

VENUE = "sim"
SYMBOL = "BTC/USDT"


def spot(**kw: Any) -> SpotPair:
    """BTC/USDT, tick 0.1, lot 0.001, 0.01%/0.05% maker/taker; price units are 0.1 USDT."""
    fields: dict[str, Any] = {"maker_fee": Decimal("0.0001"), "taker_fee": Decimal("0.0005")}
    fields.update(kw)
    return SpotPair.create(VENUE, "BTC", "USDT", Decimal("0.1"), Decimal("0.001"), **fields)


class RecordingContext:
    """A VenueContext that records deliveries instead of running a loop."""

    def __init__(self, seed: int = 0) -> None:
        self.now = 0
        self.seed = seed
        self.delivered: list[tuple[int, Any]] = []

    def now_ns(self) -> int:
        return self.now

    def deliver(self, ts_ns: int, message: Any) -> None:
        self.delivered.append((ts_ns, message))

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def reports(self, coid: str | None = None) -> list[ExecutionReport]:
        return [m for _, m in self.delivered
                if isinstance(m, ExecutionReport) and (coid is None or m.client_order_id == coid)]

    def kinds(self, coid: str) -> list[ReportKind]:
        return [r.kind for r in self.reports(coid)]

    def fills(self, coid: str) -> list[tuple[int, int]]:
        return [(r.fill.price_units, r.fill.lots) for r in self.reports(coid) if r.fill is not None]

    def of_type(self, cls: type) -> list[Any]:
        return [m for _, m in self.delivered if isinstance(m, cls)]


def make_venue(seed: int = 0, **kw: Any) -> tuple[BookVenue, RecordingContext]:
    instruments = kw.pop("instruments", None) or [spot()]
    venue = BookVenue(VENUE, instruments, **kw)
    ctx = RecordingContext(seed)
    venue.attach(ctx)
    return venue, ctx


def seed_book(venue: BookVenue, ts: int = 0, bids: dict[int, int] | None = None,
              asks: dict[int, int] | None = None) -> None:
    """Levels as {price_units: lots}; default bids 999/998 ×10, asks 1001/1002 ×10."""
    bids = {999: 10, 998: 10} if bids is None else bids
    asks = {1001: 10, 1002: 10} if asks is None else asks
    for price, lots in bids.items():
        venue.feed(ts, SYMBOL, ADD, BID, price, lots)
    for price, lots in asks.items():
        venue.feed(ts, SYMBOL, ADD, ASK, price, lots)


def order(coid: str, side: Side, lots: int, price: int | None = None, *,
          order_type: OrderType | None = None, tif: TimeInForce = TimeInForce.GTC,
          expire: int | None = None) -> ChildOrder:
    kind = order_type or (OrderType.MARKET if price is None else OrderType.LIMIT)
    return ChildOrder(client_order_id=coid, venue=VENUE, symbol=SYMBOL, side=side, lots=lots,
                      order_type=kind, time_in_force=tif, price_units=price, expire_ts_ns=expire)
