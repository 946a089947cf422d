"""A fill arriving after the cancel-ack is applied, never dropped: the child stays CANCELED,
its fill counts toward the parent exactly once."""

from __future__ import annotations

from decimal import Decimal

from slipstream.engine.execution import ExecutionEngine
from slipstream.marketdata.book import ADD, ASK, BID
from slipstream.model.enums import OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.events import FillAnomaly, OrderCanceled, OrderFilled
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.testing.stubs import btc_usdt
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.faults import Fault, FaultKind, FaultPlan
from slipstream.venues.sim.models import ConstantLatency

MS = 1_000_000
SYMBOL = "BTC/USDT"


def test_fill_after_cancel_ack_is_applied_once() -> None:
    faults = FaultPlan([Fault(kind=FaultKind.REORDER, start_ns=50 * MS, end_ns=60 * MS)])
    venue = BookVenue("sim", [btc_usdt("sim")], latency=ConstantLatency(MS, MS, 0), faults=faults)
    engine = ExecutionEngine([venue])
    venue.feed(0, SYMBOL, ADD, BID, 5_999_000, 100_000, publish=False)
    venue.feed(0, SYMBOL, ADD, ASK, 6_001_000, 100_000)
    engine.submit_parent(ParentOrder(parent_id="P1", account="desk", symbol=SYMBOL, side=Side.BUY,
                                     quantity=Decimal("1"), quantity_unit=Decimal("0.00001")))
    engine.submit_order(ChildOrder(client_order_id="c1", venue="sim", symbol=SYMBOL, side=Side.BUY, lots=10_000,
                                   order_type=OrderType.LIMIT, time_in_force=TimeInForce.GTC,
                                   price_units=6_000_000, parent_id="P1"))
    engine.run(40 * MS)
    assert engine.oms.orders["c1"].status is OrderStatus.ACCEPTED
    engine.loop.clock.advance_to(50 * MS)  # type: ignore[attr-defined]
    venue.trade(50 * MS, SYMBOL, Side.SELL, 6_000_000, 4_000)  # a seller hits us: 4,000 lots fill
    engine.cancel_order("c1")  # the cancel arrives after that fill
    engine.run(100 * MS)

    events = [e for _, e in engine.journal.events() if getattr(e, "client_order_id", None) == "c1"]
    kinds = [type(e) for e in events]
    assert kinds.index(OrderCanceled) < kinds.index(OrderFilled)  # the fill came after the cancel-ack
    state = engine.oms.orders["c1"]
    assert state.status is OrderStatus.CANCELED and state.filled_lots == 4_000
    parent = engine.parent("P1")
    assert parent.filled_units == 4_000 and parent.working_units == 0
    assert parent.remaining_units == 100_000 - 4_000 and parent.excess_units == 0
    assert not [e for _, e in engine.journal.events() if isinstance(e, FillAnomaly)]
    fills = [r.fill.lots for r in venue.fills_since(0) if r.fill is not None]
    assert fills == [4_000]
