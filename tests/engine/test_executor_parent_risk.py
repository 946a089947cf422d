"""A parent order that pre-trade risk refuses never starts: one clear reason, nothing journaled."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from slipstream.algos import AlgoParams, make_algo
from slipstream.engine.clock import SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine
from slipstream.errors import ValidationError
from slipstream.risk import ReferenceKind, ReferencePriceTable, RiskEngine
from slipstream.risk.limits_io import limits_from_dict
from slipstream.testing.stubs import btc_usdt, parent
from slipstream.venues.sim.quote import QuoteVenue


def test_parent_over_the_quantity_limit_is_refused_before_anything_is_recorded() -> None:
    venue = QuoteVenue("sim", [btc_usdt()], latency_ns=1_000)
    engine = ExecutionEngine([venue], clock=SimulatedClock(0))
    refs = ReferencePriceTable()
    limits = limits_from_dict({"instruments": {"*": {"max_order_quantity": "5"}}})
    RiskEngine(limits, references=refs).install(engine)
    venue.set_quote("BTC/USDT", 5_999_990, 6_000_010)
    refs.set("sim", "BTC/USDT", ReferenceKind.MID, Decimal("60000"))
    algos = AlgoEngine(engine)
    engine.run()
    head = engine.journal.head_sequence
    with pytest.raises(ValidationError, match="risk denied parent P1: MAX_ORDER_QTY"):
        algos.start(parent(quantity="10"), make_algo("twap"), AlgoParams(duration=timedelta(minutes=10)))
    assert engine.journal.head_sequence == head
    assert "P1" not in engine.oms.parents
    algos.start(parent("P2", quantity="2"), make_algo("twap"), AlgoParams(duration=timedelta(minutes=10)))
    assert "P2" in engine.oms.parents
