"""The algo engine: control commands journaled, status, routing, limits, determinism."""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "algos"))
from algo_sim_helpers import SECOND, START, SYMBOL, Sim, parent

from slipstream.algos import AlgoParams, NullAlgo, TwapAlgo
from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine, AlgoState
from slipstream.errors import ValidationError
from slipstream.journal.codec import decode_event, encode_event
from slipstream.model.algo_events import (
    AlgoFinished,
    AlgoStarted,
    ParentOrderAmended,
    ParentOrderPaused,
    ParentOrderResumed,
)
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.events import ParentOrderCanceled

TEN_S = AlgoParams(slice_interval=timedelta(seconds=10))


def kinds(sim: Sim) -> list[type]:
    return [type(e) for _, e in sim.engine.journal.events()]


def test_pause_resume_cancel_are_journaled_and_leave_nothing_working() -> None:
    sim = Sim(sigma_units=100)
    sim.algos.start(parent("1", minutes=10), TwapAlgo(), AlgoParams(slice_interval=timedelta(seconds=10),
                                                                   passive_only=True))
    sim.run(START + 60 * SECOND)
    paused = sim.algos.pause("P1", reason="desk")
    assert paused.state is AlgoState.PAUSED
    sim.run(START + 120 * SECOND)
    assert sim.algos.status("P1").working == 0
    filled_while_paused = sim.algos.status("P1").filled
    sim.run(START + 180 * SECOND)
    assert sim.algos.status("P1").filled == filled_while_paused  # nothing sent while paused
    assert sim.algos.resume("P1").state is AlgoState.RUNNING
    sim.run(START + 240 * SECOND)
    report = sim.algos.cancel("P1", reason="done for the day")
    assert report.state is AlgoState.CANCELLED and report.filled > filled_while_paused
    sim.run(START + 250 * SECOND)
    assert sim.algos.status("P1").working == 0
    assert not [o for o in sim.engine.oms.orders.values() if not o.status.is_terminal]
    journal = kinds(sim)
    for event_type in (AlgoStarted, ParentOrderPaused, ParentOrderResumed, ParentOrderCanceled, AlgoFinished):
        assert event_type in journal
    with pytest.raises(ValidationError, match="is cancelled"):
        sim.algos.resume("P1")


def test_algo_events_round_trip_through_the_journal_codec() -> None:
    sim = Sim()
    sim.algos.start(parent("1", minutes=10), TwapAlgo(), TEN_S)
    sim.algos.amend("P1", quantity=Decimal("2"), limit_price=Decimal("60100"))
    for _, event in sim.engine.journal.events():
        assert decode_event(encode_event(event)) == event
    started = next(e for _, e in sim.engine.journal.events() if isinstance(e, AlgoStarted))
    assert AlgoParams.decode(started.params) == TEN_S


def test_amend_quantity_limit_and_end() -> None:
    sim = Sim()
    sim.algos.start(parent("1", minutes=10), TwapAlgo(), TEN_S)
    sim.run(START + 300 * SECOND)
    half = sim.algos.status("P1")
    amended = sim.algos.amend("P1", quantity=Decimal("2"), end_ts_ns=START + 400 * SECOND, limit_price=Decimal("60001"))
    assert amended.quantity == 2 and ParentOrderAmended in kinds(sim)
    sim.run(START + 401 * SECOND)
    final = sim.algos.status("P1")
    assert final.state is AlgoState.DONE and final.filled == 2 and half.filled < 1
    for order in sim.engine.oms.orders.values():
        assert order.order.price_units is not None
        if order.filled_lots and int(order.order.client_order_id.split("-")[1]) > 0:
            assert order.order.price_units <= 6_000_100
    with pytest.raises(ValidationError, match="is done"):
        sim.algos.amend("P1", quantity=Decimal("3"))


def test_amend_below_filled_is_refused() -> None:
    sim = Sim()
    sim.algos.start(parent("1", minutes=10), TwapAlgo(), TEN_S)
    sim.run(START + 300 * SECOND)
    with pytest.raises(ValidationError, match="below the filled"):
        sim.algos.amend("P1", quantity=Decimal("0.1"))


def test_status_reports_progress_and_deviation() -> None:
    sim = Sim()
    sim.algos.start(parent("1", minutes=10), TwapAlgo(), TEN_S)
    sim.run(START + 300 * SECOND)
    status = sim.algos.status("P1")
    assert status.filled + status.working + status.remaining == status.quantity
    assert status.target == Decimal("0.5")
    assert status.deviation == status.filled - Decimal("0.5")
    assert status.deviation_fraction == pytest.approx(float(status.deviation))


def test_router_takes_at_the_best_ask_and_posts_at_the_best_bid() -> None:
    sim = Sim(venues=("a", "b"), venue_skew=-30)  # b quotes 30 units lower: best ask at b, best bid at a
    minute = AlgoParams(slice_interval=timedelta(seconds=60))
    sim.algos.start(parent("0.1", minutes=1, parent_id="T"), TwapAlgo(), minute)
    sim.algos.start(parent("0.1", minutes=1, parent_id="P"), TwapAlgo(),
                    AlgoParams(slice_interval=timedelta(seconds=60), passive_only=True))
    take, post = sim.engine.oms.orders["T-0"].order, sim.engine.oms.orders["P-0"].order
    assert (take.venue, take.price_units, take.time_in_force, take.order_type) == (
        "b", 6_000_010 - 30, TimeInForce.IOC, OrderType.LIMIT)
    assert (post.venue, post.price_units, post.order_type) == ("a", 6_000_000, OrderType.POST_ONLY)


def test_limit_is_never_crossed_and_sell_side_works() -> None:
    sim = Sim(sigma_units=300)
    spec = parent("1", side=Side.SELL, minutes=5, limit="59990")
    sim.algos.start(spec, TwapAlgo(), TEN_S)
    sim.run(START + 6 * 60 * SECOND)
    for order in sim.engine.oms.orders.values():
        if order.filled_lots:
            assert order.filled_value_units >= order.filled_lots * 5_999_000


def test_same_seed_same_journal() -> None:
    def head(seed: int) -> bytes:
        sim = Sim(seed=seed, sigma_units=200)
        sim.algos.start(parent("1", minutes=5), TwapAlgo(), AlgoParams(size_randomization=0.3,
                                                                       slice_interval=timedelta(seconds=10)))
        sim.run(START + 6 * 60 * SECOND)
        return sim.engine.journal.head_hash

    assert head(5) == head(5) != head(6)


def test_null_algo_sends_nothing_and_engine_must_publish() -> None:
    sim = Sim()
    sim.algos.start(parent("1", minutes=1), NullAlgo(), AlgoParams())
    sim.run(START + 30 * SECOND)
    assert not sim.engine.oms.orders and sim.algos.status("P1").target is None
    with pytest.raises(ValidationError, match="publish_events"):
        AlgoEngine(ExecutionEngine(publish_events=False))
    with pytest.raises(ValidationError, match="already has an algo"):
        sim.algos.start(parent("1", minutes=1), NullAlgo(), AlgoParams())
    assert SYMBOL == "BTC/USDT"
