"""Order-level pre-trade checks: each a small class judging one :class:`OrderRequest`.

An :class:`OrderRequest` is a child order or a parent order in one shape (quantity and price as
``Decimal`` of one instrument), so parents and children pass the same rules. A check reads what
it needs from :class:`RiskContext` (limits, time, reference prices, the OMS) and returns ``None``
or a :class:`~slipstream.risk.base.RiskDenial` with a stable code and key=value context.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from slipstream.model.enums import Side
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder
from slipstream.oms.manager import OrderManager
from slipstream.risk.base import RiskDenial
from slipstream.risk.exposure import notional_value, reference_price
from slipstream.risk.limits import InstrumentLimits, RiskLimits, duration_ns
from slipstream.risk.reasons import RiskReason as R
from slipstream.risk.references import ReferencePrices

__all__ = [
    "Check",
    "ExpiryCheck",
    "FatFingerCheck",
    "MaxOrderNotionalCheck",
    "MaxOrderQuantityCheck",
    "OrderRequest",
    "PriceBandCheck",
    "RiskContext",
    "TradingHoursCheck",
]


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a check judges. ``venue`` is the instrument's venue (for a parent: the venue whose
    instrument stands for the symbol); ``order_id`` is the client or parent order id."""

    order_id: str
    account: str
    instrument: Instrument
    side: Side
    quantity: Decimal
    price: Decimal | None
    is_parent: bool = False
    reduce_only: bool = False

    @property
    def venue(self) -> str:
        return self.instrument.venue

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

    @classmethod
    def from_child(cls, order: ChildOrder, instrument: Instrument) -> OrderRequest:
        price = None if order.price_units is None else instrument.units_to_price(order.price_units)
        return cls(
            order_id=order.client_order_id,
            account=order.account,
            instrument=instrument,
            side=order.side,
            quantity=instrument.lots_to_quantity(order.lots),
            price=price,
            reduce_only=order.reduce_only,
        )


@dataclass(slots=True)
class RiskContext:
    """The state a check may read; built once per decision by the risk engine."""

    limits: RiskLimits
    now_ns: int
    references: ReferencePrices
    oms: OrderManager

    def instrument_limits(self, request: OrderRequest) -> InstrumentLimits | None:
        return self.limits.instrument(request.symbol)

    def reference(self, request: OrderRequest, limits: InstrumentLimits) -> Decimal | None:
        return reference_price(self.references, request.instrument, limits.reference)


class Check(Protocol):
    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None: ...


class ExpiryCheck:
    """Refuses a dated instrument (future, option) at or after ``expiry - expiry_cutoff``."""

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        expiry = getattr(request.instrument, "expiry_ts_ns", None)
        if expiry is None:
            return None
        limits = context.instrument_limits(request)
        cutoff_ns = duration_ns(limits.expiry_cutoff) if limits is not None else 0
        last = expiry - cutoff_ns
        if context.now_ns >= last:
            return RiskDenial.of(R.EXPIRED_INSTRUMENT, symbol=request.symbol, now_ns=context.now_ns,
                                 expiry_ns=expiry, cutoff_ns=cutoff_ns)
        return None


class TradingHoursCheck:
    """Refuses outside the instrument's configured sessions (no sessions = always open)."""

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        limits = context.instrument_limits(request)
        if limits is None or not limits.sessions:
            return None
        if any(session.contains(context.now_ns) for session in limits.sessions):
            return None
        return RiskDenial.of(R.TRADING_HOURS, symbol=request.symbol, now_ns=context.now_ns)


class MaxOrderQuantityCheck:
    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        limits = context.instrument_limits(request)
        if limits is None or limits.max_order_quantity is None or request.quantity <= limits.max_order_quantity:
            return None
        return RiskDenial.of(R.MAX_ORDER_QTY, symbol=request.symbol, quantity=request.quantity,
                             limit=limits.max_order_quantity)


class MaxOrderNotionalCheck:
    """Order value at its price; a market order is valued at the reference (refused if none)."""

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        limits = context.instrument_limits(request)
        if limits is None or limits.max_order_notional is None:
            return None
        price = request.price if request.price is not None else context.reference(request, limits)
        notional = notional_value(request.instrument, request.quantity, price)
        if notional is None:
            return RiskDenial.of(R.NO_REFERENCE_PRICE, symbol=request.symbol, venue=request.venue,
                                 reference=limits.reference.value)
        if notional > limits.max_order_notional:
            return RiskDenial.of(R.MAX_ORDER_NOTIONAL, symbol=request.symbol, notional=notional,
                                 limit=limits.max_order_notional)
        return None


def _deviation(price: Decimal, reference: Decimal) -> Decimal:
    return (price - reference) / reference


class FatFingerCheck:
    """A price further than ``fat_finger`` from the reference in either direction is a typo.

    Without a reference the check cannot judge and refuses (fail closed)."""

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        limits = context.instrument_limits(request)
        if limits is None or limits.fat_finger is None or request.price is None:
            return None
        reference = context.reference(request, limits)
        if reference is None:
            return RiskDenial.of(R.NO_REFERENCE_PRICE, symbol=request.symbol, venue=request.venue,
                                 reference=limits.reference.value)
        deviation = _deviation(request.price, reference)
        if abs(deviation) > limits.fat_finger:
            return RiskDenial.of(R.FAT_FINGER, symbol=request.symbol, price=request.price, reference=reference,
                                 limit=limits.fat_finger)
        return None


class PriceBandCheck:
    """An aggressive price (buy above / sell below the reference) beyond ``price_band`` is refused.

    Market orders are not judged here (they have no price); bound their size instead."""

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        limits = context.instrument_limits(request)
        if limits is None or limits.price_band is None or request.price is None:
            return None
        reference = context.reference(request, limits)
        if reference is None:
            return RiskDenial.of(R.NO_REFERENCE_PRICE, symbol=request.symbol, venue=request.venue,
                                 reference=limits.reference.value)
        through = _deviation(request.price, reference) * (1 if request.side is Side.BUY else -1)
        if through > limits.price_band:
            return RiskDenial.of(R.PRICE_BAND, symbol=request.symbol, side=request.side.value, price=request.price,
                                 reference=reference, band=limits.price_band)
        return None
