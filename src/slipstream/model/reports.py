"""What venues tell us: execution reports and the fills inside them.

Reports are *inputs*: they may be duplicated, late, out of order or wrong. The OMS turns each one
into zero or more journaled events, and records every report it refuses with a reason.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import msgspec

from slipstream.model.enums import Liquidity, OrderStatus

__all__ = ["ExecutionReport", "Fill", "FundingPayment", "GasCharge", "ReportKind"]


class ReportKind(str, Enum):
    """What happened at the venue."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FILL = "fill"
    CANCELED = "canceled"
    CANCEL_REJECTED = "cancel_rejected"
    REPLACED = "replaced"
    REPLACE_REJECTED = "replace_rejected"
    EXPIRED = "expired"
    STATUS = "status"  # reconciliation: the venue's view of the order, no trade in it


class Fill(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One execution: ``lots`` at ``price_units`` of the child's instrument.

    ``fee`` is in ``fee_asset`` (it can be the base, the quote, or a venue token such as BNB);
    ``gas`` is in ``gas_asset`` (on-chain venues only). Negative fees are rebates.
    """

    trade_id: str
    lots: int
    price_units: int
    liquidity: Liquidity
    fee: Decimal = Decimal(0)
    fee_asset: str = ""
    gas: Decimal = Decimal(0)
    gas_asset: str = ""


class ExecutionReport(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A venue's message about one of our child orders (FIX ExecutionReport semantics).

    ``cum_lots``/``leaves_lots`` are the venue's running totals when it provides them; the OMS uses
    trade ids, not these totals, to decide whether a fill is new, so reordering is harmless.
    """

    venue: str
    client_order_id: str
    kind: ReportKind
    venue_ts_ns: int
    receive_ts_ns: int
    venue_order_id: str = ""
    fill: Fill | None = None
    cum_lots: int | None = None
    leaves_lots: int | None = None
    status: OrderStatus | None = None
    price_units: int | None = None  # replaced orders: the new price
    lots: int | None = None  # replaced orders: the new quantity
    reason: str = ""


class GasCharge(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Gas paid by an on-chain transaction that produced no fill (revert, approval, wrap,
    cancel). It cannot ride on a :class:`Fill`, so venues report it on its own."""

    venue: str
    account: str
    client_order_id: str
    tx_hash: str
    purpose: str  # "swap" (reverted), "approve", "wrap" or "cancel"
    gas: Decimal
    gas_asset: str
    venue_ts_ns: int
    reason: str = ""


class FundingPayment(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Funding settled on our position: ``amount`` (in ``asset``) is received if positive."""

    venue: str
    symbol: str
    ts_ns: int
    receive_ts_ns: int
    rate: Decimal
    amount: Decimal
    asset: str
    position_lots: int
    mark_price: Decimal
