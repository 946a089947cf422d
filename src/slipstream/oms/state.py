"""The child-order state table: (status, event type) → status. Nothing else changes a status.

Fills are special: the status they lead to depends on quantity (partial or complete), so the
table maps them to a marker resolved by :func:`next_status`. A fill after a cancel or expiry is
a *late fill*: it is applied (never dropped) and the terminal status stays, unless the order is
now complete.
"""

from __future__ import annotations

from slipstream.errors import IllegalTransition
from slipstream.model.enums import OrderStatus as S
from slipstream.model.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
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
)

__all__ = ["TRANSITIONS", "next_status"]

_FILL = "fill"  # resolved by quantity
_KEEP = "keep"  # status unchanged
_BACK = "back"  # back to the status before the pending request

_LIVE: dict[type[Event], object] = {
    OrderFilled: _FILL,
    OrderPendingCancel: S.PENDING_CANCEL,
    OrderPendingReplace: S.PENDING_REPLACE,
    OrderCanceled: S.CANCELED,
    OrderExpired: S.EXPIRED,
    OrderStatusUnknown: S.UNKNOWN,
    OrderReplaced: _BACK,  # unsolicited replace by the venue (e.g. a self-trade decrement)
    OrderAccepted: _KEEP,  # repeated ack carries no news
}

TRANSITIONS: dict[S, dict[type[Event], object]] = {
    # A report for an order we never marked as sent means it was sent just before a crash:
    # the venue's word wins (never assume failure).
    S.NEW: {
        OrderSubmitted: S.PENDING_NEW,
        OrderDenied: S.REJECTED,
        OrderAccepted: S.ACCEPTED,
        OrderRejected: S.REJECTED,
        OrderFilled: _FILL,
        OrderCanceled: S.CANCELED,
        OrderStatusUnknown: S.UNKNOWN,
    },
    S.PENDING_NEW: {
        OrderAccepted: S.ACCEPTED,
        OrderRejected: S.REJECTED,
        OrderFilled: _FILL,
        OrderCanceled: S.CANCELED,
        OrderExpired: S.EXPIRED,
        OrderStatusUnknown: S.UNKNOWN,
        OrderPendingCancel: S.PENDING_CANCEL,
    },
    # A reject after the ack: on-chain, the ack is mempool entry and the swap can still revert.
    S.ACCEPTED: {**_LIVE, OrderRejected: S.REJECTED},
    S.PARTIALLY_FILLED: dict(_LIVE),
    S.PENDING_CANCEL: {
        OrderCanceled: S.CANCELED,
        OrderCancelRejected: _BACK,
        OrderFilled: _FILL,
        OrderExpired: S.EXPIRED,
        OrderAccepted: _KEEP,
        OrderRejected: S.REJECTED,
        OrderStatusUnknown: S.UNKNOWN,
    },
    S.PENDING_REPLACE: {
        OrderReplaced: _BACK,
        OrderReplaceRejected: _BACK,
        OrderFilled: _FILL,
        OrderCanceled: S.CANCELED,
        OrderExpired: S.EXPIRED,
        OrderAccepted: _KEEP,
        OrderStatusUnknown: S.UNKNOWN,
        OrderPendingCancel: S.PENDING_CANCEL,
    },
    S.UNKNOWN: {
        OrderAccepted: _BACK,
        OrderFilled: _FILL,
        OrderCanceled: S.CANCELED,
        OrderRejected: S.REJECTED,
        OrderExpired: S.EXPIRED,
        OrderStatusUnknown: _KEEP,
        OrderPendingCancel: S.PENDING_CANCEL,
    },
    S.CANCELED: {OrderFilled: _FILL},
    S.EXPIRED: {OrderFilled: _FILL},
    S.REJECTED: {OrderFilled: _FILL},
    S.FILLED: {},
}


def next_status(status: S, event_type: type[Event], filled_after: int, lots: int) -> S:
    """The status an order moves to when ``event_type`` is applied.

    Args:
        status: current status.
        event_type: the event's class.
        filled_after: filled lots once the event is applied.
        lots: the order's quantity in lots.

    Returns:
        The new status.

    Raises:
        IllegalTransition: the table has no entry for (status, event type).
    """
    target = TRANSITIONS[status].get(event_type)
    if target.__class__ is S:  # the common case: a fixed next status
        return target
    if target is None:
        raise IllegalTransition(f"{event_type.__name__} not allowed in state {status.value}")
    if target is _KEEP:
        return status
    if target is _BACK:
        if filled_after >= lots:
            return S.FILLED
        return S.PARTIALLY_FILLED if filled_after else S.ACCEPTED
    if target is _FILL:
        if filled_after >= lots:
            return S.FILLED
        if status in (S.CANCELED, S.EXPIRED, S.REJECTED, S.PENDING_CANCEL, S.PENDING_REPLACE):
            return status
        return S.PARTIALLY_FILLED
    raise IllegalTransition(f"bad table entry {target!r} for {event_type.__name__} in state {status.value}")
