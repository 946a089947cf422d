"""One call that runs every TCA measure on one parent order: :func:`analyse`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.tca._numeric import divide, fixed_context, mid_at, sorted_mids
from slipstream.tca.benchmarks import benchmark_slippage, interval_volume
from slipstream.tca.breakdown import by_order_type, by_venue, prediction_error
from slipstream.tca.inputs import MarketPrint, MidSample, TcaFill, TcaOrder
from slipstream.tca.markouts import DEFAULT_HORIZONS, markouts
from slipstream.tca.participation import participation
from slipstream.tca.result import TcaResult
from slipstream.tca.shortfall import implementation_shortfall
from slipstream.tca.timing import split_impact

__all__ = ["TcaConfig", "analyse"]


@dataclass(frozen=True, slots=True)
class TcaConfig:
    """Knobs of a TCA run.

    Attributes:
        markout_horizons: horizons to mark fills to, positive and distinct.
    """

    markout_horizons: tuple[timedelta, ...] = field(default=DEFAULT_HORIZONS)

    def __post_init__(self) -> None:
        if len(set(self.markout_horizons)) != len(self.markout_horizons):
            raise ValidationError("markout horizons must be distinct")
        for horizon in self.markout_horizons:
            if horizon <= timedelta(0):
                raise ValidationError(f"markout horizon must be positive, got {horizon}")


def _check_fills(order: TcaOrder, fills: Sequence[TcaFill]) -> tuple[TcaFill, ...]:
    for fill in fills:
        if fill.side != order.side:
            raise ValidationError(f"fill {fill.child_id} is a {fill.side} but the order is a {order.side}")
    # A fixed order (time, then child id, then venue) so sums and charts never depend on input
    # order beyond the journal's own sequence for exact ties.
    return tuple(sorted(fills, key=lambda f: (f.ts_ns, f.child_id, f.venue)))


def _end_price(order: TcaOrder, mids: Sequence[MidSample]) -> Decimal | None:
    if order.end_price is not None:
        return order.end_price
    ordered = sorted_mids(mids)
    return mid_at(ordered, [m.ts_ns for m in ordered], order.end_ts_ns)


def analyse(
    order: TcaOrder,
    fills: Sequence[TcaFill],
    prints: Sequence[MarketPrint] = (),
    mids: Sequence[MidSample] = (),
    config: TcaConfig | None = None,
) -> TcaResult:
    """Run transaction-cost analysis of one parent order.

    Args:
        order: the parent order (decision, arrival, interval, optional schedule and end price).
        fills: every execution of its children.
        prints: market trades (for VWAP and participation); may be empty.
        mids: mid-price samples (for TWAP, markouts and the end price); may be empty.
        config: markout horizons; defaults to 1 s, 10 s, 60 s, 5 min.

    Returns:
        The frozen result; ``result.to_dict()`` is its stable JSON form.

    Raises:
        ValidationError: a fill's side differs from the order's, fills exceed the order
            quantity, or part is unfilled and no end price can be found.
    """
    config = config or TcaConfig()
    ordered = _check_fills(order, fills)
    mids = sorted_mids(mids)
    with fixed_context():
        volume = interval_volume(order, ordered, prints)
        notional = sum((f.quantity * f.price for f in ordered), Decimal(0))
        filled = sum((f.quantity for f in ordered), Decimal(0))
        avg_price = divide(notional, filled) if filled > 0 else None
        shortfall = implementation_shortfall(order, ordered, _end_price(order, mids))
        return TcaResult(
            symbol=order.symbol,
            side=order.side,
            quote_asset=order.quote_asset,
            order_quantity=order.quantity,
            fill_count=len(ordered),
            notional=notional,
            avg_price=avg_price,
            decision_price=order.decision_price,
            arrival_price=order.arrival_price,
            shortfall=shortfall,
            benchmarks=benchmark_slippage(order, ordered, prints, mids, volume),
            participation=participation(order, ordered, prints, volume),
            markouts=markouts(order, ordered, mids, config.markout_horizons),
            venues=by_venue(order, ordered),
            order_types=by_order_type(order, ordered),
            prediction=prediction_error(order, ordered),
            impact_split=split_impact(order, ordered, mids),
        )
