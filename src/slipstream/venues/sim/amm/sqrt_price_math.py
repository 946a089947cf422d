"""Price moves and token deltas between Q64.96 square-root prices (Uniswap v3 ``SqrtPriceMath``).

The rounding direction is always the pool's favour: the next price after an *input* is rounded so
the pool never gives away more than the input buys, the next price after an *output* so the
trader pays at least enough, and amount deltas round up when the trader pays, down when the pool
pays. The uint256 / uint160 overflow checks are reproduced so inputs the contract rejects raise
:class:`AmmRevert` here too.
"""

from __future__ import annotations

from slipstream.venues.sim.amm.base import AmmRevert
from slipstream.venues.sim.amm.full_math import (
    MAX_UINT160,
    MAX_UINT256,
    Q96,
    div_rounding_up,
    mul_div,
    mul_div_rounding_up,
)

__all__ = [
    "get_amount0_delta",
    "get_amount0_delta_signed",
    "get_amount1_delta",
    "get_amount1_delta_signed",
    "get_next_sqrt_price_from_amount0_rounding_up",
    "get_next_sqrt_price_from_amount1_rounding_down",
    "get_next_sqrt_price_from_input",
    "get_next_sqrt_price_from_output",
]

_MAX_INT256 = (1 << 255) - 1


def get_next_sqrt_price_from_amount0_rounding_up(
    sqrt_px96: int, liquidity: int, amount: int, add: bool
) -> int:
    """Price after adding (or removing) ``amount`` of token0: L*P / (L + amount*P), rounded up.

    Raises:
        AmmRevert: removing at least the virtual token0 reserve, or a uint160 overflow.
    """
    if amount == 0:
        return sqrt_px96
    numerator1 = liquidity << 96
    product = amount * sqrt_px96
    if add:
        if product <= MAX_UINT256:
            denominator = numerator1 + product
            if denominator <= MAX_UINT256:
                return mul_div_rounding_up(numerator1, sqrt_px96, denominator)
        # Overflow path of the contract: L / (L/P + amount), checked add.
        alt = numerator1 // sqrt_px96 + amount
        if alt > MAX_UINT256:
            raise AmmRevert("SqrtPriceMath: add overflow")
        return div_rounding_up(numerator1, alt)
    if product > MAX_UINT256 or numerator1 <= product:
        raise AmmRevert("SqrtPriceMath: token0 output exceeds virtual reserve")
    result = mul_div_rounding_up(numerator1, sqrt_px96, numerator1 - product)
    if result > MAX_UINT160:
        raise AmmRevert("SafeCast: uint160 overflow")
    return result


def get_next_sqrt_price_from_amount1_rounding_down(
    sqrt_px96: int, liquidity: int, amount: int, add: bool
) -> int:
    """Price after adding (or removing) ``amount`` of token1: P +- amount/L, rounded down.

    Raises:
        AmmRevert: removing at least the virtual token1 reserve, or a uint160 overflow.
    """
    if add:
        if amount <= MAX_UINT160:
            quotient = (amount << 96) // liquidity
        else:
            quotient = mul_div(amount, Q96, liquidity)
        result = sqrt_px96 + quotient
        if result > MAX_UINT160:
            raise AmmRevert("SafeCast: uint160 overflow")
        return result
    if amount <= MAX_UINT160:
        quotient = div_rounding_up(amount << 96, liquidity)
    else:
        quotient = mul_div_rounding_up(amount, Q96, liquidity)
    if sqrt_px96 <= quotient:
        raise AmmRevert("SqrtPriceMath: token1 output exceeds virtual reserve")
    return sqrt_px96 - quotient


def get_next_sqrt_price_from_input(
    sqrt_px96: int, liquidity: int, amount_in: int, zero_for_one: bool
) -> int:
    """Next price after ``amount_in`` enters; never overshoots the true price.

    Raises:
        AmmRevert: zero price or zero liquidity, or an overflow as above.
    """
    if sqrt_px96 <= 0 or liquidity <= 0:
        raise AmmRevert("SqrtPriceMath: zero price or liquidity")
    if zero_for_one:
        return get_next_sqrt_price_from_amount0_rounding_up(sqrt_px96, liquidity, amount_in, True)
    return get_next_sqrt_price_from_amount1_rounding_down(sqrt_px96, liquidity, amount_in, True)


