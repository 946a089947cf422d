"""Matching our orders against one instrument's recorded L2 book.

The recorded book (:class:`~slipstream.marketdata.book.L2Book`) is the data's view; our own
orders never appear in it. On top of it sit two things only the simulator knows:

* **consumed liquidity** — lots our takers removed at a level. The venue shows
  ``data size - consumed`` there. The data cannot know about our trades, so the consumption
  stays while the level exists: a data *increase* adds new lots on top (replenishment), a data
  decrease leaves the consumption in place but never above the data's size, and a level that
  the data deletes (or a CLEAR) forgets it. Hence our taker fills at a level never exceed what
  the data displayed plus what it later added (the property tests check exactly this).
* **our resting orders** with their :mod:`queue positions <slipstream.venues.sim.queue>`.

Assumptions, each deliberate:

* The data is made uncrossed on arrival: a level that crosses the opposite side deletes the
  crossed opposite levels (the newer update wins, as a matching engine would have matched
  them). Then the new liquidity fills our crossed resting orders as *maker* at our price,
  best-priced and oldest first, and is consumed by those fills.
* At a price level that holds both data liquidity and our own resting order, our taker takes
  the data lots first; reaching our own order triggers self-trade prevention.
* A trade print *through* our price fills our order (up to the print's size); a print *at* our
  price advances the queue and fills what reaches past it. Fills from one print never exceed
  the print's size.
"""

from __future__ import annotations

from enum import Enum

from slipstream.marketdata.book import ASK, BID, CLEAR, DELETE, L2Book
from slipstream.model.enums import Side
from slipstream.model.orders import ChildOrder
from slipstream.venues.sim.queue import QueueModel, QueuePosition, RiskAverseQueue

__all__ = ["MakerFill", "RestingOrder", "SelfTradePrevention", "SymbolBook", "TakeResult", "book_side"]


class SelfTradePrevention(str, Enum):
    """What happens when our taker would trade with our own resting order."""

    CANCEL_RESTING = "cancel_resting"  # Binance EXPIRE_MAKER: resting order cancelled, taker goes on
    CANCEL_TAKER = "cancel_taker"  # taker's remainder cancelled before it reaches our order
    CANCEL_BOTH = "cancel_both"


def book_side(side: Side) -> int:
    """The book side an order of ``side`` rests on (``BID`` for buys)."""
    return BID if side is Side.BUY else ASK


def _better(side: int, a: int, b: int) -> bool:
    """True when price ``a`` is strictly better than ``b`` for resting side ``side``."""
    return a > b if side == BID else a < b


class RestingOrder:
    """One of our orders resting (or being worked) at the venue. Quantities in lots."""

    __slots__ = ("filled", "lots", "order", "price", "queue", "seq", "side", "venue_order_id")

    def __init__(self, order: ChildOrder, venue_order_id: str, seq: int) -> None:
        self.order = order
        self.venue_order_id = venue_order_id
        self.seq = seq
        self.side = book_side(order.side)
        self.price: int | None = order.price_units
        self.lots = order.lots
        self.filled = 0
        self.queue = QueuePosition(0)

    @property
    def leaves(self) -> int:
        return self.lots - self.filled

    def __repr__(self) -> str:
        return (f"RestingOrder({self.order.client_order_id}, price={self.price}, "
                f"filled={self.filled}/{self.lots}, {self.queue})")


class MakerFill:
    """Our resting ``order`` traded ``lots`` at ``price`` as maker."""

    __slots__ = ("lots", "order", "price")

    def __init__(self, order: RestingOrder, price: int, lots: int) -> None:
        self.order, self.price, self.lots = order, price, lots


class TakeResult:
    """What a taker did: ``fills`` as ``(price, lots)``, our resting orders hit (self-trade
    prevention) and whether STP stopped the taker."""

    __slots__ = ("fills", "self_trades", "stopped")

    def __init__(self) -> None:
        self.fills: list[tuple[int, int]] = []
        self.self_trades: list[RestingOrder] = []
        self.stopped = False

    @property
    def lots(self) -> int:
        return sum(lots for _, lots in self.fills)


