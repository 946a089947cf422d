"""The market-by-order book: priority rules, exact queue ahead, aggregation to L2, real Bitfinex data.

Real data: the Bitfinex tBTCUSD raw (``prec=R0``) book capture kept by nautilus_trader
(``tests/test_data/bitmex/L3_feed.json`` at commit 517bb552ca64a6a884e93bb1085fe41ee4f11f0f),
copied under ``../shared/data/nautilus/_history/...`` (see that folder's README).
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE
from slipstream.marketdata.l3_book import L3Book
from slipstream.marketdata.loaders import bitfinex
from slipstream.model.instruments import SpotPair
from slipstream.model.market import BookAction, BookSide, L3Order

L3_FEED = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "nautilus" / "_history"
           / "517bb552ca64a6a884e93bb1085fe41ee4f11f0f" / "tests" / "test_data" / "bitmex" / "L3_feed.json")


def book_with(*orders: tuple[int, int, int, int]) -> L3Book:
    book = L3Book("T")
    for order_id, side, price, size in orders:
        book.apply_units(ADD, order_id, side, price, size)
    return book


# ---- priority and queue ahead ----------------------------------------------------------------------
def test_levels_aggregate_orders_best_first() -> None:
    book = book_with((1, BID, 100, 5), (2, BID, 100, 7), (3, BID, 99, 1), (4, ASK, 102, 2), (5, ASK, 101, 3))
    assert book.levels(BID) == [(100, 12), (99, 1)]
    assert book.levels(ASK) == [(101, 3), (102, 2)]
    assert book.levels(ASK, 1) == [(101, 3)]
    assert (book.best_bid(), book.best_ask(), len(book)) == (100, 101, 5)
    assert book.count_at(BID, 100) == 2 and book.size_at(BID, 100) == 12 and book.size_at(BID, 98) == 0
    assert not book.is_crossed()
    l2 = book.to_l2()
    assert l2.levels(BID) == book.levels(BID) and l2.levels(ASK) == book.levels(ASK)


def test_queue_ahead_counts_only_earlier_arrivals() -> None:
    book = book_with((1, BID, 100, 5), (2, BID, 100, 7))
    ours = book.next_seq()
    book.apply_units(ADD, 3, BID, 100, 11)  # behind us
    assert book.queue_ahead(BID, 100, ours) == 12
    assert book.apply_units(DELETE, 3, BID, 0, 0) == ((BID, 100, 12),)  # behind: no change
    assert book.queue_ahead(BID, 100, ours) == 12
    assert book.apply_units(UPDATE, 1, BID, 100, 2) == ((BID, 100, 9),)  # partial fill ahead
    assert book.queue_ahead(BID, 100, ours) == 9
    assert book.queue_ahead(BID, 99, ours) == 0


def test_size_decrease_keeps_priority_increase_and_move_requeue() -> None:
    book = book_with((1, BID, 100, 5), (2, BID, 100, 7))
    ours = book.next_seq()
    book.apply_units(UPDATE, 1, BID, 100, 4)
    assert [e.order_id for e in book.orders_at(BID, 100)] == [1, 2]
    book.apply_units(UPDATE, 1, BID, 100, 6)  # growth: to the back, behind us
    assert [e.order_id for e in book.orders_at(BID, 100)] == [2, 1]
    assert book.queue_ahead(BID, 100, ours) == 7
    # a move away and back re-queues too: two level changes, old level first
    assert book.apply_units(UPDATE, 2, BID, 99, 7) == ((BID, 100, 6), (BID, 99, 7))
    assert book.apply_units(UPDATE, 2, BID, 100, 7) == ((BID, 99, 0), (BID, 100, 13))
    assert book.queue_ahead(BID, 100, ours) == 0
    assert book.levels(BID) == [(100, 13)]
    book.apply_units(UPDATE, 2, ASK, 101, 1)  # side change
    assert book.levels(ASK) == [(101, 1)] and book.levels(BID) == [(100, 6)]
    assert book.apply_units(UPDATE, 2, ASK, 101, 0) == ((ASK, 101, 0),)  # size 0 removes
    assert book.order(2) is None and book.levels(ASK) == []


def test_clear_empties_and_sequence_keeps_counting() -> None:
    book = book_with((1, BID, 100, 5))
    before = book.next_seq()
    assert book.apply_units(CLEAR, 0, BID, 0, 0) == ()
    assert len(book) == 0 and book.best_bid() is None
    book.apply_units(ADD, 1, BID, 100, 5)
    assert book.order(1) is not None and book.order(1).seq > before  # type: ignore[union-attr]


@pytest.mark.parametrize(("action", "order_id", "side", "price", "size", "match"), [
    (ADD, 1, BID, 100, 5, "add of live order"),
    (DELETE, 9, BID, 0, 0, "delete of unknown"),
    (UPDATE, 9, BID, 100, 5, "update of unknown"),
    (ADD, 2, BID, 0, 5, "price must be positive"),
    (ADD, 2, BID, 100, 0, "size out of range"),
    (UPDATE, 1, BID, 100, -1, "size out of range"),
    (ADD, 2, 7, 100, 5, "unknown book side"),
    (9, 2, BID, 100, 5, "unknown book action"),
])
def test_bad_events_raise_and_change_nothing(action: int, order_id: int, side: int, price: int, size: int,
                                             match: str) -> None:
    book = book_with((1, BID, 100, 5))
    with pytest.raises(ValidationError, match=match):
        book.apply_units(action, order_id, side, price, size)
    assert book.levels(BID) == [(100, 5)] and len(book) == 1


def test_apply_converts_decimals_exactly() -> None:
    instrument = SpotPair.create("bitfinex", "BTC", "USD", Decimal("0.01"), Decimal("0.00000001"))
    book = L3Book.for_instrument(instrument)
    add = L3Order("bitfinex", "tBTCUSD", 7, BookSide.ASK, BookAction.ADD, Decimal("60945.12"),
                  Decimal("0.246386"), 1, 0, 0)
    assert book.apply(add) == ((ASK, 6094512, 24638600),)
    off_tick = L3Order("bitfinex", "tBTCUSD", 8, BookSide.ASK, BookAction.ADD, Decimal("60945.123"),
                       Decimal("1"), 2, 0, 0)
    with pytest.raises(ValidationError, match="not a multiple"):
        book.apply(off_tick)
    delete = L3Order("bitfinex", "tBTCUSD", 7, BookSide.ASK, BookAction.DELETE, Decimal("60945.12"),
                     Decimal(0), 3, 0, 0)
    assert book.apply(delete) == ((ASK, 6094512, 0),)
    clear = L3Order("bitfinex", "tBTCUSD", 0, None, BookAction.CLEAR, Decimal(0), Decimal(0), 4, 0, 0)
    assert book.apply(clear) == ()
    with pytest.raises(ValidationError):
        L3Book(price_increment=Decimal(0))


# ---- property: the book equals a naive list of orders ---------------------------------------------
ops = st.lists(st.tuples(st.sampled_from(["add", "update", "delete", "mark"]), st.integers(0, 7),
                         st.sampled_from([BID, ASK]), st.integers(1, 4), st.integers(0, 9)), max_size=80)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_matches_naive_model_and_queue_ahead_never_grows(steps: list[tuple[str, int, int, int, int]]) -> None:
    book = L3Book()
    naive: list[list[int]] = []  # [order_id, side, price, size, seq] in priority order
    marks: list[tuple[int, int, int]] = []  # our arrivals (side, price, seq)
    last_ahead: dict[int, int] = {}
    seq = 0
    for kind, order_id, side, price, size in steps:
        live = next((o for o in naive if o[0] == order_id), None)
        if kind == "mark":
            seq += 1
            assert book.next_seq() == seq
            marks.append((side, price, seq))
            continue
        if kind == "add" and live is None and size > 0:
            seq += 1
            book.apply_units(ADD, order_id, side, price, size)
            naive.append([order_id, side, price, size, seq])
        elif kind == "update" and live is not None:
            book.apply_units(UPDATE, order_id, side, price, size)
            if size == 0:
                naive.remove(live)
            elif live[1] == side and live[2] == price and size <= live[3]:
                live[3] = size
            else:
                seq += 1
                naive.remove(live)
                naive.append([order_id, side, price, size, seq])
        elif kind == "delete" and live is not None:
            book.apply_units(DELETE, order_id, side, price, size)
            naive.remove(live)
        else:
            with pytest.raises(ValidationError):
                book.apply_units({"add": ADD, "update": UPDATE, "delete": DELETE}[kind], order_id, side, price, size)
        for s in (BID, ASK):
            sizes: dict[int, int] = {}
            for o in naive:
                if o[1] == s:
                    sizes[o[2]] = sizes.get(o[2], 0) + o[3]
            assert book.levels(s) == sorted(sizes.items(), reverse=s == BID)
        for index, (s, p, mark) in enumerate(marks):
            ahead = book.queue_ahead(s, p, mark)
            assert ahead == sum(o[3] for o in naive if o[1] == s and o[2] == p and o[4] < mark)
            assert 0 <= ahead <= last_ahead.get(index, ahead)  # later arrivals never push us back
            last_ahead[index] = ahead
    assert len(book) == len(naive)


# ---- real data ------------------------------------------------------------------------------------
def test_bitfinex_raw_book_aggregates_to_an_uncrossed_l2_book() -> None:
    if not L3_FEED.exists():
        pytest.skip(f"shared data not found: {L3_FEED}")
    instrument = SpotPair.create("bitfinex", "BTC", "USD", Decimal("0.00000001"), Decimal("0.00000001"))
    book = L3Book.for_instrument(instrument)
    reference: dict[int, tuple[int, int, int]] = {}  # order id -> (side, price, size), by hand
    crossed = messages = 0
    for event in itertools.islice(bitfinex.iter_raw_book(L3_FEED), 20_000):
        book.apply(event)
        if event.action is BookAction.CLEAR:
            reference.clear()
        elif event.action is BookAction.DELETE:
            del reference[event.order_id]
        else:
            side = BID if event.side is BookSide.BID else ASK
            reference[event.order_id] = (side, int(event.price * 10**8), int(event.size * 10**8))
        if not event.is_last:
            continue
        messages += 1
        crossed += book.is_crossed()
        if messages % 500 == 0:
            for s in (BID, ASK):
                sizes: dict[int, int] = {}
                for side, price, size in reference.values():
                    if side == s:
                        sizes[price] = sizes.get(price, 0) + size
                assert book.levels(s) == sorted(sizes.items(), reverse=s == BID)
    assert messages == 19_950  # 1 snapshot (51 events) + 19,949 single-order updates
    assert crossed == 0  # the raw feed is never crossed at a message boundary in this sample
    assert len(book) == len(reference)
    l2 = book.to_l2()
    assert l2.levels(BID) == book.levels(BID) and l2.levels(ASK) == book.levels(ASK)
    assert not l2.is_crossed()
