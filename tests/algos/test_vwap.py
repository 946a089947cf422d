"""VWAP: follows the volume curve, re-normalised over the order's window and after amendments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from algo_sim_helpers import SECOND, START, Sim, parent

from slipstream.algos import AlgoParams, VwapAlgo
from slipstream.algos.schedules import VolumeCurve
from slipstream.engine.executor import AlgoState

SHAPE = [5, 3, 2, 1, 1, 1, 1, 2, 3, 5]  # U-shaped minute volumes over the 10-minute window


def u_curve() -> VolumeCurve:
    weights = [0.0] * 1440
    weights[: len(SHAPE)] = SHAPE
    return VolumeCurve.from_weights(60, weights)


@pytest.mark.parametrize(("minute", "expected"), [(0, 0.0), (1, 5 / 24), (2, 8 / 24), (5, 12 / 24), (10, 1.0)])
def test_target_follows_the_curve(minute: int, expected: float) -> None:
    sim = Sim()
    sim.algos.start(parent("1", minutes=10), VwapAlgo(u_curve()), AlgoParams())
    run = sim.algos.runs["P1"]
    assert run.algo.target_units(run, START + minute * 60 * SECOND) == round(100_000 * expected)


def test_vwap_tracks_its_curve_in_simulation() -> None:
    sim = Sim(volume=lambda t: 400.0 * SHAPE[min(9, int(t // 60))], sigma_units=200)
    sim.watch.append("P1")
    spec = parent("1", minutes=10)
    sim.algos.start(spec, VwapAlgo(u_curve()), AlgoParams(slice_interval=timedelta(seconds=10)))
    sim.run(START + 11 * 60 * SECOND)
    assert sim.algos.status("P1").state is AlgoState.DONE
    assert sim.tracking_error("P1", spec.quantity_units) < 0.03
    first_minute = next(f for t, _, f, _ in sim.samples if t == START + 60 * SECOND)
    assert first_minute > 100_000 * 0.18  # front-loaded like the curve (TWAP would do 1/10)


def test_amended_end_renormalises_the_rest() -> None:
    sim = Sim()
    sim.algos.start(parent("1", minutes=10), VwapAlgo(u_curve()), AlgoParams(slice_interval=timedelta(seconds=10)))
    sim.run(START + 5 * 60 * SECOND)
    done = sim.algos.status("P1").filled
    sim.algos.amend("P1", end_ts_ns=START + 6 * 60 * SECOND)
    run = sim.algos.runs["P1"]
    assert run.algo.target_units(run, START + 6 * 60 * SECOND) == 100_000
    half = run.algo.target_units(run, START + 5 * 60 * SECOND + 30 * SECOND)
    assert half == round(int(done * 100_000) + (100_000 - int(done * 100_000)) * 0.5)
