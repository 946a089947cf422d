"""Tests for slipstream.marketdata.book: the dense-window L2 book.

The reference model is a plain dict per side; the book must agree with it after any stream,
whether applied row by row or in batches, including far-out levels and window re-centring
(exercised with a small window).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE, L2Book
from slipstream.marketdata.synthetic import generate_l2_stream


class DictBook:
    """Obviously-correct reference: one dict per side."""

    def __init__(self) -> None:
        self.sides: dict[int, dict[int, int]] = {BID: {}, ASK: {}}

    def apply(self, action: int, side: int, price: int, qty: int) -> None:
        if action == CLEAR:
            self.sides[BID].clear()
            self.sides[ASK].clear()
            return
        size = 0 if action == DELETE else qty
        if size:
            self.sides[side][price] = size
        else:
            self.sides[side].pop(price, None)

    def levels(self, side: int) -> list[tuple[int, int]]:
        return sorted(self.sides[side].items(), reverse=side == BID)


def assert_same(book: L2Book, ref: DictBook) -> None:
    for side in (BID, ASK):
        want = ref.levels(side)
        assert book.levels(side) == want
        assert book.levels(side, 3) == want[:3]
        for price, size in want[:5]:
            assert book.size_at(side, price) == size
    assert book.best_bid() == (ref.levels(BID)[0][0] if ref.sides[BID] else None)
    assert book.best_ask() == (ref.levels(ASK)[0][0] if ref.sides[ASK] else None)
    assert len(book) == len(ref.sides[BID]) + len(ref.sides[ASK])


def _row(centre: int, spread: int) -> st.SearchStrategy[tuple[int, int, int, int]]:
    level = st.tuples(
        st.sampled_from([ADD, UPDATE, UPDATE, DELETE]),
        st.sampled_from([BID, ASK]),
        st.integers(max(centre - spread, 1), centre + spread),
        st.integers(0, 50),
    )
    clear = st.tuples(st.just(CLEAR), st.integers(0, 2), st.integers(0, 5), st.just(0))
    return st.one_of(level, level, level, level, level, level, level, level, level, clear)


rows_strategy = st.one_of(
    st.lists(_row(1_000, 3), max_size=120),  # few prices: deletes of the best are frequent
    st.lists(_row(1_000, 40), max_size=120),  # near the touch, tiny window below
    st.lists(_row(1_000, 400), max_size=120),  # spread far beyond a 64-wide window
    st.lists(_row(40, 60), max_size=120),  # prices near zero (window pinned at 0)
)


def _cols(rows: list[tuple[int, int, int, int]]) -> tuple[np.ndarray, ...]:
    arr = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]


@settings(max_examples=200, deadline=None)
@given(rows=rows_strategy, window=st.sampled_from([64, 128, 4096]))
def test_sequential_apply_matches_reference(rows: list[tuple[int, int, int, int]], window: int) -> None:
    book, ref = L2Book(window=window), DictBook()
    for i, row in enumerate(rows):
        book.apply(*row)
        ref.apply(*row)
        if i % 3 == 0:
            assert_same(book, ref)
    assert_same(book, ref)


@settings(max_examples=200, deadline=None)
@given(
    rows=rows_strategy,
    window=st.sampled_from([64, 128, 4096]),
    cuts=st.lists(st.integers(0, 120), max_size=6),
)
def test_apply_batch_equals_sequential_apply(
    rows: list[tuple[int, int, int, int]], window: int, cuts: list[int]
) -> None:
    """Batches split at arbitrary points give the same book as one row at a time."""
    action, side, price, qty = _cols(rows)
    seq, ref = L2Book(window=window), DictBook()
    bat = L2Book(window=window)
    bounds = sorted({0, len(rows), *(c for c in cuts if c <= len(rows))})
    for a, b in itertools.pairwise(bounds):
        bat.apply_batch(action[a:b], side[a:b], price[a:b], qty[a:b])
        for row in rows[a:b]:
            seq.apply(*row)
            ref.apply(*row)
        assert_same(bat, ref)
        assert_same(seq, ref)


@pytest.mark.parametrize("spread", [3, 40, 400])
def test_seeded_fuzz_with_gaps_between_queries(spread: int) -> None:
    """Many short random streams, querying every few rows (catches stale best-price caches
    that only show when several writes land between two queries)."""
    rng = np.random.default_rng(spread)
    for _ in range(150):
        n = 60
        action = rng.choice(np.array([ADD, UPDATE, UPDATE, DELETE, DELETE]), n)
        action[rng.random(n) < 0.02] = CLEAR
        side = rng.integers(BID, ASK + 1, n)
        price = rng.integers(1_000 - spread, 1_001 + spread, n)
        qty = rng.integers(0, 20, n)
        rows = list(zip(action.tolist(), side.tolist(), price.tolist(), qty.tolist(), strict=True))
        seq, bat, ref = L2Book(window=64), L2Book(window=64), DictBook()
        a = 0
        while a < n:
            b = a + int(rng.integers(1, 6))
            for row in rows[a:b]:
                seq.apply(*row)
                ref.apply(*row)
            bat.apply_batch(action[a:b], side[a:b], price[a:b], qty[a:b])
            assert_same(seq, ref)
            assert_same(bat, ref)
            a = b


def test_large_batch_uses_exact_last_write_per_level() -> None:
    """Many repeated writes to few levels (the np.maximum.at path): last write wins."""
    rng = np.random.default_rng(3)
    n = 50_000
    action = rng.choice(np.array([ADD, UPDATE, DELETE]), n)
    side = rng.integers(BID, ASK + 1, n)
    price = rng.integers(995, 1_006, n)
    qty = rng.integers(0, 9, n)
    action[n // 3] = CLEAR
    book, ref = L2Book(), DictBook()
    book.apply_batch(action, side, price, qty)
    for row in zip(action.tolist(), side.tolist(), price.tolist(), qty.tolist(), strict=True):
        ref.apply(*row)
    assert_same(book, ref)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), chunk=st.integers(1, 500), window=st.sampled_from([64, 4096]))
def test_generated_stream_never_crosses(seed: int, chunk: int, window: int) -> None:
    s = generate_l2_stream(3_000, seed, levels=10)
    book = L2Book(window=window)
    for a in range(0, 3_000, chunk):
        b = a + chunk
        book.apply_batch(s["action"][a:b], s["side"][a:b], s["price"][a:b], s["qty"][a:b])
        assert not book.is_crossed()
        if 21 <= b < 3_000 and s["ts"][b] != s["ts"][b - 1]:  # between two events
            assert len(book.levels(BID)) == 10 and len(book.levels(ASK)) == 10
            assert book.best_ask() - book.best_bid() == 1  # type: ignore[operator]


def test_window_recentres_when_the_touch_drifts() -> None:
    """A 64-tick window follows a book that walks 1,000 ticks up."""
    book, ref = L2Book(window=64), DictBook()
    for mid in range(1_000, 2_000):
        for row in ((CLEAR, 0, 0, 0), (ADD, BID, mid, 5), (ADD, BID, mid - 3, 7), (ADD, ASK, mid + 1, 4)):
            book.apply(*row)
            ref.apply(*row)
    assert_same(book, ref)
    assert book._far[BID] == {} and book._far[ASK] == {}  # everything is in the dense window


def test_far_levels_with_a_huge_spread_are_exact() -> None:
    """Bid and ask further apart than the window: one side lives in the far dict."""
    book, ref = L2Book(window=64), DictBook()
    for row in ((ADD, BID, 100, 1), (ADD, ASK, 100_000, 2), (ADD, BID, 99, 3), (ADD, ASK, 100_005, 4)):
        book.apply(*row)
        ref.apply(*row)
    assert_same(book, ref)
    book.apply(DELETE, ASK, 100_000, 0)
    ref.apply(DELETE, ASK, 100_000, 0)
    assert_same(book, ref)


@settings(max_examples=100, deadline=None)
@given(
    levels=st.dictionaries(st.integers(1, 300), st.integers(1, 40), min_size=1, max_size=30),
    side=st.sampled_from([BID, ASK]),
    q1=st.integers(0, 600),
    q2=st.integers(0, 600),
)
def test_walk_cost_is_monotone_and_exact(levels: dict[int, int], side: int, q1: int, q2: int) -> None:
    book = L2Book(window=64)
    for price, size in levels.items():
        book.apply(ADD, side, price, size)
    lo, hi = sorted((q1, q2))
    f_lo, c_lo, w_lo = book.walk(side, lo)
    f_hi, c_hi, w_hi = book.walk(side, hi)
    total = sum(levels.values())
    assert f_lo == min(lo, total) and f_hi == min(hi, total)
    assert c_lo <= c_hi and f_lo <= f_hi
    if f_lo:
        assert (w_lo <= w_hi) if side == ASK else (w_lo >= w_hi)
    # exact cost against a direct sweep
    remaining, cost = hi, 0
    for price, size in sorted(levels.items(), reverse=side == BID):
        take = min(size, remaining)
        cost += take * price
        remaining -= take
    assert c_hi == cost
    assert book.levels(side) == sorted(levels.items(), reverse=side == BID)  # walk is read-only


def test_walk_respects_the_limit_price() -> None:
    book = L2Book()
    for price, size in ((101, 2), (102, 3), (105, 10)):
        book.apply(ADD, ASK, price, size)
    assert book.walk(ASK, 100, limit_price=102) == (5, 101 * 2 + 102 * 3, 102)
    assert book.walk(ASK, 1, limit_price=100) == (0, 0, 0)
    for price, size in ((99, 2), (98, 3)):
        book.apply(ADD, BID, price, size)
    assert book.walk(BID, 4, limit_price=98) == (4, 99 * 2 + 98 * 2, 98)
    assert book.walk(BID, 0) == (0, 0, 0)


def test_consume_reduces_and_removes_levels() -> None:
    book = L2Book()
    book.apply(ADD, ASK, 101, 5)
    book.apply(ADD, ASK, 102, 5)
    book.consume(ASK, 101, 3)
    assert book.size_at(ASK, 101) == 2 and book.best_ask() == 101
    book.consume(ASK, 101, 9)  # never below zero
    assert book.size_at(ASK, 101) == 0 and book.best_ask() == 102
    book.consume(ASK, 150, 1)  # no level: no change
    assert book.levels(ASK) == [(102, 5)]
    with pytest.raises(ValidationError):
        book.consume(ASK, 102, -1)


def test_crossed_feed_is_reported_not_hidden() -> None:
    book = L2Book()
    book.apply(ADD, BID, 101, 1)
    book.apply(ADD, ASK, 101, 1)
    assert book.is_crossed()
    book.apply(DELETE, ASK, 101, 0)
    assert not book.is_crossed()


@pytest.mark.parametrize(
    "row",
    [(0, BID, 100, 1), (5, BID, 100, 1), (ADD, 0, 100, 1), (ADD, 3, 100, 1), (ADD, BID, 0, 1),
     (UPDATE, ASK, -5, 1), (ADD, BID, 100, -1), (ADD, BID, 100, 1 << 63)],
)
def test_invalid_rows_raise_and_change_nothing(row: tuple[int, int, int, int]) -> None:
    book = L2Book()
    book.apply(ADD, BID, 99, 4)
    with pytest.raises(ValidationError):
        book.apply(*row)
    if row[3] < 1 << 63:  # a batch is int64 already: it cannot hold the overflow case
        with pytest.raises(ValidationError):
            book.apply_batch(*_cols([(ADD, ASK, 101, 2), row]))
    assert book.levels(BID) == [(99, 4)] and book.levels(ASK) == []


def test_delete_ignores_its_size_in_both_paths() -> None:
    one, batch = L2Book(), L2Book()
    for book in (one, batch):
        book.apply(ADD, BID, 99, 4)
    one.apply(DELETE, BID, 99, -7)
    batch.apply_batch(*_cols([(DELETE, BID, 99, -7)]))
    assert one.levels(BID) == batch.levels(BID) == []


def test_apply_batch_rejects_bad_arrays() -> None:
    book = L2Book()
    one = np.array([1], dtype=np.int64)
    with pytest.raises(ValidationError, match="length"):
        book.apply_batch(one, one, np.array([1, 2]), one)
    with pytest.raises(ValidationError, match="integers"):
        book.apply_batch(one, one, np.array([1.5]), one)
    with pytest.raises(ValidationError, match="1-D"):
        book.apply_batch(one, one, np.array([[1]]), one)
    with pytest.raises(ValidationError):
        L2Book(window=8)
    book.apply_batch(*(np.zeros(0, np.int64) for _ in range(4)))  # empty batch is a no-op
    assert len(book) == 0


def test_clear_in_batch_ignores_side_and_price_of_clear_rows() -> None:
    book = L2Book()
    book.apply(ADD, BID, 99, 4)
    book.apply_batch(*_cols([(ADD, ASK, 101, 1), (CLEAR, 0, 0, 0), (ADD, BID, 98, 2)]))
    assert book.levels(BID) == [(98, 2)] and book.levels(ASK) == []
    book.apply_batch(*_cols([(ADD, ASK, 101, 1), (CLEAR, 7, -3, 0)]))
    assert len(book) == 0 and book.best_bid() is None and book.best_ask() is None


def test_bench_book_replay_core_runs_and_agrees() -> None:
    """Smoke test of benchmarks/bench_book_replay.py: every W1 batch size ends in the same book
    as row-by-row replay, and W2 makes its decisions on small input."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_book_replay.py"
    spec = importlib.util.spec_from_file_location("bench_book_replay", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        stream = generate_l2_stream(5_000, 1)
        rows = module.run_w1_rows(stream).book
        for chunk in (1, 100, 4_096):
            book = module.run_w1(stream, chunk).book
            assert book.levels(BID) == rows.levels(BID) and book.levels(ASK) == rows.levels(ASK)
        venue = module.run_w2(stream)
    finally:
        del sys.modules[spec.name]
    assert (venue.placed, venue.cancelled, venue.market_orders) == (50, 49, 5)
    assert venue.taken_lots == 5 * module.MARKET_LOTS
    assert venue.fees > 0 and not venue.book.is_crossed()
