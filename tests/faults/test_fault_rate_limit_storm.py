"""A rate-limit storm: the venue starts refusing with RATE_LIMITED; the router excludes it until
its retry time, the supervisor marks its limit used up and trips the breaker, the parent
completes elsewhere with exact accounting."""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_sim_helpers import SECOND, UNIT, FaultSim, assert_exact_accounting

from slipstream.algos import AlgoParams, TwapAlgo
from slipstream.engine.executor import AlgoState
from slipstream.model.enums import Side
from slipstream.model.events import OrderCreated, OrderRejected
from slipstream.model.orders import ParentOrder
from slipstream.model.risk_events import CircuitBreakerClosed, CircuitBreakerOpened


def test_rate_limit_storm_is_routed_around() -> None:
    sim = FaultSim(rate_limited=("alpha",))
    parent = ParentOrder(parent_id="P1", account="desk", symbol="BTC/USDT", side=Side.BUY, quantity=Decimal("2"),
                         quantity_unit=UNIT, start_ts_ns=sim.start_ns, end_ts_ns=sim.start_ns + 120 * SECOND)
    params = AlgoParams(slice_interval=timedelta(seconds=10), max_child_quantity=Decimal("0.002"))
    sim.algos.start(parent, TwapAlgo(), params)  # ~80 children a slice: OKX allows 60 per 2 s
    sim.run_to(200)

    assert sim.algos.status("P1").state is AlgoState.DONE
    assert_exact_accounting(sim.engine, sim.market.venues)
    limited = [e for e in sim.events(OrderRejected) if e.reason.startswith("RATE_LIMITED")]
    assert limited
    opened = [e for e in sim.events(CircuitBreakerOpened) if e.venue == "alpha"]
    assert opened and opened[0].ts_ns > limited[0].ts_ns
    # after the first refusal the router stops sending there within the same slice
    first = limited[0].ts_ns
    alpha_after = [e for e in sim.events(OrderCreated) if e.order.venue == "alpha" and first < e.ts_ns < first + SECOND]
    assert len(alpha_after) <= 2
    # each burst is answered by the breaker: while it is open nothing goes to alpha, and the
    # burst that reopened it is the only one (the storm comes from one slice sent at once)
    closed = [e for e in sim.events(CircuitBreakerClosed) if e.venue == "alpha"]
    for start, end in zip(opened, [*closed, None], strict=False):
        until = sim.engine.now_ns if end is None else end.ts_ns
        assert not [e for e in sim.events(OrderCreated) if e.order.venue == "alpha" and start.ts_ns <= e.ts_ns < until]
        assert not [e for e in limited if start.ts_ns + SECOND <= e.ts_ns < until]
