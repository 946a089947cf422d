"""Real recorded samples replayed through the order-book venue on the engine loop.

Data (nautilus_trader test fixtures, copied under ``../shared/data/nautilus``, see its README):

* Bybit linear XRPUSDT ``orderbook.500`` — ``tests/test_data/bybit/xrpusdt-ob500.data.zip``
  (1 snapshot + 49 deltas, 2024-12-01 00:00:00.69–05.49 UTC);
* Tardis Binance-futures BTCUSDT ``trades.csv`` / ``quotes.csv`` — ``tests/test_data/tardis/`` at
  commit 8a2858d0e72516aeae89cf0b32a257f18f06ddd5 (2020-02-22).

Every expected number is derived from the data inside the test, with an :class:`L2Book` built
straight from the loader's events as the reference.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import ValidationError
from slipstream.marketdata.book import ADD, ASK, BID, DELETE, UPDATE, L2Book
from slipstream.marketdata.loaders import bybit, tardis
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instruments import Perpetual
from slipstream.model.market import BookAction, BookDelta, BookSide, L3Order, MarketEvent, QuoteTick, TradeTick
from slipstream.model.orders import ChildOrder
from slipstream.model.reports import ExecutionReport, ReportKind
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.models import LogNormalLatency
from slipstream.venues.sim.replay import ReplayFeed, ReplayTime, merge_by_time

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus"
BYBIT = DATA / "tests" / "test_data" / "bybit" / "xrpusdt-ob500.data.zip"
TARDIS = DATA / "_history" / "8a2858d0e72516aeae89cf0b32a257f18f06ddd5" / "tests" / "test_data" / "tardis"
ACTIONS = {BookAction.ADD: ADD, BookAction.UPDATE: UPDATE, BookAction.DELETE: DELETE}

XRP = Perpetual.create("bybit", "XRP", "USDT", "USDT", Decimal("0.0001"), Decimal("1"))  # Bybit XRPUSDT spec
BTC = Perpetual.create("binance-futures", "BTC", "USDT", "USDT", Decimal("0.01"), Decimal("0.001"))


def need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"shared data not found: {path}")


def limit(coid: str, instrument: Perpetual, side: Side, lots: int, price: int,
          tif: TimeInForce = TimeInForce.GTC) -> ChildOrder:
    return ChildOrder(client_order_id=coid, venue=instrument.venue, symbol=instrument.symbol, side=side, lots=lots,
                      order_type=OrderType.LIMIT, price_units=price, time_in_force=tif)


# ---- Bybit XRPUSDT ob500 ------------------------------------------------------------------------
def bybit_batches() -> list[list[BookDelta]]:
    batches: list[list[BookDelta]] = [[]]
    for delta in bybit.iter_orderbook(BYBIT):
        batches[-1].append(delta)
        if delta.is_last:
            batches.append([])
    return batches[:-1]


def apply_reference(book: L2Book, delta: BookDelta) -> None:
    if delta.action is BookAction.CLEAR:
        book.clear()
        return
    side = BID if delta.side is BookSide.BID else ASK
    book.apply(ACTIONS[delta.action], side, XRP.price_to_units(delta.price), int(delta.size / XRP.lot_size))


def run_bybit(seed: int, *, latency: bool = False) -> tuple[ExecutionEngine, BookVenue, dict[str, object]]:
    """Replay ob500; after batch 1 rest a buy at the bid and a sell at the ask (100 lots each);
    after batch 21 send a 1,000-lot sell IOC limited one tick above our bid."""
    venue = BookVenue("bybit", [XRP], latency=LogNormalLatency.colocated() if latency else None, depth=500)
    engine = ExecutionEngine([venue], seed=seed)
    reports: list[ExecutionReport] = []
    engine.loop.subscribe(ExecutionReport, reports.append)
    reference = L2Book()
    seen: dict[str, object] = {"batch": 0, "reports": reports, "ahead": []}

    def on_applied(event: MarketEvent) -> None:
        assert isinstance(event, BookDelta)
        apply_reference(reference, event)
        if not event.is_last:
            return
        book = venue.book(XRP.symbol)
        assert book.data.levels(BID) == reference.levels(BID)  # the venue's data book is the loader's
        assert book.data.levels(ASK) == reference.levels(ASK)
        assert not book.is_crossed() and not reference.is_crossed()
        batch = seen["batch"]
        assert isinstance(batch, int)
        if batch == 1:
            bid, ask = reference.best_bid(), reference.best_ask()
            assert bid is not None and ask is not None
            seen["bid"], seen["ask"], seen["arrival_level"] = bid, ask, reference.size_at(BID, bid)
            engine.submit_order(limit("buy", XRP, Side.BUY, 100, bid))
            engine.submit_order(limit("sell", XRP, Side.SELL, 100, ask))
        elif batch == 21:
            seen["ioc_book"] = reference.levels(BID)
            bid = seen["bid"]
            assert isinstance(bid, int)
            engine.submit_order(limit("ioc", XRP, Side.SELL, 1_000, bid + 1, TimeInForce.IOC))
        resting = venue._live.get("buy")
        if resting is not None:
            seen["ahead"].append((resting.queue.ahead, reference.size_at(BID, resting.price)))  # type: ignore[union-attr]
        seen["batch"] = batch + 1

    feed = ReplayFeed(venue, bybit.iter_orderbook(BYBIT), symbol=XRP.symbol, on_applied=on_applied)
    feed.attach(engine.loop)
    engine.run()
    assert feed.done
    return engine, venue, seen


def our_fills(seen: dict[str, object], coid: str) -> list[tuple[int, int]]:
    reports = seen["reports"]
    assert isinstance(reports, list)
    return [(r.fill.price_units, r.fill.lots) for r in reports if r.client_order_id == coid and r.fill is not None]


def test_bybit_replay_matches_the_loader_book_and_fills_as_the_book_implies() -> None:
    need(BYBIT)
    batches = bybit_batches()
    engine, venue, seen = run_bybit(1)
    assert seen["batch"] == len(batches) == 50
    bid, ask = seen["bid"], seen["ask"]
    assert (bid, ask) == (19531, 19532)  # 1.9531 / 1.9532 after the first delta

    # Passive buy at the bid: the market rallies, asks never come down to it, so no fill. Its queue
    # position is the risk-averse one: the level size at arrival, lowered to each later (smaller) size.
    assert our_fills(seen, "buy") == []
    ahead = seen["ahead"]
    assert isinstance(ahead, list)
    expected = seen["arrival_level"]
    assert expected == 6198 and len(ahead) == 48
    for position, level in ahead:
        expected = min(expected, level)
        assert position == expected

    # Passive sell at the ask: the first batch whose best bid reaches it crosses it; the crossing bid
    # level is far larger than 100 lots, so it fills in full, as maker, at our price.
    reference = L2Book()
    crossing = None
    for index, batch in enumerate(batches):
        for delta in batch:
            apply_reference(reference, delta)
        best = reference.best_bid()
        if index > 1 and best is not None and best >= ask and crossing is None:
            crossing = index
            assert reference.size_at(BID, best) >= 100
    assert crossing == 8
    assert our_fills(seen, "sell") == [(ask, 100)]
    sell_fill = next(r for r in seen["reports"] if r.client_order_id == "sell" and r.fill)  # type: ignore[attr-defined]
    assert sell_fill.fill.liquidity.value == "maker"
    assert sell_fill.venue_ts_ns == batches[crossing][0].venue_ts_ns

    # Marketable sell IOC after batch 21: walks the bids down to one tick above our bid. The venue
    # shows each level minus what we consumed there while the level lived (matching.py's rule), so
    # the 100 lots our sell took from the crossing bid level are still gone from it.
    reference, consumed = L2Book(), {}
    for index, batch in enumerate(batches[:22]):
        for delta in batch:
            apply_reference(reference, delta)
            price = XRP.price_to_units(delta.price) if delta.side is BookSide.BID else None
            if price in consumed:  # a delete forgets the consumption, a decrease caps it
                consumed[price] = min(consumed[price], reference.size_at(BID, price))
                if consumed[price] == 0:
                    del consumed[price]
            best = reference.best_bid()
            if index == crossing and not consumed and best is not None and best >= ask:
                consumed[best] = 100
    assert consumed == {19533: 100}
    ioc_book = seen["ioc_book"]
    assert isinstance(ioc_book, list) and ioc_book == reference.levels(BID)
    want, left = [], 1_000
    for price, size in ioc_book:
        if price < bid + 1 or left == 0:  # type: ignore[operator]
            break
        take = min(size - consumed.get(price, 0), left)
        want.append((price, take))
        left -= take
    assert want == [(19534, 203), (19533, 525), (19532, 272)]  # batch 21's bids: 203 / 625 / 9116
    assert our_fills(seen, "ioc") == want
    kinds = [r.kind for r in seen["reports"] if r.client_order_id == "ioc"]  # type: ignore[attr-defined]
    assert kinds[0] is ReportKind.ACCEPTED and kinds[-1] is not ReportKind.EXPIRED  # filled in full

    # The journal agrees with the venue.
    assert engine.oms.orders["ioc"].filled_lots == 1_000 and engine.oms.orders["buy"].filled_lots == 0
    assert venue.ledger.positions[XRP.symbol] == -1_100


def test_bybit_replay_is_deterministic() -> None:
    need(BYBIT)
    first, _, _ = run_bybit(5, latency=True)
    second, _, _ = run_bybit(5, latency=True)
    other, _, _ = run_bybit(6, latency=True)
    assert first.journal.head_hash == second.journal.head_hash
    assert first.journal.head_hash != other.journal.head_hash


def test_venue_time_scheduling_and_l3_needs_an_l3_venue() -> None:
    need(BYBIT)
    venue = BookVenue("bybit", [XRP])
    engine = ExecutionEngine([venue])
    feed = ReplayFeed(venue, bybit.iter_orderbook(BYBIT), symbol=XRP.symbol, time=ReplayTime.VENUE)
    feed.attach(engine.loop)
    with pytest.raises(ValidationError, match="already attached"):
        feed.attach(engine.loop)
    engine.run()
    assert feed.done and engine.now_ns == 1733011205488000000  # the last message's cts
    l3 = L3Order("bybit", "XRPUSDT", 1, BookSide.BID, BookAction.ADD, Decimal("1.9"), Decimal(1), 0, 0, 0)
    with pytest.raises(ValidationError, match="L3Queue"):
        feed.apply(l3)


# ---- Tardis Binance-futures BTCUSDT trades + quotes -----------------------------------------------
def test_tardis_resting_orders_fill_on_prints_or_a_crossing_quote_never_beyond_them() -> None:
    """Fills come from prints at or through the order's price (never more than printed there) or
    from the displayed opposite quote reaching it (never more than displayed). The second happens
    in this sample: the bid at 9681.92 is cancelled (no print), which leaves our buy as the best bid,
    and a later ask at 9681.50 would have hit it. Streams are merged on exchange time, trades first
    on ties (a print precedes the quote it moves); the two captures' local clocks disagree."""
    need(TARDIS / "quotes.csv")
    quotes = list(tardis.iter_quotes(TARDIS / "quotes.csv"))
    end = quotes[-1].receive_ts_ns  # trades run for two hours; quotes cover the first four minutes
    trades = [t for t in tardis.iter_trades(TARDIS / "trades.csv") if t.receive_ts_ns <= end]
    venue = BookVenue("binance-futures", [BTC])
    engine = ExecutionEngine([venue], seed=3)
    first_bid = BTC.price_to_units(quotes[0].bid_price)  # type: ignore[arg-type]
    orders = {"at_bid": first_bid, "deep": BTC.price_to_units(Decimal("9676")),
              "far": BTC.price_to_units(Decimal("9600"))}
    lots = 2_000
    state = {"index": 0, "seen": 0}
    volume = dict.fromkeys(orders, 0)  # lots printed at or through each order's price since it rested
    by_print, by_quote = dict.fromkeys(orders, 0), dict.fromkeys(orders, 0)

    def on_applied(event: MarketEvent) -> None:
        state["index"] += 1
        if state["index"] == 1:
            for coid, price in orders.items():
                engine.submit_order(limit(coid, BTC, Side.BUY, lots, price))
            return
        assert not venue.book(BTC.symbol).is_crossed()
        if isinstance(event, TradeTick) and event.aggressor is Side.SELL:
            for coid, price in orders.items():
                if BTC.price_to_units(event.price) <= price:
                    volume[coid] += int(event.size / BTC.lot_size)
        new = venue.fills_since(0)[state["seen"]:]
        state["seen"] += len(new)
        for report in new:
            assert report.fill is not None
            coid = report.client_order_id
            if isinstance(event, TradeTick):  # a print at or through the price, never more than printed
                assert event.aggressor is Side.SELL and BTC.price_to_units(event.price) <= orders[coid]
                assert report.fill.lots <= int(event.size / BTC.lot_size)
                by_print[coid] += report.fill.lots
                assert by_print[coid] <= volume[coid]
            else:  # the quote's ask reached the order: never more than the ask displayed
                assert isinstance(event, QuoteTick) and event.ask_price is not None and event.ask_size is not None
                assert BTC.price_to_units(event.ask_price) <= orders[coid]
                assert report.fill.lots <= int(event.ask_size / BTC.lot_size)
                by_quote[coid] += report.fill.lots

    stream = merge_by_time(trades, quotes, time=ReplayTime.VENUE)
    feed = ReplayFeed(venue, stream, symbol=BTC.symbol, time=ReplayTime.VENUE, on_applied=on_applied)
    feed.attach(engine.loop)
    engine.run()
    assert feed.applied == len(quotes) + len(trades) == 9_999 + 502
    top = venue.book(BTC.symbol).data.levels(BID) + venue.book(BTC.symbol).data.levels(ASK)
    last = quotes[-1]
    assert top == [(BTC.price_to_units(last.bid_price), int(last.bid_size / BTC.lot_size)),  # type: ignore
                   (BTC.price_to_units(last.ask_price), int(last.ask_size / BTC.lot_size))]  # type: ignore

    filled = {coid: engine.oms.orders[coid].filled_lots for coid in orders}
    assert filled["far"] == 0 and volume["far"] == 0  # nothing printed down to 9600
    # 9676: far below the first quote, so nothing is displayed ahead of it when it rests (an L1 feed
    # shows no depth). In exchange-time order each print at or through it fills it by the print's
    # size, and a quote whose ask reaches it fills it by the ask's size, until it is done.
    want, left = [], lots
    for event in merge_by_time(trades, quotes, time=ReplayTime.VENUE):
        if left == 0:
            break
        if isinstance(event, TradeTick) and event.aggressor is Side.SELL and event.price <= Decimal("9676"):
            want.append(("print", min(int(event.size / BTC.lot_size), left)))
        elif isinstance(event, QuoteTick) and event.ask_price is not None and event.ask_price <= Decimal("9676"):
            want.append(("quote", min(int(event.ask_size / BTC.lot_size), left)))  # type: ignore[operator]
        else:
            continue
        left -= want[-1][1]
    assert [kind for kind, _ in want] == ["print"] * 7 + ["quote"]  # all at 00:01:34.020 exchange time
    assert [r.fill.lots for r in venue.fills_since(0) if r.client_order_id == "deep"] == [  # type: ignore[union-attr]
        size for _, size in want]
    assert filled["deep"] == lots and by_print["deep"] == 1_406 and by_quote["deep"] == 594
    assert filled["at_bid"] == lots and by_quote["at_bid"] > 0  # the cancelled-bid case above
