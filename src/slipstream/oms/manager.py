"""The order manager: turns commands and venue reports into journaled events and applies them.

Every state change goes through :meth:`OrderManager.apply`, which is also what replay calls, so
live processing and recovery share one code path. The *decide* methods (``submit_parent``,
``create_order``, ``on_report``…) validate, build events, apply them and return them for the
journal. Bad input raises before any event exists, so it changes no state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.algo_events import ParentOrderAmended
from slipstream.model.enums import OrderStatus
from slipstream.model.events import (
    BalanceAdjusted,
    Event,
    FillAnomaly,
    GasCharged,
    InstrumentListed,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderCreated,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderRejected,
    OrderReplaced,
    OrderReplaceRejected,
    OrderStatusUnknown,
    OrderSubmitted,
    ParentOrderCanceled,
    ParentOrderSubmitted,
    ReportIgnored,
)
from slipstream.model.instruments import Instrument, instrument_from_listing
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.model.reports import ExecutionReport, Fill, FundingPayment, GasCharge, ReportKind
from slipstream.oms.orders import OrderState, ParentState
from slipstream.oms.portfolio import Portfolio
from slipstream.oms.state import TRANSITIONS, next_status

__all__ = ["OrderManager"]

_S = OrderStatus
_DZERO = Decimal(0)
_TERMINAL = frozenset(s for s in OrderStatus if s.is_terminal)  # set lookup: cheaper than the property


class OrderManager:
    """Orders, parents, positions and balances of one engine shard."""

    def __init__(self, instruments: Iterable[Instrument] = ()) -> None:
        self.instruments: dict[tuple[str, str], Instrument] = {}
        for instrument in instruments:
            self.add_instrument(instrument)
        self.orders: dict[str, OrderState] = {}
        self.parents: dict[str, ParentState] = {}
        self.portfolio = Portfolio()
        self.listed: dict[tuple[str, str], InstrumentListed] = {}
        self.ignored: list[ReportIgnored] = []
        self.anomalies: list[FillAnomaly] = []
        self._apply: dict[type[Event], Callable[[OrderManager, Event], None]] = _APPLY

    def add_instrument(self, instrument: Instrument) -> None:
        self.instruments[(instrument.venue, instrument.symbol)] = instrument

    # ------------------------------------------------------------------ commands (decide + apply)
    def _emit(self, event: Event, out: list[Event]) -> None:
        handler = self._apply.get(type(event))
        if handler is not None:
            handler(self, event)
        out.append(event)

    def submit_parent(self, parent: ParentOrder, ts_ns: int) -> list[Event]:
        """Register a parent order; resubmitting the same id and spec is a no-op.

        Raises:
            ValidationError: the id is already used by a different parent order.
        """
        existing = self.parents.get(parent.parent_id)
        if existing is not None:
            if existing.parent != parent:
                raise ValidationError(f"parent id {parent.parent_id} already used by a different order")
            return []
        out: list[Event] = []
        self._emit(ParentOrderSubmitted(ts_ns=ts_ns, parent=parent), out)
        return out

    def cancel_parent(self, parent_id: str, ts_ns: int, reason: str = "") -> list[Event]:
        """Stop a parent: no new children; working children are cancelled by the caller."""
        state = self._parent(parent_id)
        if state.canceled:
            return []
        out: list[Event] = []
        self._emit(ParentOrderCanceled(ts_ns=ts_ns, parent_id=parent_id, reason=reason), out)
        return out

    def amend_parent(self, parent: ParentOrder, ts_ns: int, reason: str = "") -> list[Event]:
        """Replace a parent's spec (quantity, limit, end time) while it runs.

        Raises:
            ValidationError: unknown parent, a change of id/side/symbol/unit, or a new quantity
                below what is already filled plus working.
        """
        state = self._parent(parent.parent_id)
        old = state.parent
        if (parent.side, parent.symbol, parent.quantity_unit) != (old.side, old.symbol, old.quantity_unit):
            raise ValidationError(f"parent {parent.parent_id}: side, symbol and quantity unit cannot be amended")
        if parent.quantity_units < state.filled_units + state.working_units:
            raise ValidationError(
                f"parent {parent.parent_id}: new quantity {parent.quantity} is below filled plus working "
                f"{old.quantity_unit * (state.filled_units + state.working_units)}"
            )
        out: list[Event] = []
        self._emit(ParentOrderAmended(ts_ns=ts_ns, parent=parent, previous_quantity=old.quantity, reason=reason), out)
        return out

    def deposit(self, venue: str, asset: str, amount: Decimal, ts_ns: int, reason: str = "deposit") -> list[Event]:
        out: list[Event] = []
        self._emit(BalanceAdjusted(ts_ns=ts_ns, venue=venue, asset=asset, amount=amount, reason=reason), out)
        return out

    def create_order(self, order: ChildOrder, ts_ns: int) -> list[Event]:
        """Create a child order (state NEW). Resubmitting the same client order id is not a second order.

        Raises:
            ValidationError: unknown instrument or parent, parent stopped, child larger than the
                parent's remaining quantity, lot not a whole number of parent units, client order
                id reused for a different order, or a size/price the instrument refuses.
        """
        existing = self.orders.get(order.client_order_id)
        if existing is not None:
            if existing.order != order:
                raise ValidationError(f"client order id {order.client_order_id} already used by a different order")
            return []
        instrument = self.instruments.get((order.venue, order.symbol))
        if instrument is None:
            raise ValidationError(f"unknown instrument {order.symbol} at venue {order.venue}")
        instrument.check_order(order.price_units, order.lots)
        units_per_lot = 0
        parent = None
        if order.parent_id is not None:
            parent = self._parent(order.parent_id)
            if parent.canceled:
                raise ValidationError(f"parent {order.parent_id} is cancelled")
            units_per_lot = parent.lot_units(instrument.lot_size)
            if not units_per_lot:
                raise ValidationError(
                    f"lot {instrument.lot_size} is not a whole number of parent units {parent.parent.quantity_unit}"
                )
            if order.lots * units_per_lot > parent.remaining_units:
                raise ValidationError(
                    f"child {order.client_order_id} exceeds parent {order.parent_id} remaining quantity"
                )
            if order.side is not parent.parent.side:
                raise ValidationError(f"child {order.client_order_id} side differs from its parent")
        event = OrderCreated(ts_ns=ts_ns, order=order)
        self._add_order(order, instrument, parent, units_per_lot)  # what _a_created does, inputs known
        return [event]

    def deny(self, client_order_id: str, code: str, detail: str, ts_ns: int) -> list[Event]:
        """Pre-trade risk refused a NEW order."""
        self._require(client_order_id, OrderDenied)
        out: list[Event] = []
        self._emit(OrderDenied(ts_ns=ts_ns, client_order_id=client_order_id, code=code, detail=detail), out)
        return out

    def mark_submitted(self, client_order_id: str, ts_ns: int) -> list[Event]:
        state = self.orders.get(client_order_id)
        if state is None or OrderSubmitted not in TRANSITIONS[state.status]:
            state = self._require(client_order_id, OrderSubmitted)  # raises the usual error
        event = OrderSubmitted(ts_ns=ts_ns, client_order_id=client_order_id)
        self._simple(state, event)
        return [event]

    def request_cancel(self, client_order_id: str, ts_ns: int) -> list[Event]:
        """Record that we asked the venue to cancel; a no-op when already pending or done."""
        state = self._order(client_order_id)
        if state.status is _S.PENDING_CANCEL or state.status.is_terminal:
            return []
        self._require(client_order_id, OrderPendingCancel)
        out: list[Event] = []
        self._emit(OrderPendingCancel(ts_ns=ts_ns, client_order_id=client_order_id), out)
        return out

    def request_replace(self, client_order_id: str, price_units: int | None, lots: int, ts_ns: int) -> list[Event]:
        """Record a replace request; quantity increases are reserved from the parent now.

        Raises:
            ValidationError: new quantity below what is filled, or above the parent's remaining.
        """
        state = self._require(client_order_id, OrderPendingReplace)
        if lots <= state.filled_lots:
            raise ValidationError(f"{client_order_id}: new quantity must exceed the filled quantity")
        state.instrument.check_order(price_units, lots)
        if state.order.parent_id is not None:
            extra = (lots - state.lots) * state.units_per_lot
            if extra > self.parents[state.order.parent_id].remaining_units:
                raise ValidationError(f"{client_order_id}: replace exceeds parent remaining quantity")
        out: list[Event] = []
        event = OrderPendingReplace(ts_ns=ts_ns, client_order_id=client_order_id, price_units=price_units, lots=lots)
        self._emit(event, out)
        return out

    def mark_unknown(self, client_order_id: str, reason: str, ts_ns: int) -> list[Event]:
        """A venue failure left this order's outcome unclear (never assumed failed)."""
        state = self._order(client_order_id)
        if state.status.is_terminal or state.status is _S.UNKNOWN:
            return []
        out: list[Event] = []
        self._emit(OrderStatusUnknown(ts_ns=ts_ns, client_order_id=client_order_id, reason=reason), out)
        return out

    def on_gas_charge(self, charge: GasCharge, ts_ns: int) -> list[Event]:
        """Debit gas that a venue reports without a fill (a reverted swap still pays)."""
        out: list[Event] = []
        event = GasCharged(
            ts_ns=ts_ns,
            venue=charge.venue,
            asset=charge.gas_asset,
            amount=charge.gas,
            client_order_id=charge.client_order_id,
            purpose=charge.purpose,
            tx_hash=charge.tx_hash,
            reason=charge.reason,
            venue_ts_ns=charge.venue_ts_ns,
        )
        self._emit(event, out)
        return out

    def on_funding(self, payment: FundingPayment, ts_ns: int) -> list[Event]:
        """Book a perpetual funding payment (received when positive) as a balance adjustment."""
        out: list[Event] = []
        reason = f"funding {payment.symbol} rate={payment.rate} position_lots={payment.position_lots}"
        self._emit(
            BalanceAdjusted(
                ts_ns=ts_ns, venue=payment.venue, asset=payment.asset, amount=payment.amount, reason=reason
            ),
            out,
        )
        return out

    # ------------------------------------------------------------------ venue reports
    def on_report(self, report: ExecutionReport, ts_ns: int) -> list[Event]:
        """Turn one venue report into events; refused reports are recorded with a reason."""
        out: list[Event] = []
        state = self.orders.get(report.client_order_id)
        if state is None or state.order.venue != report.venue:
            self._emit(ReportIgnored(ts_ns=ts_ns, report=report, reason="unknown order"), out)
            return out
        kind = report.kind
        if kind is ReportKind.FILL:
            fill = report.fill
            if (  # hot path: a well-formed, new fill that fits; _on_fill handles everything else
                fill is not None
                and 0 < fill.lots <= state.lots - state.filled_lots
                and fill.price_units > 0
                and fill.trade_id not in state.trade_ids
            ):
                filled = OrderFilled(
                    ts_ns=ts_ns, client_order_id=report.client_order_id, fill=fill, venue_ts_ns=report.venue_ts_ns
                )
                self._fill(state, filled)
                out.append(filled)
                return out
            self._on_fill(state, report, ts_ns, out)
            return out
        if kind is ReportKind.ACCEPTED:  # hot path; same outcome as the general one below
            status = state.status
            if status is _S.NEW or status is _S.PENDING_NEW or status is _S.UNKNOWN:
                accepted = OrderAccepted(
                    ts_ns=ts_ns,
                    client_order_id=report.client_order_id,
                    venue_order_id=report.venue_order_id,
                    venue_ts_ns=report.venue_ts_ns,
                )
                self._accept(state, accepted)
                out.append(accepted)
                return out
        event = self._report_event(state, report, ts_ns)
        if event is None:
            return out
        if isinstance(event, ReportIgnored):
            self._emit(event, out)
            return out
        allowed = TRANSITIONS[state.status]
        if type(event) not in allowed or (
            isinstance(event, OrderAccepted) and state.status not in (_S.NEW, _S.PENDING_NEW, _S.UNKNOWN)
        ):
            reason = f"stale or duplicate {kind.value} in state {state.status.value}"
            self._emit(ReportIgnored(ts_ns=ts_ns, report=report, reason=reason), out)
            return out
        self._emit(event, out)
        return out

    def _report_event(self, state: OrderState, report: ExecutionReport, ts_ns: int) -> Event | None:
        coid = report.client_order_id
        vts = report.venue_ts_ns
        kind = report.kind
        if kind is ReportKind.ACCEPTED:
            return OrderAccepted(
                ts_ns=ts_ns, client_order_id=coid, venue_order_id=report.venue_order_id, venue_ts_ns=vts
            )
        if kind is ReportKind.REJECTED:
            return OrderRejected(ts_ns=ts_ns, client_order_id=coid, reason=report.reason, venue_ts_ns=vts)
        if kind is ReportKind.CANCELED:
            return OrderCanceled(ts_ns=ts_ns, client_order_id=coid, venue_ts_ns=vts)
        if kind is ReportKind.CANCEL_REJECTED:
            return OrderCancelRejected(ts_ns=ts_ns, client_order_id=coid, reason=report.reason, venue_ts_ns=vts)
        if kind is ReportKind.EXPIRED:
            return OrderExpired(ts_ns=ts_ns, client_order_id=coid, venue_ts_ns=vts)
        if kind is ReportKind.REPLACE_REJECTED:
            return OrderReplaceRejected(ts_ns=ts_ns, client_order_id=coid, reason=report.reason, venue_ts_ns=vts)
        if kind is ReportKind.REPLACED:
            lots = report.lots if report.lots is not None else state.lots
            grows = lots > (state.pending_lots if state.status is _S.PENDING_REPLACE else state.lots)
            if lots < state.filled_lots or grows:
                return ReportIgnored(ts_ns=ts_ns, report=report, reason="replace quantity not as requested")
            return OrderReplaced(
                ts_ns=ts_ns, client_order_id=coid, price_units=report.price_units, lots=lots, venue_ts_ns=vts
            )
        # STATUS (reconciliation): translate the venue's view into the event it implies
        status = report.status
        if status is None or status is state.status:
            return None
        if status in (_S.ACCEPTED, _S.PARTIALLY_FILLED) and state.status in (_S.NEW, _S.PENDING_NEW, _S.UNKNOWN):
            return OrderAccepted(
                ts_ns=ts_ns, client_order_id=coid, venue_order_id=report.venue_order_id, venue_ts_ns=vts
            )
        if status is _S.CANCELED:
            return OrderCanceled(ts_ns=ts_ns, client_order_id=coid, venue_ts_ns=vts)
        if status is _S.EXPIRED:
            return OrderExpired(ts_ns=ts_ns, client_order_id=coid, venue_ts_ns=vts)
        if status is _S.REJECTED:
            return OrderRejected(
                ts_ns=ts_ns, client_order_id=coid, reason=report.reason or "venue: rejected", venue_ts_ns=vts
            )
        return ReportIgnored(ts_ns=ts_ns, report=report, reason=f"venue status {status.value} needs fills to reconcile")

    def _on_fill(self, state: OrderState, report: ExecutionReport, ts_ns: int, out: list[Event]) -> None:
        fill = report.fill
        if fill is None or fill.lots <= 0 or fill.price_units <= 0:
            self._emit(ReportIgnored(ts_ns=ts_ns, report=report, reason="malformed fill"), out)
            return
        if fill.trade_id in state.trade_ids:
            self._emit(ReportIgnored(ts_ns=ts_ns, report=report, reason=f"duplicate fill {fill.trade_id}"), out)
            return
        room = state.lots - state.filled_lots
        vts = report.venue_ts_ns
        coid = report.client_order_id
        if room <= 0:
            self._emit(
                FillAnomaly(ts_ns=ts_ns, client_order_id=coid, fill=fill, excess_lots=fill.lots, venue_ts_ns=vts), out
            )
            return
        if fill.lots > room:
            counted = Fill(
                trade_id=fill.trade_id,
                lots=room,
                price_units=fill.price_units,
                liquidity=fill.liquidity,
                fee=fill.fee,
                fee_asset=fill.fee_asset,
                gas=fill.gas,
                gas_asset=fill.gas_asset,
            )
            self._emit(OrderFilled(ts_ns=ts_ns, client_order_id=coid, fill=counted, venue_ts_ns=vts), out)
            excess = Fill(
                trade_id=fill.trade_id, lots=fill.lots - room, price_units=fill.price_units, liquidity=fill.liquidity
            )
            self._emit(
                FillAnomaly(
                    ts_ns=ts_ns, client_order_id=coid, fill=excess, excess_lots=fill.lots - room, venue_ts_ns=vts
                ),
                out,
            )
            return
        filled = OrderFilled(ts_ns=ts_ns, client_order_id=coid, fill=fill, venue_ts_ns=vts)
        self._fill(state, filled)
        out.append(filled)

    # ------------------------------------------------------------------ apply (live and replay)
    def apply(self, event: Event) -> None:
        """Apply one journaled event to state. Replay calls exactly this; events that belong to
        other components (risk limits, algo control, market observations) leave the OMS unchanged."""
        handler = self._apply.get(type(event))
        if handler is not None:
            handler(self, event)

    def _transition(self, state: OrderState, event: Event) -> None:
        state.status = next_status(state.status, type(event), state.filled_lots, state.lots)

    def _release(self, state: OrderState, was_working: bool) -> None:
        """Give a no-longer-working child's unfilled quantity back to its parent."""
        if was_working and state.status.is_terminal and state.order.parent_id is not None:
            self.parents[state.order.parent_id].working_units -= (state.lots - state.filled_lots) * state.units_per_lot

    def list_instruments(self, ts_ns: int) -> list[Event]:
        """Journal every registered instrument not yet listed (or listed with other increments)."""
        out: list[Event] = []
        for key, inst in self.instruments.items():
            event = InstrumentListed(
                ts_ns=ts_ns,
                venue=inst.venue,
                symbol=inst.symbol,
                kind=inst.kind.value,
                base=inst.base,
                quote=inst.quote,
                settle=inst.settle,
                price_unit=inst.price_unit,
                lot_size=inst.lot_size,
                contract_size=inst.contract_size,
                inverse=inst.inverse,
            )
            listed = self.listed.get(key)
            if listed is None or msgspec.structs.replace(listed, ts_ns=ts_ns) != event:
                self._emit(event, out)
        return out

    def _a_gas(self, e: GasCharged) -> None:
        self.portfolio.adjust(e.venue, e.asset, -e.amount)
        state = self.orders.get(e.client_order_id)
        if state is not None:
            state.fees[f"gas:{e.asset}"] = state.fees.get(f"gas:{e.asset}", Decimal(0)) + e.amount

    def _a_listed(self, e: InstrumentListed) -> None:
        key = (e.venue, e.symbol)
        self.listed[key] = e
        if key not in self.instruments:  # replay without the venues: the journal describes them
            self.instruments[key] = instrument_from_listing(
                venue=e.venue,
                symbol=e.symbol,
                kind=e.kind,
                base=e.base,
                quote=e.quote,
                settle=e.settle,
                price_unit=e.price_unit,
                lot_size=e.lot_size,
                contract_size=e.contract_size,
                inverse=e.inverse,
            )

    def _a_parent(self, e: ParentOrderSubmitted) -> None:
        self.parents[e.parent.parent_id] = ParentState(e.parent)

    def _a_parent_amended(self, e: ParentOrderAmended) -> None:
        state = self.parents[e.parent.parent_id]
        state.parent = e.parent
        state.quantity_units = e.parent.quantity_units

    def _a_parent_cancel(self, e: ParentOrderCanceled) -> None:
        self.parents[e.parent_id].canceled = True

    def _a_balance(self, e: BalanceAdjusted) -> None:
        self.portfolio.adjust(e.venue, e.asset, e.amount)

    def _a_created(self, e: OrderCreated) -> None:
        order = e.order
        instrument = self.instruments[(order.venue, order.symbol)]
        units_per_lot = 0
        parent = None
        if order.parent_id is not None:
            parent = self.parents[order.parent_id]
            units_per_lot = parent.lot_units(instrument.lot_size)
        self._add_order(order, instrument, parent, units_per_lot)

    def _add_order(
        self, order: ChildOrder, instrument: Instrument, parent: ParentState | None, units_per_lot: int
    ) -> None:
        if parent is not None:
            parent.working_units += order.lots * units_per_lot
            parent.children.append(order.client_order_id)
        self.orders[order.client_order_id] = OrderState(order, instrument, units_per_lot, order.lots, order.price_units)

    def _a_simple(self, e: Event) -> None:
        self._simple(self.orders[e.client_order_id], e)  # type: ignore[attr-defined]

    def _simple(self, state: OrderState, e: Event) -> None:
        was_working = state.status not in _TERMINAL
        status = state.status = next_status(state.status, type(e), state.filled_lots, state.lots)
        if was_working and status in _TERMINAL:
            self._release(state, was_working)

    def _a_accepted(self, e: OrderAccepted) -> None:
        self._accept(self.orders[e.client_order_id], e)

    def _accept(self, state: OrderState, e: OrderAccepted) -> None:
        state.status = next_status(state.status, OrderAccepted, state.filled_lots, state.lots)
        if e.venue_order_id:
            state.venue_order_id = e.venue_order_id

    def _a_replace(self, e: Event) -> None:
        state = self.orders[e.client_order_id]  # type: ignore[attr-defined]
        was_working = not state.status.is_terminal
        self._replace(state, e)
        state.status = next_status(state.status, type(e), state.filled_lots, state.lots)
        self._release(state, was_working)

    def _replace(self, state: OrderState, e: Event) -> None:
        parent = self.parents.get(state.order.parent_id) if state.order.parent_id is not None else None
        upl = state.units_per_lot
        if isinstance(e, OrderPendingReplace):
            state.pending_lots, state.pending_price_units = e.lots, e.price_units
            if parent is not None and e.lots > state.lots:
                parent.working_units += (e.lots - state.lots) * upl  # reserve the increase now
        elif isinstance(e, OrderReplaceRejected):
            if parent is not None and state.status is _S.PENDING_REPLACE and state.pending_lots > state.lots:
                parent.working_units -= (state.pending_lots - state.lots) * upl
            state.pending_lots = 0
        elif isinstance(e, OrderReplaced):
            reserved = state.lots
            if state.status is _S.PENDING_REPLACE:
                reserved = max(state.lots, state.pending_lots)
            if parent is not None:
                parent.working_units += (e.lots - reserved) * upl
            state.lots = e.lots
            state.price_units = e.price_units
            state.pending_lots = 0

    def _a_filled(self, e: OrderFilled) -> None:
        self._fill(self.orders[e.client_order_id], e)

    def _fill(self, state: OrderState, e: OrderFilled) -> None:
        fill = e.fill
        lots = fill.lots
        status = state.status
        was_working = status not in _TERMINAL
        state.trade_ids.add(fill.trade_id)
        filled_lots = state.filled_lots = state.filled_lots + lots
        state.filled_value_units += lots * fill.price_units
        if fill.fee:
            state.fees[fill.fee_asset] = state.fees.get(fill.fee_asset, _DZERO) + fill.fee
        order = state.order
        if order.parent_id is not None:
            parent = self.parents[order.parent_id]
            add = lots * state.units_per_lot
            if was_working:
                parent.working_units -= add
                parent.filled_units += add
            else:  # late fill: its quantity was already released to the parent
                counted = min(add, parent.remaining_units)
                parent.filled_units += counted
                parent.excess_units += add - counted
        state.status = next_status(status, OrderFilled, filled_lots, state.lots)
        self.portfolio.apply_fill(
            state.instrument,
            order.side,
            lots,
            fill.price_units,
            fill.fee,
            fill.fee_asset,
            fill.gas,
            fill.gas_asset,
        )

    def _a_anomaly(self, e: FillAnomaly) -> None:
        state = self.orders[e.client_order_id]
        state.trade_ids.add(e.fill.trade_id)
        self.anomalies.append(e)
        self.portfolio.apply_fill(
            state.instrument,
            state.order.side,
            e.excess_lots,
            e.fill.price_units,
            e.fill.fee,
            e.fill.fee_asset,
            e.fill.gas,
            e.fill.gas_asset,
        )

    def _a_ignored(self, e: ReportIgnored) -> None:
        self.ignored.append(e)

    # ------------------------------------------------------------------ helpers and queries
    def _order(self, client_order_id: str) -> OrderState:
        state = self.orders.get(client_order_id)
        if state is None:
            raise ValidationError(f"unknown client order id {client_order_id}")
        return state

    def _parent(self, parent_id: str) -> ParentState:
        state = self.parents.get(parent_id)
        if state is None:
            raise ValidationError(f"unknown parent order {parent_id}")
        return state

    def _require(self, client_order_id: str, event_type: type[Event]) -> OrderState:
        state = self._order(client_order_id)
        if event_type not in TRANSITIONS[state.status]:
            raise ValidationError(f"{client_order_id}: cannot {event_type.__name__} in state {state.status.value}")
        return state

    def working_orders(self, venue: str | None = None) -> list[OrderState]:
        """Non-terminal orders in creation order (deterministic)."""
        return [
            s for s in self.orders.values() if not s.status.is_terminal and (venue is None or s.order.venue == venue)
        ]

    def snapshot(self) -> dict[str, object]:
        """A canonical, comparable picture of all state (used to prove replay reproduces it)."""
        return {
            "orders": {
                k: (
                    s.status.value,
                    s.lots,
                    s.price_units,
                    s.filled_lots,
                    s.filled_value_units,
                    s.venue_order_id,
                    sorted(s.trade_ids),
                    sorted((a, str(v)) for a, v in s.fees.items()),
                )
                for k, s in self.orders.items()
            },
            "parents": {
                k: (p.filled_units, p.working_units, p.remaining_units, p.excess_units, p.canceled, list(p.children))
                for k, p in self.parents.items()
            },
            "balances": {f"{v}|{a}": str(x) for (v, a), x in sorted(self.portfolio.balances.items())},
            "positions": {
                f"{v}|{s}": (str(p.quantity), str(p.cost), str(p.realised_pnl))
                for (v, s), p in sorted(self.portfolio.positions.items())
            },
            "ignored": len(self.ignored),
            "anomalies": len(self.anomalies),
        }


