"""Markouts: how the mid moved after each fill — information leakage and adverse selection.

For a fill ``(t_i, q_i, p_i)`` and horizon ``h`` the markout is the P&L of marking the fill to the
mid ``h`` later, in **P&L sign** (positive = the market moved our way, good for us)::

    pnl_i(h)  = s · q_i · (mid(t_i + h) − p_i)         s = +1 buy, −1 sell
    markout(h) = Σ pnl_i(h) / Σ q_i p_i · 10⁴  bps     (notional-weighted over covered fills)

Note the sign is the opposite of the cost convention used elsewhere in TCA: a fill that is
immediately run over by the market (adverse selection) shows a *negative* markout.

``mid(t)`` is the last sample at or before ``t``. A fill is *covered* at ``h`` only when the mid
data reaches ``t_i + h`` (some sample at or after it); uncovered fills are left out and reported
through ``coverage``; a horizon with no covered fill has ``bps = None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.tca._numeric import bps, divide, fixed_context, mid_at, sorted_mids
from slipstream.tca.inputs import MidSample, TcaFill, TcaOrder

__all__ = ["DEFAULT_HORIZONS", "Markout", "horizon_label", "markouts"]

DEFAULT_HORIZONS: tuple[timedelta, ...] = (
    timedelta(seconds=1),
    timedelta(seconds=10),
    timedelta(seconds=60),
    timedelta(minutes=5),
)


@dataclass(frozen=True, slots=True)
class Markout:
    """Markout at one horizon."""

    horizon: timedelta
    label: str
    pnl: Decimal
    bps: float | None
    coverage: float


def horizon_label(horizon: timedelta) -> str:
    """A stable short label: ``"1s"``, ``"300s"``, ``"500ms"``, ``"250us"``."""
    micros = horizon // timedelta(microseconds=1)
    if micros % 1_000_000 == 0:
        return f"{micros // 1_000_000}s"
    if micros % 1_000 == 0:
        return f"{micros // 1_000}ms"
    return f"{micros}us"


def _horizon_ns(horizon: timedelta) -> int:
    if horizon <= timedelta(0):
        raise ValidationError(f"markout horizon must be positive, got {horizon}")
    return (horizon // timedelta(microseconds=1)) * 1_000


def markouts(
    order: TcaOrder,
    fills: Sequence[TcaFill],
    mids: Sequence[MidSample],
    horizons: Sequence[timedelta] = DEFAULT_HORIZONS,
) -> tuple[Markout, ...]:
    """Markout of ``fills`` at each horizon, in the order the horizons are given.

    Raises:
        ValidationError: a horizon is not positive.
    """
    ordered = sorted_mids(mids)
    times = [m.ts_ns for m in ordered]
    last_ts = times[-1] if times else -1
    sign = order.side_sign
    total_qty = sum((f.quantity for f in fills), Decimal(0))
    result: list[Markout] = []
    with fixed_context():
        for horizon in horizons:
            offset = _horizon_ns(horizon)
            pnl = Decimal(0)
            covered_qty = Decimal(0)
            covered_notional = Decimal(0)
            for fill in fills:
                target = fill.ts_ns + offset
                mid = mid_at(ordered, times, target) if target <= last_ts else None
                if mid is None:
                    continue
                pnl += sign * fill.quantity * (mid - fill.price)
                covered_qty += fill.quantity
                covered_notional += fill.quantity * fill.price
            coverage = float(divide(covered_qty, total_qty)) if total_qty > 0 else 0.0
            result.append(
                Markout(
                    horizon=horizon,
                    label=horizon_label(horizon),
                    pnl=pnl,
                    bps=bps(pnl, covered_notional),
                    coverage=coverage,
                )
            )
    return tuple(result)
