"""Per-venue pre-trade checks: the venue's circuit breaker, open orders and order rate.

The rate throttle is a sliding window of approved child orders per venue, sized to the venue's
published limit times a headroom (so cancels and retries keep room). It is a throttle, not a
journaled fact: after a restart it starts empty, which errs towards the venue's own limit.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

from slipstream.risk.base import RiskDenial
from slipstream.risk.checks import OrderRequest, RiskContext
from slipstream.risk.exposure import ExposureBook
from slipstream.risk.reasons import RiskReason as R

__all__ = ["MaxOpenOrdersCheck", "OrderRateCheck", "VenueDownCheck", "VenueGate"]


class VenueGate(Protocol):
    """Answers whether routing to a venue is stopped (a venue circuit breaker)."""

    def is_open(self, venue: str) -> bool:
        """True when the breaker is *open*: no orders may go to ``venue``."""
        ...


class VenueDownCheck:
    """Refuses child orders to a venue whose breaker is open (parents are venue-neutral)."""

    def __init__(self, gate: VenueGate | None = None) -> None:
        self.gate = gate

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        if self.gate is None or request.is_parent or not self.gate.is_open(request.venue):
            return None
        return RiskDenial.of(R.VENUE_DOWN, venue=request.venue)


class MaxOpenOrdersCheck:
    """Refuses a child when the venue already holds ``max_open_orders`` working orders of ours.

    Counts come from ``book``, which the caller has synced with ``context.oms``.
    """

    def __init__(self, book: ExposureBook) -> None:
        self.book = book

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        limits = context.limits.venue(request.venue)
        if request.is_parent or limits is None or limits.max_open_orders is None:
            return None
        open_orders = self.book.open_orders(request.venue, exclude=request.order_id)
        if open_orders >= limits.max_open_orders:
            return RiskDenial.of(R.MAX_OPEN_ORDERS, venue=request.venue, open=open_orders,
                                 limit=limits.max_open_orders)
        return None


class OrderRateCheck:
    """At most ``allowed_orders`` child orders per venue in any window of the configured length.

    Call :meth:`record` once an order is approved by every check.
    """

    def __init__(self) -> None:
        self._sent: dict[str, deque[int]] = {}

    def _window(self, venue: str, now_ns: int, window_ns: int) -> deque[int]:
        sent = self._sent.setdefault(venue, deque())
        while sent and sent[0] <= now_ns - window_ns:
            sent.popleft()
        return sent

    def check(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        limits = context.limits.venue(request.venue)
        if request.is_parent or limits is None or limits.max_order_rate is None:
            return None
        allowed = limits.allowed_orders
        rate = limits.max_order_rate
        sent = self._window(request.venue, context.now_ns, rate.window_ns)
        if allowed is not None and len(sent) >= allowed:
            return RiskDenial.of(R.ORDER_RATE, venue=request.venue, sent=len(sent), allowed=allowed,
                                 window_ns=rate.window_ns)
        return None

    def record(self, venue: str, now_ns: int) -> None:
        self._sent.setdefault(venue, deque()).append(now_ns)

    def in_window(self, venue: str, now_ns: int, window_ns: int) -> int:
        """Approved orders to ``venue`` in the window ending at ``now_ns`` (rate headroom)."""
        return len(self._window(venue, now_ns, window_ns))
