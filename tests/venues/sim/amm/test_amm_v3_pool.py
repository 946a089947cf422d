"""UniswapV3Pool against the v3-core pool swap snapshots, plus swap properties.

Golden data: Uniswap/v3-core test/__snapshots__/UniswapV3Pool.swaps.spec.ts.snap (all 240
entries, transcribed to data/v3_pool_swaps_snapshot.json); pools and swaps as defined in
test/UniswapV3Pool.swaps.spec.ts (TEST_POOLS, DEFAULT_POOL_SWAP_TESTS).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from amm_vectors import E18, encode_price_sqrt, max_liquidity_per_tick, max_tick, min_tick
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm import AmmRevert, Pool, UniswapV3Pool
from slipstream.venues.sim.amm.tick_math import MAX_SQRT_RATIO, MIN_SQRT_RATIO

SNAPSHOT = json.loads(
    (Path(__file__).parent / "data" / "v3_pool_swaps_snapshot.json").read_text()
)["cases"]

LOW, MED, HIGH = (500, 10), (3000, 60), (10000, 200)
FULL = {s: (min_tick(s), max_tick(s)) for s in (10, 60, 200)}


def _full(spacing: int, liquidity: int = 2 * E18) -> list[tuple[int, int, int]]:
    return [(*FULL[spacing], liquidity)]


TEST_POOLS: dict[str, tuple[tuple[int, int], int, list[tuple[int, int, int]]]] = {
    "low fee, 1:1 price, 2e18 max range liquidity": (LOW, encode_price_sqrt(1, 1), _full(10)),
    "medium fee, 1:1 price, 2e18 max range liquidity": (MED, encode_price_sqrt(1, 1), _full(60)),
    "high fee, 1:1 price, 2e18 max range liquidity": (HIGH, encode_price_sqrt(1, 1), _full(200)),
    "medium fee, 10:1 price, 2e18 max range liquidity": (
        MED, encode_price_sqrt(10, 1), _full(60)),
    "medium fee, 1:10 price, 2e18 max range liquidity": (
        MED, encode_price_sqrt(1, 10), _full(60)),
    "medium fee, 1:1 price, 0 liquidity, all liquidity around current price": (
        MED, encode_price_sqrt(1, 1),
        [(min_tick(60), -60, 2 * E18), (60, max_tick(60), 2 * E18)]),
    "medium fee, 1:1 price, additional liquidity around current price": (
        MED, encode_price_sqrt(1, 1),
        [*_full(60), (min_tick(60), -60, 2 * E18), (60, max_tick(60), 2 * E18)]),
    "low fee, large liquidity around current price (stable swap)": (
        LOW, encode_price_sqrt(1, 1), [(-10, 10, 2 * E18)]),
    "medium fee, token0 liquidity only": (MED, encode_price_sqrt(1, 1), [(0, 120000, 2 * E18)]),
    "medium fee, token1 liquidity only": (MED, encode_price_sqrt(1, 1), [(-120000, 0, 2 * E18)]),
    "close to max price": (MED, encode_price_sqrt(2**127, 1), _full(60)),
    "close to min price": (MED, encode_price_sqrt(1, 2**127), _full(60)),
    "max full range liquidity at 1:1 price with default fee": (
        MED, encode_price_sqrt(1, 1), _full(60, max_liquidity_per_tick(60))),
    "initialized at the max ratio": (MED, MAX_SQRT_RATIO - 1, _full(60)),
    "initialized at the min ratio": (MED, MIN_SQRT_RATIO, _full(60)),
}

_INF = 2**255 - 1  # type(int256).max, as TestUniswapV3Callee.swapTo{Lower,Higher}SqrtPrice
SWAP_CASES: dict[str, tuple[bool, int, int | None]] = {
    "swap exactly 1.0000 token0 for token1": (True, E18, None),
    "swap exactly 1.0000 token1 for token0": (False, E18, None),
    "swap token0 for exactly 1.0000 token1": (True, -E18, None),
    "swap token1 for exactly 1.0000 token0": (False, -E18, None),
    "swap exactly 1.0000 token0 for token1 to price 0.50000": (
        True, E18, encode_price_sqrt(50, 100)),
    "swap exactly 1.0000 token1 for token0 to price 2.0000": (
        False, E18, encode_price_sqrt(200, 100)),
    "swap token0 for exactly 1.0000 token1 to price 0.50000": (
        True, -E18, encode_price_sqrt(50, 100)),
    "swap token1 for exactly 1.0000 token0 to price 2.0000": (
        False, -E18, encode_price_sqrt(200, 100)),
    "swap exactly 0.0000000000000010000 token0 for token1": (True, 1000, None),
    "swap exactly 0.0000000000000010000 token1 for token0": (False, 1000, None),
    "swap token0 for exactly 0.0000000000000010000 token1": (True, -1000, None),
    "swap token1 for exactly 0.0000000000000010000 token0": (False, -1000, None),
    "swap token1 for token0 to price 2.5000": (False, _INF, encode_price_sqrt(5, 2)),
    "swap token0 for token1 to price 0.40000": (True, _INF, encode_price_sqrt(2, 5)),
    "swap token0 for token1 to price 2.5000": (True, _INF, encode_price_sqrt(5, 2)),
    "swap token1 for token0 to price 0.40000": (False, _INF, encode_price_sqrt(2, 5)),
}


def build(name: str) -> tuple[UniswapV3Pool, int, int]:
    (fee, spacing), price, positions = TEST_POOLS[name]
    pool = UniswapV3Pool("p", ("T0", "T1"), (18, 18), fee, price, tick_spacing=spacing)
    paid0 = paid1 = 0
    for lower, upper, liquidity in positions:
        a0, a1 = pool.mint(lower, upper, liquidity)
        paid0, paid1 = paid0 + a0, paid1 + a1
    return pool, paid0, paid1


def format_price(sqrt_price_x96: int) -> Decimal:
    """format.ts formatPrice, compared numerically: (sqrtP / 2^96)^2 to 5 significant digits."""
    with localcontext() as ctx:
        ctx.prec = 120
        price = Decimal(sqrt_price_x96 * sqrt_price_x96) / Decimal(2**192)
    return Context(prec=5, rounding=ROUND_HALF_UP).plus(price)


def test_snapshot_covers_every_pool_and_case() -> None:
    assert len(SNAPSHOT) == 240
    assert {c["pool"] for c in SNAPSHOT} == set(TEST_POOLS)
    assert {c["case"] for c in SNAPSHOT} == set(SWAP_CASES)


@pytest.mark.parametrize("rec", SNAPSHOT, ids=lambda r: f"{r['pool']} | {r['case']}")
def test_pool_swap_snapshot(rec: dict[str, Any]) -> None:
    pool, paid0, paid1 = build(rec["pool"])
    assert pool.tick == rec["tickBefore"]
    assert format_price(pool.sqrt_price_x96) == Decimal(rec["poolPriceBefore"])
    zero_for_one, amount, limit = SWAP_CASES[rec["case"]]
    if limit is None:
        limit = MIN_SQRT_RATIO + 1 if zero_for_one else MAX_SQRT_RATIO - 1
    if "swapError" in rec:
        assert rec["swapError"].endswith("revert SPL")
        with pytest.raises(AmmRevert) as err:
            pool.swap(zero_for_one, amount, limit)
        assert err.value.reason == "SPL"
        assert (paid0, paid1) == (int(rec["poolBalance0"]), int(rec["poolBalance1"]))
        return
    assert (paid0, paid1) == (int(rec["amount0Before"]), int(rec["amount1Before"]))
    quoted = pool.quote(zero_for_one, amount, limit)
    out = pool.swap(zero_for_one, amount, limit)
    assert quoted == out
    assert out.amount0 == int(rec["amount0Delta"])
    assert out.amount1 == int(rec["amount1Delta"])
    assert out.tick == rec["tickAfter"] == pool.tick
    assert pool.fee_growth_global0_x128 == int(rec["feeGrowthGlobal0X128Delta"])
    assert pool.fee_growth_global1_x128 == int(rec["feeGrowthGlobal1X128Delta"])
    assert format_price(out.sqrt_price_x96) == Decimal(rec["poolPriceAfter"])


# ---------------------------------------------------------------------------- properties
def laddered_pool(fee: int = 3000) -> UniswapV3Pool:
    """Full-range liquidity plus five stacked ranges below and above 1:1 (ticks to cross)."""
    pool = UniswapV3Pool("lad", ("T0", "T1"), (18, 18), fee, encode_price_sqrt(1, 1))
    s = pool.tick_spacing
    pool.mint(min_tick(s), max_tick(s), E18)
    for k in range(1, 6):
        pool.mint(-k * 10 * s, k * 10 * s, E18 // 2)
    return pool


def test_crosses_initialised_ticks_and_restores_liquidity() -> None:
    pool = laddered_pool()
    start_liquidity = pool.liquidity
    res = pool.swap_exact_in(0, 1, 3 * E18)
    assert res.ticks_crossed >= 5
    assert pool.liquidity == E18
    back = pool.swap_exact_in(1, 0, 10 * E18)
    assert back.ticks_crossed >= 10
    assert pool.liquidity == E18 and start_liquidity == E18 + 5 * E18 // 2


amounts = st.integers(min_value=1, max_value=5 * E18)


@settings(max_examples=60, deadline=None)
@given(amounts, amounts, st.booleans())
def test_output_monotone_in_input(a: int, b: int, zero_for_one: bool) -> None:
    pool = laddered_pool()
    i, j = (0, 1) if zero_for_one else (1, 0)
    small, large = sorted((a, b))
    q_small = pool.quote_exact_in(i, j, small)
    q_large = pool.quote_exact_in(i, j, large)
    assert q_small.amount_out <= q_large.amount_out
    reserve_out = pool.balance1 if zero_for_one else pool.balance0
    assert q_large.amount_out < reserve_out


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=2 * E18), st.booleans())
def test_exact_out_then_exact_in_round_trip(amount_out: int, zero_for_one: bool) -> None:
    pool = laddered_pool()
    i, j = (0, 1) if zero_for_one else (1, 0)
    need = pool.quote_exact_out(i, j, amount_out)
    if need.amount_out < amount_out:  # liquidity ran out: the swap stopped at the price limit
        assert need.sqrt_price_after_x96 in (MIN_SQRT_RATIO + 1, MAX_SQRT_RATIO - 1)
        return
    assert need.amount_out == amount_out
    got = pool.quote_exact_in(i, j, need.amount_in)
    # Paying what exact-out asked buys at least that much; one unit less buys less.
    assert got.amount_out >= amount_out
    if need.amount_in > 1:
        assert pool.quote_exact_in(i, j, need.amount_in - 1).amount_out <= amount_out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(min_value=1, max_value=E18)), max_size=6))
def test_quote_equals_swap_and_leaves_state(trades: list[tuple[bool, int]]) -> None:
    pool = laddered_pool(500)
    for zero_for_one, amount in trades:
        i, j = (0, 1) if zero_for_one else (1, 0)
        before = (pool.sqrt_price_x96, pool.tick, pool.liquidity, pool.balance0, pool.balance1)
        quoted = pool.quote_exact_in(i, j, amount)
        assert before == (pool.sqrt_price_x96, pool.tick, pool.liquidity, pool.balance0,
                          pool.balance1)
        assert pool.swap_exact_in(i, j, amount) == quoted
        assert pool.balance0 >= 0 and pool.balance1 >= 0


def test_protocol_and_mid_price_and_copy() -> None:
    pool = laddered_pool()
    assert isinstance(pool, Pool)
    assert pool.mid_price(0, 1) == 1 / pool.mid_price(1, 0)
    assert pool.mid_price(0, 1) == Fraction(encode_price_sqrt(1, 1) ** 2, 2**192)
    twin = pool.copy()
    twin.swap_exact_in(0, 1, E18)
    assert pool.sqrt_price_x96 == encode_price_sqrt(1, 1) != twin.sqrt_price_x96
    assert pool.quote_exact_in(0, 1, E18) == laddered_pool().quote_exact_in(0, 1, E18)


def test_protocol_fee_splits_fee() -> None:
    pool = UniswapV3Pool("pf", ("T0", "T1"), (18, 18), 3000, encode_price_sqrt(1, 1),
                         fee_protocol=4)
    pool.mint(min_tick(60), max_tick(60), 2 * E18)
    plain = UniswapV3Pool("np", ("T0", "T1"), (18, 18), 3000, encode_price_sqrt(1, 1))
    plain.mint(min_tick(60), max_tick(60), 2 * E18)
    res = pool.swap_exact_in(0, 1, E18)
    assert res == plain.swap_exact_in(0, 1, E18)  # amounts unaffected
    assert pool.protocol_fees0 == res.fee_paid // 4 == 750000000000000


def test_bad_inputs() -> None:
    pool = laddered_pool()
    with pytest.raises(ValidationError):
        pool.quote_exact_in(0, 0, 1)
    with pytest.raises(ValidationError):
        pool.quote_exact_in(0, 1, 0)
    with pytest.raises(AmmRevert, match="AS"):
        pool.swap(True, 0, MIN_SQRT_RATIO + 1)
    with pytest.raises(AmmRevert, match="TLU"):
        pool.mint(60, 60, 1)
    with pytest.raises(AmmRevert, match="LO"):
        pool.mint(-60, 60, max_liquidity_per_tick(60) + 1)
    with pytest.raises(ValidationError):
        UniswapV3Pool("x", ("a", "b"), (18, 18), 1234, encode_price_sqrt(1, 1))


def test_burn_returns_liquidity() -> None:
    pool = laddered_pool()
    s = pool.tick_spacing
    a0, a1 = pool.burn(-10 * s, 10 * s, E18 // 2)
    assert a0 > 0 and a1 > 0
    assert pool.liquidity == E18 + 4 * E18 // 2
    assert -10 * s not in pool.ticks
    with pytest.raises(AmmRevert, match="LS"):
        pool.burn(-10 * s, 10 * s, 1)
