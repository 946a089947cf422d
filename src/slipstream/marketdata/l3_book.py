"""Order-by-order (L3, market-by-order) book: every resting order by id, in time priority per level.

Why: an aggregated (L2) level hides *where* in the queue each lot sits, so a simulator must guess
where cancellations come from (:mod:`slipstream.venues.sim.queue`). With a market-by-order feed
the quantity ahead of a given arrival is known exactly: the orders at that price that arrived
earlier and are still there.

Priority. Every placement gets the next number of a monotone *arrival sequence* (shared with our
own orders through :meth:`L3Book.next_seq`, or with other books through ``counter``). A level
keeps its orders in that order. An update keeps an order's place only when it stays at the same
side and price and does not grow (a partial fill or a size decrease); a price change or a size
increase re-queues it at the back with a new sequence number — the usual exchange rule
(Bitfinex's raw feed does not say which rule it follows; this one never moves an order *ahead*
of an earlier arrival, so the quantity ahead of a fixed arrival can only fall).

Units: prices and sizes are integers (``price_increment``/``size_increment`` of the feed);
:meth:`L3Book.apply` converts a loader's :class:`~slipstream.model.market.L3Order` exactly and
raises rather than rounds. Actions and sides are the :mod:`~slipstream.marketdata.book`
constants, so :meth:`L3Book.apply_units` returns changes an :class:`L2Book` (or a simulated venue)
applies as they are.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE, L2Book
from slipstream.model.instruments import Instrument
from slipstream.model.market import BookAction, BookSide, L3Order

__all__ = ["L3Book", "L3Entry", "LevelChange"]

_ACTIONS = {BookAction.ADD: ADD, BookAction.UPDATE: UPDATE, BookAction.DELETE: DELETE,
            BookAction.CLEAR: CLEAR}
_MAX_QTY = (1 << 63) - 1

LevelChange = tuple[int, int, int]
"""``(side, price, new level size)`` — one L2 level an L3 event changed (size 0: level gone)."""


class L3Entry:
    """One resting order of the book (integer units). ``seq`` is its arrival sequence."""

    __slots__ = ("order_id", "price", "seq", "side", "size")

    def __init__(self, order_id: int, side: int, price: int, size: int, seq: int) -> None:
        self.order_id, self.side, self.price, self.size, self.seq = order_id, side, price, size, seq

    def __repr__(self) -> str:
        return f"L3Entry(id={self.order_id}, side={self.side}, price={self.price}, size={self.size}, seq={self.seq})"


class _Level:
    """Orders at one price, in arrival order (dict insertion order == ``seq`` order)."""

    __slots__ = ("orders", "total")

    def __init__(self) -> None:
        self.orders: dict[int, L3Entry] = {}
        self.total = 0


class L3Book:
    """Market-by-order book keyed by integer price units; sizes in integer size units.

    Args:
        symbol: instrument symbol (informational).
        price_increment: the price one unit stands for (used by :meth:`apply` only).
        size_increment: the size one unit stands for (used by :meth:`apply` only).
        counter: source of arrival sequence numbers; pass one shared counter to several books
            (one per symbol) so that sequence numbers are comparable across them.

    Raises:
        ValidationError: an increment is not positive.
    """

    __slots__ = ("_counter", "_levels", "_orders", "_prices", "price_increment", "size_increment", "symbol")

    def __init__(
        self,
        symbol: str = "",
        *,
        price_increment: Decimal = Decimal(1),
        size_increment: Decimal = Decimal(1),
        counter: Iterator[int] | None = None,
    ) -> None:
        if price_increment <= 0 or size_increment <= 0:
            raise ValidationError(f"increments must be positive, got {price_increment}, {size_increment}")
        self.symbol = symbol
        self.price_increment = price_increment
        self.size_increment = size_increment
        self._counter: Iterator[int] = counter if counter is not None else itertools.count(1)
        self._orders: dict[int, L3Entry] = {}
        self._levels: tuple[dict[int, _Level], ...] = ({}, {}, {})  # index BID / ASK
        self._prices: tuple[list[int], ...] = ([], [], [])  # ascending, per side

    @classmethod
    def for_instrument(cls, instrument: Instrument, *, counter: Iterator[int] | None = None) -> L3Book:
        """A book in ``instrument``'s price units and lots."""
        return cls(instrument.symbol, price_increment=instrument.price_unit,
                   size_increment=instrument.lot_size, counter=counter)

    # ---- updates -------------------------------------------------------------------------------
    def next_seq(self) -> int:
        """Take the next arrival sequence number (an order of ours joining now)."""
        return next(self._counter)

    def apply(self, event: L3Order) -> tuple[LevelChange, ...]:
        """Apply a loader's event, converting price and size to units exactly.

        Returns:
            The L2 levels it changed (see :meth:`apply_units`).

        Raises:
            ValidationError: price or size not a whole number of increments, or an event
                inconsistent with the book (see :meth:`apply_units`); the book is unchanged.
        """
        action = _ACTIONS[event.action]
        if action == CLEAR:
            return self.apply_units(CLEAR, 0, BID, 0, 0)
        side = BID if event.side is BookSide.BID else ASK
        if action == DELETE:
            return self.apply_units(DELETE, event.order_id, side, 0, 0)
        return self.apply_units(action, event.order_id, side, self._units(event.price, self.price_increment, "price"),
                                self._units(event.size, self.size_increment, "size"))

    @staticmethod
    def _units(value: Decimal, increment: Decimal, what: str) -> int:
        units = value / increment
        if units != units.to_integral_value():
            raise ValidationError(f"{what} {value} is not a multiple of {increment}")
        return int(units)

    def apply_units(self, action: int, order_id: int, side: int, price: int, size: int) -> tuple[LevelChange, ...]:
        """Apply one event in integer units.

        ``ADD`` places a new order at the back of its level; ``UPDATE`` changes a known order
        (size 0 removes it; a price/side change or a size increase re-queues it at the back);
        ``DELETE`` removes a known order (``side``/``price``/``size`` ignored); ``CLEAR`` empties
        the book.

        Returns:
            ``(side, price, new level size)`` for each level that changed, in the order to apply
            them (a move first shrinks the old level); empty for ``CLEAR`` (clear the L2 book).

        Raises:
            ValidationError: unknown action or side, non-positive price, size out of range,
                ``ADD`` of a live id, ``UPDATE``/``DELETE`` of an unknown id. Nothing changed.
        """
        if action == CLEAR:
            self.clear()
            return ()
        entry = self._orders.get(order_id)
        if action == DELETE:
            if entry is None:
                raise ValidationError(f"delete of unknown order {order_id}")
            return (self._remove(entry),)
        if action != ADD and action != UPDATE:
            raise ValidationError(f"unknown book action {action!r}")
        if side != BID and side != ASK:
            raise ValidationError(f"unknown book side {side!r}")
        if price <= 0:
            raise ValidationError(f"order {order_id}: price must be positive, got {price}")
        if size < 0 or size > _MAX_QTY or (action == ADD and size == 0):
            raise ValidationError(f"order {order_id}: size out of range: {size}")
        if action == ADD:
            if entry is not None:
                raise ValidationError(f"add of live order {order_id}")
            return (self._place(order_id, side, price, size),)
        if entry is None:
            raise ValidationError(f"update of unknown order {order_id}")
        if size == 0:
            return (self._remove(entry),)
        if entry.side == side and entry.price == price and size <= entry.size:
            level = self._levels[side][price]
            level.total += size - entry.size
            entry.size = size  # a decrease keeps the order's place in the queue
            return ((side, price, level.total),)
        return self._remove(entry), self._place(order_id, side, price, size)

    def _place(self, order_id: int, side: int, price: int, size: int) -> LevelChange:
        levels = self._levels[side]
        level = levels.get(price)
        if level is None:
            level = levels[price] = _Level()
            bisect.insort(self._prices[side], price)
        entry = L3Entry(order_id, side, price, size, next(self._counter))
        level.orders[order_id] = entry
        level.total += size
        self._orders[order_id] = entry
        return side, price, level.total

    def _remove(self, entry: L3Entry) -> LevelChange:
        levels = self._levels[entry.side]
        level = levels[entry.price]
        del level.orders[entry.order_id]
        del self._orders[entry.order_id]
        level.total -= entry.size
        if not level.orders:
            del levels[entry.price]
            prices = self._prices[entry.side]
            del prices[bisect.bisect_left(prices, entry.price)]
        return entry.side, entry.price, level.total

    def clear(self) -> None:
        """Remove every order (the arrival sequence keeps counting)."""
        self._orders.clear()
        for side in (BID, ASK):
            self._levels[side].clear()
            self._prices[side].clear()

    # ---- queries -------------------------------------------------------------------------------
    def order(self, order_id: int) -> L3Entry | None:
        """The live order ``order_id`` (do not mutate it), or ``None``."""
        return self._orders.get(order_id)

    def orders_at(self, side: int, price: int) -> list[L3Entry]:
        """Orders at one level, first in priority first."""
        level = self._levels[side].get(price)
        return list(level.orders.values()) if level is not None else []

    def queue_ahead(self, side: int, price: int, seq: int) -> int:
        """Exact size at ``(side, price)`` of orders that arrived before arrival ``seq``."""
        level = self._levels[side].get(price)
        if level is None:
            return 0
        ahead = 0
        for entry in level.orders.values():
            if entry.seq >= seq:
                break
            ahead += entry.size
        return ahead

    def size_at(self, side: int, price: int) -> int:
        """Total size resting at ``price`` on ``side`` (0 if no level)."""
        level = self._levels[side].get(price)
        return level.total if level is not None else 0

    def count_at(self, side: int, price: int) -> int:
        """Number of orders at one level."""
        level = self._levels[side].get(price)
        return len(level.orders) if level is not None else 0

    def levels(self, side: int, depth: int | None = None) -> list[tuple[int, int]]:
        """Aggregated ``(price, size)`` levels of ``side``, best first; at most ``depth``."""
        prices = self._prices[side]
        ordered = reversed(prices) if side == BID else iter(prices)
        if depth is not None:
            ordered = itertools.islice(ordered, depth)
        levels = self._levels[side]
        return [(price, levels[price].total) for price in ordered]

    def best_bid(self) -> int | None:
        """Highest bid price, or ``None``."""
        prices = self._prices[BID]
        return prices[-1] if prices else None

    def best_ask(self) -> int | None:
        """Lowest ask price, or ``None``."""
        prices = self._prices[ASK]
        return prices[0] if prices else None

    def is_crossed(self) -> bool:
        """True when the best bid is at or above the best ask."""
        bid, ask = self.best_bid(), self.best_ask()
        return bid is not None and ask is not None and bid >= ask

    def to_l2(self, *, window: int = 4096) -> L2Book:
        """A fresh :class:`L2Book` holding this book's aggregated levels."""
        book = L2Book(self.symbol, window=window)
        for side in (BID, ASK):
            for price, size in self.levels(side):
                book.apply(ADD, side, price, size)
        return book

    def __len__(self) -> int:
        """Number of live orders."""
        return len(self._orders)

    def __repr__(self) -> str:
        return f"L3Book({self.symbol!r}, orders={len(self)}, bid={self.best_bid()}, ask={self.best_ask()})"
