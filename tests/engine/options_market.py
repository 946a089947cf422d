"""A small seeded options market for the multi-leg and delta-hedging tests.

A Deribit-style options venue (BookVenue, coin premium, tiered ticks) quoted by
:class:`~slipstream.venues.sim.options.OptionQuoter` around a *fixed* forward — so every delta is
constant but for time decay — and a linear perpetual with a deep book at that forward. Every
second both books are rebuilt (our taking fills deplete them in between). Each option symbol can
get its own depth per level, so one leg of a strategy can lag another.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from slipstream.engine.delta_hedge import BlackDeltas
from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine
from slipstream.engine.loop import TimerFired
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR
from slipstream.model.enums import OptionKind
from slipstream.model.instruments import DERIBIT_OPTION_TICKS, Option, Perpetual
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.options import OptionQuoter, VolSurface

SECOND = 1_000_000_000
DAY = 86_400 * SECOND
START = 1_767_225_600 * SECOND  # 2026-01-01T00:00:00Z
FORWARD = 100_000.0
PERP = "BTC/USDT:USDT"
STRIKES = (90_000, 100_000, 110_000)


def option(strike: int, kind: OptionKind, expiry_ns: int = START + 30 * DAY) -> Option:
    return Option.create("deribit", "BTC", "USD", "BTC", expiry_ns, Decimal(strike), kind,
                         DERIBIT_OPTION_TICKS, Decimal("0.1"))


OPTIONS = {(k, kind): option(k, kind) for k in STRIKES for kind in (OptionKind.CALL, OptionKind.PUT)}


class OptionsMarket:
    """Engine + algo engine over the options venue and the perpetual.

    Args:
        lots: lots per book level by option symbol (default ``default_lots``).
        default_lots: lots per level of the other options.
        levels: book levels per side.
        seed: engine seed.
        slippage_units: price units a taking child may go past the touch (walks levels).
    """

    def __init__(self, lots: Mapping[str, int] | None = None, default_lots: int = 10, levels: int = 3,
                 seed: int = 7, slippage_units: int = 20) -> None:
        self.options = list(OPTIONS.values())
        self.options_venue = BookVenue("deribit", self.options)
        self.perp = Perpetual.create("perp", "BTC", "USDT", "USDT", Decimal("0.1"), Decimal("0.001"))
        self.perp_venue = BookVenue("perp", [self.perp])
        self.engine = ExecutionEngine([self.options_venue, self.perp_venue], seed=seed)
        self.engine.loop.clock.advance_to(START)  # type: ignore[attr-defined]
        self.algos = AlgoEngine(self.engine, take_slippage_units=slippage_units)
        self.surface = VolSurface()
        lots = dict(lots or {})
        groups: dict[int, list[Option]] = {}
        for o in self.options:
            groups.setdefault(lots.get(o.symbol, default_lots), []).append(o)
        self.quoters = [OptionQuoter(self.options_venue, group, self.surface, half_spread_vol=0.01,
                                     levels=levels, lots=n) for n, group in sorted(groups.items())]
        self.deltas = BlackDeltas(self.algos.market, PERP, self.surface)
        self._quote(START)
        self.engine.run(until_ns=START)  # the algo engine sees the first books
        self.engine.loop.subscribe(TimerFired, self._on_timer)
        self.engine.loop.set_timer("test:market", START + SECOND, SECOND)

    def _quote(self, now: int) -> None:
        for quoter in self.quoters:
            quoter.requote(now, FORWARD)
        venue, symbol = self.perp_venue, PERP
        bid = self.perp.price_to_units(Decimal("99999.9"))
        venue.feed(now, symbol, CLEAR, BID, 1, 0, publish=False)
        for i in range(5):
            venue.feed(now, symbol, ADD, BID, bid - i, 5_000, publish=False)
            venue.feed(now, symbol, ADD, ASK, bid + 2 + i, 5_000, publish=False)
        venue.publish_book(symbol)

    def _on_timer(self, timer: TimerFired) -> None:
        if timer.name == "test:market":
            self._quote(timer.ts_ns)

    def run(self, until_ns: int) -> None:
        self.engine.run(until_ns=until_ns)
