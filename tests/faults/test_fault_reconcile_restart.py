"""Reconciliation policies (orphans adopted or cancelled, missing fills applied) and the
in-process restart path (paused and amended parents resume from the journal)."""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_sim_helpers import SECOND, FaultSim

from slipstream.algos import AlgoParams, TwapAlgo
from slipstream.engine.clock import SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine, AlgoState
from slipstream.engine.loop import TimerFired
from slipstream.engine.recovery import OrphanPolicy, Reconciler, recover_execution
from slipstream.errors import ValidationError
from slipstream.marketdata.book import BID
from slipstream.model.enums import OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.events import OrderCreated
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.model.recon_events import DiscrepancyRecorded, OrphanOrderFound, ReconciliationCompleted
from slipstream.model.reports import ExecutionReport
from slipstream.testing.stubs import btc_usdt
from slipstream.venues.sim.quote import QuoteVenue


def _orphan(sim: FaultSim, coid: str) -> ChildOrder:
    venue = sim.venue("alpha")
    bid = venue.book("BTC/USDT").best(BID)
    assert bid is not None
    order = ChildOrder(client_order_id=coid, venue="alpha", symbol="BTC/USDT", side=Side.BUY, lots=1_000,
                       order_type=OrderType.LIMIT, time_in_force=TimeInForce.GTC, price_units=bid - 5_000)
    venue.submit(order)  # placed behind the engine's back (another session, a lost journal tail)
    sim.run_for(1)
    return order


@pytest.mark.parametrize("policy", [OrphanPolicy.CANCEL, OrphanPolicy.ADOPT])
def test_orphan_orders_are_adopted_or_cancelled_by_policy(policy: OrphanPolicy) -> None:
    sim = FaultSim(start_supervisor=False)
    order = _orphan(sim, "stranger-1")

    def describe(venue: str, report: ExecutionReport) -> ChildOrder | None:
        return order if report.client_order_id == order.client_order_id else None

    reconciler = Reconciler(sim.engine, orphan_policy=policy, describe_orphan=describe)
    done = reconciler.reconcile("alpha", "manual")
    sim.run_for(1)
    assert done.orphans == 1
    (found,) = sim.events(OrphanOrderFound)
    assert found.policy == policy.value and found.client_order_id == "stranger-1"
    still_open = {r.client_order_id for r in sim.venue("alpha").open_orders()}
    if policy is OrphanPolicy.CANCEL:
        assert "stranger-1" not in still_open and "stranger-1" not in sim.engine.oms.orders
    else:
        assert "stranger-1" in still_open
        assert sim.engine.oms.orders["stranger-1"].status is OrderStatus.ACCEPTED
        sim.engine.cancel_order("stranger-1")  # adopted: managed like any order of ours
        sim.run_for(1)
        assert sim.engine.oms.orders["stranger-1"].status is OrderStatus.CANCELED


def test_adopt_without_description_falls_back_to_cancel() -> None:
    sim = FaultSim(start_supervisor=False)
    _orphan(sim, "stranger-2")
    Reconciler(sim.engine, orphan_policy=OrphanPolicy.ADOPT).reconcile("alpha", "manual")
    sim.run_for(1)
    assert sim.events(OrphanOrderFound)[0].policy == "cancel"
    assert [e.kind for e in sim.events(DiscrepancyRecorded)] == ["orphan_not_adopted"]
    assert not sim.venue("alpha").open_orders()
    with pytest.raises(ValidationError):
        Reconciler(sim.engine).reconcile("nowhere", "manual")


