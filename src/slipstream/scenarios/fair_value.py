"""The shared fair-value process: a seeded log-price path on a fixed time grid.

Model (floats are fine here: this is a model, prices reach orders only after tick rounding):

* volatility regimes form a continuous-time Markov chain — regime ``i`` lasts an exponential
  time of mean ``mean_duration_s`` and then moves to regime ``j`` with probability
  ``switch_to[j]``; a grid step takes the regime in force at its start;
* within a step the log price moves by ``(mu - sigma**2 / 2) dt + sigma sqrt(dt) Z`` (GBM, so
  the price is a martingale when ``drift_annual`` is 0);
* jumps are compound Poisson: ``N ~ Poisson(intensity dt)`` jumps a step, each of normal size
  (``mean_bps``, ``stdev_bps``) in log price, so a step's jump is ``Normal(N m, sqrt(N) s)``.

Everything is drawn in a few vectorised numpy calls from one seeded generator, in a fixed order,
so the same seed gives the same path on every platform numpy supports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slipstream.scenarios.schema import Asset

__all__ = ["YEAR_S", "FairValuePath", "simulate_fair_value"]

YEAR_S = 365.0 * 86_400.0


@dataclass(frozen=True, slots=True)
class FairValuePath:
    """Fair price at ``start_ns + i * step_ns`` for ``i`` in ``range(len(prices))``.

    ``regimes[i]`` is the regime index during step ``i``; ``jumps[i]`` the log jump in it.
    """

    start_ns: int
    step_ns: int
    prices: np.ndarray
    regimes: np.ndarray
    jumps: np.ndarray

    def __len__(self) -> int:
        return int(self.prices.shape[0])

    def index_at(self, ts_ns: int) -> int:
        """Grid index in force at ``ts_ns`` (clamped to the path)."""
        i = (ts_ns - self.start_ns) // self.step_ns
        return int(min(max(i, 0), len(self) - 1))

    def price_at(self, ts_ns: int) -> float:
        """Fair price in force at ``ts_ns`` (held between grid points)."""
        return float(self.prices[self.index_at(ts_ns)])

    @property
    def end_ns(self) -> int:
        return self.start_ns + (len(self) - 1) * self.step_ns

    def realised_vol(self) -> float:
        """Annualised standard deviation of the path's log returns."""
        returns = np.diff(np.log(self.prices))
        return float(returns.std() * np.sqrt(YEAR_S / (self.step_ns / 1e9)))


def _regime_path(asset: Asset, n: int, dt_s: float, rng: np.random.Generator) -> np.ndarray:
    """Regime index per step from the regimes' holding times (few draws: one per switch)."""
    out = np.empty(n, dtype=np.int64)
    regime, t, step = asset.initial_regime, 0.0, 0
    while step < n:
        spec = asset.regimes[regime]
        if not spec.switch_to:
            out[step:] = regime
            break
        t += float(rng.exponential(spec.mean_duration_s))
        last = min(n, int(np.ceil(t / dt_s)))  # steps starting before t are in this regime
        if last > step:
            out[step:last] = regime
            step = last
        regime = int(rng.choice(len(asset.regimes), p=np.asarray(spec.switch_to)))
    return out


def simulate_fair_value(asset: Asset, start_ns: int, duration_ns: int, step_ns: int,
                        seed: int) -> FairValuePath:
    """Simulate the fair price on ``[start, start + duration]`` every ``step_ns``.

    Args:
        asset: the process parameters.
        start_ns: time of the first grid point (price = ``asset.initial_price``).
        duration_ns: span; the grid has ``duration // step + 1`` points.
        step_ns: grid step.
        seed: seed of the path's generator.
    """
    n = duration_ns // step_ns + 1
    dt_s = step_ns / 1e9
    dt_y = dt_s / YEAR_S
    rng = np.random.default_rng([seed, 0x5CE7A])
    regimes = _regime_path(asset, n, dt_s, rng)
    vols = np.array([r.annual_vol for r in asset.regimes])[regimes]
    z = rng.standard_normal(n)
    jumps_n = rng.poisson(asset.jumps.intensity_per_day * dt_s / 86_400.0, n)
    jz = rng.standard_normal(n)
    jump = (jumps_n * asset.jumps.mean_bps + np.sqrt(jumps_n) * asset.jumps.stdev_bps * jz) / 1e4
    steps = (asset.drift_annual - 0.5 * vols**2) * dt_y + vols * np.sqrt(dt_y) * z + jump
    steps[0] = 0.0
    jump[0] = 0.0
    prices = asset.initial_price * np.exp(np.cumsum(steps))
    return FairValuePath(start_ns, step_ns, prices, regimes, jump)
