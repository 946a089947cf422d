"""The route's common units: quantity on one grid (the gcd of every source's lot) and money in
integer cost units (``1/scale`` of the quote asset, ``scale`` the lcm of every conversion factor's
denominator and 10**18), so that book notionals, fees, pool token amounts and gas are all exact
integers (see :mod:`slipstream.routing.costs`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Final, cast

from slipstream.errors import ValidationError
from slipstream.routing.sources import BookSource, Source

__all__ = ["Units", "base_lot"]

_MIN_SCALE: Final = 10**18


def _lcm(a: int, b: int) -> int:
    return a // gcd(a, b) * b


@dataclass(frozen=True, slots=True)
class Units:
    """The route's quantity grid (base asset per grid unit) and money scale (cost units per quote)."""

    grid: Fraction
    scale: int
    key: tuple[int, int, int] = (0, 0, 0)  # cheap hashable identity for memo keys

    @classmethod
    def for_sources(cls, sources: list[Source]) -> Units:
        """Grid = gcd of all lots; scale = lcm of all factor denominators and 10**18.

        Raises:
            ValidationError: no sources.
        """
        if not sources:
            raise ValidationError("no sources to route over")
        slot = sources[0].memo.get("units_for")  # one slot: the last source set routed over
        if slot is not None:
            seen, units = cast("tuple[tuple[Source, ...], Units]", slot)
            if len(seen) == len(sources) and all(a is b for a, b in zip(seen, sources, strict=True)):
                return units
        units = cls._compute(sources)
        sources[0].memo["units_for"] = (tuple(sources), units)
        return units

    @classmethod
    def _compute(cls, sources: list[Source]) -> Units:
        num = 0
        den = 1
        scale = _MIN_SCALE
        for s in sources:
            got = s.memo.get("units")
            if got is None:
                got = (base_lot(s), tuple(f.denominator for f in _factors(s)))
                s.memo["units"] = got
            lot, dens = cast("tuple[Fraction, tuple[int, ...]]", got)
            num, den = _frac_gcd(num, den, lot)
            for d in dens:
                scale = _lcm(scale, d)
        return cls(Fraction(num, den), scale, (num, den, scale))

    def to_grid(self, quantity: Fraction) -> int:
        """Whole grid units in ``quantity`` (truncated)."""
        return math.floor(quantity / self.grid)


def _frac_gcd(num: int, den: int, value: Fraction) -> tuple[int, int]:
    if num == 0:
        return value.numerator, value.denominator
    d = _lcm(den, value.denominator)
    return gcd(num * (d // den), value.numerator * (d // value.denominator)), d


def base_lot(source: Source) -> Fraction:
    """One lot of ``source`` in base asset (lot size × contract size)."""
    inst = source.instrument
    return Fraction(inst.lot_size) * Fraction(inst.contract_size)


def _factors(source: Source) -> list[Fraction]:
    if isinstance(source, BookSource):
        pu_lot = Fraction(source.instrument.price_unit) * base_lot(source)
        fee = Fraction(source.taker_rate)
        return [pu_lot, pu_lot * fee]
    quote_atom = Fraction(source.quote_rate) / 10 ** source.pool.decimals[source.quote_index]
    return [quote_atom, Fraction(source.gas.quote_per_gas)]