def test_missing_fill_is_applied_from_fills_since_and_checkpoint_moves() -> None:
    venue = QuoteVenue("sim", [btc_usdt("sim")], latency_ns=1_000)
    engine = ExecutionEngine([venue])
    reconciler = Reconciler(engine)
    venue.set_quote("BTC/USDT", 6_000_000, 6_000_010)
    engine.submit_parent(ParentOrder(parent_id="P1", account="desk", symbol="BTC/USDT", side=Side.BUY,
                                     quantity=Decimal("1"), quantity_unit=Decimal("0.00001")))
    engine.submit_order(ChildOrder(client_order_id="c1", venue="sim", symbol="BTC/USDT", side=Side.BUY,
                                   lots=10_000, order_type=OrderType.LIMIT, time_in_force=TimeInForce.IOC,
                                   price_units=6_000_010, parent_id="P1"))
    engine.loop._timed.clear()  # the reports are lost on the way (a crash, a dropped socket)
    engine.loop.clock.advance_to(SECOND)  # type: ignore[attr-defined]
    assert engine.oms.orders["c1"].status is OrderStatus.PENDING_NEW
    done = reconciler.reconcile("sim", "manual")
    assert done.fills_applied == 1 and engine.oms.orders["c1"].status is OrderStatus.FILLED
    assert engine.parent("P1").filled_units == 10_000
    assert done.checkpoint_ns == SECOND
    again = reconciler.reconcile("sim", "manual")  # nothing new: fills are deduplicated by trade id
    assert (again.fills_applied, again.discrepancies) == (0, 0)
    assert len([e for _, e in engine.journal.events() if isinstance(e, ReconciliationCompleted)]) == 2


def _quotes(engine: ExecutionEngine, venue: QuoteVenue) -> None:
    def on_timer(timer: TimerFired) -> None:
        if timer.name == "test:quotes":
            venue.set_quote("BTC/USDT", 6_000_000, 6_000_010)

    engine.loop.subscribe(TimerFired, on_timer)
    engine.loop.set_timer("test:quotes", engine.now_ns + SECOND, SECOND)


def test_restart_restores_paused_and_amended_parents_without_reusing_ids() -> None:
    start = 1_767_225_600 * SECOND
    venue = QuoteVenue("sim", [btc_usdt("sim")], latency_ns=1_000_000)
    engine = ExecutionEngine([venue], clock=SimulatedClock(start))
    algos = AlgoEngine(engine, take_slippage_units=10)
    _quotes(engine, venue)
    venue.set_quote("BTC/USDT", 6_000_000, 6_000_010)
    engine.run(start + SECOND)
    params = AlgoParams(slice_interval=timedelta(seconds=10))
    for pid in ("A", "B"):
        algos.start(ParentOrder(parent_id=pid, account="desk", symbol="BTC/USDT", side=Side.BUY,
                                quantity=Decimal("1"), quantity_unit=Decimal("0.00001"),
                                start_ts_ns=start + SECOND, end_ts_ns=start + 301 * SECOND), TwapAlgo(), params)
    engine.run(start + 100 * SECOND)
    algos.pause("A", "desk")
    algos.amend("B", quantity=Decimal("2"))
    engine.run(start + 120 * SECOND)
    journal, crashed_at = engine.journal, engine.now_ns

    engine2 = ExecutionEngine([venue], journal=journal, clock=SimulatedClock(crashed_at))
    algos2 = AlgoEngine(engine2, take_slippage_units=10)
    _quotes(engine2, venue)
    report = recover_execution(engine2, algos2)
    assert report.paused == ("A",) and report.resumed == ("B",)
    assert algos2.status("A").state is AlgoState.PAUSED
    assert algos2.status("B").quantity == 2 and algos2.runs["B"].sent == len(engine2.parent("B").children)
    engine2.run(start + 200 * SECOND)
    algos2.resume("A")
    engine2.run(start + 400 * SECOND)
    for pid, quantity in (("A", 100_000), ("B", 200_000)):
        assert algos2.status(pid).state is AlgoState.DONE
        parent = engine2.parent(pid)
        assert parent.filled_units == quantity and parent.working_units == 0
    created = [e.order.client_order_id for _, e in journal.events() if isinstance(e, OrderCreated)]
    assert len(created) == len(set(created))  # no client order id was used twice
