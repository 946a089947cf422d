"""Journaled engine events: past tense, frozen, one class each.

These are the facts the journal stores and replay re-applies; state (orders, positions,
balances) is a projection of them. Every event carries ``ts_ns``, the engine clock time when it
was recorded; events caused by a venue also carry the venue's own time.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.model.reports import ExecutionReport, Fill

__all__ = [
    "BalanceAdjusted",
    "Event",
    "FillAnomaly",
    "GasCharged",
    "InstrumentListed",
    "MarketTradeObserved",
    "MidObserved",
    "OrderAccepted",
    "OrderCancelRejected",
    "OrderCanceled",
    "OrderCreated",
    "OrderDenied",
    "OrderExpired",
    "OrderFilled",
    "OrderPendingCancel",
    "OrderPendingReplace",
    "OrderRejected",
    "OrderReplaceRejected",
    "OrderReplaced",
    "OrderStatusUnknown",
    "OrderSubmitted",
    "ParentOrderCanceled",
    "ParentOrderSubmitted",
    "ReportIgnored",
    "RoutePlanned",
]


class Event(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="type", gc=False):
    """Base of every journaled event; ``type`` in the encoded form names the class."""

    ts_ns: int


class InstrumentListed(Event, frozen=True, kw_only=True):
    """An instrument the engine can trade, with the increments its integer units stand for, so a
    journal can be read (prices, quantities, TCA) without the configuration that produced it."""

    venue: str
    symbol: str
    kind: str
    base: str
    quote: str
    settle: str
    price_unit: Decimal
    lot_size: Decimal
    contract_size: Decimal
    inverse: bool


class MarketTradeObserved(Event, frozen=True, kw_only=True):
    """A public trade seen in market data (``ours`` when our order was part of it)."""

    venue: str
    symbol: str
    price: Decimal
    quantity: Decimal
    aggressor: str
    ours: bool = False
    venue_ts_ns: int = 0


class MidObserved(Event, frozen=True, kw_only=True):
    """A sample of the consolidated mid price of ``symbol`` (unified symbol across venues)."""

    symbol: str
    mid: Decimal
    bid: Decimal | None = None
    ask: Decimal | None = None


class ChildCostExpected(Event, frozen=True, kw_only=True):
    """The router's predicted all-in cost of a child order (quote asset, cost positive), measured
    from ``reference_price``; TCA compares it with what the child really cost."""

    client_order_id: str
    expected_cost: Decimal
    reference_price: Decimal


class RoutePlanned(Event, frozen=True, kw_only=True):
    """How the router split one child intent, what it expected that to cost (quote asset, cost
    positive), and what the best single venue and an equal split would have cost instead."""

    parent_id: str
    intent_id: str
    quantity: Decimal
    legs: tuple[tuple[str, str], ...]  # (venue, quantity)
    expected_cost: Decimal
    best_single_venue: str = ""
    best_single_venue_cost: Decimal | None = None
    equal_split_cost: Decimal | None = None
    reference_price: Decimal | None = None
    explanation: str = ""


class ParentOrderSubmitted(Event, frozen=True, kw_only=True):
    parent: ParentOrder


class ParentOrderCanceled(Event, frozen=True, kw_only=True):
    parent_id: str
    reason: str = ""


class BalanceAdjusted(Event, frozen=True, kw_only=True):
    """Deposit, withdrawal or funding payment: ``amount`` of ``asset`` at ``venue`` (signed)."""

    venue: str
    asset: str
    amount: Decimal
    reason: str = ""


class OrderCreated(Event, frozen=True, kw_only=True):
    """A child order exists (state NEW) and passed the OMS's own checks."""

    order: ChildOrder


class OrderDenied(Event, frozen=True, kw_only=True):
    """Pre-trade risk refused the order before it reached a venue (NEW → REJECTED)."""

    client_order_id: str
    code: str
    detail: str = ""


class OrderSubmitted(Event, frozen=True, kw_only=True):
    """Sent to the venue (NEW → PENDING_NEW)."""

    client_order_id: str


class OrderAccepted(Event, frozen=True, kw_only=True):
    client_order_id: str
    venue_order_id: str
    venue_ts_ns: int


class OrderRejected(Event, frozen=True, kw_only=True):
    client_order_id: str
    reason: str
    venue_ts_ns: int


class OrderFilled(Event, frozen=True, kw_only=True):
    client_order_id: str
    fill: Fill
    venue_ts_ns: int


class OrderPendingCancel(Event, frozen=True, kw_only=True):
    client_order_id: str


class OrderCanceled(Event, frozen=True, kw_only=True):
    client_order_id: str
    venue_ts_ns: int


class OrderCancelRejected(Event, frozen=True, kw_only=True):
    client_order_id: str
    reason: str
    venue_ts_ns: int


class OrderPendingReplace(Event, frozen=True, kw_only=True):
    client_order_id: str
    price_units: int | None
    lots: int


class OrderReplaced(Event, frozen=True, kw_only=True):
    client_order_id: str
    price_units: int | None
    lots: int
    venue_ts_ns: int


class OrderReplaceRejected(Event, frozen=True, kw_only=True):
    client_order_id: str
    reason: str
    venue_ts_ns: int


class OrderExpired(Event, frozen=True, kw_only=True):
    client_order_id: str
    venue_ts_ns: int


class OrderStatusUnknown(Event, frozen=True, kw_only=True):
    """A venue failure left the outcome unclear; the order awaits reconciliation."""

    client_order_id: str
    reason: str


class FillAnomaly(Event, frozen=True, kw_only=True):
    """A fill beyond the order's quantity (overfill): applied to the position, which reflects
    what the venue says we own, but not to the order or parent accounting."""

    client_order_id: str
    fill: Fill
    excess_lots: int
    venue_ts_ns: int


class GasCharged(Event, frozen=True, kw_only=True):
    """Gas paid by an on-chain transaction without a fill (revert, approval, wrap, cancel)."""

    venue: str
    asset: str
    amount: Decimal
    client_order_id: str
    purpose: str
    tx_hash: str = ""
    reason: str = ""
    venue_ts_ns: int = 0


class ReportIgnored(Event, frozen=True, kw_only=True):
    """An execution report refused by the OMS (duplicate, stale, unknown order...), kept as evidence."""

    report: ExecutionReport
    reason: str
