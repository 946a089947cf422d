"""EIP-1559 base fee: golden vectors and the ±12.5% bound."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.venues.sim.chain.gas import effective_gas_price, next_base_fee, priority_fee_per_gas

INITIAL_BASE_FEE = 1_000_000_000  # EIP-1559 INITIAL_BASE_FEE

# go-ethereum consensus/misc/eip1559/eip1559_test.go, TestCalcBaseFee:
# (parent base fee, parent gas limit, parent gas used, expected base fee)
GETH_VECTORS = [
    (INITIAL_BASE_FEE, 20_000_000, 10_000_000, INITIAL_BASE_FEE),  # usage == target
    (INITIAL_BASE_FEE, 20_000_000, 9_000_000, 987_500_000),  # below target
    (INITIAL_BASE_FEE, 20_000_000, 11_000_000, 1_012_500_000),  # above target
    (INITIAL_BASE_FEE, 20_000_000, 20_000_000, 1_125_000_000),  # full
    (INITIAL_BASE_FEE, 20_000_000, 0, 875_000_000),  # empty
]


@pytest.mark.parametrize(("base", "limit", "used", "expected"), GETH_VECTORS)
def test_geth_calc_base_fee_vectors(base: int, limit: int, used: int, expected: int) -> None:
    assert next_base_fee(base, used, limit) == expected


def test_spec_minimum_increase_of_one_wei_and_no_minimum_decrease() -> None:
    # EIP-1559 spec: the increase is max(delta, 1); the decrease has no such floor.
    assert next_base_fee(7, 30_000_000, 30_000_000) == 8
    assert next_base_fee(7, 0, 30_000_000) == 7  # 7 * 1 // 8 == 0
    assert next_base_fee(8, 0, 30_000_000) == 7


def test_minimum_base_fee_floor() -> None:
    assert next_base_fee(10_000_000, 0, 32_000_000, min_base_fee=10_000_000) == 10_000_000


@given(base=st.integers(1, 10**15), half=st.integers(1, 10**9), data=st.data())
def test_base_fee_moves_at_most_one_eighth(base: int, half: int, data: st.DataObject) -> None:
    limit = 2 * half  # even limits: usage can exceed the target by at most the target
    used = data.draw(st.integers(0, limit))
    new = next_base_fee(base, used, limit)
    target = limit // 2
    assert 8 * base - base <= 8 * new <= 8 * base + base or new == base + 1
    if used > target:
        assert new > base
    elif used < target:
        assert new <= base
    else:
        assert new == base


def test_effective_gas_price_caps_tip_by_max_fee() -> None:
    assert effective_gas_price(10, 100, 5) == 15
    assert effective_gas_price(98, 100, 5) == 100
    assert priority_fee_per_gas(100, 100, 5) == 0
    with pytest.raises(ValidationError):
        effective_gas_price(101, 100, 5)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValidationError):
        next_base_fee(1, 11, 10)
    with pytest.raises(ValidationError):
        next_base_fee(-1, 0, 10)
