"""SwapMath.computeSwapStep vectors from Uniswap/v3-core test/SwapMath.spec.ts."""

from __future__ import annotations

import pytest
from amm_vectors import E18, encode_price_sqrt
from hypothesis import given
from hypothesis import strategies as st

from slipstream.venues.sim.amm.sqrt_price_math import (
    get_next_sqrt_price_from_input,
    get_next_sqrt_price_from_output,
)
from slipstream.venues.sim.amm.swap_math import compute_swap_step
from slipstream.venues.sim.amm.tick_math import MAX_SQRT_RATIO, MIN_SQRT_RATIO

ONE = encode_price_sqrt(1, 1)
P_SMALL = 20282409603651670423947251286016

# (current, target, liquidity, amount_remaining, fee) -> (sqrt_next, amount_in, amount_out, fee)
CASES = [
    # exact amount in that gets capped at price target in one for zero
    ((ONE, encode_price_sqrt(101, 100), 2 * E18, E18, 600),
     (encode_price_sqrt(101, 100), 9975124224178055, 9925619580021728, 5988667735148)),
    # exact amount out that gets capped at price target in one for zero
    ((ONE, encode_price_sqrt(101, 100), 2 * E18, -E18, 600),
     (encode_price_sqrt(101, 100), 9975124224178055, 9925619580021728, 5988667735148)),
    # exact amount in that is fully spent in one for zero
    ((ONE, encode_price_sqrt(1000, 100), 2 * E18, E18, 600),
     (get_next_sqrt_price_from_input(ONE, 2 * E18, E18 - 600000000000000, False),
      999400000000000000, 666399946655997866, 600000000000000)),
    # exact amount out that is fully received in one for zero
    ((ONE, encode_price_sqrt(10000, 100), 2 * E18, -E18, 600),
     (get_next_sqrt_price_from_output(ONE, 2 * E18, E18, False),
      2000000000000000000, E18, 1200720432259356)),
    # amount out is capped at the desired amount out
    ((417332158212080721273783715441582, 1452870262520218020823638996,
      159344665391607089467575320103, -1, 1),
     (417332158212080721273783715441581, 1, 1, 1)),
    # target price of 1 uses partial input amount
    ((2, 1, 1, 3915081100057732413702495386755767, 1),
     (1, 39614081257132168796771975168, 0, 39614120871253040049813)),
    # entire input amount taken as fee
    ((2413, 79887613182836312, 1985041575832132834610021537970, 10, 1872), (2413, 0, 0, 10)),
    # handles intermediate insufficient liquidity in zero for one exact output case
    ((P_SMALL, P_SMALL * 11 // 10, 1024, -4, 3000), (P_SMALL * 11 // 10, 26215, 0, 79)),
    # handles intermediate insufficient liquidity in one for zero exact output case
    ((P_SMALL, P_SMALL * 9 // 10, 1024, -263000, 3000), (P_SMALL * 9 // 10, 1, 26214, 1)),
]


@pytest.mark.parametrize(("args", "expected"), CASES)
def test_compute_swap_step(args: tuple[int, int, int, int, int],
                           expected: tuple[int, int, int, int]) -> None:
    assert compute_swap_step(*args) == expected


def test_capped_step_is_below_whole_amount_price() -> None:
    price, target = ONE, encode_price_sqrt(101, 100)
    sqrt_q, amount_in, _, fee = compute_swap_step(price, target, 2 * E18, E18, 600)
    assert amount_in + fee < E18
    assert sqrt_q < get_next_sqrt_price_from_input(price, 2 * E18, E18, False)


@given(
    st.integers(min_value=MIN_SQRT_RATIO, max_value=MAX_SQRT_RATIO - 1),
    st.integers(min_value=MIN_SQRT_RATIO, max_value=MAX_SQRT_RATIO - 1),
    st.integers(min_value=1, max_value=2**128 - 1),
    st.integers(min_value=-(2**200), max_value=2**200).filter(bool),
    st.integers(min_value=1, max_value=999_999),
)
def test_step_invariants(current: int, target: int, liquidity: int, remaining: int,
                         fee: int) -> None:
    # The SwapMathEchidnaTest invariants (v3-core contracts/test/SwapMathEchidnaTest.sol).
    from slipstream.venues.sim.amm.base import AmmRevert

    try:
        sqrt_q, amount_in, amount_out, fee_amount = compute_swap_step(
            current, target, liquidity, remaining, fee
        )
    except AmmRevert:
        return
    if remaining > 0:
        assert amount_in + fee_amount <= remaining
    else:
        assert amount_out <= -remaining
    if current >= target:
        assert target <= sqrt_q <= current
    else:
        assert current <= sqrt_q <= target
