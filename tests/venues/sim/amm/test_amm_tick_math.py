"""TickMath vectors: Uniswap/v3-core test/TickMath.spec.ts and
test/__snapshots__/TickMath.spec.ts.snap."""

from __future__ import annotations

import pytest
from amm_vectors import encode_price_sqrt
from hypothesis import given
from hypothesis import strategies as st

from slipstream.venues.sim.amm.base import AmmRevert
from slipstream.venues.sim.amm.tick_math import (
    MAX_SQRT_RATIO,
    MAX_TICK,
    MIN_SQRT_RATIO,
    MIN_TICK,
    get_sqrt_ratio_at_tick,
    get_tick_at_sqrt_ratio,
)

# TickMath.spec.ts.snap "#getSqrtRatioAtTick tick N result"
SQRT_AT_TICK = {
    -50: 79030349367926598376800521322,
    -100: 78833030112140176575862854579,
    -250: 78244023372248365697264290337,
    -500: 77272108795590369356373805297,
    -1000: 75364347830767020784054125655,
    -2500: 69919044979842180277688105136,
    -3000: 68192822843687888778582228483,
    -4000: 64867181785621769311890333195,
    -5000: 61703726247759831737814779831,
    -50000: 6504256538020985011912221507,
    -150000: 43836292794701720435367485,
    -250000: 295440463448801648376846,
    -500000: 1101692437043807371,
    -738203: 7409801140451,
    50: 79426470787362580746886972461,
    100: 79625275426524748796330556128,
    250: 80224679980005306637834519095,
    500: 81233731461783161732293370115,
    1000: 83290069058676223003182343270,
    2500: 89776708723587163891445672585,
    3000: 92049301871182272007977902845,
    4000: 96768528593268422080558758223,
    5000: 101729702841318637793976746270,
    50000: 965075977353221155028623082916,
    150000: 143194173941309278083010301478497,
    250000: 21246587762933397357449903968194344,
    500000: 5697689776495288729098254600827762987878,
    738203: 847134979253254120489401328389043031315994541,
    # TickMath.spec.ts explicit expectations
    MIN_TICK: 4295128739,
    MIN_TICK + 1: 4295343490,
    MAX_TICK - 1: 1461373636630004318706518188784493106690254656249,
    MAX_TICK: 1461446703485210103287273052203988822378723970342,
}

# TickMath.spec.ts.snap "#getTickAtSqrtRatio ratio R result"; the spec builds the ratios with
# encodePriceSqrt, which the snapshot titles print.
TICK_AT_RATIO = [
    (MIN_SQRT_RATIO, -887272),
    (encode_price_sqrt(1, 10**12), -276325),
    (encode_price_sqrt(1, 10**6), -138163),
    (encode_price_sqrt(1, 64), -41591),
    (encode_price_sqrt(1, 8), -20796),
    (encode_price_sqrt(1, 2), -6932),
    (encode_price_sqrt(1, 1), 0),
    (encode_price_sqrt(2, 1), 6931),
    (encode_price_sqrt(8, 1), 20795),
    (encode_price_sqrt(64, 1), 41590),
    (encode_price_sqrt(10**6, 1), 138162),
    (encode_price_sqrt(10**12, 1), 276324),
    (MAX_SQRT_RATIO - 1, 887271),
    (4295343490, MIN_TICK + 1),
    (1461373636630004318706518188784493106690254656249, MAX_TICK - 1),
]


def test_encoder_reproduces_snapshot_titles() -> None:
    assert encode_price_sqrt(1, 10**12) == 79228162514264337593543
    assert encode_price_sqrt(1, 2) == 56022770974786139918731938227
    assert encode_price_sqrt(10**12, 1) == 79228162514264337593543950336000000


@pytest.mark.parametrize(("tick", "expected"), sorted(SQRT_AT_TICK.items()))
def test_get_sqrt_ratio_at_tick(tick: int, expected: int) -> None:
    assert get_sqrt_ratio_at_tick(tick) == expected


@pytest.mark.parametrize(("ratio", "expected"), TICK_AT_RATIO)
def test_get_tick_at_sqrt_ratio(ratio: int, expected: int) -> None:
    assert get_tick_at_sqrt_ratio(ratio) == expected


def test_bounds_and_reverts() -> None:
    assert get_sqrt_ratio_at_tick(MIN_TICK) == MIN_SQRT_RATIO
    assert get_sqrt_ratio_at_tick(MAX_TICK) == MAX_SQRT_RATIO
    for bad in (MIN_TICK - 1, MAX_TICK + 1):
        with pytest.raises(AmmRevert, match="T"):
            get_sqrt_ratio_at_tick(bad)
    for bad in (MIN_SQRT_RATIO - 1, MAX_SQRT_RATIO):
        with pytest.raises(AmmRevert, match="R"):
            get_tick_at_sqrt_ratio(bad)


@given(st.integers(min_value=MIN_SQRT_RATIO, max_value=MAX_SQRT_RATIO - 1))
def test_ratio_is_between_tick_and_next(ratio: int) -> None:
    # TickMath.spec.ts "ratio is between the tick and tick+1" (and the echidna invariant).
    tick = get_tick_at_sqrt_ratio(ratio)
    assert get_sqrt_ratio_at_tick(tick) <= ratio < get_sqrt_ratio_at_tick(tick + 1)


@given(st.integers(min_value=MIN_TICK, max_value=MAX_TICK - 1))
def test_round_trip_and_monotone(tick: int) -> None:
    ratio = get_sqrt_ratio_at_tick(tick)
    assert get_tick_at_sqrt_ratio(ratio) == tick
    assert get_sqrt_ratio_at_tick(tick + 1) > ratio
