"""Curve stableswap (StableSwap3Pool.vy family) checks.

curvefi/curve-contract publishes no fixed-number swap vectors; its tests assert bounds instead,
and those are pinned here with the same parameters: tests/pools/common/unitary/test_exchange.py
(test_exchange: 1 - max(1e-4, 1/received) - fee < received/10**dec < 1 - fee; test_min_dy:
|received - get_dy| <= 1) on a pool seeded like tests/fixtures (A = 360 * 2, fees set by
set_fees). Plus exact structural identities of the integer math and property tests.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm import AmmRevert, Pool, StableSwapPool
from slipstream.venues.sim.amm.stableswap import get_d, get_y

DECIMALS = (18, 6, 6)  # DAI, USDC, USDT as in contracts/pools/3pool/pooldata.json
BASE = 1_000_000


def three_pool(fee: int = 0, admin_fee: int = 0, amp: int = 720,
               balances: tuple[int, ...] | None = None) -> StableSwapPool:
    if balances is None:
        balances = tuple(BASE * 10**d for d in DECIMALS)
    return StableSwapPool("3pool", ("DAI", "USDC", "USDT"), DECIMALS, balances, amp, fee,
                          admin_fee)


@pytest.mark.parametrize(("sending", "receiving"), list(itertools.permutations(range(3), 2)))
@pytest.mark.parametrize(("fee", "admin_fee"),
                         list(itertools.combinations_with_replacement([0, 0.04, 0.1337, 0.5], 2)))
def test_curve_exchange_bounds(sending: int, receiving: int, fee: float, admin_fee: float) -> None:
    pool = three_pool(round(10**10 * fee), round(10**10 * admin_fee))
    amount = 10 ** DECIMALS[sending]
    view = pool.get_dy(sending, receiving, amount)
    received = pool.exchange(sending, receiving, amount)
    ratio = received / 10 ** DECIMALS[receiving]
    assert 1 - max(1e-4, 1 / received) - fee < ratio < 1 - fee
    assert abs(received - view) <= 1  # test_min_dy
    expected_admin = 10 ** DECIMALS[receiving] * fee * admin_fee
    if expected_admin >= 1:
        assert expected_admin / pool.admin_balances[receiving] == pytest.approx(
            1, rel=max(1e-3, 1 / (expected_admin - 1.1)))
    else:
        assert pool.admin_balances[receiving] <= 1


def test_balanced_pool_identities() -> None:
    # Balanced xp: D is exactly the sum (one Newton step returns D unchanged).
    pool = three_pool(amp=2000)
    assert pool.get_virtual_price_d() == 3 * BASE * 10**18
    assert get_d([0, 0, 0], 100) == 0
    # get_y at the unchanged x returns the current balance.
    xp = pool.xp()
    assert get_y(0, 1, xp[0], xp, 2000) == xp[1]


def test_get_dy_and_exchange_round_differently() -> None:
    # 3pool get_dy converts to coin units before the fee, exchange after: one unit apart here.
    pool = three_pool(fee=4_000_000, admin_fee=5 * 10**9, amp=2000)
    assert pool.get_dy(0, 1, 10**18) == 999600
    assert pool.quote_exact_in(0, 1, 10**18).amount_out == 999599


def test_protocol_surface_and_exact_out() -> None:
    pool = three_pool(fee=4_000_000, admin_fee=5 * 10**9, amp=2000)
    assert isinstance(pool, Pool)
    assert pool.mid_price(0, 1) == pytest.approx(1e-12)
    twin = pool.copy()
    res = twin.swap_exact_out(0, 2, 1000 * 10**6)
    assert res.amount_out >= 1000 * 10**6
    smaller = pool.quote_exact_in(0, 2, res.amount_in - 1)
    assert smaller.amount_out < 1000 * 10**6
    assert pool.balances == [BASE * 10**d for d in DECIMALS]
    with pytest.raises(AmmRevert):
        pool.quote_exact_out(0, 1, pool.balances[1])
    with pytest.raises(ValidationError):
        pool.quote_exact_in(1, 1, 5)


coin_balance = st.integers(min_value=10**3, max_value=10**12)


@settings(max_examples=60, deadline=None)
@given(st.tuples(coin_balance, coin_balance, coin_balance),
       st.integers(min_value=1, max_value=200_000), st.integers(min_value=1, max_value=5000),
       st.sampled_from(list(itertools.permutations(range(3), 2))))
def test_d_never_decreases_and_output_monotone(units: tuple[int, int, int], dx_units: int,
                                               amp: int, pair: tuple[int, int]) -> None:
    i, j = pair
    balances = tuple(u * 10**d for u, d in zip(units, DECIMALS, strict=True))
    pool = three_pool(fee=4_000_000, admin_fee=5 * 10**9, amp=amp, balances=balances)
    dx = dx_units * 10 ** DECIMALS[i]
    try:
        small = pool.quote_exact_in(i, j, dx)
        large = pool.quote_exact_in(i, j, 2 * dx)
    except AmmRevert:
        return
    assert small.amount_out <= large.amount_out
    d_before = pool.get_virtual_price_d()
    before = list(pool.balances)
    assert pool.swap_exact_in(i, j, dx) == small
    assert pool.get_virtual_price_d() >= d_before
    assert pool.balances[i] == before[i] + dx
    assert pool.balances[j] <= before[j]  # dy may round to 0 on a very skewed pool, as on chain


def test_two_coin_pool() -> None:
    pool = StableSwapPool("usdc-usdt", ("USDC", "USDT"), (6, 6), [10**12, 10**12], 200)
    res = pool.swap_exact_in(0, 1, 10**6)
    assert 999_000 < res.amount_out < 10**6
    with pytest.raises(ValidationError):
        StableSwapPool("bad", ("A",), (6,), [1], 100)