class SymbolBook:
    """The venue's book for one instrument: recorded L2 levels + consumption + our orders.

    Args:
        symbol: instrument symbol.
        queue_model: how our queue positions move (default :class:`RiskAverseQueue`).
    """

    def __init__(self, symbol: str, queue_model: QueueModel | None = None) -> None:
        self.symbol = symbol
        self.data = L2Book(symbol)
        self.queue_model: QueueModel = queue_model if queue_model is not None else RiskAverseQueue()
        self.consumed: dict[tuple[int, int], int] = {}
        self.own: tuple[dict[int, list[RestingOrder]], ...] = ({}, {}, {})  # index BID / ASK

    # ---- views ------------------------------------------------------------------------------------
    def effective(self, side: int, price: int) -> int:
        """Lots the venue displays at a level: the data's size minus what we consumed."""
        return self.data.size_at(side, price) - self.consumed.get((side, price), 0)

    def effective_levels(self, side: int, depth: int | None = None) -> list[tuple[int, int]]:
        """Displayed data levels (without our orders), best first."""
        fetch = None if depth is None else depth + len(self.consumed)
        consumed = self.consumed
        out: list[tuple[int, int]] = []
        for price, size in self.data.levels(side, fetch):
            left = size - consumed.get((side, price), 0)
            if left > 0:
                out.append((price, left))
                if depth is not None and len(out) >= depth:
                    break
        return out

    def view(self, side: int, depth: int | None = None) -> list[tuple[int, int]]:
        """Public levels: displayed data merged with our resting orders, best first."""
        merged = dict(self.effective_levels(side, depth if depth is None else depth + len(self.own[side])))
        for price, orders in self.own[side].items():
            merged[price] = merged.get(price, 0) + sum(o.leaves for o in orders)
        out = sorted(merged.items(), reverse=side == BID)
        return out if depth is None else out[:depth]

    def best(self, side: int) -> int | None:
        """Best public price of ``side`` (data or ours), or ``None``."""
        levels = self.view(side, 1)
        return levels[0][0] if levels else None

    def orders(self) -> list[RestingOrder]:
        """Our resting orders, in (side, price priority, time) order."""
        out: list[RestingOrder] = []
        for side in (BID, ASK):
            for price in sorted(self.own[side], reverse=side == BID):
                out.extend(self.own[side][price])
        return out

    # ---- our resting orders ---------------------------------------------------------------------
    def rest(self, order: RestingOrder) -> None:
        """Join the back of the queue at the order's price."""
        assert order.price is not None
        order.queue = self.queue_model.on_arrival(self.effective(order.side, order.price))
        self.own[order.side].setdefault(order.price, []).append(order)

    def remove(self, order: RestingOrder) -> None:
        assert order.price is not None
        level = self.own[order.side].get(order.price)
        if level is not None and order in level:
            level.remove(order)
            if not level:
                del self.own[order.side][order.price]

    def _fill(self, order: RestingOrder, price: int, lots: int, out: list[MakerFill]) -> None:
        order.filled += lots
        out.append(MakerFill(order, price, lots))
        if order.leaves == 0:
            self.remove(order)

    # ---- market data ------------------------------------------------------------------------------
    def apply_delta(self, action: int, side: int, price: int, lots: int) -> list[MakerFill]:
        """Apply one recorded L2 delta; returns our resting orders it filled.

        Raises:
            ValidationError: the delta is malformed (from :class:`L2Book`); nothing changed.
        """
        if action == CLEAR:
            self.data.clear()
            self.consumed.clear()
            for order in self.orders():
                self.queue_model.on_level_change(order.queue, order.queue.ahead, 0)
            return []
        if action == DELETE:
            lots = 0
        before = self.effective(side, price) if side in (BID, ASK) else 0
        self.data.apply(action, side, price, lots)
        key = (side, price)
        used = self.consumed.get(key)
        if used is not None:
            if lots == 0:
                del self.consumed[key]
            elif used > lots:
                self.consumed[key] = lots
        self._level_changed(side, price, before)
        if lots == 0:
            return []
        opposite = ASK if side == BID else BID
        while True:
            top = self.data.levels(opposite, 1)
            if not top or _better(side, top[0][0], price):
                break  # the opposite best no longer reaches the new level: uncrossed
            stale = top[0][0]
            before_stale = self.effective(opposite, stale)
            self.data.apply(DELETE, opposite, stale, 0)
            self.consumed.pop((opposite, stale), None)
            self._level_changed(opposite, stale, before_stale)
        return self._cross_own(opposite)

    def _level_changed(self, side: int, price: int, before: int) -> None:
        orders = self.own[side].get(price)
        if orders:
            after = self.effective(side, price)
            for order in orders:
                self.queue_model.on_level_change(order.queue, before, after)

    def _cross_own(self, side: int) -> list[MakerFill]:
        """Fill our orders on ``side`` that displayed opposite liquidity now crosses."""
        fills: list[MakerFill] = []
        opposite = ASK if side == BID else BID
        for order in self.orders_on(side):
            assert order.price is not None
            for price, size in self.effective_levels(opposite):
                if _better(side, price, order.price):
                    break  # this opposite level no longer reaches our price
                take = min(size, order.leaves)
                self.consume(opposite, price, take)
                self._fill(order, order.price, take, fills)
                if order.leaves == 0:
                    break
        return fills

    def orders_on(self, side: int) -> list[RestingOrder]:
        out: list[RestingOrder] = []
        for price in sorted(self.own[side], reverse=side == BID):
            out.extend(self.own[side][price])
        return out

    def apply_trade(self, aggressor: Side, price: int, lots: int) -> list[MakerFill]:
        """A recorded trade print; returns our resting orders it filled (maker)."""
        passive = ASK if aggressor is Side.BUY else BID
        fills: list[MakerFill] = []
        remaining = lots
        at_price = list(self.own[passive].get(price, ()))
        for order in self.orders_on(passive):
            assert order.price is not None
            if remaining <= 0 or not _better(passive, order.price, price):
                break
            take = min(order.leaves, remaining)  # the print traded through our price
            remaining -= take
            self._fill(order, order.price, take, fills)
        used = 0
        for order in at_price:  # every order at the price sees the whole print go through
            reach = self.queue_model.on_trade(order.queue, lots)
            take = min(order.leaves, max(reach - used, 0), remaining)
            if take > 0:
                used += take
                remaining -= take
                self._fill(order, price, take, fills)
        return fills

    # ---- taking -------------------------------------------------------------------------------------
    def consume(self, side: int, price: int, lots: int) -> None:
        """Our taker removed ``lots`` displayed at a level."""
        key = (side, price)
        self.consumed[key] = self.consumed.get(key, 0) + lots
        for order in self.own[side].get(price, ()):  # takers take from the front of the queue
            self.queue_model.on_trade(order.queue, lots)

    def take(
        self,
        taker: Side,
        lots: int,
        limit: int | None,
        stp: SelfTradePrevention,
        *,
        dry_run: bool = False,
    ) -> TakeResult:
        """Take up to ``lots`` from the opposite side at prices no worse than ``limit``.

        Args:
            taker: our taker's side.
            lots: lots wanted.
            limit: worst price (``None``: market, any price).
            stp: self-trade prevention mode.
            dry_run: compute only; change nothing (FOK and post-only checks).

        Returns:
            The fills and the own resting orders met. The caller cancels ``self_trades``;
            with ``dry_run`` nothing is consumed.
        """
        result = TakeResult()
        side = ASK if taker is Side.BUY else BID
        own = self.own[side]
        data = self.effective_levels(side)
        prices = sorted({p for p, _ in data} | set(own), reverse=side == BID)
        sizes = dict(data)
        need = lots
        for price in prices:
            if need <= 0 or (limit is not None and _better(side, limit, price)):
                break
            take = min(need, sizes.get(price, 0))
            if take > 0:
                result.fills.append((price, take))
                need -= take
                if not dry_run:
                    self.consume(side, price, take)
            if need > 0 and price in own:
                if stp is not SelfTradePrevention.CANCEL_TAKER:
                    result.self_trades.extend(own[price])
                if stp is not SelfTradePrevention.CANCEL_RESTING:
                    result.stopped = True
                    break
        return result

    def crosses(self, taker: Side, limit: int | None) -> bool:
        """True when an order at ``limit`` would take (data or our own opposite orders)."""
        side = ASK if taker is Side.BUY else BID
        best = self.best(side)
        return best is not None and (limit is None or not _better(side, limit, best))

    def is_crossed(self) -> bool:
        """True when the public book (data + our orders) has best bid >= best ask."""
        bid, ask = self.best(BID), self.best(ASK)
        return bid is not None and ask is not None and bid >= ask
