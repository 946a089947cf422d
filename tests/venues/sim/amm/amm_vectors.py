"""Shared helpers for the AMM golden tests: the v3-core test-suite price encoder."""

from __future__ import annotations

from fractions import Fraction
from math import isqrt

E18 = 10**18


def encode_price_sqrt(reserve1: int, reserve0: int) -> int:
    """Uniswap/v3-core test/shared/utilities.ts ``encodePriceSqrt``, reproduced exactly.

    It uses bignumber.js with DECIMAL_PLACES=40 and ROUND_HALF_UP: the quotient and its square
    root are each rounded to 40 decimals, then times 2^96 and floored (integerValue(3)).
    """
    scale = 10**40
    f = Fraction(reserve1, reserve0) * scale
    q = f.numerator // f.denominator
    if (f - q) * 2 >= 1:
        q += 1
    n = q * scale
    root = isqrt(n)
    if n - root * root > root:  # nearest integer to sqrt(n), halves up
        root += 1
    return (root << 96) // scale


def min_tick(spacing: int) -> int:
    """utilities.ts ``getMinTick``: ceil(-887272 / spacing) * spacing."""
    return -(887272 // spacing) * spacing


def max_tick(spacing: int) -> int:
    """utilities.ts ``getMaxTick``."""
    return (887272 // spacing) * spacing


def max_liquidity_per_tick(spacing: int) -> int:
    """utilities.ts ``getMaxLiquidityPerTick``."""
    return (2**128 - 1) // ((max_tick(spacing) - min_tick(spacing)) // spacing + 1)
