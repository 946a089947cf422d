"""UniswapV2Pair / UniswapV2Library vectors and constant-product properties.

Sources: Uniswap/v2-core test/UniswapV2Pair.spec.ts (swapTestCases, optimisticTestCases,
swap:token0, swap:token1); Uniswap/v2-periphery test/UniswapV2Router02.spec.ts (quote,
getAmountOut, getAmountIn) and test/UniswapV2Router01.spec.ts (swapTokensForExactTokens).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from amm_vectors import E18
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.venues.sim.amm import AmmRevert, Pool, UniswapV2Pair
from slipstream.venues.sim.amm.v2_pair import get_amount_in, get_amount_out, quote

# [swapAmount, token0Amount, token1Amount, expectedOutputAmount] (v2-core swapTestCases)
SWAP_CASES = [
    (1 * E18, 5 * E18, 10 * E18, 1662497915624478906),
    (1 * E18, 10 * E18, 5 * E18, 453305446940074565),
    (2 * E18, 5 * E18, 10 * E18, 2851015155847869602),
    (2 * E18, 10 * E18, 5 * E18, 831248957812239453),
    (1 * E18, 10 * E18, 10 * E18, 906610893880149131),
    (1 * E18, 100 * E18, 100 * E18, 987158034397061298),
    (1 * E18, 1000 * E18, 1000 * E18, 996006981039903216),
]
# [outputAmount, token0Amount, token1Amount, inputAmount] (v2-core optimisticTestCases)
OPTIMISTIC_CASES = [
    (997000000000000000, 5 * E18, 10 * E18, 1 * E18),
    (997000000000000000, 10 * E18, 5 * E18, 1 * E18),
    (997000000000000000, 5 * E18, 5 * E18, 1 * E18),
    (1 * E18, 5 * E18, 5 * E18, 1003009027081243732),
]


def pair(r0: int, r1: int) -> UniswapV2Pair:
    return UniswapV2Pair("p", ("T0", "T1"), (18, 18), r0, r1)


@pytest.mark.parametrize(("swap", "r0", "r1", "expected"), SWAP_CASES)
def test_get_input_price(swap: int, r0: int, r1: int, expected: int) -> None:
    p = pair(r0, r1)
    with pytest.raises(AmmRevert, match="UniswapV2: K"):
        p.copy().swap(0, expected + 1, amount0_in=swap)
    p.swap(0, expected, amount0_in=swap)
    assert (p.reserve0, p.reserve1) == (r0 + swap, r1 - expected)
    assert pair(r0, r1).quote_exact_in(0, 1, swap).amount_out == expected


@pytest.mark.parametrize(("out", "r0", "r1", "paid"), OPTIMISTIC_CASES)
def test_optimistic_flash_swap(out: int, r0: int, r1: int, paid: int) -> None:
    p = pair(r0, r1)
    with pytest.raises(AmmRevert, match="UniswapV2: K"):
        p.copy().swap(out + 1, 0, amount0_in=paid)
    p.swap(out, 0, amount0_in=paid)


def test_swap_token0_and_token1_events() -> None:
    p = pair(5 * E18, 10 * E18)
    res = p.swap_exact_in(0, 1, E18)
    assert res.amount_out == 1662497915624478906
    assert (p.reserve0, p.reserve1) == (6 * E18, 10 * E18 - 1662497915624478906)
    p = pair(5 * E18, 10 * E18)
    assert p.swap_exact_in(1, 0, E18).amount_out == 453305446940074565
    assert (p.reserve0, p.reserve1) == (5 * E18 - 453305446940074565, 11 * E18)


def test_router_library() -> None:
    assert quote(1, 100, 200) == 2
    assert quote(2, 200, 100) == 1
    assert get_amount_out(2, 100, 100) == 1
    assert get_amount_in(1, 100, 100) == 2
    for bad in ((0, 100, 200), (1, 0, 200), (1, 100, 0)):
        with pytest.raises(AmmRevert):
            quote(*bad)
    for bad in ((0, 100, 100), (2, 0, 100), (2, 100, 0)):
        with pytest.raises(AmmRevert):
            get_amount_out(*bad)
        with pytest.raises(AmmRevert):
            get_amount_in(*bad)
    # swapTokensForExactTokens: 1e18 out of (5e18, 10e18) costs 557227237267357629
    res = pair(5 * E18, 10 * E18).quote_exact_out(0, 1, E18)
    assert (res.amount_in, res.amount_out) == (557227237267357629, E18)


def test_protocol_surface() -> None:
    p = pair(5 * E18, 10 * E18)
    assert isinstance(p, Pool)
    assert p.mid_price(0, 1) == Fraction(2) == 1 / p.mid_price(1, 0)
    q = p.quote_exact_in(0, 1, E18)
    assert (p.reserve0, p.reserve1) == (5 * E18, 10 * E18)
    assert p.swap_exact_in(0, 1, E18) == q
    assert q.fee_paid == 3 * E18 // 1000


reserves = st.integers(min_value=1000, max_value=10**30)


@settings(max_examples=100)
@given(reserves, reserves, st.integers(min_value=1, max_value=10**28), st.booleans())
def test_k_never_decreases_and_monotone(r0: int, r1: int, amount: int, zero_in: bool) -> None:
    p = pair(r0, r1)
    i, j = (0, 1) if zero_in else (1, 0)
    k = p.k
    try:
        small = p.quote_exact_in(i, j, amount)
    except AmmRevert:
        return  # output rounds to zero: the pair rejects it
    assert p.quote_exact_in(i, j, amount + 1).amount_out >= small.amount_out
    p.swap_exact_in(i, j, amount)
    assert p.k >= k


@settings(max_examples=100)
@given(reserves, reserves, st.integers(min_value=1, max_value=10**28))
def test_exact_out_round_trip(r0: int, r1: int, amount_out: int) -> None:
    p = pair(r0, r1)
    if amount_out >= r1:
        with pytest.raises(AmmRevert):
            p.quote_exact_out(0, 1, amount_out)
        return
    need = p.quote_exact_out(0, 1, amount_out)
    # getAmountIn is minimal up to getAmountOut's floor: the input buys at least amount_out.
    assert p.quote_exact_in(0, 1, need.amount_in).amount_out >= amount_out
    k = p.k
    p.swap_exact_out(0, 1, amount_out)
    assert p.k >= k
