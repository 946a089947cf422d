"""Acks stop but fills continue: unanswered requests are detected, the venue is reconciled from
its own view (what is open, what traded), and every parent completes or stops cleanly with exact
accounting."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_sim_helpers import SECOND, FaultSim, assert_exact_accounting

from slipstream.engine.executor import AlgoState
from slipstream.model.events import OrderAccepted, OrderFilled
from slipstream.model.recon_events import DiscrepancyRecorded, ReconciliationStarted
from slipstream.venues.sim.faults import Fault, FaultKind


def test_acks_stop_fills_continue_parents_end_exactly() -> None:
    sim = FaultSim()
    sim.start_twap()  # takes liquidity: IOC children fill although their acks are lost
    sim.start_twap(quantity="0.5", passive=True, limit="67500", parent_id="P2")  # rests below the market
    quiet, loud = sim.start_ns + 60 * SECOND, sim.start_ns + 300 * SECOND
    sim.venue("alpha").faults.add(Fault(kind=FaultKind.STOP_ACKING, start_ns=quiet, end_ns=loud))
    sim.run_to(700)

    assert sim.algos.status("P1").state is AlgoState.DONE
    assert sim.algos.status("P1").filled == 2
    assert sim.algos.status("P2").state is AlgoState.DONE  # horizon over, nothing left working
    for pid in ("P1", "P2"):
        assert_exact_accounting(sim.engine, sim.market.venues, pid)
    alpha = {c for c, s in sim.engine.oms.orders.items() if s.order.venue == "alpha"}
    acks = {e.client_order_id for e in sim.events(OrderAccepted) if quiet + SECOND < e.ts_ns < loud}
    fills = {e.client_order_id for e in sim.events(OrderFilled) if quiet + SECOND < e.ts_ns < loud}
    assert not (acks & alpha) and (fills & alpha)  # the fault really hid acks while fills flowed
    unanswered = [e for e in sim.events(ReconciliationStarted) if e.venue == "alpha" and e.reason == "unanswered"]
    assert unanswered and all(quiet < e.ts_ns for e in unanswered)
    closed = [e for e in sim.events(DiscrepancyRecorded) if e.kind == "closed_at_venue"]
    assert closed and all(e.venue == "alpha" for e in closed)
    assert all(s.status.is_terminal for s in sim.engine.oms.orders.values())
