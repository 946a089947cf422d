"""Exact L3 queue positions in the order-book venue: worked cases, properties on random L3 streams,
and the real Bitfinex tBTCUSD raw book replayed through the engine.

Real data: nautilus_trader ``tests/test_data/bitmex/L3_feed.json`` at commit
517bb552ca64a6a884e93bb1085fe41ee4f11f0f (a Bitfinex ``prec=R0`` capture), copied under
``../shared/data/nautilus/_history/...``.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from book_venue_helpers import SYMBOL, make_venue, order
from hypothesis import example, given, settings
from hypothesis import strategies as st

from slipstream.engine.execution import ExecutionEngine
from slipstream.marketdata.book import ASK, BID
from slipstream.marketdata.loaders import bitfinex
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instruments import SpotPair
from slipstream.model.market import BookAction, BookSide, L3Order, MarketEvent, TradeTick
from slipstream.model.orders import ChildOrder
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.l3_queue import L3Queue, L3QueuePosition
from slipstream.venues.sim.replay import ReplayFeed

L3_FEED = (Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus" / "_history"
           / "517bb552ca64a6a884e93bb1085fe41ee4f11f0f" / "tests" / "test_data" / "bitmex" / "L3_feed.json")
TICK, LOT = Decimal("0.1"), Decimal("0.001")  # book_venue_helpers.spot()


def l3(order_id: int, action: BookAction, price: int = 0, lots: int = 0, side: BookSide | None = BookSide.BID,
       ts: int = 0) -> L3Order:
    """An L3 event in the helper instrument's units (price units of 0.1, lots of 0.001)."""
    return L3Order("sim", SYMBOL, order_id, side, action, TICK * price, LOT * lots, 0, ts, ts)


def sell_print(price: int, lots: int, ts: int = 0) -> TradeTick:
    return TradeTick("sim", SYMBOL, TICK * price, LOT * lots, Side.SELL, "t", ts, ts)


def our_position(venue: BookVenue, coid: str = "b") -> L3QueuePosition:
    resting = venue._live[coid]  # the venue's own record of our order
    assert isinstance(resting.queue, L3QueuePosition)
    return resting.queue


def filled(ctx: object, coid: str = "b") -> int:
    return sum(lots for _, lots in ctx.fills(coid))  # type: ignore[attr-defined]


# ---- worked case -------------------------------------------------------------------------------------
def test_queue_advances_only_when_orders_ahead_leave() -> None:
    queue = L3Queue()
    venue, ctx = make_venue(queue_model=queue)
    queue.feed(venue, l3(1, BookAction.ADD, 999, 5))
    queue.feed(venue, l3(2, BookAction.ADD, 999, 7))
    queue.feed(venue, l3(9, BookAction.ADD, 1005, 50, BookSide.ASK))
    venue.submit(order("b", Side.BUY, 3, 999))
    venue.advance(0)
    assert our_position(venue).ahead == 12
    queue.feed(venue, l3(3, BookAction.ADD, 999, 11))  # behind us
    queue.feed(venue, l3(3, BookAction.DELETE))
    assert our_position(venue).ahead == 12  # the level shrank by 11, but from behind us
    queue.feed(venue, l3(2, BookAction.UPDATE, 999, 4))  # partial decrease of an order ahead
    assert our_position(venue).ahead == 9
    queue.feed(venue, l3(1, BookAction.UPDATE, 999, 6))  # growth re-queues order 1 behind us
    assert our_position(venue).ahead == 4
    assert venue.book(SYMBOL).data.levels(BID) == queue.l3_book(SYMBOL).levels(BID) == [(999, 10)]
    venue.on_trade_tick(sell_print(999, 6))  # 4 lots reach order 2, 2 reach us
    assert filled(ctx) == 2 and our_position(venue).ahead == 0
    queue.feed(venue, l3(2, BookAction.DELETE))  # the data removes the filled order: no double count
    venue.on_trade_tick(sell_print(999, 6))  # order 1 is behind us: we get the next lot first
    assert filled(ctx) == 3 and "b" not in venue._live


def test_without_l3_data_it_is_the_risk_averse_model() -> None:
    queue = L3Queue()
    position = queue.on_arrival(10)
    queue.on_level_change(position, 10, 14)
    assert position.ahead == 10
    assert queue.on_trade(position, 4) == 0 and position.ahead == 6
    queue.on_level_change(position, 6, 3)
    assert position.ahead == 3
    assert queue.on_trade(position, 5) == 2 and position.ahead == 0
    assert queue.on_arrival(5).arrival > position.arrival
    with pytest.raises(KeyError):
        queue.l3_book("nope")


