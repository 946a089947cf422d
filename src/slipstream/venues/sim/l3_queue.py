"""Exact queue positions for a :class:`~slipstream.venues.sim.book_venue.BookVenue` replaying a
market-by-order (L3) feed.

:class:`L3Queue` is a :class:`~slipstream.venues.sim.queue.QueueModel` that also keeps one
:class:`~slipstream.marketdata.l3_book.L3Book` per symbol. Our resting order takes an arrival
number from the same sequence as the feed's orders, so the quantity ahead of it is, exactly,
the size of the feed's orders at its price that arrived before it and are still there. Orders
arriving later (or re-queued by a price change or size increase) are behind it and never move
it back; a cancellation or fill of an order behind it never moves it forward.

:meth:`L3Queue.feed` applies one :class:`~slipstream.model.market.L3Order` to the L3 book and
passes the levels it changed to the venue as ordinary L2 deltas (so matching, consumption and
publishing are the venue's), then tightens the position of our orders at those levels to the
exact L3 quantity ahead.

Assumptions, each deliberate:

* The position is ``min(trade-advanced position, exact L3 ahead)``: a trade print at our price
  advances us at once (by its whole size, as the L2 models do) and the data's later removal of
  the orders it filled does not count twice. Never more optimistic than either source alone.
* An L3 feed without trade prints cannot tell a fill from a cancellation, so a decrease of an
  order *behind* us never fills us; our order fills from trade prints
  (:meth:`BookVenue.on_trade_tick`) and from opposite liquidity crossing its price, exactly as
  with L2 data.
* Lots our own takers consumed at a level are counted as taken from its front (the venue's
  rule); the data still lists those orders until it removes them.
* A ``CLEAR`` (a new snapshot) loses the queue: the L2 models set our position to 0, and the
  snapshot's orders arrive after ours.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from slipstream.marketdata.book import BID, CLEAR, DELETE, UPDATE
from slipstream.marketdata.l3_book import L3Book, LevelChange
from slipstream.model.market import BookAction, L3Order
from slipstream.venues.sim.queue import QueuePosition, RiskAverseQueue

if TYPE_CHECKING:
    from slipstream.venues.sim.book_venue import BookVenue
    from slipstream.venues.sim.matching import SymbolBook

__all__ = ["L3Queue", "L3QueuePosition"]


class L3QueuePosition(QueuePosition):
    """A queue position that also knows its ``arrival`` number in the L3 arrival sequence."""

    __slots__ = ("arrival",)

    def __init__(self, ahead: int, arrival: int) -> None:
        super().__init__(ahead)
        self.arrival = arrival

    def __repr__(self) -> str:
        return f"L3QueuePosition(ahead={self.ahead}, arrival={self.arrival}, traded={self.traded})"


class L3Queue:
    """Queue model driven by market-by-order data (pass it as ``BookVenue(queue_model=...)``).

    Without L3 data (only L2 deltas and prints) it behaves as
    :class:`~slipstream.venues.sim.queue.RiskAverseQueue`.
    """

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._books: dict[str, L3Book] = {}
        self._risk_averse = RiskAverseQueue()

    # ---- QueueModel -------------------------------------------------------------------------------
    def on_arrival(self, level_lots: int) -> L3QueuePosition:
        """Join the back: everything displayed is ahead, and every later feed order is behind."""
        return L3QueuePosition(max(level_lots, 0), next(self._counter))

    def on_trade(self, position: QueuePosition, lots: int) -> int:
        return self._risk_averse.on_trade(position, lots)

    def on_level_change(self, position: QueuePosition, before: int, after: int) -> None:
        self._risk_averse.on_level_change(position, before, after)

    # ---- L3 data ----------------------------------------------------------------------------------
    def l3_book(self, symbol: str) -> L3Book:
        """The L3 book of ``symbol``.

        Raises:
            KeyError: no L3 event of ``symbol`` was fed yet.
        """
        return self._books[symbol]

    def feed(self, venue: BookVenue, event: L3Order, symbol: str | None = None) -> None:
        """Apply one market-by-order event to the L3 book and to ``venue`` (at its venue time).

        Args:
            venue: a venue built with this queue model.
            event: the loader's event.
            symbol: the venue's symbol for it (default ``event.instrument``).

        Raises:
            ValidationError: the event does not fit the book or the instrument's increments;
                neither book changed.
            KeyError: ``symbol`` is not listed on ``venue``.
        """
        sym = symbol or event.instrument
        book = self._books.get(sym)
        if book is None:
            book = self._books[sym] = L3Book.for_instrument(venue.instrument(sym), counter=self._counter)
        changes = book.apply(event)
        ts = event.venue_ts_ns
        if event.action is BookAction.CLEAR:
            venue.feed(ts, sym, CLEAR, BID, 1, 0, publish=event.is_last)
            return
        last = len(changes) - 1
        for index, (side, price, total) in enumerate(changes):
            venue.feed(ts, sym, UPDATE if total else DELETE, side, price, total,
                       publish=event.is_last and index == last)
        self.refresh(venue.book(sym), book, changes)

    def refresh(self, symbol_book: SymbolBook, book: L3Book, changes: tuple[LevelChange, ...]) -> None:
        """Tighten our orders at the changed levels to the exact L3 quantity ahead."""
        for side, price, _ in changes:
            for order in symbol_book.own[side].get(price, ()):
                position = order.queue
                if isinstance(position, L3QueuePosition):
                    exact = book.queue_ahead(side, price, position.arrival)
                    if exact < position.ahead:
                        position.ahead = exact
