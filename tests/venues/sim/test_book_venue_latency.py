"""Latency, published market data, rate limits and fee tiers of the order-book venue."""

from __future__ import annotations

from decimal import Decimal

from book_venue_helpers import SYMBOL, make_venue, order, seed_book

from slipstream.marketdata.book import ASK, BID, UPDATE
from slipstream.model.enums import Liquidity, Side
from slipstream.model.reports import ExecutionReport, ReportKind
from slipstream.venues.sim.messages import BookUpdate, TradePrint, VenueWake
from slipstream.venues.sim.models import ConstantLatency, FeeSchedule, FeeTier, LogNormalLatency, TokenBucket

K = ReportKind


def test_orders_arrive_after_entry_latency_and_reports_come_back_after_response_latency() -> None:
    venue, ctx = make_venue(latency=ConstantLatency(100, 50, 30))
    seed_book(venue)
    ctx.now = 10
    venue.submit(order("a", Side.BUY, 2, 999))
    assert ctx.of_type(VenueWake)[-1] == VenueWake("sim", 110)
    venue.advance(109)
    assert ctx.reports("a") == []
    venue.advance(110)
    (ack,) = ctx.reports("a")
    assert (ack.kind, ack.venue_ts_ns, ack.receive_ts_ns) == (K.ACCEPTED, 110, 160)
    assert ctx.delivered[-1][0] == 160


def test_market_data_is_published_late_and_shows_our_orders() -> None:
    venue, ctx = make_venue(latency=ConstantLatency(0, 0, 30), depth=2)
    seed_book(venue)
    venue.submit(order("a", Side.BUY, 3, 1000))
    venue.feed(5, SYMBOL, UPDATE, BID, 998, 4)
    ts, update = [(t, m) for t, m in ctx.delivered if isinstance(m, BookUpdate)][-1]
    assert ts == 35 and update.venue_ts_ns == 5 and update.receive_ts_ns == 35
    assert update.bids == ((1000, 3), (999, 10)) and update.asks == ((1001, 10), (1002, 10))
    assert (update.best_bid, update.best_ask) == (1000, 1001)
    venue.trade(6, SYMBOL, Side.SELL, 1000, 1)
    prints = ctx.of_type(TradePrint)
    assert [(p.price_units, p.lots, p.ours) for p in prints] == [(1000, 1, True), (1000, 1, False)]


def test_a_stale_view_costs_money() -> None:
    """We see ask 1001 and send a market buy; the book moves before the order arrives."""
    venue, ctx = make_venue(latency=ConstantLatency(100, 0, 0))
    seed_book(venue)
    venue.submit(order("m", Side.BUY, 5))
    venue.feed(50, SYMBOL, UPDATE, ASK, 1001, 0)  # the touch is gone before we arrive
    venue.advance(100)
    assert ctx.fills("m") == [(1002, 5)]


def test_same_seed_same_latencies_other_seed_differs() -> None:
    def run(seed: int) -> list[int]:
        venue, ctx = make_venue(seed, latency=LogNormalLatency.colocated())
        seed_book(venue)
        for n in range(5):
            venue.submit(order(f"o{n}", Side.BUY, 1, 990))
        venue.advance(10**10)
        return [r.receive_ts_ns for r in ctx.reports()]

    assert run(1) == run(1)
    assert run(1) != run(2)
    receive = run(1)
    assert receive == sorted(receive)  # reports keep their order


def test_rate_limit_rejects_with_retry_after() -> None:
    bucket = TokenBucket(capacity=2, refill_per_s=1, now_ns=0)
    venue, ctx = make_venue(rate_limits=[bucket])
    seed_book(venue)
    for coid in ("a", "b", "c"):
        venue.submit(order(coid, Side.BUY, 1, 990))
    venue.cancel("a")
    venue.advance(0)
    assert ctx.kinds("b") == [K.ACCEPTED]
    assert ctx.reports("c")[0].kind is K.REJECTED
    assert ctx.reports("c")[0].reason == "RATE_LIMITED retry_after_ns=1000000000"
    assert ctx.kinds("a") == [K.ACCEPTED, K.CANCEL_REJECTED]
    ctx.now = 10**9
    venue.cancel("a")
    venue.advance(10**9)
    assert ctx.kinds("a")[-1] is K.CANCELED


def test_fee_tier_changes_with_traded_volume() -> None:
    schedule = FeeSchedule("test", (FeeTier(Decimal(0), Decimal("0.001"), Decimal("0.002")),
                                    FeeTier(Decimal(1), Decimal("-0.0001"), Decimal("0.001"))))
    venue, ctx = make_venue(fees=schedule)
    seed_book(venue)
    venue.submit(order("t1", Side.BUY, 10))  # 0.010 BTC × 100.1 = 1.001 USDT, tier 0 taker
    venue.submit(order("m1", Side.SELL, 5, 1001))
    venue.advance(0)
    venue.trade(1, SYMBOL, Side.BUY, 1002, 5)  # tier 1 maker: a rebate
    taker = next(r.fill for r in ctx.reports("t1") if r.fill)
    maker = next(r.fill for r in ctx.reports("m1") if r.fill)
    assert taker.fee == Decimal("1.0010") * Decimal("0.002")
    assert maker.liquidity is Liquidity.MAKER
    assert maker.fee == Decimal("0.005") * Decimal("100.1") * Decimal("-0.0001")
    assert venue.ledger.tier_volume == Decimal("1.0010") + Decimal("0.5005")


def test_reports_are_execution_reports_with_deterministic_ids() -> None:
    venue, ctx = make_venue()
    seed_book(venue)
    venue.submit(order("a", Side.BUY, 12))
    venue.advance(0)
    fills = [r.fill for r in ctx.reports("a") if isinstance(r, ExecutionReport) and r.fill]
    assert [f.trade_id for f in fills] == ["sim-t1", "sim-t2"]
    assert ctx.reports("a")[0].venue_order_id == "sim-o1"