_APPLY: dict[type[Event], Callable[[OrderManager, Event], None]] = {
    ParentOrderSubmitted: OrderManager._a_parent,  # type: ignore[dict-item]
    InstrumentListed: OrderManager._a_listed,  # type: ignore[dict-item]
    GasCharged: OrderManager._a_gas,  # type: ignore[dict-item]
    ParentOrderCanceled: OrderManager._a_parent_cancel,  # type: ignore[dict-item]
    ParentOrderAmended: OrderManager._a_parent_amended,  # type: ignore[dict-item]
    BalanceAdjusted: OrderManager._a_balance,  # type: ignore[dict-item]
    OrderCreated: OrderManager._a_created,  # type: ignore[dict-item]
    OrderFilled: OrderManager._a_filled,  # type: ignore[dict-item]
    FillAnomaly: OrderManager._a_anomaly,  # type: ignore[dict-item]
    ReportIgnored: OrderManager._a_ignored,  # type: ignore[dict-item]
}
_APPLY[OrderAccepted] = OrderManager._a_accepted  # type: ignore[assignment]
for _t in (
    OrderDenied,
    OrderSubmitted,
    OrderRejected,
    OrderPendingCancel,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderStatusUnknown,
):
    _APPLY[_t] = OrderManager._a_simple
for _r in (OrderPendingReplace, OrderReplaced, OrderReplaceRejected):
    _APPLY[_r] = OrderManager._a_replace
