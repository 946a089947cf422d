"""Price benchmarks: arrival, interval VWAP and interval TWAP slippage, in bps.

Slippage against a benchmark ``B`` is ``s · (avg_fill_price − B) / B · 10⁴`` with ``s`` = +1 for a
buy and −1 for a sell, so a positive number is a cost. It is computed from exact sums
(``s · (Σ q_i p_i − F · B) / (F · B)``) rather than from a rounded average price.

* Arrival: ``B`` = the order's arrival price (the mid when it reached the market).
* VWAP: ``B`` = volume-weighted price of every market trade in ``[start_ts, end_ts]``, ours
  included (prints flagged ``is_ours`` are replaced by our fills in the window, see
  :class:`~slipstream.tca.inputs.MarketPrint`).
* TWAP: ``B`` = time-weighted mid over ``[start_ts, end_ts]``, the mid being a step function that
  holds each sample until the next one; if no sample precedes ``start_ts`` the average starts at
  the first sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slipstream.tca._numeric import bps, divide, fixed_context, mid_at, sorted_mids
from slipstream.tca.inputs import MarketPrint, MidSample, TcaFill, TcaOrder

__all__ = [
    "BenchmarkSlippage",
    "IntervalVolume",
    "benchmark_slippage",
    "interval_volume",
    "time_weighted_mid",
]


@dataclass(frozen=True, slots=True)
class IntervalVolume:
    """Market activity in the order's interval, ours included, and our part of it."""

    market_quantity: Decimal
    market_notional: Decimal
    our_quantity: Decimal
    our_notional: Decimal


@dataclass(frozen=True, slots=True)
class BenchmarkSlippage:
    """Benchmark prices and our slippage against them (bps, cost positive)."""

    arrival_slippage_bps: float | None
    vwap: Decimal | None
    vwap_slippage_bps: float | None
    twap: Decimal | None
    twap_slippage_bps: float | None


def interval_volume(order: TcaOrder, fills: Sequence[TcaFill], prints: Sequence[MarketPrint]) -> IntervalVolume:
    """Sum market and own volume over ``[start_ts_ns, end_ts_ns]`` (both ends included)."""

    def inside(ts_ns: int) -> bool:
        return order.start_ts_ns <= ts_ns <= order.end_ts_ns

    with fixed_context():
        tape = [p for p in prints if inside(p.ts_ns) and not p.is_ours]
        ours = [f for f in fills if inside(f.ts_ns)]
        our_qty = sum((f.quantity for f in ours), Decimal(0))
        our_notional = sum((f.quantity * f.price for f in ours), Decimal(0))
        return IntervalVolume(
            market_quantity=sum((p.quantity for p in tape), Decimal(0)) + our_qty,
            market_notional=sum((p.quantity * p.price for p in tape), Decimal(0)) + our_notional,
            our_quantity=our_qty,
            our_notional=our_notional,
        )


def time_weighted_mid(mids: Sequence[MidSample], start_ts_ns: int, end_ts_ns: int) -> tuple[Decimal, int] | None:
    """Integral of the mid over the interval and its length in ns: ``(Σ mid·Δt, Σ Δt)``.

    A zero-length interval returns the mid in force at ``start_ts_ns`` with weight 1. Returns
    ``None`` when no mid is known inside the interval.
    """
    ordered = sorted_mids(mids)
    times = [m.ts_ns for m in ordered]
    with fixed_context():
        if end_ts_ns == start_ts_ns:
            value = mid_at(ordered, times, start_ts_ns)
            return None if value is None else (value, 1)
        knots: list[tuple[int, Decimal]] = []
        first = mid_at(ordered, times, start_ts_ns)
        if first is not None:
            knots.append((start_ts_ns, first))
        knots.extend((m.ts_ns, m.mid) for m in ordered if start_ts_ns < m.ts_ns < end_ts_ns)
        if not knots:
            return None
        integral = Decimal(0)
        for (ts_ns, mid), next_ts in zip(knots, [k[0] for k in knots[1:]] + [end_ts_ns], strict=True):
            integral += mid * (next_ts - ts_ns)
        return integral, end_ts_ns - knots[0][0]


def benchmark_slippage(
    order: TcaOrder,
    fills: Sequence[TcaFill],
    prints: Sequence[MarketPrint],
    mids: Sequence[MidSample],
    volume: IntervalVolume | None = None,
) -> BenchmarkSlippage:
    """Arrival, VWAP and TWAP slippage of all ``fills`` (``None`` where undefined).

    Arrival slippage needs at least one fill; VWAP needs market volume in the interval; TWAP
    needs a mid in the interval. ``volume`` may pass in :func:`interval_volume` already computed
    for the same inputs.
    """
    sign = order.side_sign
    with fixed_context():
        filled = sum((f.quantity for f in fills), Decimal(0))
        notional = sum((f.quantity * f.price for f in fills), Decimal(0))
        arrival_cost = sign * (notional - filled * order.arrival_price)
        arrival = bps(arrival_cost, filled * order.arrival_price)

        volume = volume or interval_volume(order, fills, prints)
        vwap: Decimal | None = None
        vwap_bps: float | None = None
        if volume.market_quantity > 0:
            vwap = divide(volume.market_notional, volume.market_quantity)
            if filled > 0:
                # s·(N/F − V/M)/(V/M) = s·(N·M − F·V)/(F·V), exact.
                vwap_bps = bps(
                    sign * (notional * volume.market_quantity - filled * volume.market_notional),
                    filled * volume.market_notional,
                )

        twap: Decimal | None = None
        twap_bps: float | None = None
        weighted = time_weighted_mid(mids, order.start_ts_ns, order.end_ts_ns)
        if weighted is not None:
            integral, length = weighted
            twap = divide(integral, Decimal(length))
            if filled > 0:
                twap_bps = bps(sign * (notional * length - filled * integral), filled * integral)

    return BenchmarkSlippage(
        arrival_slippage_bps=arrival,
        vwap=vwap,
        vwap_slippage_bps=vwap_bps,
        twap=twap,
        twap_slippage_bps=twap_bps,
    )
