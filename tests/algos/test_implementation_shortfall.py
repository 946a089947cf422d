"""Implementation Shortfall: the Almgren–Chriss trajectory; higher risk aversion trades faster."""

from __future__ import annotations

from datetime import timedelta

import pytest
from algo_sim_helpers import SECOND, START, Sim, parent

from slipstream.algos import AlgoParams, ImpactModel, IsAlgo, TwapAlgo, risk_aversion_for_urgency
from slipstream.engine.executor import AlgoState
from slipstream.errors import ValidationError

INTERVAL = AlgoParams(slice_interval=timedelta(seconds=10))


def filled_at(urgency: float | None, minute: float, risk_aversion: float | None = None) -> int:
    sim = Sim(sigma_units=100)
    params = AlgoParams(slice_interval=timedelta(seconds=10), urgency=urgency or 0.0, risk_aversion=risk_aversion)
    sim.algos.start(parent("1", minutes=10), IsAlgo(), params)
    sim.run(START + round(minute * 60 * SECOND))
    return sim.algos.runs["P1"].filled_units


@pytest.mark.parametrize("minute", [1, 2.5, 5])
def test_higher_urgency_trades_faster(minute: float) -> None:
    fills = [filled_at(u, minute) for u in (0.0, 0.25, 0.5, 1.0)]
    assert fills == sorted(fills) and fills[0] < fills[-1]


def test_higher_risk_aversion_trades_faster() -> None:
    fills = [filled_at(None, 2, risk_aversion=lam) for lam in (0.0, 1e-5, 1e-4, 1e-3)]
    assert fills == sorted(fills) and fills[0] < fills[-1]


def test_zero_urgency_is_the_twap_line() -> None:
    sim = Sim()
    sim.algos.start(parent("1", minutes=10, parent_id="IS"), IsAlgo(), AlgoParams(urgency=0.0))
    sim.algos.start(parent("1", minutes=10, parent_id="TW"), TwapAlgo(), AlgoParams())
    is_run, tw_run = sim.algos.runs["IS"], sim.algos.runs["TW"]
    for second in range(0, 601, 37):
        t = START + second * SECOND
        assert is_run.algo.target_units(is_run, t) == tw_run.algo.target_units(tw_run, t)


def test_urgency_maps_to_the_promised_decay() -> None:
    # κT = 10·u: with u = 0.5 the holdings at mid-horizon are sinh(2.5)/sinh(5) of the start
    model = ImpactModel(sigma=0.5, eta=2.0)
    lam = risk_aversion_for_urgency(0.5, model, 600.0, 60)
    sim = Sim()
    sim.algos.start(parent("1", minutes=10), IsAlgo(model), AlgoParams(slice_interval=timedelta(seconds=10),
                                                                       risk_aversion=lam))
    run = sim.algos.runs["P1"]
    import math

    expected = 1 - math.sinh(2.5) / math.sinh(5.0)
    assert run.algo.target_units(run, START + 300 * SECOND) == pytest.approx(100_000 * expected, abs=2)


def test_is_tracks_its_trajectory_in_simulation() -> None:
    sim = Sim(sigma_units=200)
    sim.watch.append("P1")
    sim.algos.start(parent("1", minutes=10), IsAlgo(), AlgoParams(slice_interval=timedelta(seconds=10), urgency=0.6))
    sim.run(START + 11 * 60 * SECOND)
    assert sim.algos.status("P1").state is AlgoState.DONE
    assert sim.tracking_error("P1", 100_000) < 0.03


def test_non_convex_model_is_refused() -> None:
    sim = Sim()
    with pytest.raises(ValidationError, match="eta - gamma"):
        sim.algos.start(parent("1"), IsAlgo(ImpactModel(eta=1e-6, gamma=1.0)), INTERVAL)
