"""Iceberg: only the display quantity works at a time; refresh on fill with size variance and
a price offset; re-peg when the market moves."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from algo_sim_helpers import SECOND, START, Sim, parent

from slipstream.algos import AlgoParams, IcebergAlgo
from slipstream.engine.executor import AlgoState
from slipstream.errors import ValidationError
from slipstream.model.enums import OrderType, Side

CASES = [
    # side, display, variance, offset (USDT)
    (Side.BUY, "0.05", 0.0, "0"),
    (Side.BUY, "0.05", 0.3, "0.50"),
    (Side.SELL, "0.1", 0.2, "1.00"),
]


@pytest.mark.parametrize(("side", "display", "variance", "offset"), CASES)
def test_iceberg_shows_one_display_at_a_time(side: Side, display: str, variance: float, offset: str) -> None:
    sim = Sim(sigma_units=300)
    params = AlgoParams(slice_interval=timedelta(seconds=5), display_quantity=Decimal(display),
                        display_variance=variance, price_offset=Decimal(offset))
    spec = parent("1", side=side, minutes=30)
    sim.algos.start(spec, IcebergAlgo(), params)
    shown = Decimal(display) * Decimal(1 + variance)
    for second in range(1, 1800, 7):
        sim.run(START + second * SECOND)
        run = sim.algos.runs["P1"]
        assert Decimal(run.working_units) * spec.quantity_unit <= shown + spec.quantity_unit
        assert len(run.open) <= 1
        if run.state is not AlgoState.RUNNING:
            break
    orders = list(sim.engine.oms.orders.values())
    assert all(o.order.order_type is OrderType.POST_ONLY for o in orders)
    sizes = {o.order.lots for o in orders}
    assert (len(sizes) > 2) == (variance > 0)
    assert sim.algos.status("P1").filled == spec.quantity


def test_price_offset_rests_away_from_the_touch() -> None:
    sim = Sim()
    params = AlgoParams(display_quantity=Decimal("0.05"), price_offset=Decimal("2.50"))
    sim.algos.start(parent("1", minutes=5), IcebergAlgo(), params)
    order = sim.engine.oms.orders["P1-0"]
    assert order.order.price_units == 6_000_000 - 250


def test_iceberg_needs_a_display_quantity() -> None:
    with pytest.raises(ValidationError, match="iceberg needs a display_quantity"):
        Sim().algos.start(parent("1"), IcebergAlgo(), AlgoParams())
