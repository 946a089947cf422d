"""How the order took part in the market: participation, fill rate, passive share, queue wait.

* participation rate = our quantity filled in ``[start_ts, end_ts]`` / market quantity traded in
  that interval *including ours* (so it is at most 1);
* fill rate = total filled / order quantity;
* passive share = quantity filled as maker / total filled;
* average queue wait = quantity-weighted mean of ``queue_wait_ns`` over the fills that report it,
  in seconds (a resting order that fills in pieces counts each piece by its size).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slipstream.tca._numeric import divide, fixed_context
from slipstream.tca.benchmarks import IntervalVolume, interval_volume
from slipstream.tca.inputs import MarketPrint, TcaFill, TcaOrder

__all__ = ["Participation", "participation"]

_NS_PER_S = Decimal(1_000_000_000)


@dataclass(frozen=True, slots=True)
class Participation:
    """Participation statistics; ratios are in [0, 1], ``None`` where undefined."""

    filled_quantity: Decimal
    participation_rate: float | None
    fill_rate: float
    passive_share: float | None
    avg_queue_wait_s: float | None


def participation(
    order: TcaOrder,
    fills: Sequence[TcaFill],
    prints: Sequence[MarketPrint],
    volume: IntervalVolume | None = None,
) -> Participation:
    """Participation statistics of ``fills`` against the market ``prints``.

    ``volume`` may pass in :func:`~slipstream.tca.benchmarks.interval_volume` already computed
    for the same inputs.
    """
    with fixed_context():
        filled = sum((f.quantity for f in fills), Decimal(0))
        volume = volume or interval_volume(order, fills, prints)
        rate = float(divide(volume.our_quantity, volume.market_quantity)) if volume.market_quantity > 0 else None
        maker = sum((f.quantity for f in fills if f.liquidity == "maker"), Decimal(0))
        passive = float(divide(maker, filled)) if filled > 0 else None
        waited = [f for f in fills if f.queue_wait_ns is not None]
        wait_qty = sum((f.quantity for f in waited), Decimal(0))
        wait: float | None = None
        if wait_qty > 0:
            weighted = sum((f.quantity * (f.queue_wait_ns or 0) for f in waited), Decimal(0))
            wait = float(divide(weighted, wait_qty * _NS_PER_S))
        return Participation(
            filled_quantity=filled,
            participation_rate=rate,
            fill_rate=float(divide(filled, order.quantity)),
            passive_share=passive,
            avg_queue_wait_s=wait,
        )
