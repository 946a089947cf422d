"""Tests for slipstream.venues.sim.models.fees.

Golden rates are /work/shared/MARKET_FACTS.md §1a (base tiers per venue; Deribit's option fee
example: a 0.0001 BTC option pays 0.0000125 BTC, i.e. the 12.5% premium cap).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.model.enums import Liquidity
from slipstream.venues.sim.models.fees import (
    BINANCE_SPOT,
    BINANCE_USDM_PERP,
    BYBIT_PERP,
    DERIBIT_OPTION,
    DERIBIT_PERP,
    DERIBIT_WEEKLY_FUTURE,
    FEE_SCHEDULES,
    OKX_SPOT,
    FeeSchedule,
    FeeTier,
)

D = Decimal
MAKER, TAKER = Liquidity.MAKER, Liquidity.TAKER


@pytest.mark.parametrize(
    ("schedule", "liquidity", "fee"),
    [
        (BINANCE_SPOT, TAKER, D("10.000")),  # 0.10%
        (BINANCE_USDM_PERP, MAKER, D("2.0000")),  # 0.02%
        (BINANCE_USDM_PERP, TAKER, D("5.0000")),  # 0.05%
        (OKX_SPOT, MAKER, D("8.0000")),  # 0.080%
        (BYBIT_PERP, TAKER, D("5.50000")),  # 0.055%
        (DERIBIT_PERP, MAKER, D("0")),
        (DERIBIT_WEEKLY_FUTURE, MAKER, D("-1.0000")),  # rebate 0.01%
    ],
)
def test_base_tier_fees_on_10k_notional(schedule: FeeSchedule, liquidity: Liquidity, fee: Decimal) -> None:
    assert schedule.fee(D("10000"), liquidity) == fee


def test_deribit_option_fee_cap_example() -> None:
    # 1 contract on 1 BTC: 0.03% = 0.0003 BTC, but the option costs 0.0001 BTC -> 12.5% cap
    assert DERIBIT_OPTION.option_fee(D("1"), D("0.0001"), TAKER) == D("0.0000125")
    # an expensive option pays the plain 0.03% of the underlying
    assert DERIBIT_OPTION.option_fee(D("1"), D("0.05"), MAKER) == D("0.0003")
    with pytest.raises(ValidationError):
        BINANCE_SPOT.option_fee(D("1"), D("0.1"), TAKER)


TIERED = FeeSchedule(
    "tiered",
    (
        FeeTier(D("0"), D("0.0010"), D("0.0010")),
        FeeTier(D("1000000"), D("0.0008"), D("0.0009")),
        FeeTier(D("50000000"), D("-0.0001"), D("0.0005")),
    ),
)


@pytest.mark.parametrize(
    ("volume", "maker", "taker"),
    [(D("0"), D("0.0010"), D("0.0010")), (D("999999.99"), D("0.0010"), D("0.0010")),
     (D("1000000"), D("0.0008"), D("0.0009")), (D("5e8"), D("-0.0001"), D("0.0005"))],
)
def test_tier_selection_by_volume(volume: Decimal, maker: Decimal, taker: Decimal) -> None:
    assert TIERED.rate(MAKER, volume) == maker and TIERED.rate(TAKER, volume) == taker


@given(
    notional=st.decimals(min_value=0, max_value=10**9, places=8),
    v1=st.decimals(min_value=0, max_value=10**9, places=2),
    v2=st.decimals(min_value=0, max_value=10**9, places=2),
)
def test_more_volume_never_costs_more_and_fee_is_exact(notional: Decimal, v1: Decimal, v2: Decimal) -> None:
    lo, hi = sorted((v1, v2))
    for liquidity in (MAKER, TAKER):
        assert TIERED.fee(notional, liquidity, hi) <= TIERED.fee(notional, liquidity, lo)
        assert TIERED.fee(notional, liquidity, lo) == notional * TIERED.rate(liquidity, lo)


def test_validation() -> None:
    with pytest.raises(ValidationError):
        FeeSchedule("x", ())
    with pytest.raises(ValidationError):
        FeeSchedule("x", (FeeTier(D("1"), D("0"), D("0")),))
    with pytest.raises(ValidationError):
        FeeSchedule("x", (FeeTier(D("0"), D("0"), D("0")), FeeTier(D("0"), D("0"), D("0"))))
    with pytest.raises(ValidationError):
        FeeSchedule("x", (FeeTier(D("0"), 0.001, D("0")),))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        BINANCE_SPOT.fee(D("-1"), TAKER)
    with pytest.raises(ValidationError):
        BINANCE_SPOT.fee(1000.0, TAKER)  # type: ignore[arg-type]


def test_presets_are_named_and_sourced() -> None:
    assert len(FEE_SCHEDULES) == 9
    for name, schedule in FEE_SCHEDULES.items():
        assert schedule.name == name and "MARKET_FACTS.md" in schedule.source
