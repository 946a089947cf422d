"""Second-round decision-time shortcuts give the same answers as the straightforward code: the O(m)
exchange equals the pairwise scan, the risk-free book-merge layout equals merging book by book,
``AmmCurve.cost`` equals ``quote(n).total``, and :meth:`SmartRouter.precompute` changes no route."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import localcontext

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from router_cases import intent, small_view

from slipstream.model.enums import Side
from slipstream.routing import MarketView, SmartRouter
from slipstream.routing.costs import AmmCurve, BookCurve
from slipstream.routing.exact import _Exact, _exchange_common, _exchange_pairwise, _feasible_down
from slipstream.routing.pricing import ratio_dec
from slipstream.routing.relax import BookSteps


def _fresh(view: MarketView, now_ns: int | None = None) -> MarketView:
    return MarketView(view.now_ns if now_ns is None else now_ns, tuple(replace(s) for s in view.sources))


def _curves(seed: int, amm: str, side: Side, qty: str):  # type: ignore[no-untyped-def]
    prep = SmartRouter().prepare(intent(qty, side), small_view(seed, amm=amm))
    return prep.curves, prep.total


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["v2", "v3", "none"]), st.sampled_from([Side.BUY, Side.SELL]),
       st.integers(1, 40), st.randoms(use_true_random=False))
def test_common_lot_exchange_equals_pairwise_scan(seed: int, amm: str, side: Side, tenths: int,
                                                  rng: random.Random) -> None:
    curves, total = _curves(seed, amm, side, str(tenths / 10))
    if len(curves) < 2:
        return
    step = curves[0].step
    members = tuple(i for i, c in enumerate(curves) if c.step == step)
    if len(members) < 2:
        return
    start = {i: _feasible_down(curves[i], rng.randint(0, total) // step * step) for i in members}
    a, b = dict(start), dict(start)
    ex = _Exact(curves)
    _exchange_common(ex, curves, members, a, step)
    sizes = {(i, j): step for j in members for i in members if i != j}
    _exchange_pairwise(ex, curves, members, b, sizes)
    assert a == b


def _merge_book_by_book(books: list[BookCurve]) -> tuple[list[float], list[int], list[int], list[object]]:
    """The pre-layout merge: each book's marginals + risk, concatenated, stably sorted."""
    margs, sizes, owners, per_book = [], [], [], []
    for b in books:
        m, sz = b.level_arrays()
        m = m + float(b.risk)
        margs.append(m)
        sizes.append(sz)
        owners.append(np.full(len(m), b.index, dtype=np.int64))
        per_book.append((b.index, m.tolist(), [0, *np.cumsum(sz).tolist()], [0.0, *np.cumsum(m * sz).tolist()]))
    marg = np.concatenate(margs)
    order = np.argsort(marg, kind="stable")
    return marg[order].tolist(), np.concatenate(sizes)[order].tolist(), np.concatenate(owners)[order].tolist(), \
        per_book


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([Side.BUY, Side.SELL]), st.integers(0, 800_000_000))
def test_book_steps_equal_the_book_by_book_merge_for_any_age(seed: int, side: Side, later_ns: int) -> None:
    view = small_view(seed, amm="none")
    router = SmartRouter()
    router.precompute(view, "BTC/USDT")  # layout memoised at one age...
    aged = MarketView(view.now_ns + later_ns, view.sources)  # ...reused at another (other risk rates)
    books = [c for c in router.prepare(intent("1", side), aged).curves if isinstance(c, BookCurve)]
    assert books  # ages stay below the 1 s staleness limit
    steps = BookSteps.cached(books)
    marg, sizes, owners, per_book = _merge_book_by_book(books)
    assert steps.marg == marg and steps.sizes == sizes and steps.owners == owners
    assert steps.books == per_book


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["v2", "v3"]), st.sampled_from([Side.BUY, Side.SELL]),
       st.integers(1, 300))
def test_amm_cost_equals_quote_total(seed: int, amm: str, side: Side, lots: int) -> None:
    curves, _ = _curves(seed, amm, side, "1")
    pool = next(c for c in curves if isinstance(c, AmmCurve))
    n = lots * pool.step
    cost = pool.cost(n)
    fresh = _curves(seed, amm, side, "1")[0][pool.index]
    quote = fresh.quote(n)  # type: ignore[union-attr]
    assert cost == (None if quote is None else quote.total)


def test_precompute_changes_no_route() -> None:
    for seed in range(40):
        view = small_view(seed, amm=("v2", "v3", "none")[seed % 3])
        it = intent(str(1 + seed % 7), Side.BUY if seed % 2 else Side.SELL)
        plain = SmartRouter().route(it, _fresh(view))
        warm_view = _fresh(view)
        router = SmartRouter()
        router.precompute(warm_view, "BTC/USDT")
        assert router.route(it, warm_view).to_json() == plain.to_json()
        later = MarketView(view.now_ns + 1_000_000, warm_view.sources)  # decided after the update
        assert router.route(it, later).to_json() == SmartRouter().route(it, _fresh(view, later.now_ns)).to_json()


def test_precompute_on_a_view_without_the_pair_is_a_no_op() -> None:
    view = small_view(1)
    SmartRouter().precompute(view, "ETH/USDT")
    assert SmartRouter().route(intent("1"), view).legs


def test_ratio_dec_ignores_the_ambient_decimal_context() -> None:
    values = [(123456789012345678901, 10**18), (-7, 3), (10**30 + 7, 10**18), (5, 10**11)]
    plain = [str(ratio_dec(n, d)) for n, d in values]
    with localcontext() as ctx:
        ctx.prec = 3
        assert [str(ratio_dec(n, d)) for n, d in values] == plain
    assert plain[0] == "123.4567890123"
