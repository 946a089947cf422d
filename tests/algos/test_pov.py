"""POV: a target share of market volume (ours included), inside min/max bands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from algo_sim_helpers import SECOND, START, Sim, parent

from slipstream.algos import AlgoParams, PovAlgo
from slipstream.errors import ValidationError
from slipstream.model.intents import Urgency

BANDS = [
    # rate, min band, max band, market lots/s
    (0.05, None, None, 2_000.0),
    (0.10, None, 0.12, 1_000.0),
    (0.20, 0.15, 0.25, 500.0),
]


@pytest.mark.parametrize(("rate", "low", "high", "volume"), BANDS)
def test_participation_tracks_the_rate_inside_the_bands(
    rate: float, low: float | None, high: float | None, volume: float
) -> None:
    sim = Sim(volume=lambda t: volume, sigma_units=150)
    spec = parent("100", minutes=5)  # more than the market gives: POV is volume-bound
    params = AlgoParams(slice_interval=timedelta(seconds=5), participation_rate=rate, min_participation=low,
                        max_participation=high)
    sim.algos.start(spec, PovAlgo(), params)
    shares = []
    for second in range(30, 300, 10):
        sim.run(START + second * SECOND)
        run = sim.algos.runs["P1"]
        total = run.market_units + run.filled_units
        shares.append(run.filled_units / total)
        if high is not None:
            assert (run.filled_units + run.working_units) / total <= high + 1e-9
    assert abs(shares[-1] - rate) < 0.25 * rate
    if low is not None:
        assert min(shares[3:]) >= low - 0.02


def test_below_the_min_band_pov_takes_and_inside_it_rests() -> None:
    sim = Sim()
    params = AlgoParams(participation_rate=0.1, min_participation=0.05, max_participation=0.2)
    sim.algos.start(parent("100", minutes=5), PovAlgo(), params)
    run = sim.algos.runs["P1"]
    algo = run.algo
    assert isinstance(algo, PovAlgo)
    sim.run(START + 5 * SECOND)
    assert run.filled_units < 0.05 / 0.95 * run.market_units or algo.urgency(run) is Urgency.PASSIVE


def test_pov_needs_a_rate() -> None:
    sim = Sim()
    with pytest.raises(ValidationError, match="POV needs a participation_rate"):
        sim.algos.start(parent("1"), PovAlgo(), AlgoParams())
    with pytest.raises(ValidationError, match="passive_only cannot keep a min_participation"):
        sim.algos.start(parent("1"), PovAlgo(), AlgoParams(participation_rate=0.1, min_participation=0.05,
                                                          passive_only=True))
