"""A simulated central-limit-order-book venue behind the :class:`~slipstream.venues.base.Venue`
protocol: recorded L2 data in, our orders matched against it, reports and market data out.

Time. The venue keeps its own clock, which only moves forward: it is the time of the latest
event it processed. A request made at engine time ``t`` *arrives* at ``t + entry latency``
(arrivals keep request order, as hftbacktest's order bus assumes); its reports reach us
``response latency`` after the venue emitted them (again in order, unless a fault reorders
them). Market data is applied at its venue time and published to the engine ``market-data
latency`` later, so the engine acts on a stale view, as it does live. Every latency is drawn
from the venue's own seeded streams (``context.rng``), so the same seed gives the same run.

Driving. Pending arrivals and expiries wait in a time-ordered queue and are processed
whenever the venue is touched at or after their time: by :meth:`BookVenue.feed`,
:meth:`BookVenue.trade`, :meth:`BookVenue.advance`, or by :meth:`BookVenue.on_wake`, which
the engine subscribes (via :meth:`BookVenue.loop_subscriptions`) to
:class:`~slipstream.venues.sim.messages.VenueWake` (the venue delivers one for every pending
event). At equal times, pending venue events run before the
market data stamped with that time. GTD orders are live strictly before ``expire_ts_ns``.

Order handling: market, limit (taking then resting), post-only (rejected if it would take, own
orders included), IOC and FOK (remainder ``EXPIRED``), GTD, replace (price change or size
increase loses queue priority; a size decrease keeps it), self-trade prevention
(:class:`SelfTradePrevention`), the venue's own validation (:mod:`.validation`), weighted
token-bucket rate limits and scheduled faults (:mod:`.faults`). Balances: spot and option
fills move the asset and cash balances, every fill pays its fee, perpetual funding is booked by
:mod:`.perpetual`; realised PnL of futures is not booked at the venue.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from slipstream.errors import VenueError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE
from slipstream.model.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.instruments import Instrument
from slipstream.model.market import BookAction, BookDelta, BookSide, TradeTick
from slipstream.model.orders import ChildOrder
from slipstream.model.reports import ExecutionReport, Fill, ReportKind
from slipstream.venues.base import VenueContext, VenueHealth
from slipstream.venues.sim.faults import FaultKind, FaultPlan, ReportLink
from slipstream.venues.sim.ledger import VenueLedger
from slipstream.venues.sim.matching import MakerFill, RestingOrder, SelfTradePrevention, SymbolBook
from slipstream.venues.sim.messages import BookUpdate, TradePrint, VenueWake
from slipstream.venues.sim.queue import QueueModel
from slipstream.venues.sim.validation import RejectCode, check_order, reject_reason

if TYPE_CHECKING:
    from slipstream.venues.sim.models.fees import FeeSchedule
    from slipstream.venues.sim.models.latency import LatencyModel
    from slipstream.venues.sim.models.rate_limit import TokenBucket

__all__ = ["BookVenue", "RequestWeights"]

_ACTIONS = {BookAction.ADD: ADD, BookAction.UPDATE: UPDATE, BookAction.DELETE: DELETE,
            BookAction.CLEAR: CLEAR}


class RequestWeights(msgspec.Struct, frozen=True):
    """Rate-limit weight of each request kind (Binance weights orders and cancels alike)."""

    submit: int = 1
    cancel: int = 1
    replace: int = 1


class _NoLatency:
    """Null latency model: everything arrives at once."""

    def entry_ns(self, rng: np.random.Generator) -> int:
        return 0

    def response_ns(self, rng: np.random.Generator) -> int:
        return 0

    def market_data_ns(self, rng: np.random.Generator) -> int:
        return 0


class BookVenue:
    """Simulated order-book venue for the instruments it lists.

    Args:
        venue_id: the venue's name (every instrument's ``venue``).
        instruments: instruments it lists.
        latency: order-entry, response and market-data latency model (default: none).
        fees: tiered maker/taker schedule (default: each instrument's flat maker/taker rate).
        rate_limits: token buckets every request must pass (all of them).
        weights: each request kind's weight in the buckets.
        queue_model: queue-position model (default risk-averse).
        stp: self-trade prevention mode.
        faults: scheduled failures (default none).
        depth: levels per side in published :class:`BookUpdate` messages.
        balances: initial venue balances per asset.
    """

    def __init__(
        self,
        venue_id: str,
        instruments: Sequence[Instrument],
        *,
        latency: LatencyModel | None = None,
        fees: FeeSchedule | None = None,
        rate_limits: Sequence[TokenBucket] = (),
        weights: RequestWeights | None = None,
        queue_model: QueueModel | None = None,
        stp: SelfTradePrevention = SelfTradePrevention.CANCEL_RESTING,
        faults: FaultPlan | None = None,
        depth: int = 10,
        balances: Mapping[str, Decimal] | None = None,
    ) -> None:
        self._venue_id = venue_id
        self._instruments = {i.symbol: i for i in instruments}
        self._books = {s: SymbolBook(s, queue_model) for s in self._instruments}
        self.latency: LatencyModel = latency if latency is not None else _NoLatency()
        self.ledger = VenueLedger(fees, balances)
        self.rate_limits = tuple(rate_limits)
        self.weights = weights if weights is not None else RequestWeights()
        self.stp = stp
        self.faults = faults if faults is not None else FaultPlan()
        self.depth = depth
        self.lost_requests: list[tuple[int, str, Any]] = []
        self._ctx: VenueContext | None = None
        self._link: ReportLink | None = None
        self._rngs: tuple[np.random.Generator, ...] = ()
        self._live: dict[str, RestingOrder] = {}
        self._seen: set[str] = set()
        self._pending: list[tuple[int, int, str, Any]] = []
        self._fills: list[ExecutionReport] = []
        self._clock = 0
        self._seq = 0
        self._order_seq = 0
        self._trade_seq = 0
        self._last_arrival = 0
        self._last_receive = 0
        self._md_last: dict[str, int] = {}

    # ---- Venue protocol ---------------------------------------------------------------------------
    @property
    def venue_id(self) -> str:
        return self._venue_id

    @property
    def instruments(self) -> Sequence[Instrument]:
        return list(self._instruments.values())

    def attach(self, context: VenueContext) -> None:
        self._ctx = context
        self._link = ReportLink(self.faults, context.deliver)
        self._rngs = (context.rng("entry"), context.rng("response"), context.rng("market_data"))

    def loop_subscriptions(self) -> Sequence[tuple[type, Callable[[Any], None]]]:
        """The engine subscribes :meth:`on_wake` so pending arrivals and expiries run on time."""
        return [(VenueWake, self.on_wake)]

    def submit(self, order: ChildOrder) -> None:
        self._request("submit", order)

    def cancel(self, client_order_id: str) -> None:
        self._request("cancel", client_order_id)

    def replace(self, client_order_id: str, price_units: int | None, lots: int) -> None:
        self._request("replace", (client_order_id, price_units, lots))

    def open_orders(self) -> list[ExecutionReport]:
        now = self._clock
        return [
            ExecutionReport(venue=self._venue_id, client_order_id=coid, kind=ReportKind.STATUS,
                            venue_ts_ns=now, receive_ts_ns=now, venue_order_id=r.venue_order_id,
                            status=OrderStatus.PARTIALLY_FILLED if r.filled else OrderStatus.ACCEPTED,
                            cum_lots=r.filled, leaves_lots=r.leaves, price_units=r.price, lots=r.lots)
            for coid, r in sorted(self._live.items())
        ]

    def fills_since(self, ts_ns: int) -> list[ExecutionReport]:
        return [r for r in self._fills if r.venue_ts_ns >= ts_ns]

    def health(self) -> VenueHealth:
        now = max(self._clock, self._context().now_ns())
        if self.faults.active(FaultKind.DISCONNECT, now):
            return VenueHealth.DOWN
        return VenueHealth.DEGRADED if self.faults.any_active(now) else VenueHealth.HEALTHY

    def balances(self) -> dict[str, Decimal]:
        return dict(self.ledger.balances)

    # ---- driving --------------------------------------------------------------------------------
    @property
    def now_ns(self) -> int:
        """Venue time: the latest event processed."""
        return self._clock

    def book(self, symbol: str) -> SymbolBook:
        return self._books[symbol]

    def instrument(self, symbol: str) -> Instrument:
        return self._instruments[symbol]

    def on_wake(self, wake: VenueWake) -> None:
        """Loop handler for :class:`VenueWake` (subscribe it when wiring the venue)."""
        if wake.venue == self._venue_id:
            self.advance(wake.ts_ns)

    def advance(self, now_ns: int) -> None:
        """Process every pending arrival, expiry and scheduled call due at or before ``now_ns``."""
        pending = self._pending
        while pending and pending[0][0] <= now_ns:
            ts, _, kind, payload = heapq.heappop(pending)
            self._clock = max(self._clock, ts)
            if kind == "submit":
                self._on_submit(payload)
            elif kind == "cancel":
                self._on_cancel(payload)
            elif kind == "replace":
                self._on_replace(*payload)
            elif kind == "expire":
                self._on_expire(payload)
            else:
                payload(self._clock)
        self._clock = max(self._clock, now_ns)
        if self._link is not None:
            self._link.flush(self._clock)

    def schedule(self, ts_ns: int, callback: Callable[[int], None]) -> None:
        """Call ``callback(venue_ts)`` when the venue reaches ``ts_ns`` (funding, quote refresh)."""
        self._push(ts_ns, "call", callback)

    def feed(self, ts_ns: int, symbol: str, action: int, side: int, price: int, lots: int,
             *, publish: bool = True) -> None:
        """Apply one recorded L2 delta (``marketdata.book`` constants, integer units) at ``ts_ns``.

        Args:
            publish: publish a :class:`BookUpdate` afterwards (set ``False`` inside a batch and
                ``True`` on its last delta).

        Raises:
            ValidationError: malformed delta (nothing changed).
            KeyError: ``symbol`` not listed here.
        """
        book = self._books[symbol]
        self.advance(ts_ns)
        fills = book.apply_delta(action, side, price, lots)
        self._maker_fills(fills)
        if publish:
            self.publish_book(symbol)

    def trade(self, ts_ns: int, symbol: str, aggressor: Side, price: int, lots: int) -> None:
        """Apply one recorded trade print: queue positions advance, crossed orders fill."""
        book = self._books[symbol]
        self.advance(ts_ns)
        self._maker_fills(book.apply_trade(aggressor, price, lots))
        self._print(symbol, aggressor, price, lots, ours=False)

    def on_book_delta(self, delta: BookDelta, symbol: str | None = None) -> None:
        """Feed a loader's :class:`BookDelta` (Decimal) converted to integer units."""
        sym = symbol or delta.instrument
        instrument = self._instruments[sym]
        if delta.action is BookAction.CLEAR or delta.side is None:
            self.feed(delta.venue_ts_ns, sym, CLEAR, BID, 1, 0, publish=delta.is_last)
            return
        side = BID if delta.side is BookSide.BID else ASK
        lots = int(delta.size / instrument.lot_size)
        self.feed(delta.venue_ts_ns, sym, _ACTIONS[delta.action], side,
                  instrument.price_to_units(delta.price), lots, publish=delta.is_last)

    def on_trade_tick(self, tick: TradeTick, symbol: str | None = None) -> None:
        """Feed a loader's :class:`TradeTick`; prints without an aggressor are skipped."""
        sym = symbol or tick.instrument
        instrument = self._instruments[sym]
        if tick.aggressor is None:
            self.advance(tick.venue_ts_ns)
            return
        self.trade(tick.venue_ts_ns, sym, tick.aggressor, instrument.price_to_units(tick.price),
                   int(tick.size / instrument.lot_size))

    def publish_book(self, symbol: str) -> None:
        """Publish the public book of ``symbol`` (unless the venue is stale or disconnected)."""
        book = self._books[symbol]
        bids, asks = tuple(book.view(BID, self.depth)), tuple(book.view(ASK, self.depth))
        self.post_market_data(symbol, lambda ts, rx: BookUpdate(
            venue=self._venue_id, symbol=symbol, venue_ts_ns=ts, receive_ts_ns=rx, bids=bids, asks=asks))

    def post_market_data(self, symbol: str, build: Callable[[int, int], Any]) -> None:
        """Publish ``build(venue_ts, receive_ts)`` after the market-data latency (in order)."""
        ctx = self._context()
        ts = self._clock
        if self.faults and (self.faults.active(FaultKind.STALE, ts)
                            or self.faults.active(FaultKind.DISCONNECT, ts)):
            return
        receive = max(ts + self.latency.market_data_ns(self._rngs[2]), self._md_last.get(symbol, 0))
        self._md_last[symbol] = receive
        ctx.deliver(receive, build(ts, receive))

    def post_account(self, build: Callable[[int, int], Any]) -> None:
        """Send ``build(venue_ts, receive_ts)`` (an account message such as a funding payment)
        after the response latency; lost while disconnected."""
        ctx = self._context()
        ts = self._clock
        receive = max(ts + self.latency.response_ns(self._rngs[1]), self._last_receive)
        self._last_receive = receive
        if not (self.faults and self.faults.active(FaultKind.DISCONNECT, ts)):
            ctx.deliver(receive, build(ts, receive))

    # ---- requests -------------------------------------------------------------------------------
    def _context(self) -> VenueContext:
        if self._ctx is None:
            raise VenueError(f"venue {self._venue_id} is not attached to an engine")
        return self._ctx

    def _push(self, ts_ns: int, kind: str, payload: Any) -> None:
        self._seq += 1
        heapq.heappush(self._pending, (ts_ns, self._seq, kind, payload))
        self._context().deliver(ts_ns, VenueWake(self._venue_id, ts_ns))

    def _request(self, kind: str, payload: Any) -> None:
        ctx = self._context()
        arrive = max(ctx.now_ns() + self.latency.entry_ns(self._rngs[0]), self._last_arrival)
        self._last_arrival = arrive
        self._push(arrive, kind, payload)

    def _admit(self, kind: str, payload: Any, coid: str, refusal: ReportKind) -> bool:
        """Faults and rate limits common to every request; False when it was refused or lost."""
        ts = self._clock
        if self.faults and self.faults.active(FaultKind.DISCONNECT, ts):
            self.lost_requests.append((ts, kind, payload))
            return False
        if self.faults and self.faults.active(FaultKind.REJECT_ALL, ts):
            self._report(coid, refusal, reason=reject_reason(RejectCode.VENUE_UNAVAILABLE))
            return False
        weight = getattr(self.weights, kind)
        wait = max((bucket.try_acquire(weight, ts) for bucket in self.rate_limits), default=0)
        if wait:
            self._report(coid, refusal, reason=reject_reason(RejectCode.RATE_LIMITED, retry_after_ns=wait))
            return False
        return True

    def _on_submit(self, order: ChildOrder) -> None:
        coid = order.client_order_id
        if not self._admit("submit", order, coid, ReportKind.REJECTED):
            return
        if coid in self._seen:
            self._report(coid, ReportKind.REJECTED, reason=reject_reason(RejectCode.DUPLICATE_ORDER_ID))
            return
        self._seen.add(coid)
        instrument = self._instruments.get(order.symbol)
        if instrument is None or order.venue != self._venue_id:
            self._report(coid, ReportKind.REJECTED, reason=reject_reason(RejectCode.UNKNOWN_SYMBOL,
                                                                         symbol=order.symbol))
            return
        book = self._books[order.symbol]
        touch = book.best(ASK if order.side is Side.BUY else BID)
        reason = check_order(order, instrument, self._clock, touch)
        if reason is None and order.order_type is OrderType.POST_ONLY and book.crosses(order.side, order.price_units):
            reason = reject_reason(RejectCode.POST_ONLY_WOULD_TAKE, price_units=order.price_units)
        if reason is not None:
            self._report(coid, ReportKind.REJECTED, reason=reason)
            return
        self._order_seq += 1
        resting = RestingOrder(order, f"{self._venue_id}-o{self._order_seq}", self._order_seq)
        self._report(coid, ReportKind.ACCEPTED, venue_order_id=resting.venue_order_id,
                     cum_lots=0, leaves_lots=order.lots)
        self._work(resting)

    def _work(self, resting: RestingOrder) -> None:
        """Take what is marketable, then rest the remainder or end it."""
        order = resting.order
        coid = order.client_order_id
        book = self._books[order.symbol]
        self._live.pop(coid, None)
        tif = order.time_in_force
        if tif is TimeInForce.FOK:
            dry = book.take(order.side, resting.leaves, resting.price, self.stp, dry_run=True)
            if dry.lots < resting.leaves or dry.stopped:
                self._end(resting, ReportKind.EXPIRED, reject_reason(RejectCode.NO_LIQUIDITY,
                                                                     available=dry.lots))
                return
        result = book.take(order.side, resting.leaves, resting.price, self.stp)
        for own in result.self_trades:
            if own.leaves and own.order.client_order_id in self._live:
                book.remove(own)
                self._end(own, ReportKind.CANCELED, "SELF_TRADE_PREVENTION")
        for price, lots in result.fills:
            resting.filled += lots
            self._fill(resting, price, lots, Liquidity.TAKER)
        if resting.leaves == 0:
            return
        if result.stopped:
            self._end(resting, ReportKind.CANCELED, "SELF_TRADE_PREVENTION")
        elif order.order_type is OrderType.MARKET or tif in (TimeInForce.IOC, TimeInForce.FOK):
            self._end(resting, ReportKind.EXPIRED, reject_reason(RejectCode.NO_LIQUIDITY))
        else:
            book.rest(resting)
            self._live[coid] = resting
            if order.expire_ts_ns is not None:
                self._push(order.expire_ts_ns, "expire", coid)

    def _end(self, resting: RestingOrder, kind: ReportKind, reason: str = "") -> None:
        self._live.pop(resting.order.client_order_id, None)
        self._report(resting.order.client_order_id, kind, reason=reason,
                     cum_lots=resting.filled, leaves_lots=0)

    def _on_cancel(self, coid: str) -> None:
        if not self._admit("cancel", coid, coid, ReportKind.CANCEL_REJECTED):
            return
        resting = self._live.get(coid)
        if resting is None:
            self._report(coid, ReportKind.CANCEL_REJECTED, reason=reject_reason(RejectCode.UNKNOWN_ORDER))
            return
        self._books[resting.order.symbol].remove(resting)
        self._end(resting, ReportKind.CANCELED)

    def _on_replace(self, coid: str, price_units: int | None, lots: int) -> None:
        if not self._admit("replace", (coid, price_units, lots), coid, ReportKind.REPLACE_REJECTED):
            return
        resting = self._live.get(coid)
        if resting is None:
            self._report(coid, ReportKind.REPLACE_REJECTED, reason=reject_reason(RejectCode.UNKNOWN_ORDER))
            return
        if lots <= resting.filled:
            self._report(coid, ReportKind.REPLACE_REJECTED,
                         reason=reject_reason(RejectCode.REPLACE_BELOW_FILLED, filled=resting.filled))
            return
        price = price_units if price_units is not None else resting.price
        new = msgspec.structs.replace(resting.order, price_units=price, lots=lots)
        book = self._books[new.symbol]
        reason = check_order(new, self._instruments[new.symbol], self._clock, None)
        if reason is None and new.order_type is OrderType.POST_ONLY and book.crosses(new.side, price):
            reason = reject_reason(RejectCode.POST_ONLY_WOULD_TAKE, price_units=price)
        if reason is not None:
            self._report(coid, ReportKind.REPLACE_REJECTED, reason=reason)
            return
        keeps_priority = price == resting.price and lots <= resting.lots
        resting.order, resting.lots = new, lots
        self._report(coid, ReportKind.REPLACED, price_units=price, lots=lots,
                     venue_order_id=resting.venue_order_id, cum_lots=resting.filled,
                     leaves_lots=lots - resting.filled)
        if keeps_priority:
            return
        book.remove(resting)
        self._order_seq += 1
        resting.price, resting.seq = price, self._order_seq
        self._work(resting)

    def _on_expire(self, coid: str) -> None:
        resting = self._live.get(coid)
        if resting is None or resting.order.expire_ts_ns is None or resting.order.expire_ts_ns > self._clock:
            return
        self._books[resting.order.symbol].remove(resting)
        self._end(resting, ReportKind.EXPIRED)

    # ---- fills and reports ----------------------------------------------------------------------
    def _maker_fills(self, fills: Iterable[MakerFill]) -> None:
        for fill in fills:
            self._fill(fill.order, fill.price, fill.lots, Liquidity.MAKER)
            if fill.order.leaves == 0:
                self._live.pop(fill.order.order.client_order_id, None)

    def _fill(self, resting: RestingOrder, price: int, lots: int, liquidity: Liquidity) -> None:
        """Report one execution of ``resting`` (its ``filled`` already counts it)."""
        order = resting.order
        instrument = self._instruments[order.symbol]
        fee = self.ledger.fee(instrument, price, lots, liquidity)
        self._trade_seq += 1
        fill = Fill(trade_id=f"{self._venue_id}-t{self._trade_seq}", lots=lots, price_units=price,
                    liquidity=liquidity, fee=fee, fee_asset=instrument.settle)
        self.ledger.book_fill(instrument, order.side, price, lots, fee)
        self._report(order.client_order_id, ReportKind.FILL, fill=fill, venue_order_id=resting.venue_order_id,
                     cum_lots=resting.filled, leaves_lots=resting.leaves)
        aggressor = order.side if liquidity is Liquidity.TAKER else order.side.opposite
        self._print(order.symbol, aggressor, price, lots, ours=True)

    def _print(self, symbol: str, aggressor: Side, price: int, lots: int, *, ours: bool) -> None:
        self.post_market_data(symbol, lambda ts, rx: TradePrint(
            venue=self._venue_id, symbol=symbol, venue_ts_ns=ts, receive_ts_ns=rx, aggressor=aggressor,
            price_units=price, lots=lots, ours=ours))

    def _report(self, coid: str, kind: ReportKind, **fields: Any) -> None:
        assert self._link is not None
        ts = self._clock
        receive = max(ts + self.latency.response_ns(self._rngs[1]), self._last_receive)
        self._last_receive = receive
        report = ExecutionReport(venue=self._venue_id, client_order_id=coid, kind=kind, venue_ts_ns=ts,
                                 receive_ts_ns=receive, **fields)
        if kind is ReportKind.FILL:
            self._fills.append(report)
        self._link.send(ts, report)

