"""Property tests of the order-book venue over random data streams and random order flow.

Invariants (the issue's definition of done):
* the public book (data + our orders) and the data book are never crossed;
* our taker fills at a level never exceed what the data displayed there plus what it later
  added ("consumed and replenished"); fills driven by a print never exceed the print;
* quantity is conserved per order: filled + leaves = quantity while live, and the terminal
  report's cumulative quantity equals the fills (the rest is cancelled/expired);
* same seed ⇒ the same deliveries, byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from book_venue_helpers import SYMBOL, make_venue, order
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.marketdata.book import ASK, BID, UPDATE
from slipstream.model.enums import Liquidity, OrderType, Side, TimeInForce
from slipstream.model.reports import ExecutionReport, ReportKind
from slipstream.venues.sim.matching import SelfTradePrevention
from slipstream.venues.sim.models import LogNormalLatency

_END = frozenset({ReportKind.CANCELED, ReportKind.EXPIRED, ReportKind.REJECTED})

prices = st.integers(990, 1010)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("delta"), st.sampled_from([BID, ASK]), prices, st.integers(0, 20)),
        st.tuples(st.just("trade"), st.sampled_from([Side.BUY, Side.SELL]), prices, st.integers(1, 15)),
        st.tuples(st.just("submit"), st.sampled_from([Side.BUY, Side.SELL]),
                  st.sampled_from(["market", "limit", "post", "ioc", "fok", "gtd"]), prices,
                  st.integers(1, 25)),
        st.tuples(st.just("cancel"), st.integers(0, 30)),
        st.tuples(st.just("replace"), st.integers(0, 30), prices, st.integers(1, 25)),
        st.tuples(st.just("advance"), st.integers(1, 5_000_000)),
    ),
    min_size=5,
    max_size=80,
)


def _submit(side: Side, kind: str, price: int, lots: int, coid: str, now: int) -> Any:
    if kind == "market":
        return order(coid, side, lots)
    if kind == "post":
        return order(coid, side, lots, price, order_type=OrderType.POST_ONLY)
    tif = {"limit": TimeInForce.GTC, "ioc": TimeInForce.IOC, "fok": TimeInForce.FOK,
           "gtd": TimeInForce.GTD}[kind]
    return order(coid, side, lots, price, tif=tif, expire=now + 3_000_000 if kind == "gtd" else None)


def run(script: list[tuple[Any, ...]], seed: int, stp: SelfTradePrevention, check: bool) -> list[Any]:
    """Play ``script`` against a venue; check the invariants after every step when ``check``."""
    venue, ctx = make_venue(seed, latency=LogNormalLatency.colocated(), stp=stp)
    book = venue.book(SYMBOL)
    supply: dict[tuple[int, int], int] = defaultdict(int)
    taken: dict[tuple[int, int], int] = defaultdict(int)
    side_supply = [0, 0, 0]
    side_consumed = [0, 0, 0]
    for level in range(1, 6):  # a two-sided book to start from
        for side, price in ((BID, 1000 - level), (ASK, 1000 + level)):
            supply[(side, price)] += 10
            side_supply[side] += 10
            venue.feed(0, SYMBOL, UPDATE, side, price, 10)
    coids: list[str] = []
    sides: dict[str, Side] = {}
    now = 0
    for n, step in enumerate(script):
        now += 5_000_000
        ctx.now = now
        mark = len(ctx.delivered)
        kind = step[0]
        if kind == "delta":
            _, side, price, lots = step
            before = book.data.size_at(side, price)
            supply[(side, price)] += max(lots - before, 0)
            side_supply[side] += max(lots - before, 0)
            venue.feed(now, SYMBOL, UPDATE, side, price, lots)
        elif kind == "trade":
            _, aggressor, price, lots = step
            venue.trade(now, SYMBOL, aggressor, price, lots)
        elif kind == "submit":
            coid = f"o{n}"
            coids.append(coid)
            sides[coid] = step[1]
            venue.submit(_submit(step[1], step[2], step[3], step[4], coid, now))
        elif kind == "cancel" and coids:
            venue.cancel(coids[step[1] % len(coids)])
        elif kind == "replace" and coids:
            venue.replace(coids[step[1] % len(coids)], step[2], step[3])
        elif kind == "advance":
            now += step[1]
            ctx.now = now
            venue.advance(now)
        if not check:
            continue
        fills = [m for _, m in ctx.delivered[mark:] if isinstance(m, ExecutionReport) and m.fill]
        for report in fills:
            fill = report.fill
            assert fill is not None
            if fill.liquidity is Liquidity.TAKER:
                level = (ASK if sides[report.client_order_id] is Side.BUY else BID, fill.price_units)
                taken[level] += fill.lots
                side_consumed[level[0]] += fill.lots
            elif kind == "delta":  # our resting order crossed by new data liquidity
                side_consumed[step[1]] += fill.lots
        if kind == "trade":
            assert sum(r.fill.lots for r in fills if r.fill.liquidity is Liquidity.MAKER) <= step[3]
        assert not book.is_crossed(), book.view(BID, 3) + book.view(ASK, 3)
        assert not book.data.is_crossed()
        for level, lots in taken.items():
            assert lots <= supply[level], (level, lots, supply[level])
        for side in (BID, ASK):
            assert side_consumed[side] <= side_supply[side]
        check_conservation(venue, ctx)
    return ctx.delivered


def check_conservation(venue: Any, ctx: Any) -> None:
    filled: dict[str, int] = defaultdict(int)
    for report in venue.fills_since(0):
        filled[report.client_order_id] += report.fill.lots
    live = {o.order.client_order_id: o for o in venue.book(SYMBOL).orders()}
    assert {r.client_order_id for r in venue.open_orders()} == set(live)
    for coid, resting in live.items():
        assert resting.filled == filled[coid]
        assert resting.filled + resting.leaves == resting.lots and resting.leaves > 0
    by_order: dict[str, list[ExecutionReport]] = defaultdict(list)
    for report in venue_reports(venue, ctx):
        by_order[report.client_order_id].append(report)
    for coid, reports in by_order.items():
        ends = [r for r in reports if r.kind in _END and r.cum_lots is not None]
        if ends and coid not in live:
            assert ends[-1].cum_lots == filled[coid]
            lots = max((r.lots or 0) for r in reports) or None
            assert lots is None or filled[coid] <= lots


def venue_reports(venue: Any, ctx: Any) -> list[ExecutionReport]:
    """Every report the venue emitted (no faults here, so all were delivered)."""
    return [m for _, m in ctx.delivered if isinstance(m, ExecutionReport)]


@settings(max_examples=150, deadline=None)
@given(script=steps, stp=st.sampled_from(list(SelfTradePrevention)))
def test_invariants_hold_over_random_streams(script: list[tuple[Any, ...]], stp: SelfTradePrevention) -> None:
    run(script, seed=7, stp=stp, check=True)


@settings(max_examples=40, deadline=None)
@given(script=steps, seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_deliveries(script: list[tuple[Any, ...]], seed: int) -> None:
    first = run(script, seed, SelfTradePrevention.CANCEL_RESTING, check=False)
    second = run(script, seed, SelfTradePrevention.CANCEL_RESTING, check=False)
    assert first == second