def get_next_sqrt_price_from_output(
    sqrt_px96: int, liquidity: int, amount_out: int, zero_for_one: bool
) -> int:
    """Next price after ``amount_out`` leaves; always passes the true price.

    Raises:
        AmmRevert: zero price or zero liquidity, or the output exceeds the virtual reserve.
    """
    if sqrt_px96 <= 0 or liquidity <= 0:
        raise AmmRevert("SqrtPriceMath: zero price or liquidity")
    if zero_for_one:
        return get_next_sqrt_price_from_amount1_rounding_down(
            sqrt_px96, liquidity, amount_out, False
        )
    return get_next_sqrt_price_from_amount0_rounding_up(sqrt_px96, liquidity, amount_out, False)


def get_amount0_delta(sqrt_ratio_a_x96: int, sqrt_ratio_b_x96: int, liquidity: int,
                      round_up: bool) -> int:
    """Token0 between two prices: L * (sqrtB - sqrtA) / (sqrtA * sqrtB).

    Raises:
        AmmRevert: the lower price is zero.
    """
    if sqrt_ratio_a_x96 > sqrt_ratio_b_x96:
        sqrt_ratio_a_x96, sqrt_ratio_b_x96 = sqrt_ratio_b_x96, sqrt_ratio_a_x96
    if sqrt_ratio_a_x96 <= 0:
        raise AmmRevert("SqrtPriceMath: zero price")
    numerator1 = liquidity << 96
    numerator2 = sqrt_ratio_b_x96 - sqrt_ratio_a_x96
    if round_up:
        return div_rounding_up(
            mul_div_rounding_up(numerator1, numerator2, sqrt_ratio_b_x96), sqrt_ratio_a_x96
        )
    return mul_div(numerator1, numerator2, sqrt_ratio_b_x96) // sqrt_ratio_a_x96


def get_amount1_delta(sqrt_ratio_a_x96: int, sqrt_ratio_b_x96: int, liquidity: int,
                      round_up: bool) -> int:
    """Token1 between two prices: L * (sqrtB - sqrtA)."""
    if sqrt_ratio_a_x96 > sqrt_ratio_b_x96:
        sqrt_ratio_a_x96, sqrt_ratio_b_x96 = sqrt_ratio_b_x96, sqrt_ratio_a_x96
    diff = sqrt_ratio_b_x96 - sqrt_ratio_a_x96
    if round_up:
        return mul_div_rounding_up(liquidity, diff, Q96)
    return mul_div(liquidity, diff, Q96)


def _to_int256(value: int) -> int:
    if value > _MAX_INT256:
        raise AmmRevert("SafeCast: int256 overflow")
    return value


def get_amount0_delta_signed(sqrt_ratio_a_x96: int, sqrt_ratio_b_x96: int, liquidity: int) -> int:
    """Signed token0 delta for a liquidity change: rounds up when added, down when removed."""
    if liquidity < 0:
        return -_to_int256(get_amount0_delta(sqrt_ratio_a_x96, sqrt_ratio_b_x96, -liquidity, False))
    return _to_int256(get_amount0_delta(sqrt_ratio_a_x96, sqrt_ratio_b_x96, liquidity, True))


def get_amount1_delta_signed(sqrt_ratio_a_x96: int, sqrt_ratio_b_x96: int, liquidity: int) -> int:
    """Signed token1 delta for a liquidity change: rounds up when added, down when removed."""
    if liquidity < 0:
        return -_to_int256(get_amount1_delta(sqrt_ratio_a_x96, sqrt_ratio_b_x96, -liquidity, False))
    return _to_int256(get_amount1_delta(sqrt_ratio_a_x96, sqrt_ratio_b_x96, liquidity, True))
