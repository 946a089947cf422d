"""Tests for slipstream.venues.sim.models.latency.

Calibration targets are /work/shared/MARKET_FACTS.md §3a: Binance websocket market data mean
≈ 4 ms, p99 ≈ 13 ms (deltix.io); REST round trip 10–35 ms from the co-located region and
200–500 ms from another continent (arbitron.app).
"""

from __future__ import annotations

import numpy as np
import pytest

from slipstream.errors import ValidationError
from slipstream.venues.sim.models.latency import (
    ConstantLatency,
    LatencyModel,
    LogNormalLatency,
    LogNormalLeg,
)

MS = 1_000_000


def _sample(draw: object, n: int = 100_000, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([draw(rng) for _ in range(n)], dtype=np.int64)  # type: ignore[operator]


def test_constant_latency_draws_nothing() -> None:
    model: LatencyModel = ConstantLatency(entry=1_000, response=2_000, market_data=3)
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert (model.entry_ns(rng), model.response_ns(rng), model.market_data_ns(rng)) == (1_000, 2_000, 3)
    assert rng.bit_generator.state == state
    with pytest.raises(ValidationError):
        ConstantLatency(entry=-1)


def test_market_data_default_matches_the_cited_mean_and_p99() -> None:
    x = _sample(LogNormalLatency().market_data_ns)
    assert abs(x.mean() / (4 * MS) - 1) < 0.02
    assert abs(np.percentile(x, 99) / (13 * MS) - 1) < 0.04


def test_order_round_trip_defaults_span_the_cited_ranges() -> None:
    co, far = LogNormalLatency.colocated(), LogNormalLatency.remote()
    rt = _sample(lambda r: co.entry_ns(r) + co.response_ns(r), 50_000)
    p5, p95 = np.percentile(rt, [5, 95])
    assert p5 >= 10 * MS and p95 <= 35 * MS
    rt = _sample(lambda r: far.entry_ns(r) + far.response_ns(r), 50_000)
    p5, p95 = np.percentile(rt, [5, 95])
    assert p5 >= 200 * MS and p95 <= 500 * MS


def test_spikes_make_a_tail_and_keep_the_stream_position() -> None:
    calm = LogNormalLeg(1 * MS, 0.1)
    spiky = LogNormalLeg(1 * MS, 0.1, spike_probability=0.2, spike_mean_ns=50 * MS)
    a, b = _sample(calm.draw, 20_000), _sample(spiky.draw, 20_000)
    share = float((b > 10 * MS).mean())  # P(spike) x P(exp(50 ms) > ~9 ms) = 0.2 x 0.835
    assert 0.15 < share < 0.185 and float((a > 10 * MS).mean()) == 0.0
    # same number of draws either way: the non-spiked draws are identical
    assert float((a == b).mean()) > 0.75
    r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
    calm.draw(r1)
    spiky.draw(r2)
    assert r1.bit_generator.state == r2.bit_generator.state


def test_seeded_and_non_negative() -> None:
    model = LogNormalLatency()
    a = _sample(model.entry_ns, 2_000, seed=3)
    b = _sample(model.entry_ns, 2_000, seed=3)
    assert np.array_equal(a, b) and a.min() >= 0


@pytest.mark.parametrize(
    "kwargs",
    [{"median_ns": 0, "sigma": 0.1}, {"median_ns": 1, "sigma": -0.1},
     {"median_ns": 1, "sigma": 0.1, "spike_probability": 1.5}],
)
def test_leg_validation(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        LogNormalLeg(**kwargs)  # type: ignore[arg-type]


def test_fit_helpers_reject_impossible_targets() -> None:
    with pytest.raises(ValidationError):
        LogNormalLeg.from_mean_p99(4 * MS, 3 * MS)
    with pytest.raises(ValidationError):
        LogNormalLeg.from_p5_p95(5 * MS, 5 * MS)
    leg = LogNormalLeg.from_p5_p95(5 * MS, 20 * MS)
    assert leg.median_ns == 10 * MS
