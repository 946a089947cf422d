"""Invariants of every scheduled algo, on random parameters (hypothesis):

children never exceed the parent, never trade through the limit, respect the participation cap
on the simulated volume, finish by the end time when liquidity allows; pause and cancel leave
no child working.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from algo_sim_helpers import SECOND, START, Sim, parent
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.algos import AlgoParams, IsAlgo, PovAlgo, TwapAlgo, VwapAlgo
from slipstream.algos.base import ScheduleAlgo
from slipstream.engine.executor import AlgoState
from slipstream.model.enums import Side

ALGOS = {"twap": TwapAlgo, "vwap": VwapAlgo, "is": IsAlgo}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    return {
        "algo": draw(st.sampled_from(sorted(ALGOS))),
        "side": draw(st.sampled_from([Side.BUY, Side.SELL])),
        "quantity": draw(st.sampled_from(["0.2", "1", "3.33333"])),
        "minutes": draw(st.integers(1, 3)),
        "interval": draw(st.sampled_from([5, 10, 20])),
        "size_r": draw(st.sampled_from([0.0, 0.25, 0.5])),
        "time_r": draw(st.sampled_from([0.0, 0.3])),
        "max_child": draw(st.sampled_from([None, "0.05", "0.5"])),
        "urgency": draw(st.floats(0.0, 1.0)),
        "limit_offset": draw(st.sampled_from([None, 0, 300, 2_000])),
        "cap": draw(st.sampled_from([None, 0.1, 0.3])),
        "seed": draw(st.integers(0, 1_000)),
    }


def build(s: dict[str, object]) -> tuple[Sim, Decimal | None]:
    sim = Sim(seed=int(s["seed"]), sigma_units=300, volume=lambda t: 3_000.0)  # type: ignore[call-overload]
    side = s["side"]
    assert isinstance(side, Side)
    offset = s["limit_offset"]
    limit = None
    if offset is not None:
        limit = Decimal(6_000_010 + int(offset)) / 100 if side is Side.BUY else Decimal(6_000_000 - int(offset)) / 100
    spec = parent(str(s["quantity"]), side=side, minutes=int(s["minutes"]),  # type: ignore[call-overload]
                  limit=None if limit is None else str(limit))
    max_child = s["max_child"]
    params = AlgoParams(
        slice_interval=timedelta(seconds=int(s["interval"])),  # type: ignore[call-overload]
        size_randomization=float(s["size_r"]),  # type: ignore[arg-type]
        time_randomization=float(s["time_r"]),  # type: ignore[arg-type]
        max_child_quantity=None if max_child is None else Decimal(str(max_child)),
        urgency=float(s["urgency"]),  # type: ignore[arg-type]
        max_participation=s["cap"],  # type: ignore[arg-type]
    )
    algo: ScheduleAlgo = ALGOS[str(s["algo"])]()
    sim.algos.start(spec, algo, params)
    return sim, limit


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_schedule_invariants(s: dict[str, object]) -> None:
    sim, limit = build(s)
    run = sim.algos.runs["P1"]
    spec = run.parent
    end = run.end_ns
    t = START
    while t < end + 2 * SECOND:
        t += 3 * SECOND
        sim.run(t)
        assert run.filled_units >= 0 and run.filled_units + run.working_units <= spec.quantity_units
        if s["cap"] is not None:
            cap = float(s["cap"])  # type: ignore[arg-type]
            assert run.filled_units + run.working_units <= cap / (1 - cap) * run.market_units + 1e-9
    state = sim.engine.oms.parents["P1"]
    assert state.excess_units == 0 and not sim.engine.oms.anomalies
    for order in sim.engine.oms.orders.values():
        if max_child := s["max_child"]:
            assert order.order.lots * Decimal("0.00001") <= Decimal(str(max_child))
        if order.filled_lots and limit is not None:
            average = order.filled_value_units / order.filled_lots
            limit_units = int(limit * 100)
            assert average <= limit_units if spec.side is Side.BUY else average >= limit_units
    status = sim.algos.status("P1")
    assert status.state is AlgoState.DONE and status.working == 0
    if s["cap"] is None and s["limit_offset"] is None:
        assert status.filled == spec.quantity  # unbounded liquidity at the touch: done on time


@settings(max_examples=25, deadline=None)
@given(scenarios(), st.integers(1, 170), st.booleans(), st.booleans())
def test_pause_and_cancel_leave_no_child_working(
    s: dict[str, object], at_second: int, cancel: bool, passive: bool
) -> None:
    sim = Sim(seed=int(s["seed"]), sigma_units=300)  # type: ignore[call-overload]
    params = AlgoParams(slice_interval=timedelta(seconds=int(s["interval"])),  # type: ignore[call-overload]
                        passive_only=passive, participation_rate=0.1)
    algo = PovAlgo() if s["algo"] == "is" else TwapAlgo()
    sim.algos.start(parent("1", minutes=3), algo, params)
    sim.run(START + at_second * SECOND)
    run = sim.algos.runs["P1"]
    if run.state is AlgoState.RUNNING:
        if cancel:
            sim.algos.cancel("P1")
        else:
            sim.algos.pause("P1")
    sim.run(START + (at_second + 1) * SECOND)
    assert run.working_units == 0 and not run.open
    assert not [o for o in sim.engine.oms.orders.values() if not o.status.is_terminal]
    filled = run.filled_units
    sim.run(START + (at_second + 30) * SECOND)
    assert run.filled_units == filled
