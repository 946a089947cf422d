"""Order handling of the simulated order-book venue: each case worked by hand from the book."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from book_venue_helpers import SYMBOL, make_venue, order, seed_book, spot

from slipstream.errors import VenueError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE
from slipstream.model.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.instruments import TickTier
from slipstream.model.orders import ChildOrder
from slipstream.model.reports import ReportKind
from slipstream.venues.base import VenueHealth
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.matching import SelfTradePrevention

K = ReportKind


def test_market_order_walks_the_book_and_pays_taker_fees() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("m", Side.BUY, 15))
    venue.advance(0)
    assert ctx.kinds("m") == [K.ACCEPTED, K.FILL, K.FILL]
    assert ctx.fills("m") == [(1001, 10), (1002, 5)]
    first = ctx.reports("m")[1]
    assert first.fill is not None and first.fill.liquidity is Liquidity.TAKER
    # 10 lots × 0.001 BTC × 100.1 USDT × 0.05%
    assert first.fill.fee == Decimal("0.0005") * Decimal("0.010") * Decimal("100.1")
    assert first.fill.fee_asset == "USDT"
    assert ctx.reports("m")[-1].leaves_lots == 0
    assert venue.balances() == {
        "BTC": Decimal("0.015"),
        "USDT": -(Decimal("0.010") * Decimal("100.1") + Decimal("0.005") * Decimal("100.2"))
        - first.fill.fee - ctx.reports("m")[2].fill.fee,  # type: ignore[union-attr]
    }


def test_market_order_beyond_the_book_expires_the_rest() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("m", Side.SELL, 25))
    venue.advance(0)
    assert ctx.kinds("m") == [K.ACCEPTED, K.FILL, K.FILL, K.EXPIRED]
    assert ctx.reports("m")[-1].cum_lots == 20


def test_taken_liquidity_stays_gone_until_the_data_adds_more() -> None:
    venue, _ctx = make_venue()
    seed_book(venue)
    venue.submit(order("m", Side.BUY, 4))
    venue.advance(0)
    book = venue.book(SYMBOL)
    assert book.effective(ASK, 1001) == 6
    venue.feed(1, SYMBOL, UPDATE, ASK, 1001, 10)  # same size again: our take is still missing
    assert book.effective(ASK, 1001) == 6
    venue.feed(2, SYMBOL, UPDATE, ASK, 1001, 13)  # 3 new lots joined the level
    assert book.effective(ASK, 1001) == 9
    venue.feed(3, SYMBOL, UPDATE, ASK, 1001, 3)  # others took/cancelled: never below zero
    assert book.effective(ASK, 1001) == 0
    venue.feed(4, SYMBOL, DELETE, ASK, 1001, 0)
    venue.feed(5, SYMBOL, ADD, ASK, 1001, 7)  # a level the data rebuilt is fresh
    assert book.effective(ASK, 1001) == 7


def test_limit_takes_then_rests_and_fills_as_maker_when_the_data_crosses_it() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("l", Side.BUY, 14, 1001))
    venue.advance(0)
    assert ctx.fills("l") == [(1001, 10)]
    book = venue.book(SYMBOL)
    assert book.view(BID, 1) == [(1001, 4)] and book.view(ASK, 1) == [(1002, 10)]
    assert not book.is_crossed()
    venue.feed(1, SYMBOL, UPDATE, ASK, 1001, 12)  # 2 new lots offered at our bid
    assert ctx.fills("l") == [(1001, 10), (1001, 2)]
    assert ctx.reports("l")[-1].fill.liquidity is Liquidity.MAKER  # type: ignore[union-attr]
    venue.feed(2, SYMBOL, ADD, ASK, 1000, 5)  # an ask through our bid: we fill at our price
    assert ctx.fills("l")[-1] == (1001, 2)
    assert ctx.kinds("l")[-1] is K.FILL and ctx.reports("l")[-1].leaves_lots == 0
    assert book.effective(ASK, 1000) == 3 and not book.is_crossed()


def test_crossing_data_deletes_the_stale_opposite_levels() -> None:
    venue, _ = make_venue()
    seed_book(venue)
    venue.feed(1, SYMBOL, ADD, ASK, 998, 4)
    book = venue.book(SYMBOL)
    assert book.data.levels(BID) == []  # both 999 and 998 bids were stale
    assert not book.data.is_crossed() and book.view(ASK, 1) == [(998, 4)]
    venue.feed(2, SYMBOL, CLEAR, BID, 1, 0)
    assert book.view(BID) == [] and book.view(ASK) == []


def test_post_only_is_rejected_when_it_would_take() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("p1", Side.BUY, 1, 1001, order_type=OrderType.POST_ONLY))
    venue.submit(order("p2", Side.BUY, 1, 1000, order_type=OrderType.POST_ONLY))
    venue.advance(0)
    assert ctx.kinds("p1") == [K.REJECTED]
    assert ctx.reports("p1")[0].reason == "POST_ONLY_WOULD_TAKE price_units=1001"
    assert ctx.kinds("p2") == [K.ACCEPTED]
    venue.submit(order("p3", Side.SELL, 1, 1000, order_type=OrderType.POST_ONLY))  # own bid at 1000
    venue.advance(0)
    assert ctx.kinds("p3") == [K.REJECTED]


def test_ioc_and_fok() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("i", Side.BUY, 12, 1001, tif=TimeInForce.IOC))
    venue.submit(order("f1", Side.BUY, 11, 1002, tif=TimeInForce.FOK))
    venue.submit(order("f2", Side.BUY, 10, 1002, tif=TimeInForce.FOK))
    venue.advance(0)
    assert ctx.kinds("i") == [K.ACCEPTED, K.FILL, K.EXPIRED]
    assert ctx.fills("i") == [(1001, 10)]
    assert ctx.kinds("f1") == [K.ACCEPTED, K.EXPIRED]  # only 10 left at <= 1002
    assert ctx.reports("f1")[-1].reason == "NO_LIQUIDITY available=10"
    assert ctx.kinds("f2") == [K.ACCEPTED, K.FILL]
    assert venue.open_orders() == []


def test_queue_position_advances_with_trades_and_conservatively_with_cancels() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("q", Side.BUY, 5, 999))
    venue.advance(0)
    book = venue.book(SYMBOL)
    (resting,) = book.orders()
    assert resting.queue.ahead == 10
    venue.trade(1, SYMBOL, Side.SELL, 999, 4)
    assert resting.queue.ahead == 6 and ctx.fills("q") == []
    venue.feed(1, SYMBOL, UPDATE, BID, 999, 6)  # the trade shows up in the data: no change
    assert resting.queue.ahead == 6
    venue.feed(2, SYMBOL, UPDATE, BID, 999, 5)  # a cancel, assumed from behind us
    assert resting.queue.ahead == 5
    venue.feed(3, SYMBOL, UPDATE, BID, 999, 2)  # the level is now smaller than our queue
    assert resting.queue.ahead == 2
    venue.trade(4, SYMBOL, Side.SELL, 999, 5)  # 2 ahead, 3 reach us
    assert ctx.fills("q") == [(999, 3)]
    assert ctx.reports("q")[-1].fill.liquidity is Liquidity.MAKER  # type: ignore[union-attr]
    venue.trade(5, SYMBOL, Side.SELL, 998, 7)  # traded through our price: the rest fills
    assert ctx.fills("q") == [(999, 3), (999, 2)]
    assert venue.open_orders() == []


def test_fills_from_one_print_never_exceed_it_across_our_orders() -> None:
    venue, ctx = make_venue()
    seed_book(venue, bids={999: 2})
    for coid in ("a", "b"):
        venue.submit(order(coid, Side.BUY, 5, 999))
    venue.advance(0)
    venue.trade(1, SYMBOL, Side.SELL, 999, 6)
    assert ctx.fills("a") == [(999, 4)] and ctx.fills("b") == []
    venue.trade(2, SYMBOL, Side.SELL, 999, 3)
    assert ctx.fills("a") == [(999, 4), (999, 1)] and ctx.fills("b") == [(999, 2)]


@pytest.mark.parametrize(
    ("mode", "resting_kinds", "taker_kinds", "taker_fills"),
    [
        (SelfTradePrevention.CANCEL_RESTING, [K.ACCEPTED, K.CANCELED],
         [K.ACCEPTED, K.FILL], [(1001, 3)]),
        (SelfTradePrevention.CANCEL_TAKER, [K.ACCEPTED], [K.ACCEPTED, K.CANCELED], []),
        (SelfTradePrevention.CANCEL_BOTH, [K.ACCEPTED, K.CANCELED], [K.ACCEPTED, K.CANCELED], []),
    ],
)
def test_self_trade_prevention(mode: SelfTradePrevention, resting_kinds: list[ReportKind],
                               taker_kinds: list[ReportKind], taker_fills: list[tuple[int, int]]) -> None:
    venue, ctx = make_venue(stp=mode)
    seed_book(venue)
    venue.submit(order("mine", Side.SELL, 2, 1000))  # inside the spread, ahead of the data asks
    venue.advance(0)
    venue.submit(order("taker", Side.BUY, 3, 1001, tif=TimeInForce.IOC))
    venue.advance(1)
    assert ctx.kinds("mine") == resting_kinds
    assert ctx.kinds("taker") == taker_kinds
    assert ctx.fills("taker") == taker_fills
    assert ctx.fills("mine") == []
    if K.CANCELED in resting_kinds:
        assert ctx.reports("mine")[-1].reason == "SELF_TRADE_PREVENTION"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"price": 1000, "lots": 1, "symbol": "ETH/USDT"}, "UNKNOWN_SYMBOL symbol=ETH/USDT"),
        ({"price": 1000, "lots": 10}, "MIN_NOTIONAL minimum=5 notional=1"),
        ({"price": None, "lots": 10}, "MIN_NOTIONAL minimum=5 notional=1.001"),
        ({"price": 1000, "lots": 100, "order_type": OrderType.STOP_LIMIT}, "ORDER_TYPE type=stop_limit"),
        ({"price": 1000, "lots": 60}, None),
    ],
)
def test_validation_rejects_with_the_venue_reason(kw: dict[str, object], code: str | None) -> None:
    venue, ctx = make_venue(instruments=[spot(min_notional=Decimal(5))])
    seed_book(venue)
    fields = {"client_order_id": "v", "venue": "sim", "symbol": SYMBOL, "side": Side.BUY,
              "order_type": OrderType.LIMIT if kw["price"] is not None else OrderType.MARKET,
              "price_units": kw.pop("price")}
    if kw.get("order_type") is OrderType.STOP_LIMIT:
        fields["stop_price_units"] = 1000
    fields.update(kw)
    venue.submit(ChildOrder(**fields))  # type: ignore[arg-type]
    venue.advance(0)
    if code is None:
        assert ctx.kinds("v")[0] is K.ACCEPTED
    else:
        assert ctx.kinds("v") == [K.REJECTED] and ctx.reports("v")[0].reason == code


def test_off_tick_price_and_lot_minimum_and_duplicate_ids() -> None:
    tiers = (TickTier(Decimal(0), Decimal("0.1")), TickTier(Decimal(100), Decimal(1)))
    instrument = spot(min_quantity=Decimal("0.002"))
    instrument = msgspec.structs.replace(instrument, tick_tiers=tiers)
    venue, ctx = make_venue(instruments=[instrument])
    seed_book(venue, bids={990: 10}, asks={1010: 10})
    venue.submit(order("tick", Side.BUY, 2, 1001))  # 100.1 is off the 1.0 tick above 100
    venue.submit(order("small", Side.BUY, 1, 990))
    venue.submit(order("ok", Side.BUY, 2, 990))
    venue.submit(order("ok", Side.BUY, 2, 990))
    venue.advance(0)
    assert ctx.reports("tick")[0].reason == "PRICE_FILTER price_units=1001"
    assert ctx.reports("small")[0].reason == "LOT_SIZE minimum=0.002 quantity=0.001"
    assert ctx.kinds("ok") == [K.ACCEPTED, K.REJECTED]
    assert ctx.reports("ok")[1].reason == "DUPLICATE_ORDER_ID"
    assert len(venue.open_orders()) == 1


def test_gtd_orders_expire_at_their_time() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("g", Side.BUY, 2, 990, tif=TimeInForce.GTD, expire=1_000))
    venue.submit(order("late", Side.BUY, 2, 990, tif=TimeInForce.GTD, expire=1_000))
    venue.advance(0)
    venue.advance(999)
    assert ctx.kinds("g") == [K.ACCEPTED] and ctx.kinds("late") == [K.ACCEPTED]
    venue.feed(1_000, SYMBOL, UPDATE, BID, 999, 3)
    assert ctx.kinds("g") == [K.ACCEPTED, K.EXPIRED]
    assert ctx.reports("g")[-1].venue_ts_ns == 1_000
    ctx.now = 2_000
    venue.submit(order("past", Side.BUY, 2, 990, tif=TimeInForce.GTD, expire=1_500))
    venue.advance(2_000)
    assert ctx.reports("past")[0].reason == "GTD_IN_PAST expire_ts_ns=1500 now_ns=2000"


def test_cancel_and_replace() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    for coid in ("a", "b"):
        venue.submit(order(coid, Side.BUY, 5, 999))
    venue.advance(0)
    book = venue.book(SYMBOL)
    a, b = book.orders()
    venue.replace("a", None, 3)  # smaller: keeps its place
    venue.replace("b", 1000, 5)  # new price: new queue position at an empty level
    venue.advance(1)
    assert ctx.kinds("a")[-1] is K.REPLACED and ctx.reports("a")[-1].lots == 3
    assert a.queue.ahead == 10 and a.leaves == 3
    assert b.price == 1000 and b.queue.ahead == 0
    venue.replace("a", 1001, 3)  # replaced into the ask: takes
    venue.advance(2)
    assert ctx.kinds("a")[-2:] == [K.REPLACED, K.FILL] and ctx.fills("a") == [(1001, 3)]
    venue.cancel("b")
    venue.cancel("b")
    venue.replace("a", 999, 5)
    venue.advance(3)
    assert ctx.kinds("b")[-2:] == [K.CANCELED, K.CANCEL_REJECTED]
    assert ctx.reports("b")[-1].reason == "UNKNOWN_ORDER"
    assert ctx.kinds("a")[-1] is K.REPLACE_REJECTED
    assert book.orders() == []


def test_replace_below_filled_and_post_only_replace() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("p", Side.BUY, 5, 999, order_type=OrderType.POST_ONLY))
    venue.advance(0)
    venue.trade(1, SYMBOL, Side.SELL, 998, 2)
    venue.replace("p", None, 2)
    venue.replace("p", 1001, 5)
    venue.advance(2)
    assert ctx.kinds("p")[-2:] == [K.REPLACE_REJECTED, K.REPLACE_REJECTED]
    assert ctx.reports("p")[-2].reason == "REPLACE_BELOW_FILLED filled=2"
    assert ctx.reports("p")[-1].reason == "POST_ONLY_WOULD_TAKE price_units=1001"
    (status,) = venue.open_orders()
    assert status.status is OrderStatus.PARTIALLY_FILLED and status.leaves_lots == 3


def test_reconciliation_views() -> None:
    venue, _ctx = make_venue()
    seed_book(venue)
    venue.submit(order("a", Side.BUY, 12, 1001))
    venue.advance(5)
    (status,) = venue.open_orders()
    assert (status.cum_lots, status.leaves_lots, status.price_units) == (10, 2, 1001)
    assert [r.fill.lots for r in venue.fills_since(0)] == [10]  # type: ignore[union-attr]
    assert venue.fills_since(1) == []
    assert venue.health() is VenueHealth.HEALTHY


def test_unattached_venue_refuses_requests() -> None:
    venue = BookVenue("sim", [spot()])
    with pytest.raises(VenueError):
        venue.submit(order("a", Side.BUY, 1, 999))
