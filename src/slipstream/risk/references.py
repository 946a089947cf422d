"""Reference prices (mid, mark, index) that price bands, fat-finger checks and exposure use.

Risk never reads a book itself: something fed from market data answers
:class:`ReferencePrices`. :class:`ReferencePriceTable` is the default, updated from the engine's
:class:`~slipstream.model.feed.BookUpdate` (mid, in price units) and
:class:`~slipstream.model.market.DerivativeTicker` (mark and index, as ``Decimal``) messages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from slipstream.model.feed import BookUpdate
from slipstream.model.instruments import Instrument
from slipstream.model.market import DerivativeTicker
from slipstream.risk.limits import ReferenceKind

__all__ = ["ReferencePriceTable", "ReferencePrices"]


class ReferencePrices(Protocol):
    def reference(self, venue: str, symbol: str, kind: ReferenceKind) -> Decimal | None:
        """The latest ``kind`` price of ``symbol`` at ``venue``, or ``None`` if unknown."""
        ...


class ReferencePriceTable:
    """Latest reference prices per (venue, symbol, kind); a missing one is ``None``.

    Args:
        instruments: used to turn book price units into prices.
    """

    def __init__(self, instruments: dict[tuple[str, str], Instrument] | None = None) -> None:
        self.instruments = instruments if instruments is not None else {}
        self._prices: dict[tuple[str, str, ReferenceKind], Decimal] = {}

    def reference(self, venue: str, symbol: str, kind: ReferenceKind) -> Decimal | None:
        return self._prices.get((venue, symbol, kind))

    def set(self, venue: str, symbol: str, kind: ReferenceKind, price: Decimal) -> None:
        """Record a price (tests, manual marks, other feeds)."""
        self._prices[(venue, symbol, kind)] = price

    def on_book(self, update: BookUpdate) -> None:
        """Mid from a two-sided book; a one-sided book leaves the last mid in place."""
        instrument = self.instruments.get((update.venue, update.symbol))
        bid, ask = update.best_bid, update.best_ask
        if instrument is None or bid is None or ask is None:
            return
        self._prices[(update.venue, update.symbol, ReferenceKind.MID)] = instrument.price_unit * (bid + ask) / 2

    def on_ticker(self, ticker: DerivativeTicker) -> None:
        if ticker.mark_price is not None:
            self._prices[(ticker.venue, ticker.instrument, ReferenceKind.MARK)] = ticker.mark_price
        if ticker.index_price is not None:
            self._prices[(ticker.venue, ticker.instrument, ReferenceKind.INDEX)] = ticker.index_price
