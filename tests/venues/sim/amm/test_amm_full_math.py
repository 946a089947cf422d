"""FullMath vectors from Uniswap/v3-core test/FullMath.spec.ts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.venues.sim.amm.base import AmmRevert
from slipstream.venues.sim.amm.full_math import (
    MAX_UINT256,
    div_rounding_up,
    mul_div,
    mul_div_rounding_up,
)

Q128 = 2**128


@pytest.mark.parametrize("fn", [mul_div, mul_div_rounding_up])
@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        (Q128, 5, 0),  # denominator is 0
        (Q128, Q128, 0),  # denominator 0 and numerator overflows
        (Q128, Q128, 1),  # output overflows uint256
        (MAX_UINT256, MAX_UINT256, MAX_UINT256 - 1),  # overflow with all max inputs
    ],
)
def test_reverts(fn: object, a: int, b: int, d: int) -> None:
    with pytest.raises(AmmRevert):
        fn(a, b, d)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        # mulDivRoundingUp "reverts if mulDiv overflows 256 bits after rounding up" (both cases)
        (535006138814359, 432862656469423142931042426214547535783388063929571229938474969, 2),
        (
            115792089237316195423570985008687907853269984659341747863450311749907997002549,
            115792089237316195423570985008687907853269984659341747863450311749907997002550,
            115792089237316195423570985008687907853269984653042931687443039491902864365164,
        ),
    ],
)
def test_rounding_up_overflow_reverts(a: int, b: int, d: int) -> None:
    mul_div(a, b, d)  # the floor fits ...
    with pytest.raises(AmmRevert):
        mul_div_rounding_up(a, b, d)  # ... the +1 does not


@pytest.mark.parametrize(
    ("a", "b", "d", "floor", "ceil"),
    [
        (MAX_UINT256, MAX_UINT256, MAX_UINT256, MAX_UINT256, MAX_UINT256),
        (Q128, 50 * Q128 // 100, 150 * Q128 // 100, Q128 // 3, Q128 // 3 + 1),
        (Q128, 35 * Q128, 8 * Q128, 4375 * Q128 // 1000, 4375 * Q128 // 1000),
        (Q128, 1000 * Q128, 3000 * Q128, Q128 // 3, Q128 // 3 + 1),
    ],
)
def test_published_results(a: int, b: int, d: int, floor: int, ceil: int) -> None:
    assert mul_div(a, b, d) == floor
    assert mul_div_rounding_up(a, b, d) == ceil


u256 = st.integers(min_value=0, max_value=MAX_UINT256)


@given(u256, u256, st.integers(min_value=1, max_value=MAX_UINT256))
def test_matches_reference(a: int, b: int, d: int) -> None:
    # The spec's (skipped) JS fuzzer: floor/ceil of a*b/d or revert when > uint256.
    exact, rem = divmod(a * b, d)
    if exact > MAX_UINT256:
        with pytest.raises(AmmRevert):
            mul_div(a, b, d)
        return
    assert mul_div(a, b, d) == exact
    if rem and exact == MAX_UINT256:
        with pytest.raises(AmmRevert):
            mul_div_rounding_up(a, b, d)
    else:
        assert mul_div_rounding_up(a, b, d) == exact + (1 if rem else 0)


def test_div_rounding_up_evm_semantics() -> None:
    assert div_rounding_up(7, 2) == 4
    assert div_rounding_up(6, 2) == 3
    assert div_rounding_up(5, 0) == 0  # EVM div by zero yields 0 (UnsafeMath)
