"""Builders shared by the risk tests: an engine on a QuoteVenue with a RiskEngine installed."""

from __future__ import annotations

from decimal import Decimal

from slipstream.engine.clock import SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.model.instruments import Instrument
from slipstream.risk import ReferenceKind, ReferencePriceTable, RiskEngine, RiskLimits
from slipstream.testing.stubs import btc_usdt, parent
from slipstream.venues.sim.quote import QuoteVenue

MID = Decimal("60000")


def make_engine(
    limits: RiskLimits | None = None,
    instruments: list[Instrument] | None = None,
    start_ns: int = 0,
    parent_qty: str = "100",
) -> tuple[ExecutionEngine, QuoteVenue, RiskEngine, ReferencePriceTable]:
    venue = QuoteVenue("sim", instruments or [btc_usdt()], latency_ns=1_000)
    engine = ExecutionEngine([venue], clock=SimulatedClock(start_ns))
    refs = ReferencePriceTable()
    risk = RiskEngine(limits, references=refs).install(engine)
    venue.set_quote("BTC/USDT", 5_999_990, 6_000_010)
    refs.set("sim", "BTC/USDT", ReferenceKind.MID, MID)
    engine.submit_parent(parent(quantity=parent_qty))
    return engine, venue, risk, refs
