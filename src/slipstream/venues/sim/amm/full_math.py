"""512-bit-safe multiply-divide with the EVM's uint256 limits (Uniswap v3 ``FullMath``).

Python ints never overflow, so the work here is to *revert where the contract reverts*: a zero
denominator, a result that does not fit in 256 bits, or a rounded-up result that would overflow.
Also the small ``UnsafeMath.divRoundingUp`` helper, whose EVM ``div`` returns 0 on a zero divisor.
"""

from __future__ import annotations

from slipstream.venues.sim.amm.base import AmmRevert

__all__ = [
    "MAX_UINT128",
    "MAX_UINT160",
    "MAX_UINT256",
    "Q96",
    "Q128",
    "div_rounding_up",
    "mul_div",
    "mul_div_rounding_up",
]

MAX_UINT128 = (1 << 128) - 1
MAX_UINT160 = (1 << 160) - 1
MAX_UINT256 = (1 << 256) - 1
Q96 = 1 << 96
Q128 = 1 << 128


def mul_div(a: int, b: int, denominator: int) -> int:
    """floor(a*b/denominator) with full precision, as ``FullMath.mulDiv``.

    Raises:
        AmmRevert: denominator is 0 or the result exceeds uint256.
    """
    if denominator == 0:
        raise AmmRevert("mulDiv: denominator is zero")
    result = a * b // denominator
    if result > MAX_UINT256:
        raise AmmRevert("mulDiv: result overflows uint256")
    return result


def mul_div_rounding_up(a: int, b: int, denominator: int) -> int:
    """ceil(a*b/denominator) with full precision, as ``FullMath.mulDivRoundingUp``.

    Raises:
        AmmRevert: denominator is 0 or the (rounded-up) result exceeds uint256.
    """
    if denominator == 0:
        raise AmmRevert("mulDiv: denominator is zero")
    result, rem = divmod(a * b, denominator)
    if result > MAX_UINT256:
        raise AmmRevert("mulDiv: result overflows uint256")
    if rem:
        if result == MAX_UINT256:
            raise AmmRevert("mulDivRoundingUp: result overflows uint256")
        result += 1
    return result


def div_rounding_up(x: int, y: int) -> int:
    """ceil(x/y) as ``UnsafeMath.divRoundingUp`` (EVM semantics: 0 when y is 0)."""
    if y == 0:
        return 0
    q, r = divmod(x, y)
    return q + 1 if r else q
