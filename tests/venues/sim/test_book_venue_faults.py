"""Scheduled venue faults: one test per kind, plus the fault plan itself."""

from __future__ import annotations

import pytest
from book_venue_helpers import SYMBOL, make_venue, order, seed_book

from slipstream.errors import ValidationError
from slipstream.marketdata.book import BID, UPDATE
from slipstream.model.enums import Side
from slipstream.model.reports import ReportKind
from slipstream.venues.base import VenueHealth
from slipstream.venues.sim.faults import Fault, FaultKind, FaultPlan
from slipstream.venues.sim.messages import BookUpdate
from slipstream.venues.sim.models import ConstantLatency

K = ReportKind


def faulty(*faults: Fault, **kw: object):  # type: ignore[no-untyped-def]
    venue, ctx = make_venue(faults=FaultPlan(faults), latency=ConstantLatency(0, 10, 5), **kw)
    seed_book(venue)
    return venue, ctx


def test_fault_windows() -> None:
    plan = FaultPlan([Fault(kind=FaultKind.DELAY, start_ns=10, end_ns=20, delay_ns=7)])
    assert plan.delay_ns(9) == 0 and plan.delay_ns(10) == 7 and plan.delay_ns(20) == 0
    assert not FaultPlan() and plan
    with pytest.raises(ValidationError):
        Fault(kind=FaultKind.DELAY, start_ns=10)
    with pytest.raises(ValidationError):
        Fault(kind=FaultKind.STALE, start_ns=10, end_ns=5)


def test_disconnect_loses_requests_and_reports_but_fills_are_reconcilable() -> None:
    venue, ctx = faulty(Fault(kind=FaultKind.DISCONNECT, start_ns=100, end_ns=200))
    venue.submit(order("rest", Side.BUY, 2, 999))
    venue.advance(0)
    ctx.now = 150
    assert venue.health() is VenueHealth.DOWN
    venue.submit(order("lost", Side.BUY, 1, 990))
    venue.trade(150, SYMBOL, Side.SELL, 998, 2)  # fills our resting order while we are cut off
    assert ctx.kinds("rest") == [K.ACCEPTED]
    assert ctx.reports("lost") == [] and [r[1] for r in venue.lost_requests] == ["submit"]
    assert not [m for t, m in ctx.delivered if isinstance(m, BookUpdate) and m.venue_ts_ns == 150]
    ctx.now = 200
    assert venue.health() is VenueHealth.HEALTHY
    (fill,) = venue.fills_since(100)
    assert fill.client_order_id == "rest" and fill.fill is not None and fill.fill.lots == 2


def test_stop_acking_keeps_fills_flowing() -> None:
    venue, ctx = faulty(Fault(kind=FaultKind.STOP_ACKING, start_ns=0))
    venue.submit(order("a", Side.BUY, 12, 1001))
    venue.advance(0)
    assert ctx.kinds("a") == [K.FILL]
    assert venue.health() is VenueHealth.DEGRADED


def test_reject_all() -> None:
    venue, ctx = faulty(Fault(kind=FaultKind.REJECT_ALL, start_ns=0))
    venue.submit(order("a", Side.BUY, 1, 990))
    venue.cancel("x")
    venue.replace("y", 990, 2)
    venue.advance(0)
    assert ctx.reports("a")[0].reason == "VENUE_UNAVAILABLE"
    assert ctx.kinds("x") == [K.CANCEL_REJECTED] and ctx.kinds("y") == [K.REPLACE_REJECTED]


def test_delay_adds_to_the_response_latency() -> None:
    venue, ctx = faulty(Fault(kind=FaultKind.DELAY, start_ns=0, end_ns=50, delay_ns=1_000))
    venue.submit(order("a", Side.BUY, 1, 990))
    venue.advance(0)
    ctx.now = 60
    venue.submit(order("b", Side.BUY, 1, 990))
    venue.advance(60)
    assert ctx.reports("a")[0].receive_ts_ns == 1_010
    assert ctx.reports("b")[0].receive_ts_ns == 70


def test_duplicate_delivers_every_report_twice() -> None:
    venue, ctx = faulty(Fault(kind=FaultKind.DUPLICATE, start_ns=0))
    venue.submit(order("a", Side.BUY, 12, 1001))
    venue.advance(0)
    assert ctx.kinds("a") == [K.ACCEPTED, K.ACCEPTED, K.FILL, K.FILL]


def test_reorder_swaps_reports_pairwise_and_releases_the_last_one() -> None:
    venue, ctx = faulty(Fault(kind=FaultKind.REORDER, start_ns=0, end_ns=10))
    venue.submit(order("a", Side.BUY, 15))  # ACCEPTED, FILL@1001, FILL@1002
    venue.advance(0)
    assert ctx.kinds("a") == [K.FILL, K.ACCEPTED]
    venue.advance(10)  # the window closed: the held fill goes out
    assert ctx.kinds("a") == [K.FILL, K.ACCEPTED, K.FILL]
    assert [p for p, _ in ctx.fills("a")] == [1001, 1002]


def test_stale_market_data_stops_publication_but_not_matching() -> None:
    venue, ctx = faulty(Fault(kind=FaultKind.STALE, start_ns=100, end_ns=200))
    published = len(ctx.of_type(BookUpdate))
    venue.submit(order("a", Side.BUY, 2, 999))
    venue.advance(0)
    venue.feed(150, SYMBOL, UPDATE, BID, 999, 1)
    venue.trade(160, SYMBOL, Side.SELL, 999, 3)
    assert len(ctx.of_type(BookUpdate)) == published + 0
    assert ctx.fills("a") == [(999, 2)]  # matching followed the data
    venue.feed(200, SYMBOL, UPDATE, BID, 999, 2)
    assert ctx.of_type(BookUpdate)[-1].venue_ts_ns == 200
