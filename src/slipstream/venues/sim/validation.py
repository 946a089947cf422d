"""The simulated venue's own order checks and the typed reasons it rejects with.

A reject reason is a stable code plus ``key=value`` context, never free text, so that callers
(risk, the router's venue-health logic, tests) can branch on the code. The codes follow the
filters real venues name (Binance ``PRICE_FILTER``/``LOT_SIZE``/``MIN_NOTIONAL``…).
"""

from __future__ import annotations

from enum import Enum

from slipstream.model.enums import OrderType, TimeInForce
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder

__all__ = ["RejectCode", "check_order", "reject_reason"]


class RejectCode(str, Enum):
    """Why the venue refused a request."""

    UNKNOWN_SYMBOL = "UNKNOWN_SYMBOL"
    PRICE_FILTER = "PRICE_FILTER"  # price off the tick grid
    LOT_SIZE = "LOT_SIZE"  # below the minimum quantity
    MIN_NOTIONAL = "MIN_NOTIONAL"
    ORDER_TYPE = "ORDER_TYPE"  # type this venue does not support (stops)
    POST_ONLY_WOULD_TAKE = "POST_ONLY_WOULD_TAKE"
    GTD_IN_PAST = "GTD_IN_PAST"
    DUPLICATE_ORDER_ID = "DUPLICATE_ORDER_ID"
    RATE_LIMITED = "RATE_LIMITED"
    VENUE_UNAVAILABLE = "VENUE_UNAVAILABLE"
    UNKNOWN_ORDER = "UNKNOWN_ORDER"
    REPLACE_BELOW_FILLED = "REPLACE_BELOW_FILLED"
    NO_LIQUIDITY = "NO_LIQUIDITY"


def reject_reason(code: RejectCode, **context: object) -> str:
    """``"CODE k=v k=v"`` with keys sorted, so the text is stable."""
    if not context:
        return code.value
    return code.value + " " + " ".join(f"{k}={context[k]}" for k in sorted(context))


def check_order(
    order: ChildOrder,
    instrument: Instrument,
    now_ns: int,
    reference_price_units: int | None,
) -> str | None:
    """The reject reason for ``order`` at this venue, or ``None`` when it may trade.

    Args:
        order: the request as it arrived.
        instrument: the listed instrument (same symbol).
        now_ns: venue time at arrival (for GTD expiry).
        reference_price_units: price used for a market order's notional check (the touch it
            would take from); ``None`` skips that check.

    Returns:
        A :func:`reject_reason` string, or ``None``.
    """
    if order.order_type in (OrderType.STOP, OrderType.STOP_LIMIT):
        return reject_reason(RejectCode.ORDER_TYPE, type=order.order_type.value)
    price = order.price_units
    if price is not None and not instrument.is_on_tick(price):
        return reject_reason(RejectCode.PRICE_FILTER, price_units=price)
    quantity = instrument.lot_size * order.lots
    if quantity < instrument.min_quantity:
        return reject_reason(RejectCode.LOT_SIZE, quantity=quantity.normalize(),
                             minimum=instrument.min_quantity.normalize())
    notional_price = price if price is not None else reference_price_units
    if notional_price is not None and instrument.min_notional > 0:
        notional = instrument.notional(notional_price, order.lots)
        if notional < instrument.min_notional:
            return reject_reason(RejectCode.MIN_NOTIONAL, notional=notional.normalize(),
                                 minimum=instrument.min_notional.normalize())
    if (order.time_in_force is TimeInForce.GTD and order.expire_ts_ns is not None
            and order.expire_ts_ns <= now_ns):
        return reject_reason(RejectCode.GTD_IN_PAST, expire_ts_ns=order.expire_ts_ns, now_ns=now_ns)
    return None