# ---- property: random L3 streams with prints -----------------------------------------------------
OUR_PRICE = 1000
steps = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, 9), st.sampled_from([998, 999, 1000, 1000]), st.integers(1, 20)),
    st.tuples(st.just("update"), st.integers(0, 9), st.sampled_from([999, 1000]), st.integers(0, 20)),
    st.tuples(st.just("delete"), st.integers(0, 9), st.just(0), st.just(0)),
    st.tuples(st.just("print"), st.just(0), st.sampled_from([999, 1000, 1000]), st.integers(1, 25)),
), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(steps, st.integers(0, 8), st.integers(1, 30))
@example([("add", 1, 1000, 5), ("add", 2, 1000, 5), ("delete", 1, 0, 0), ("print", 0, 1000, 4)], 1, 3)
def test_l3_queue_invariants(stream: list[tuple[str, int, int, int]], place_at: int, lots: int) -> None:
    queue = L3Queue()
    venue, ctx = make_venue(queue_model=queue)
    queue.feed(venue, l3(100, BookAction.ADD, 1010, 50, BookSide.ASK))  # never reached: no crossing
    live: set[int] = set()
    placed = False
    last_ahead = 0
    prints_at = prints_through = 0
    for index, (kind, order_id, price, size) in enumerate([*stream, ("place", 0, 0, 0)]):
        if not placed and (index >= place_at or kind == "place"):
            venue.submit(order("b", Side.BUY, lots, OUR_PRICE))
            venue.advance(0)
            placed = True
            arrival = our_position(venue).arrival
            last_ahead = our_position(venue).ahead
            assert last_ahead == queue.l3_book(SYMBOL).size_at(BID, OUR_PRICE)
        book = queue.l3_book(SYMBOL)
        before = book.order(order_id)
        behind = kind in ("update", "delete") and before is not None and placed and before.seq > arrival
        if kind == "add" and order_id not in live:
            queue.feed(venue, l3(order_id, BookAction.ADD, price, size))
            live.add(order_id)
        elif kind == "update" and order_id in live:
            queue.feed(venue, l3(order_id, BookAction.UPDATE, price, size))
            if size == 0:
                live.discard(order_id)
        elif kind == "delete" and order_id in live:
            queue.feed(venue, l3(order_id, BookAction.DELETE))
            live.discard(order_id)
        elif kind == "print" and placed:
            before_fill = filled(ctx)
            venue.on_trade_tick(sell_print(price, size))
            if price == OUR_PRICE:
                prints_at += size
            else:
                prints_through += size
            assert filled(ctx) - before_fill <= size  # one print never fills more than it printed
        else:
            continue
        assert not venue.book(SYMBOL).is_crossed()
        if not placed or "b" not in venue._live:
            continue
        ahead = our_position(venue).ahead
        exact = book.queue_ahead(BID, OUR_PRICE, arrival)
        assert 0 <= ahead <= exact  # never negative, never further back than the data says
        assert ahead <= last_ahead  # never pushed back, whoever arrives later
        if prints_at == prints_through == 0:
            assert ahead == exact  # without prints the position is exactly the data's
        if kind == "add" or behind:
            assert ahead == last_ahead  # later arrivals and orders behind us never move us
        through = min(prints_through, lots)
        assert filled(ctx) - through <= max(prints_at - exact, 0)  # fills need the orders ahead gone
        last_ahead = ahead
    assert filled(ctx) <= min(lots, prints_at + prints_through)


# ---- real data: Bitfinex raw book through the engine ---------------------------------------------
def test_bitfinex_queue_ahead_falls_only_when_orders_ahead_leave() -> None:
    if not L3_FEED.exists():
        pytest.skip(f"shared data not found: {L3_FEED}")
    instrument = SpotPair.create("bitfinex", "BTC", "USD", Decimal("0.00000001"), Decimal("0.00000001"))
    symbol = instrument.symbol
    queue = L3Queue()
    venue = BookVenue("bitfinex", [instrument], queue_model=queue)
    engine = ExecutionEngine([venue], seed=7)
    events = list(itertools.islice(bitfinex.iter_raw_book(L3_FEED), 8_000))
    state: dict[str, object] = {}
    decreases = unchanged_behind = 0

    def on_applied(event: MarketEvent) -> None:
        nonlocal decreases, unchanged_behind
        assert isinstance(event, L3Order)
        book = queue.l3_book(symbol)
        sym_book = venue.book(symbol)
        assert sym_book.data.levels(BID, 20) == book.levels(BID, 20)
        assert sym_book.data.levels(ASK, 20) == book.levels(ASK, 20)
        assert not sym_book.is_crossed()
        if "price" not in state and event.is_last and event.sequence >= 100:
            bid = book.best_bid()
            assert bid is not None
            state["price"] = bid
            state["ahead_ids"] = {e.order_id for e in book.orders_at(BID, bid)}
            engine.submit_order(ChildOrder(client_order_id="b", venue="bitfinex", symbol=symbol, side=Side.BUY,
                                           lots=1_000_000, order_type=OrderType.LIMIT, price_units=bid,
                                           time_in_force=TimeInForce.GTC))
            return
        resting = venue._live.get("b")
        if resting is None:
            return
        position = resting.queue
        assert isinstance(position, L3QueuePosition)
        price = state["price"]
        assert isinstance(price, int)
        exact = book.queue_ahead(BID, price, position.arrival)
        assert position.ahead == exact  # no prints, no takers: the model is exactly the data
        previous = state.get("ahead")
        ahead_ids = state["ahead_ids"]
        assert isinstance(ahead_ids, set)
        if isinstance(previous, int) and position.ahead != previous:
            assert position.ahead < previous
            assert event.order_id in ahead_ids  # one of the orders ahead of us left or shrank
            decreases += 1
        elif event.order_id not in ahead_ids:
            unchanged_behind += 1
        state["ahead"] = position.ahead
        state["ahead_ids"] = {e.order_id for e in book.orders_at(BID, price) if e.seq < position.arrival}

    feed = ReplayFeed(venue, events, symbol=symbol, on_applied=on_applied)
    feed.attach(engine.loop)
    engine.run()
    assert feed.done and feed.applied == len(events)
    assert engine.oms.orders["b"].status.value == "accepted"  # no prints in an L3 feed: it waits
    assert decreases > 0 and unchanged_behind > 0
