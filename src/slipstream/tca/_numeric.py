"""Shared arithmetic for TCA: exact Decimal sums, one division context, bps, step-series lookups.

Sums and products run in a 96-digit context that traps inexact results, so money totals are exact
(an amount needing more digits raises instead of rounding silently). Every ratio is formed as
(exact numerator) / (exact denominator) and divided once in a fixed 34-digit context, so results
do not depend on the caller's decimal context and scaling all prices by a constant leaves every
bps figure bit-identical.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

from slipstream.errors import ValidationError
from slipstream.tca.inputs import MidSample

__all__ = ["BPS", "bps", "divide", "fixed_context", "mid_at", "sorted_mids"]

_EXACT = Context(
    prec=96,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
_DIVIDE = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero])
BPS = Decimal(10_000)


@contextmanager
def fixed_context() -> Iterator[Context]:
    """Exact Decimal arithmetic (96 digits, inexact results trapped), whatever the caller's context.

    Raises:
        ValidationError: a sum or product would need more than 96 significant digits.
    """
    with localcontext(_EXACT) as context:
        try:
            yield context
        except Inexact as exc:
            raise ValidationError("TCA amount needs more than 96 significant digits") from exc


def divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    """``numerator / denominator`` rounded to 34 significant digits (half-even)."""
    return _DIVIDE.divide(numerator, denominator)


def bps(cost: Decimal, notional: Decimal) -> float | None:
    """``cost / notional`` in basis points, ``None`` when there is no notional to compare with."""
    if notional == 0:
        return None
    return float(divide(_EXACT.multiply(cost, BPS), notional))


def sorted_mids(mids: Sequence[MidSample]) -> tuple[MidSample, ...]:
    """Mids in time order; the sort is stable so equal timestamps keep journal order."""
    return tuple(sorted(mids, key=lambda sample: sample.ts_ns))


def mid_at(mids: Sequence[MidSample], times: Sequence[int], ts_ns: int) -> Decimal | None:
    """The mid in force at ``ts_ns`` (last sample at or before it), or ``None`` before the first.

    Args:
        mids: samples sorted by time.
        times: their timestamps, ``[m.ts_ns for m in mids]`` (passed in to bisect once per call).
        ts_ns: the query time.
    """
    index = bisect_right(times, ts_ns) - 1
    if index < 0:
        return None
    return mids[index].mid
