"""A small seeded market for algo tests: top-of-book venues (QuoteVenue) whose quotes and trade
prints are published on the engine loop every second, an ExecutionEngine and an AlgoEngine.

QuoteVenue trades any size at its touch and does not publish market data itself, so this
helper publishes a BookUpdate per venue and a TradePrint of synthetic volume each second:
``volume(t)`` lots (Poisson around it) at the touch. Our own fills are not printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine, IntentRouter
from slipstream.engine.loop import TimerFired
from slipstream.model.enums import Side
from slipstream.model.feed import BookUpdate, TradePrint
from slipstream.model.orders import ParentOrder
from slipstream.testing.stubs import btc_usdt
from slipstream.venues.sim.quote import QuoteVenue

SECOND = 1_000_000_000
START = 1_767_225_600 * SECOND  # 2026-01-01T00:00:00Z
SYMBOL = "BTC/USDT"
UNIT = Decimal("0.00001")


def parent(
    quantity: str = "1",
    side: Side = Side.BUY,
    minutes: float = 10,
    limit: str | None = None,
    parent_id: str = "P1",
    start_ns: int = START,
) -> ParentOrder:
    return ParentOrder(
        parent_id=parent_id,
        account="desk",
        symbol=SYMBOL,
        side=side,
        quantity=Decimal(quantity),
        quantity_unit=UNIT,
        limit_price=None if limit is None else Decimal(limit),
        start_ts_ns=start_ns,
        end_ts_ns=start_ns + round(minutes * 60 * SECOND),
    )


class Sim:
    """Seeded market + engine + algo engine.

    Args:
        seed: engine seed (market and algo random streams derive from it).
        venues: venue names; venue ``i`` quotes ``i * venue_skew`` price units above the first.
        volume: market lots per second at time offset ``t`` (seconds from START).
        sigma_units: std of the per-second random-walk step of the bid, in price units.
        latency_ns: venue request-to-report latency.
        slippage_units: taking children's allowance beyond the touch (default 3 sigma).
    """

    def __init__(
        self,
        seed: int = 1,
        venues: Sequence[str] = ("sim",),
        volume: Callable[[float], float] = lambda t: 2_000.0,
        sigma_units: float = 0.0,
        latency_ns: int = 1_000_000,
        venue_skew: int = 50,
        router: IntentRouter | None = None,
        slippage_units: int | None = None,
    ) -> None:
        self.venues = [QuoteVenue(v, [btc_usdt(v)], latency_ns=latency_ns) for v in venues]
        self.engine = ExecutionEngine(self.venues, seed=seed)
        self.engine.loop.clock.advance_to(START)  # type: ignore[attr-defined]
        slip = round(3 * sigma_units) if slippage_units is None else slippage_units
        self.algos = AlgoEngine(self.engine, router, take_slippage_units=slip)
        self.volume = volume
        self.sigma_units = sigma_units
        self.rng = self.engine.loop.rng_for("test:market")
        self.samples: list[tuple[int, str, int, int | None]] = []
        self.watch: list[str] = []
        for i, venue in enumerate(self.venues):
            venue.set_quote(SYMBOL, 6_000_000 + i * venue_skew, 6_000_010 + i * venue_skew)
        self.publish_book()
        self.engine.run(until_ns=START)  # the algo engine sees the first books
        self.engine.loop.subscribe(TimerFired, self._on_timer)
        self.engine.loop.set_timer("test:market", START + SECOND, SECOND)

    def publish_book(self) -> None:
        now = self.engine.now_ns
        for venue in self.venues:
            bid, ask = venue.quotes[SYMBOL]
            self.engine.loop.publish(
                BookUpdate(venue=venue.venue_id, symbol=SYMBOL, venue_ts_ns=now, receive_ts_ns=now,
                           bids=((bid, 10**9),), asks=((ask, 10**9),))
            )

    def _on_timer(self, timer: TimerFired) -> None:
        if timer.name != "test:market":
            return
        now = self.engine.now_ns
        if self.sigma_units:
            step = round(float(self.rng.normal(0.0, self.sigma_units)))
            for venue in self.venues:
                bid, ask = venue.quotes[SYMBOL]
                venue.set_quote(SYMBOL, max(1, bid + step), max(2, ask + step))
        self.publish_book()
        lots = int(self.rng.poisson(max(0.0, self.volume((now - START) / SECOND))))
        if lots:
            venue = self.venues[0]
            bid, ask = venue.quotes[SYMBOL]
            aggressor = Side.BUY if self.rng.random() < 0.5 else Side.SELL
            self.engine.loop.publish(
                TradePrint(venue=venue.venue_id, symbol=SYMBOL, venue_ts_ns=now, receive_ts_ns=now,
                           aggressor=aggressor, price_units=ask if aggressor is Side.BUY else bid, lots=lots)
            )
        for pid in self.watch:
            run = self.algos.runs.get(pid)
            if run is not None:
                target = run.algo.target_units(run, now)
                self.samples.append((now, pid, run.filled_units, target))

    def run(self, until_ns: int) -> None:
        self.engine.run(until_ns=until_ns)

    def tracking_error(self, pid: str, quantity_units: int) -> float:
        """RMS of (filled − target)/quantity over the per-second samples of ``pid``."""
        errors = [(f - t) / quantity_units for _, p, f, t in self.samples if p == pid and t is not None]
        return math.sqrt(sum(e * e for e in errors) / len(errors)) if errors else math.nan
