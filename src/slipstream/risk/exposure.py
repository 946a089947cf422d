"""Positions, exposures and PnL as risk sees them, read from the OMS.

Per (account, instrument) the view keeps the filled net position and the working buy and sell
quantity. Working orders count as if they fill (worst case): a new buy is judged against
``position + working buys + order``, so no sequence of fills of approved orders can breach a
limit that was in force when they were approved.

:class:`ExposureBook` keeps those holdings as running totals, per (account, asset) and per
(portfolio, asset), plus working orders per venue, so a check costs O(instruments of the asset),
not O(orders). It is told which orders changed (:meth:`ExposureBook.observe`, fed every journaled
event as it is appended) and re-reads just those orders from the OMS before a check.

Assumptions: positions come from fills of orders placed through this engine (deposits are not
positions; overfills recorded as ``FillAnomaly`` are not counted); quote currencies across the
portfolio are USD-like; options count their underlying (contracts × contract size), not delta.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from decimal import Decimal

from slipstream.model.enums import InstrumentKind, Side
from slipstream.model.events import Event, OrderCreated
from slipstream.model.instruments import Instrument
from slipstream.oms.manager import OrderManager
from slipstream.oms.orders import OrderState
from slipstream.oms.portfolio import Position
from slipstream.risk.limits import ReferenceKind
from slipstream.risk.references import ReferencePrices

__all__ = ["ExposureBook", "InstrumentExposure", "base_quantity", "notional_value", "reference_price", "total_pnl"]

_ZERO = Decimal(0)
_REFERENCE_ORDER = (ReferenceKind.MID, ReferenceKind.MARK, ReferenceKind.INDEX)


def reference_price(
    references: ReferencePrices, instrument: Instrument, preferred: ReferenceKind = ReferenceKind.MID
) -> Decimal | None:
    """``preferred`` reference of the instrument, else the others in mid, mark, index order."""
    price = references.reference(instrument.venue, instrument.symbol, preferred)
    if price is not None:
        return price
    for kind in _REFERENCE_ORDER:
        if kind is not preferred:
            price = references.reference(instrument.venue, instrument.symbol, kind)
            if price is not None:
                return price
    return None


def base_quantity(instrument: Instrument, quantity: Decimal, price: Decimal | None) -> Decimal | None:
    """Base-asset units of ``quantity`` (instrument units); inverse contracts need a price."""
    face = quantity * instrument.contract_size
    if not instrument.inverse:
        return face
    return None if price is None else face / price


def notional_value(instrument: Instrument, quantity: Decimal, price: Decimal | None) -> Decimal | None:
    """Quote value of ``quantity`` at ``price`` (inverse: the USD face, price not needed)."""
    face = quantity * instrument.contract_size
    if instrument.inverse:
        return face
    return None if price is None else face * price


class InstrumentExposure:
    """One account's (or the portfolio's) holding of one instrument, in lots.

    ``price`` is the valuation price: the reference, else the last order price seen.
    """

    __slots__ = ("buy_lots", "instrument", "last_price_units", "position_lots", "sell_lots")

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.position_lots = 0
        self.buy_lots = 0
        self.sell_lots = 0
        self.last_price_units: int | None = None

    def add(self, state: OrderState) -> None:
        """Add one order, as the reference scan does (written out on its own, not via
        ``_terms``, so the scan stays an independent oracle for :class:`ExposureBook`)."""
        order = state.order
        sign = 1 if order.side is Side.BUY else -1
        self.position_lots += sign * state.filled_lots
        if not state.status.is_terminal:
            open_lots = max(state.lots, state.pending_lots) - state.filled_lots
            if sign > 0:
                self.buy_lots += open_lots
            else:
                self.sell_lots += open_lots
        price_units = state.price_units
        if state.filled_lots:
            price_units = state.filled_value_units // state.filled_lots
        if price_units is not None:
            self.last_price_units = price_units

    def valuation_price(self, references: ReferencePrices) -> Decimal | None:
        price = reference_price(references, self.instrument)
        if price is None and self.last_price_units is not None:
            price = self.instrument.units_to_price(self.last_price_units)
        return price


def _terms(state: OrderState) -> tuple[int, int, int, int | None, bool]:
    """One order's share of its holding: (signed filled lots, working buy lots, working sell
    lots, valuation price units or None, counted at all): what :meth:`InstrumentExposure.add`
    adds, for the running totals."""
    filled = state.filled_lots
    terminal = state.status.is_terminal
    position = filled if state.order.side is Side.BUY else -filled
    buy = sell = 0
    if not terminal:
        open_lots = max(state.lots, state.pending_lots) - filled
        if state.order.side is Side.BUY:
            buy = open_lots
        else:
            sell = open_lots
    price_units = state.filled_value_units // filled if filled else state.price_units
    return position, buy, sell, price_units, bool(filled) or not terminal


def _scan_exposure(
    orders: Iterable[OrderState], account: str | None, asset: str, exclude: str = ""
) -> dict[tuple[str, str], InstrumentExposure]:
    """Reference: holdings of ``asset`` from one pass over every order (O(orders)); the tests
    prove :meth:`ExposureBook.holdings` equal to it."""
    out: dict[tuple[str, str], InstrumentExposure] = {}
    for state in orders:
        instrument = state.instrument
        if state.order.client_order_id == exclude:
            continue
        if instrument.base != asset or (account is not None and state.order.account != account):
            continue
        if not state.filled_lots and state.status.is_terminal:
            continue
        key = (instrument.venue, instrument.symbol)
        exposure = out.get(key)
        if exposure is None:
            exposure = out[key] = InstrumentExposure(instrument)
        exposure.add(state)
    return out


def _scan_open_orders(oms: OrderManager, venue: str, exclude: str = "") -> int:
    """Reference: working orders at ``venue`` other than ``exclude``, by a scan (O(orders))."""
    return sum(1 for s in oms.working_orders(venue) if s.order.client_order_id != exclude)


class _Ranked:
    """Order ids ranked by creation sequence: the first (or last) one present, skipping one id,
    in amortised O(log n) (a heap with lazy deletion)."""

    __slots__ = ("_heap", "_members", "_queued", "_sign")

    def __init__(self, first: bool) -> None:
        self._sign = 1 if first else -1
        self._members: set[str] = set()
        self._queued: set[str] = set()
        self._heap: list[tuple[int, str]] = []

    def add(self, order_id: str, seq: int) -> None:
        self._members.add(order_id)
        if order_id not in self._queued:  # a stale entry for it may still be queued: same seq
            self._queued.add(order_id)
            heapq.heappush(self._heap, (self._sign * seq, order_id))

    def discard(self, order_id: str) -> None:
        self._members.discard(order_id)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._members

    def _clean(self) -> None:
        heap, members = self._heap, self._members
        while heap and heap[0][1] not in members:
            self._queued.discard(heapq.heappop(heap)[1])

    def best(self, skip: str) -> str | None:
        """The first (or last) member other than ``skip``."""
        self._clean()
        heap = self._heap
        if not heap:
            return None
        if heap[0][1] != skip:
            return heap[0][1]
        top = heapq.heappop(heap)
        self._clean()
        found = heap[0][1] if heap else None
        heapq.heappush(heap, top)
        return found


class _Holding:
    """Running totals of one (scope, venue, symbol) over the orders counted in it."""

    __slots__ = ("buy_lots", "members", "position_lots", "priced", "sell_lots")

    def __init__(self) -> None:
        self.position_lots = 0
        self.buy_lots = 0
        self.sell_lots = 0
        self.members = _Ranked(first=True)  # counted orders: the first gives the holdings' order
        self.priced = _Ranked(first=False)  # counted orders with a price: the last values it


class _Share:
    """What one order last added to the totals (so a change can be taken back exactly)."""

    __slots__ = ("account", "asset", "buy", "counted", "instrument", "key", "position", "price_units", "sell", "seq",
                 "venue", "working")

    def __init__(self, state: OrderState, seq: int) -> None:
        instrument = state.instrument
        self.seq = seq
        self.instrument = instrument
        self.account = state.order.account
        self.asset = instrument.base
        self.key = (instrument.venue, instrument.symbol)
        self.venue = state.order.venue
        self.working = not state.status.is_terminal
        self.position, self.buy, self.sell, self.price_units, self.counted = _terms(state)


class ExposureBook:
    """Holdings and working-order counts as running totals, equal to a scan of the OMS.

    While :meth:`track` is on, :meth:`observe` must see every event that changes an order
    (the risk engine feeds it each journaled event as it is appended, and each replayed one);
    :meth:`sync` then re-reads only the orders named since the last sync. Without tracking,
    or when the OMS holds orders the book never saw, :meth:`sync` rebuilds from every order.
    """

    def __init__(self) -> None:
        self._oms: OrderManager | None = None
        self._tracking = False
        self._dirty: dict[str, None] = {}
        self._reset()

    def _reset(self) -> None:
        self._shares: dict[str, _Share] = {}
        self._holdings: dict[tuple[str | None, str], dict[tuple[str, str], _Holding]] = {}
        self._open: dict[str, int] = {}
        self._seq = 0

    def track(self, on: bool = True) -> None:
        """Trust :meth:`observe` from now on (the caller feeds it every order event), or stop
        trusting it (``on=False``: rebuild at every sync)."""
        self._tracking = on
        self._oms = None  # rebuild once at the next sync

    def observe(self, event: Event) -> None:
        """Note the order an event names; cheap (read back at the next :meth:`sync`)."""
        coid = event.order.client_order_id if isinstance(event, OrderCreated) else getattr(
            event, "client_order_id", None)
        if coid is not None:
            self._dirty[coid] = None

    def sync(self, oms: OrderManager) -> None:
        """Bring the totals up to ``oms``'s orders."""
        orders = oms.orders
        if oms is self._oms and self._tracking:
            dirty, self._dirty = self._dirty, {}
            for coid in dirty:
                state = orders.get(coid)
                if state is not None:
                    self._update(coid, state)
            if len(self._shares) == len(orders):
                return
        self._oms = oms
        self._dirty = {}
        self._reset()
        for coid, state in orders.items():
            self._update(coid, state)

    def _update(self, coid: str, state: OrderState) -> None:
        old = self._shares.get(coid)
        if old is None:
            seq = self._seq
            self._seq += 1
        else:
            seq = old.seq
            self._apply(coid, old, -1)
        new = self._shares[coid] = _Share(state, seq)
        self._apply(coid, new, 1)

    def _apply(self, coid: str, share: _Share, sign: int) -> None:
        if share.working:
            self._open[share.venue] = self._open.get(share.venue, 0) + sign
        if not share.counted:
            return
        for scope in (share.account, None):
            table = self._holdings.setdefault((scope, share.asset), {})
            holding = table.get(share.key)
            if holding is None:
                holding = table[share.key] = _Holding()
            holding.position_lots += sign * share.position
            holding.buy_lots += sign * share.buy
            holding.sell_lots += sign * share.sell
            if sign > 0:
                holding.members.add(coid, share.seq)
                if share.price_units is not None:
                    holding.priced.add(coid, share.seq)
            else:
                holding.members.discard(coid)
                holding.priced.discard(coid)

    def holdings(self, account: str | None, asset: str, exclude: str = "") -> dict[tuple[str, str], InstrumentExposure]:
        """Holdings of ``asset`` per (venue, symbol) for ``account`` (None: the portfolio), in
        the order a scan of the orders would meet them, without order ``exclude``."""
        table = self._holdings.get((account, asset))
        if not table:
            return {}
        shares = self._shares
        skip = shares.get(exclude) if exclude else None
        rows: list[tuple[int, tuple[str, str], _Holding, _Share]] = []
        for key, holding in table.items():
            first = holding.members.best(exclude)
            if first is not None:
                share = shares[first]
                rows.append((share.seq, key, holding, share))
        rows.sort(key=lambda row: row[0])
        out: dict[tuple[str, str], InstrumentExposure] = {}
        for _, key, holding, first_share in rows:
            exposure = InstrumentExposure(first_share.instrument)
            exposure.position_lots = holding.position_lots
            exposure.buy_lots = holding.buy_lots
            exposure.sell_lots = holding.sell_lots
            if skip is not None and exclude in holding.members:
                exposure.position_lots -= skip.position
                exposure.buy_lots -= skip.buy
                exposure.sell_lots -= skip.sell
            last = holding.priced.best(exclude)
            if last is not None:
                exposure.last_price_units = shares[last].price_units
            out[key] = exposure
        return out

    def open_orders(self, venue: str, exclude: str = "") -> int:
        """Working orders at ``venue``, not counting order ``exclude``."""
        count = self._open.get(venue, 0)
        skip = self._shares.get(exclude) if exclude else None
        if skip is not None and skip.working and skip.venue == venue:
            count -= 1
        return count


def total_pnl(positions: Iterable[Position], references: ReferencePrices) -> Decimal:
    """Realised + unrealised PnL in the quote currency (before fees).

    Positions without a reference are valued at their average price (no unrealised PnL);
    inverse perpetual/future PnL (in the base coin) is converted at the reference; options count
    in their premium currency unconverted (an approximation for coin-settled options).
    """
    total = _ZERO
    for position in positions:
        instrument = position.instrument
        mark = reference_price(references, instrument)
        pnl = position.realised_pnl
        if mark is not None and position.quantity:
            pnl += position.unrealised_pnl(mark)
        if instrument.inverse and instrument.kind is not InstrumentKind.OPTION:
            pnl = pnl * mark if mark is not None else _ZERO
        total += pnl
    return total
