"""SqrtPriceMath vectors from Uniswap/v3-core test/SqrtPriceMath.spec.ts."""

from __future__ import annotations

import pytest
from amm_vectors import E18, encode_price_sqrt

from slipstream.venues.sim.amm.base import AmmRevert
from slipstream.venues.sim.amm.full_math import MAX_UINT128, MAX_UINT256
from slipstream.venues.sim.amm.sqrt_price_math import (
    get_amount0_delta,
    get_amount1_delta,
    get_next_sqrt_price_from_input,
    get_next_sqrt_price_from_output,
)

ONE = encode_price_sqrt(1, 1)
P_SMALL = 20282409603651670423947251286016


@pytest.mark.parametrize(
    ("price", "liquidity", "amount", "zero_for_one"),
    [
        (0, 0, E18 // 10, False),  # fails if price is zero
        (1, 0, E18 // 10, True),  # fails if liquidity is zero
        (2**160 - 1, 1024, 1024, False),  # fails if input amount overflows the price
    ],
)
def test_next_price_from_input_reverts(price: int, liquidity: int, amount: int,
                                       zero_for_one: bool) -> None:
    with pytest.raises(AmmRevert):
        get_next_sqrt_price_from_input(price, liquidity, amount, zero_for_one)


@pytest.mark.parametrize(
    ("price", "liquidity", "amount", "zero_for_one", "expected"),
    [
        (1, 1, 2**255, True, 1),  # any input amount cannot underflow the price
        (ONE, E18 // 10, 0, True, ONE),
        (ONE, E18 // 10, 0, False, ONE),
        # returns the minimum price for max inputs
        (2**160 - 1, MAX_UINT128, MAX_UINT256 - (MAX_UINT128 << 96) // (2**160 - 1), True, 1),
        (ONE, E18, E18 // 10, False, 87150978765690771352898345369),
        (ONE, E18, E18 // 10, True, 72025602285694852357767227579),
        (ONE, 10 * E18, 2**100, True, 624999999995069620),
        (ONE, 1, MAX_UINT256 // 2, True, 1),
        # "swap computation": sqrtP * sqrtQ overflows
        (1025574284609383690408304870162715216695788925244, 50015962439936049619261659728067971248,
         406, True, 1025574284609383582644711336373707553698163132913),
    ],
)
def test_next_price_from_input(price: int, liquidity: int, amount: int, zero_for_one: bool,
                               expected: int) -> None:
    assert get_next_sqrt_price_from_input(price, liquidity, amount, zero_for_one) == expected


@pytest.mark.parametrize(
    ("price", "liquidity", "amount", "zero_for_one"),
    [
        (0, 0, E18 // 10, False),
        (1, 0, E18 // 10, True),
        (P_SMALL, 1024, 4, False),  # exactly the virtual reserves of token0
        (P_SMALL, 1024, 5, False),  # greater than virtual reserves of token0
        (P_SMALL, 1024, 262145, True),  # greater than virtual reserves of token1
        (P_SMALL, 1024, 262144, True),  # exactly the virtual reserves of token1
        (ONE, 1, MAX_UINT256, True),  # impossible amountOut, zero for one
        (ONE, 1, MAX_UINT256, False),  # impossible amountOut, one for zero
    ],
)
def test_next_price_from_output_reverts(price: int, liquidity: int, amount: int,
                                        zero_for_one: bool) -> None:
    with pytest.raises(AmmRevert):
        get_next_sqrt_price_from_output(price, liquidity, amount, zero_for_one)


@pytest.mark.parametrize(
    ("price", "liquidity", "amount", "zero_for_one", "expected"),
    [
        (P_SMALL, 1024, 262143, True, 77371252455336267181195264),
        (ONE, E18 // 10, 0, True, ONE),
        (ONE, E18 // 10, 0, False, ONE),
        (ONE, E18, E18 // 10, False, 88031291682515930659493278152),
        (ONE, E18, E18 // 10, True, 71305346262837903834189555302),
    ],
)
def test_next_price_from_output(price: int, liquidity: int, amount: int, zero_for_one: bool,
                                expected: int) -> None:
    assert get_next_sqrt_price_from_output(price, liquidity, amount, zero_for_one) == expected


def test_amount_deltas() -> None:
    p121 = encode_price_sqrt(121, 100)
    assert get_amount0_delta(ONE, encode_price_sqrt(2, 1), 0, True) == 0
    assert get_amount0_delta(ONE, ONE, 0, True) == 0
    assert get_amount0_delta(ONE, p121, E18, True) == 90909090909090910
    assert get_amount0_delta(ONE, p121, E18, False) == 90909090909090909
    assert get_amount1_delta(ONE, encode_price_sqrt(2, 1), 0, True) == 0
    assert get_amount1_delta(ONE, p121, E18, True) == 100000000000000000
    assert get_amount1_delta(ONE, p121, E18, False) == 99999999999999999
    # works for prices that overflow
    lo, hi = encode_price_sqrt(2**90, 1), encode_price_sqrt(2**96, 1)
    assert get_amount0_delta(lo, hi, E18, True) == get_amount0_delta(lo, hi, E18, False) + 1
    # "sqrtP * sqrtQ overflows": the input that moved P to Q is recovered exactly
    p = 1025574284609383690408304870162715216695788925244
    q = 1025574284609383582644711336373707553698163132913
    assert get_amount0_delta(q, p, 50015962439936049619261659728067971248, True) == 406
