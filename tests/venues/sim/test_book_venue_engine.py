"""The order-book venue driven by the real engine loop, OMS and journal.

A seeded random market (deltas and prints scheduled on the loop at venue time) and a small
passive-then-aggressive child-order policy work one parent order with latency on every leg.
Checks: parent conservation (filled + working + remaining = quantity) at every step, the OMS
position equals the venue's fills, no fill anomalies, and the journal head hash is the same for
the same seed.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import numpy as np
from book_venue_helpers import SYMBOL, VENUE, spot

from slipstream.engine.execution import ExecutionEngine
from slipstream.marketdata.book import ASK, BID, UPDATE
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.messages import BookUpdate, VenueWake
from slipstream.venues.sim.models import LogNormalLatency

MS = 1_000_000


class Tick(msgspec.Struct, frozen=True):
    """One recorded market event, delivered to the venue at venue time."""

    kind: str
    side: int
    price: int
    lots: int
    last: bool = True


def market(seed: int, n: int) -> list[tuple[int, Tick]]:
    """A random walk of a 5-level book with prints, every 2 ms."""
    rng = np.random.default_rng(seed)
    mid = 10_000
    out: list[tuple[int, Tick]] = []
    for step in range(n):
        ts = step * 2 * MS
        mid += int(rng.integers(-1, 2))
        for level in range(1, 6):
            out.append((ts, Tick("delta", BID, mid - level, int(rng.integers(1, 30)), False)))
            out.append((ts, Tick("delta", ASK, mid + level, int(rng.integers(1, 30)), level == 5)))
        if rng.random() < 0.5:
            aggressor = Side.BUY if rng.random() < 0.5 else Side.SELL
            price = mid + 1 if aggressor is Side.BUY else mid - 1
            out.append((ts + MS, Tick(aggressor.value, 0, price, int(rng.integers(1, 20)))))
    return out


def run(seed: int) -> tuple[ExecutionEngine, BookVenue]:
    venue = BookVenue(VENUE, [spot()], latency=LogNormalLatency.colocated())
    engine = ExecutionEngine([venue], seed=seed)
    loop = engine.loop
    assert venue.loop_subscriptions() == [(VenueWake, venue.on_wake)]  # the engine wired it

    def on_tick(tick: Tick) -> None:
        now = engine.now_ns
        if tick.kind == "delta":
            venue.feed(now, SYMBOL, UPDATE, tick.side, tick.price, tick.lots, publish=tick.last)
        else:
            venue.trade(now, SYMBOL, Side(tick.kind), tick.price, tick.lots)

    loop.subscribe(Tick, on_tick)
    for ts, tick in market(seed, 300):
        loop.schedule(ts, tick)
    parent = ParentOrder(parent_id="p", account="desk", symbol=SYMBOL, side=Side.BUY,
                         quantity=Decimal("0.5"), quantity_unit=Decimal("0.001"))
    engine.submit_parent(parent)
    state = engine.parent("p")
    counter = [0]
    sent: dict[str, int] = {}

    def on_book(update: BookUpdate) -> None:
        assert state.filled_units + state.working_units + state.remaining_units == 500
        assert min(state.filled_units, state.working_units, state.remaining_units) >= 0
        if update.best_bid is None or update.best_ask is None:
            return
        working = [c for c in state.children if not engine.oms.orders[c].status.is_terminal]
        if working:
            child = engine.oms.orders[working[0]]
            age = engine.now_ns - sent[working[0]]
            if child.status.value == "accepted" and child.price_units != update.best_bid and age > 10 * MS:
                engine.replace_order(working[0], update.best_bid, child.lots)
                sent[working[0]] = engine.now_ns
            elif age > 60 * MS and child.status.value in ("accepted", "partially_filled"):
                engine.cancel_order(working[0])
            return
        lots = min(state.remaining_units, 40)
        if lots <= 0:
            return
        counter[0] += 1
        aggressive = counter[0] % 4 == 0
        sent[f"c{counter[0]}"] = engine.now_ns
        engine.submit_order(ChildOrder(
            client_order_id=f"c{counter[0]}", venue=VENUE, symbol=SYMBOL, side=Side.BUY, lots=lots,
            order_type=OrderType.LIMIT, price_units=update.best_ask if aggressive else update.best_bid,
            time_in_force=TimeInForce.IOC if aggressive else TimeInForce.GTC, parent_id="p"))

    loop.subscribe(BookUpdate, on_book)
    engine.run()
    return engine, venue


def test_parent_conservation_and_positions_match_fills() -> None:
    engine, venue = run(3)
    state = engine.parent("p")
    assert state.filled_units + state.working_units + state.remaining_units == 500
    assert state.filled_units > 0 and state.excess_units == 0
    assert engine.oms.anomalies == []
    venue_lots = sum(r.fill.lots for r in venue.fills_since(0) if r.fill)
    assert venue_lots == state.filled_units == venue.ledger.positions[SYMBOL]
    position = engine.oms.portfolio.position(VENUE, spot())
    assert position.quantity == Decimal("0.001") * venue_lots
    for coid, order in engine.oms.orders.items():
        venue_fills = sum(r.fill.lots for r in venue.fills_since(0) if r.fill and r.client_order_id == coid)
        assert order.filled_lots == venue_fills
    assert {r.client_order_id for r in venue.open_orders()} == {
        c for c, o in engine.oms.orders.items() if not o.status.is_terminal}
    kinds = {o.order.time_in_force for o in engine.oms.orders.values() if o.filled_lots}
    assert kinds == {TimeInForce.GTC, TimeInForce.IOC}


def test_replay_is_deterministic() -> None:
    first, _ = run(11)
    second, _ = run(11)
    other, _ = run(12)
    assert first.journal.head_hash == second.journal.head_hash
    assert first.journal.head_hash != other.journal.head_hash
