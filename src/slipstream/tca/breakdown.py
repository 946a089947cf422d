"""Per-venue and per-order-type breakdown, and the router's prediction error.

Each row groups fills by a key (venue or order type) and reports quantity, average price, fees,
gas and cost against the parent's arrival price ``P_a`` (cost positive)::

    slippage  = s · (Σ q_i p_i − Σ q_i · P_a)                 price only
    all-in    = slippage + Σ fee_in_quote + Σ gas_in_quote
    bps       = amount / (Σ q_i · P_a) · 10⁴

Prediction error compares what the router expected with what happened, over the fills that carry
``expected_cost_in_quote``; each fill's realised cost is measured the way the router measured its
expectation, from the fill's ``reference_price`` (arrival price if ``None``)::

    realised_i        = s · q_i · (p_i − ref_i) + fee_in_quote_i + gas_in_quote_i
    prediction error  = Σ realised_i − Σ expected_i        (positive = costlier than predicted)
    error bps         = prediction error / Σ q_i · ref_i · 10⁴
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from slipstream.tca._numeric import bps, divide, fixed_context
from slipstream.tca.inputs import TcaFill, TcaOrder

__all__ = [
    "BreakdownRow",
    "PredictionError",
    "breakdown",
    "by_order_type",
    "by_venue",
    "prediction_error",
]


@dataclass(frozen=True, slots=True)
class PredictionError:
    """Realised minus expected cost over the fills the router priced (quote asset)."""

    fills: int
    expected: Decimal
    realised: Decimal
    error: Decimal
    error_bps: float | None


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """Aggregate of the fills sharing one key."""

    key: str
    fills: int
    quantity: Decimal
    avg_price: Decimal
    notional: Decimal
    fees: Decimal
    gas: Decimal
    maker_share: float
    slippage: Decimal
    slippage_bps: float | None
    all_in_cost: Decimal
    all_in_bps: float | None
    prediction: PredictionError | None


def prediction_error(order: TcaOrder, fills: Sequence[TcaFill]) -> PredictionError | None:
    """Prediction error over the fills with an expected cost, ``None`` if there are none."""
    priced = [f for f in fills if f.expected_cost_in_quote is not None]
    if not priced:
        return None
    sign = order.side_sign
    with fixed_context():
        expected = Decimal(0)
        realised = Decimal(0)
        reference_notional = Decimal(0)
        for fill in priced:
            reference = order.arrival_price if fill.reference_price is None else fill.reference_price
            expected += fill.expected_cost_in_quote or Decimal(0)
            realised += sign * fill.quantity * (fill.price - reference) + fill.fee_in_quote + fill.gas_in_quote
            reference_notional += fill.quantity * reference
        error = realised - expected
        return PredictionError(
            fills=len(priced),
            expected=expected,
            realised=realised,
            error=error,
            error_bps=bps(error, reference_notional),
        )


def _row(order: TcaOrder, key: str, fills: Sequence[TcaFill]) -> BreakdownRow:
    sign = order.side_sign
    quantity = sum((f.quantity for f in fills), Decimal(0))
    notional = sum((f.quantity * f.price for f in fills), Decimal(0))
    fees = sum((f.fee_in_quote for f in fills), Decimal(0))
    gas = sum((f.gas_in_quote for f in fills), Decimal(0))
    maker = sum((f.quantity for f in fills if f.liquidity == "maker"), Decimal(0))
    arrival_notional = quantity * order.arrival_price
    slippage = sign * (notional - arrival_notional)
    all_in = slippage + fees + gas
    return BreakdownRow(
        key=key,
        fills=len(fills),
        quantity=quantity,
        avg_price=divide(notional, quantity),
        notional=notional,
        fees=fees,
        gas=gas,
        maker_share=float(divide(maker, quantity)),
        slippage=slippage,
        slippage_bps=bps(slippage, arrival_notional),
        all_in_cost=all_in,
        all_in_bps=bps(all_in, arrival_notional),
        prediction=prediction_error(order, fills),
    )


def breakdown(order: TcaOrder, fills: Sequence[TcaFill], key: Callable[[TcaFill], str]) -> tuple[BreakdownRow, ...]:
    """One row per distinct ``key(fill)``, sorted by key (a fixed order, never dict order)."""
    groups: dict[str, list[TcaFill]] = {}
    for fill in fills:
        groups.setdefault(key(fill), []).append(fill)
    with fixed_context():
        return tuple(_row(order, name, groups[name]) for name in sorted(groups))


def by_venue(order: TcaOrder, fills: Sequence[TcaFill]) -> tuple[BreakdownRow, ...]:
    """Breakdown rows per venue."""
    return breakdown(order, fills, lambda fill: fill.venue)


def by_order_type(order: TcaOrder, fills: Sequence[TcaFill]) -> tuple[BreakdownRow, ...]:
    """Breakdown rows per child order type."""
    return breakdown(order, fills, lambda fill: fill.order_type)
