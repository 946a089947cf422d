"""TWAP: even schedule, catch-up, randomised sizes and times, child-size limits (table-driven)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from algo_sim_helpers import SECOND, START, Sim, parent

from slipstream.algos import AlgoParams, TwapAlgo
from slipstream.engine.executor import AlgoState

CASES = [
    # name, quantity, minutes, interval s, size rand, time rand, max child, sigma
    ("plain", "1", 10, 10, 0.0, 0.0, None, 0.0),
    ("randomised", "1", 10, 10, 0.3, 0.3, None, 200.0),
    ("max child splits slices", "2", 5, 30, 0.0, 0.0, "0.05", 100.0),
    ("coarse", "0.5", 20, 120, 0.2, 0.0, None, 300.0),
]


@pytest.mark.parametrize(("name", "qty", "minutes", "interval", "size_r", "time_r", "max_child", "sigma"), CASES,
                         ids=[c[0] for c in CASES])
def test_twap_finishes_on_time_and_tracks_the_line(
    name: str, qty: str, minutes: int, interval: int, size_r: float, time_r: float, max_child: str | None,
    sigma: float,
) -> None:
    sim = Sim(sigma_units=sigma)
    sim.watch.append("P1")
    spec = parent(qty, minutes=minutes)
    params = AlgoParams(slice_interval=timedelta(seconds=interval), size_randomization=size_r,
                        time_randomization=time_r,
                        max_child_quantity=None if max_child is None else Decimal(max_child))
    sim.algos.start(spec, TwapAlgo(), params)
    sim.run(spec.end_ts_ns + SECOND)  # type: ignore[operator]
    status = sim.algos.status("P1")
    assert status.state is AlgoState.DONE and status.filled == spec.quantity and status.working == 0
    slices = minutes * 60 / interval
    # aiming at the next slice's target keeps us at most about one slice (plus jitter) ahead
    assert sim.tracking_error("P1", spec.quantity_units) <= (1 + size_r + time_r) * 1.2 / slices
    orders = sim.engine.oms.orders
    if max_child is not None:
        assert max(o.order.lots for o in orders.values()) * Decimal("0.00001") <= Decimal(max_child)
    assert list(orders) == [f"P1-{i}" for i in range(len(orders))]  # deterministic child ids


def test_randomisation_is_seeded() -> None:
    def sizes(seed: int) -> list[int]:
        sim = Sim(seed=seed)
        params = AlgoParams(slice_interval=timedelta(seconds=20), size_randomization=0.4, time_randomization=0.4)
        sim.algos.start(parent("1", minutes=5), TwapAlgo(), params)
        sim.run(START + 6 * 60 * SECOND)
        return [o.order.lots for o in sim.engine.oms.orders.values()]

    assert sizes(3) == sizes(3)
    assert sizes(3) != sizes(4)
    assert len(set(sizes(3))) > 3  # no detectable fixed size


def test_catch_up_after_missing_slices() -> None:
    sim = Sim()
    sim.watch.append("P1")
    spec = parent("1", minutes=10, limit="60000.10")
    sim.algos.start(spec, TwapAlgo(), AlgoParams(slice_interval=timedelta(seconds=30)))
    venue = sim.venues[0]
    venue.set_quote("BTC/USDT", 6_010_000, 6_010_010)  # market runs above the limit: nothing can trade
    sim.publish_book()
    sim.run(START + 4 * 60 * SECOND)
    behind = sim.algos.status("P1")
    assert behind.deviation is not None and behind.deviation < Decimal("-0.3")
    venue.set_quote("BTC/USDT", 6_000_000, 6_000_010)
    sim.publish_book()
    sim.run(START + 4 * 60 * SECOND + 31 * SECOND)
    caught = sim.algos.status("P1")
    assert caught.deviation is not None and abs(caught.deviation) <= Decimal("0.06")


def test_without_catch_up_a_slice_never_exceeds_its_increment() -> None:
    sim = Sim()
    spec = parent("1", minutes=10, limit="60000.10")
    sim.algos.start(spec, TwapAlgo(), AlgoParams(slice_interval=timedelta(seconds=30), catch_up=False))
    sim.venues[0].set_quote("BTC/USDT", 6_010_000, 6_010_010)
    sim.publish_book()
    sim.run(START + 4 * 60 * SECOND)
    sim.venues[0].set_quote("BTC/USDT", 6_000_000, 6_000_010)
    sim.publish_book()
    sim.run(START + 10 * 60 * SECOND - SECOND)
    assert max(o.order.lots for o in sim.engine.oms.orders.values()) <= 5_001
