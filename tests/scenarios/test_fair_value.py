"""The fair-value process: seeded, starts at the initial price, vol and jumps as configured."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.scenarios.fair_value import simulate_fair_value
from slipstream.scenarios.schema import Asset, Jumps, Regime

DAY = 86_400 * 10**9
SEC = 10**9


def asset(vol: float = 0.5, jumps: Jumps | None = None, regimes: list[Regime] | None = None) -> Asset:
    return Asset(initial_price=50_000.0, regimes=regimes or [Regime(name="r", annual_vol=vol)],
                 jumps=jumps or Jumps())


@given(seed=st.integers(0, 2**32 - 1), vol=st.floats(0.05, 2.0))
@settings(max_examples=25, deadline=None)
def test_same_seed_same_path_and_positive(seed: int, vol: float) -> None:
    a = simulate_fair_value(asset(vol), 0, 3_600 * SEC, SEC, seed)
    b = simulate_fair_value(asset(vol), 0, 3_600 * SEC, SEC, seed)
    assert np.array_equal(a.prices, b.prices)
    assert a.prices[0] == 50_000.0 and len(a) == 3_601
    assert (a.prices > 0).all()


def test_different_seeds_differ() -> None:
    a = simulate_fair_value(asset(), 0, DAY, 10 * SEC, 1)
    b = simulate_fair_value(asset(), 0, DAY, 10 * SEC, 2)
    assert not np.array_equal(a.prices, b.prices)


def test_realised_vol_matches_the_regime() -> None:
    # 30 days of 1-minute steps: the estimate's relative standard error is ~1/sqrt(2n) ≈ 0.3%
    path = simulate_fair_value(asset(0.6), 0, 30 * DAY, 60 * SEC, 7)
    assert abs(path.realised_vol() - 0.6) < 0.02


def test_regimes_switch_and_set_the_vol() -> None:
    regimes = [Regime(name="calm", annual_vol=0.2, mean_duration_s=3_600, switch_to=[0.0, 1.0]),
               Regime(name="wild", annual_vol=1.0, mean_duration_s=3_600, switch_to=[1.0, 0.0])]
    path = simulate_fair_value(asset(regimes=regimes), 0, 20 * DAY, 60 * SEC, 3)
    share = (path.regimes == 1).mean()
    assert 0.35 < share < 0.65  # symmetric chain: half the time in each
    r = np.diff(np.log(path.prices))
    calm, wild = r[path.regimes[1:] == 0].std(), r[path.regimes[1:] == 1].std()
    assert 4.0 < wild / calm < 6.0  # 1.0 / 0.2


def test_jumps_have_the_configured_rate_and_size() -> None:
    jumps = Jumps(intensity_per_day=20.0, mean_bps=50.0, stdev_bps=0.0)
    path = simulate_fair_value(asset(jumps=jumps), 0, 50 * DAY, 60 * SEC, 11)
    count = np.rint(path.jumps / 0.005).sum()  # each jump is exactly +50 bps
    assert abs(count - 1_000) < 4 * np.sqrt(1_000)
    nonzero = path.jumps[path.jumps != 0]
    assert np.allclose(nonzero / 0.005, np.rint(nonzero / 0.005)) and (nonzero > 0).all()


def test_price_at_holds_between_grid_points() -> None:
    path = simulate_fair_value(asset(), 1_000, 10 * SEC, SEC, 0)
    assert path.price_at(1_000 + SEC + SEC // 2) == path.prices[1]
    assert path.price_at(0) == path.prices[0] and path.price_at(10**15) == path.prices[-1]
