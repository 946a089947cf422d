"""Duplicate and out-of-order reports: every duplicate is refused as evidence, reordering never
changes what was filled, and the OMS ends exactly where the venue is."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_sim_helpers import SECOND, FaultSim, assert_exact_accounting

from slipstream.engine.executor import AlgoState
from slipstream.model.events import FillAnomaly, ReportIgnored
from slipstream.venues.sim.faults import Fault, FaultKind


@pytest.mark.parametrize("kinds", [(FaultKind.DUPLICATE,), (FaultKind.REORDER,),
                                   (FaultKind.DUPLICATE, FaultKind.REORDER)])
def test_duplicate_and_reordered_reports_keep_exact_accounting(kinds: tuple[FaultKind, ...]) -> None:
    sim = FaultSim()
    sim.start_twap(minutes=5)
    for name in ("alpha", "beta"):
        for kind in kinds:
            sim.venue(name).faults.add(Fault(kind=kind, start_ns=sim.start_ns, end_ns=sim.start_ns + 400 * SECOND))
    sim.run_to(450)
    assert sim.algos.status("P1").state is AlgoState.DONE
    assert_exact_accounting(sim.engine, sim.market.venues)
    assert not sim.events(FillAnomaly)
    ignored = sim.events(ReportIgnored)
    if FaultKind.DUPLICATE in kinds:
        assert any("duplicate fill" in e.reason for e in ignored)
    assert all(s.status.is_terminal for s in sim.engine.oms.orders.values())
