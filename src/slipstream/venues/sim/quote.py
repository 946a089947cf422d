"""A top-of-book venue: trades any size at its current bid/ask.

Assumptions (deliberate, for engine tests, demos and throughput benchmarks — the order-book
simulator models depth, queues and impact): unlimited size at the touch; marketable orders fill
in full at the touch as takers; resting limits fill in full as makers when a quote update crosses
them; acknowledgements and fills arrive ``latency_ns`` after the request, in request order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from slipstream.model.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.feed import BookUpdate
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder
from slipstream.model.reports import ExecutionReport, Fill, ReportKind
from slipstream.venues.base import VenueContext, VenueHealth

__all__ = ["QuoteVenue"]


class QuoteVenue:
    """Simulated venue quoting one bid/ask per instrument.

    Args:
        venue_id: the venue's name.
        instruments: instruments it lists (their ``venue`` must be ``venue_id``).
        latency_ns: request-to-report delay.
    """

    def __init__(self, venue_id: str, instruments: Sequence[Instrument], latency_ns: int = 0) -> None:
        self._venue_id = venue_id
        self._instruments = {i.symbol: i for i in instruments}
        self.latency_ns = latency_ns
        self.quotes: dict[str, tuple[int, int]] = {}
        self._resting: dict[str, ChildOrder] = {}
        self._fills: list[ExecutionReport] = []
        self._ctx: VenueContext | None = None
        self._trade_seq = 0
        self._order_seq = 0

    @property
    def venue_id(self) -> str:
        return self._venue_id

    @property
    def instruments(self) -> Sequence[Instrument]:
        return list(self._instruments.values())

    def attach(self, context: VenueContext) -> None:
        self._ctx = context

    def loop_subscriptions(self) -> Sequence[tuple[type, Callable[[Any], None]]]:
        return ()

    def set_quote(self, symbol: str, bid_units: int, ask_units: int) -> None:
        """Move the quote (published as a one-level :class:`BookUpdate`); resting orders it
        crosses fill as makers at their own price."""
        self.quotes[symbol] = (bid_units, ask_units)
        if self._ctx is not None:
            now = self._ctx.now_ns()
            self._ctx.deliver(
                now + self.latency_ns,
                BookUpdate(
                    venue=self._venue_id,
                    symbol=symbol,
                    venue_ts_ns=now,
                    receive_ts_ns=now + self.latency_ns,
                    bids=((bid_units, 0),),
                    asks=((ask_units, 0),),
                ),
            )
        for coid, order in list(self._resting.items()):
            if order.symbol != symbol or order.price_units is None:
                continue
            if (order.side is Side.BUY and ask_units <= order.price_units) or (
                order.side is Side.SELL and bid_units >= order.price_units
            ):
                del self._resting[coid]
                self._fill(order, order.price_units, Liquidity.MAKER)

    # ---- requests --------------------------------------------------------------------------------
    def _report(self, order_id: str, kind: ReportKind, **kw: object) -> None:
        assert self._ctx is not None, "venue not attached"
        now = self._ctx.now_ns()
        ts = now + self.latency_ns
        report = ExecutionReport(
            venue=self._venue_id,
            client_order_id=order_id,
            kind=kind,
            venue_ts_ns=now,
            receive_ts_ns=ts,
            **kw,  # type: ignore[arg-type]
        )
        if kind is ReportKind.FILL:
            self._fills.append(report)
        self._ctx.deliver(ts, report)

    def _fill(self, order: ChildOrder, price_units: int, liquidity: Liquidity, now: int | None = None) -> None:
        instrument = self._instruments[order.symbol]
        self._trade_seq += 1
        rate = instrument.maker_fee if liquidity is Liquidity.MAKER else instrument.taker_fee
        lots = order.lots
        fee = (
            (instrument.notional(price_units, lots) * rate)
            if not instrument.inverse
            else (instrument.lot_size * lots * instrument.contract_size * rate / (instrument.price_unit * price_units))
        )
        fill = Fill(
            trade_id=f"{self._venue_id}-t{self._trade_seq}",
            lots=lots,
            price_units=price_units,
            liquidity=liquidity,
            fee=fee,
            fee_asset=instrument.settle,
        )
        ctx = self._ctx
        assert ctx is not None, "venue not attached"
        if now is None:
            now = ctx.now_ns()
        ts = now + self.latency_ns
        report = ExecutionReport(
            venue=self._venue_id,
            client_order_id=order.client_order_id,
            kind=ReportKind.FILL,
            venue_ts_ns=now,
            receive_ts_ns=ts,
            fill=fill,
            cum_lots=lots,
            leaves_lots=0,
        )
        self._fills.append(report)
        ctx.deliver(ts, report)

    def submit(self, order: ChildOrder) -> None:
        symbol = order.symbol
        if symbol not in self._instruments:
            self._report(order.client_order_id, ReportKind.REJECTED, reason="unknown symbol")
            return
        quote = self.quotes.get(symbol)
        if quote is None:
            self._report(order.client_order_id, ReportKind.REJECTED, reason="no market")
            return
        bid, ask = quote
        buy = order.side is Side.BUY
        touch = ask if buy else bid
        price = order.price_units
        order_type = order.order_type
        marketable = order_type is OrderType.MARKET or (price is not None and (price >= ask if buy else price <= bid))
        if order_type is OrderType.POST_ONLY and marketable:
            self._report(order.client_order_id, ReportKind.REJECTED, reason="post-only would take")
            return
        self._order_seq += 1
        ctx = self._ctx
        assert ctx is not None, "venue not attached"
        now = ctx.now_ns()
        ts = now + self.latency_ns
        ctx.deliver(
            ts,
            ExecutionReport(
                venue=self._venue_id,
                client_order_id=order.client_order_id,
                kind=ReportKind.ACCEPTED,
                venue_ts_ns=now,
                receive_ts_ns=ts,
                venue_order_id=f"{self._venue_id}-o{self._order_seq}",
            ),
        )
        if marketable:
            self._fill(order, touch, Liquidity.TAKER, now)
        elif order.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            self._report(order.client_order_id, ReportKind.CANCELED, reason="ioc: nothing marketable")
        else:
            self._resting[order.client_order_id] = order

    def cancel(self, client_order_id: str) -> None:
        if self._resting.pop(client_order_id, None) is None:
            self._report(client_order_id, ReportKind.CANCEL_REJECTED, reason="unknown or not open")
        else:
            self._report(client_order_id, ReportKind.CANCELED)

    def replace(self, client_order_id: str, price_units: int | None, lots: int) -> None:
        order = self._resting.get(client_order_id)
        if order is None:
            self._report(client_order_id, ReportKind.REPLACE_REJECTED, reason="unknown or not open")
            return
        self._resting[client_order_id] = ChildOrder(
            client_order_id=order.client_order_id,
            venue=order.venue,
            symbol=order.symbol,
            side=order.side,
            lots=lots,
            order_type=order.order_type,
            time_in_force=order.time_in_force,
            price_units=price_units,
            parent_id=order.parent_id,
            account=order.account,
        )
        self._report(client_order_id, ReportKind.REPLACED, price_units=price_units, lots=lots)

    # ---- reconciliation and state ------------------------------------------------------------------
    def open_orders(self) -> list[ExecutionReport]:
        now = self._ctx.now_ns() if self._ctx else 0
        return [
            ExecutionReport(
                venue=self._venue_id,
                client_order_id=coid,
                kind=ReportKind.STATUS,
                venue_ts_ns=now,
                receive_ts_ns=now,
                status=OrderStatus.ACCEPTED,
                leaves_lots=o.lots,
            )
            for coid, o in self._resting.items()
        ]

    def fills_since(self, ts_ns: int) -> list[ExecutionReport]:
        return [r for r in self._fills if r.venue_ts_ns >= ts_ns]

    def health(self) -> VenueHealth:
        return VenueHealth.HEALTHY

    def balances(self) -> dict[str, Decimal]:
        return {}
