"""The fast relaxation gives the straightforward relaxation's bits (routes stay byte-identical).

Each fast path of :mod:`slipstream.routing.relax` — the fused pool closures, the books' prefix
rows, the water-filling tables built at market-data-update time — is compared with a plain
reference written here from the definitions (the per-book bisections, ``PoolShape.q_at`` shifted
and capped, the bisection evaluating the pools at every probed step): same λ, same allocation (keys
and order), same cost, bit for bit.
"""

from __future__ import annotations

import math
import random
import struct
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from itertools import combinations, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from router_cases import NOW, book, intent, v2_source, v3_source

from slipstream.model.enums import Side
from slipstream.routing import MarketView, SmartRouter, VenueConditions
from slipstream.routing.costs import AmmCurve, BookCurve, Curve
from slipstream.routing.relax import (
    BookSteps,
    LiquidityCurve,
    SampledCurve,
    Smooth,
    pool_shape,
    precompute_waterfill,
    waterfill,
)

# ---- reference: the relaxation written from its definitions ---------------------------------


def _ref_q(a: Smooth, lam: float) -> float:
    if isinstance(a, SampledCurve):
        return a.q_at(lam)
    if lam <= a.m0:
        return 0.0
    q = a.shape.q_at(lam - a.r)
    return q if q < a.cap else a.cap


def _ref_cost(a: Smooth, q: float) -> float:
    if isinstance(a, SampledCurve):
        return a.cost_at(q)
    if q <= 0.0:
        return 0.0
    return a.shape.cost_at(q) + a.r * q


def _ref_allocate(steps: BookSteps, lam: float, residual: float, out: dict[int, float]) -> float:
    cost = 0.0
    k = 0
    for index, marg, cum, cumc in steps.books:
        kb = bisect_left(marg, lam)
        if kb:
            out[index] = out.get(index, 0.0) + cum[kb]
            cost += cumc[kb]
            k += kb
    j = k
    while residual > 0 and j < len(steps.marg):
        take = min(residual, steps.sizes[j])
        out[steps.owners[j]] = out.get(steps.owners[j], 0.0) + take
        cost += take * steps.marg[j]
        residual -= take
        j += 1
    return cost


def _ref_surplus(steps: BookSteps, lam: float) -> dict[int, float]:
    out: dict[int, float] = {}
    for index, marg, cum, cumc in steps.books:
        kb = bisect_left(marg, lam)
        out[index] = cumc[kb] - lam * cum[kb]
    return out


def _ref_illinois(fn: Callable[[float], float], target: float, lo: float, hi: float, f_hi: float) -> float:
    f_lo = fn(lo) - target
    g_hi = f_hi - target
    if f_lo >= 0:
        return lo
    side = 0
    for _ in range(60):
        if g_hi - f_lo <= 0:
            break
        lam = hi - g_hi * (hi - lo) / (g_hi - f_lo)
        if not lo < lam < hi:
            lam = 0.5 * (lo + hi)
        g = fn(lam) - target
        if abs(g) <= 0.25:
            return lam
        if g > 0:
            hi, g_hi = lam, g
            if side == 1:
                f_lo *= 0.5
            side = 1
        else:
            lo, f_lo = lam, g
            if side == -1:
                g_hi *= 0.5
            side = -1
    return hi


def _ref_waterfill(books: BookSteps | None, amms: list[Smooth], total: float
                   ) -> tuple[dict[int, float], float, float]:
    def amm_q(lam: float) -> float:
        q = 0
        for a in amms:
            q += _ref_q(a, lam)
        return q

    marg = books.marg if books is not None else []
    cum = books.cum if books is not None else []
    lo_k, hi_k = 0, len(marg)
    while lo_k < hi_k:
        mid = (lo_k + hi_k) // 2
        if cum[mid] + amm_q(marg[mid]) >= total:
            hi_k = mid
        else:
            lo_k = mid + 1
    k = lo_k
    base = float(cum[k - 1]) if k else 0.0
    lam_lo = marg[k - 1] if k else min([a.m0 for a in amms] + ([marg[0]] if marg else [])) - 1.0
    need = total - base
    if k < len(marg):
        lam_hi = marg[k]
        at_hi = amm_q(lam_hi)
    else:
        lam_hi = max([a.m0 for a in amms] + [lam_lo + 1.0])
        at_hi = amm_q(lam_hi)
        span = abs(lam_hi) + 1.0
        for _ in range(200):
            if at_hi >= need or at_hi >= sum(a.cap for a in amms):
                break
            lam_hi += span
            span *= 2.0
            at_hi = amm_q(lam_hi)
    if amms and at_hi >= need:
        lam = _ref_illinois(amm_q, need, lam_lo, lam_hi, at_hi)
        residual = 0.0
    else:
        lam = lam_hi
        residual = need - at_hi
    out: dict[int, float] = {}
    cost = 0.0
    for a in amms:
        q = _ref_q(a, lam)
        if q > 0:
            out[a.curve.index] = q
            cost += _ref_cost(a, q)
    if books is not None:
        cost += _ref_allocate(books, lam, residual if k < len(marg) else 0.0, out)
    return out, cost, lam


# ---- helpers ---------------------------------------------------------------------------------


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _same(a: tuple[dict[int, float], float, float], b: tuple[dict[int, float], float, float]) -> bool:
    """Equal to the bit (signed zeros, NaN payloads) and with the same keys in the same order."""
    (out_a, cost_a, lam_a), (out_b, cost_b, lam_b) = a, b
    return [(i, _bits(q)) for i, q in out_a.items()] == [(i, _bits(q)) for i, q in out_b.items()] and \
        _bits(cost_a) == _bits(cost_b) and _bits(lam_a) == _bits(lam_b)


def _view(seed: int, n_books: int, pools: str, capped: bool) -> MarketView:
    """Books (6-40 levels) and up to three pools (v2, v3 token0 = base, v3 token1 = base)."""
    rng = random.Random(seed)
    price = rng.uniform(60_000, 80_000)
    mid = int(price * 100)
    sources: list[object] = []
    for k in range(n_books):
        cond = {"max_base": Decimal(rng.choice(["0.3", "1", "2.5"]))} if capped and rng.random() < 0.5 else {}
        sources.append(book(rng, f"b{k}", rng.choice(["0.1", "0.05"]), mid, levels=rng.randint(6, 40), **cond))
    makers = {"2": lambda: v2_source(rng, price, gwei="1"),
              "3": lambda: v3_source(rng, price, gwei="1", base_index=0),
              "4": lambda: v3_source(rng, price, gwei="1", base_index=1)}
    for k, code in enumerate(pools):
        s = makers[code]()
        s = replace(s, venue=f"p{k}")
        if capped and rng.random() < 0.5:
            s = replace(s, conditions=VenueConditions(received_ts_ns=NOW, max_base=Decimal(rng.choice(["0.5", "3"]))))
        sources.append(s)
    return MarketView(NOW, tuple(sources))  # type: ignore[arg-type]


def _curves(view: MarketView, side: Side, qty: str, limit: Decimal | None = None) -> tuple[list[Curve], int]:
    prep = SmartRouter().prepare(intent(qty, side, limit_price=limit), view)
    return prep.curves, prep.total


def _relaxed(curves: list[Curve], total: int) -> tuple[BookSteps | None, list[Smooth]]:
    books = [c for c in curves if isinstance(c, BookCurve)]
    amms: list[Smooth] = []
    for c in curves:
        if isinstance(c, AmmCurve):
            shape = pool_shape(c)
            amms.append(SampledCurve(c, total) if shape is None else LiquidityCurve(c, shape))
    return (BookSteps.cached(books) if books else None), amms


POOLS = st.sampled_from(["", "2", "3", "4", "23", "34", "234", "432"])
SIDES = st.sampled_from([Side.BUY, Side.SELL])


# ---- tests -----------------------------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 4), POOLS, SIDES, st.integers(1, 400), st.booleans())
def test_waterfill_equals_the_reference_with_and_without_tables(seed: int, n_books: int, pools: str, side: Side,
                                                                 tenths: int, capped: bool) -> None:
    """Every subset of the pools, with the books or without: before tables (the cold path), after
    them (the table path), and for a different quantity after them."""
    view = _view(seed, n_books, pools, capped)
    curves, total = _curves(view, side, str(Decimal(tenths) / 10))
    if not curves:
        return
    steps, amms = _relaxed(curves, total)
    subsets = [list(s) for k in range(len(amms) + 1) for s in combinations(amms, k)]
    for books in ([steps, None] if steps is not None else [None]):
        for sub in subsets:
            if books is None and not sub:
                continue
            assert _same(waterfill(books, sub, float(total)), _ref_waterfill(books, sub, float(total)))
    if steps is None:
        return
    precompute_waterfill(steps, amms)
    assert steps.rows is not None or any(
        any(not a < b for a, b in pairwise(cum)) for _, _, cum, _ in steps.books)
    if amms:
        assert tuple(a.q_at for a in amms) in steps.tables
    rng = random.Random(seed)
    base = float(steps.cum[-1])
    for sub in subsets:
        quantities = [float(total), float(rng.randint(1, 3 * total + 1)), 0.5]
        table = steps.tables.get(tuple(a.q_at for a in sub))
        if table is not None:  # beyond the books: land exactly on the precomputed steps (ties)
            quantities += [base + at for at in table[3] if math.isfinite(at) and (base + at) - base == at]
        for q in quantities:
            assert _same(waterfill(steps, sub, q), _ref_waterfill(steps, sub, q))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 4), POOLS.filter(bool), SIDES, st.booleans())
def test_tables_hold_the_bisection_values(seed: int, n_books: int, pools: str, side: Side, capped: bool) -> None:
    """Per step and pool subset (in order): cum[k] + Σ q(marg[k]) and Σ q(marg[k]), summed from 0
    in the pools' order, and the doubling steps above the books."""
    curves, total = _curves(_view(seed, n_books, pools, capped), side, "2")
    steps, amms = _relaxed(curves, total)
    if steps is None:
        return
    precompute_waterfill(steps, amms)
    assert tuple(a.q_at for a in amms) in steps.tables
    for size in range(1, len(amms) + 1):
        for sub in combinations(amms, size):
            table = steps.tables.get(tuple(a.q_at for a in sub))
            if table is None:
                continue
            at, sums, lams, ats, summed = table
            for k, m in enumerate(steps.marg):
                q = 0
                for a in sub:
                    q += _ref_q(a, m)
                assert _bits(sums[k]) == _bits(q) and _bits(at[k]) == _bits(steps.cum[k] + q)
                assert _bits(summed(m)) == _bits(q) and _bits(summed(m + 0.5)) == _bits(
                    0 + sum(_ref_q(a, m + 0.5) for a in sub))
            lam_hi = max([a.m0 for a in sub] + [steps.marg[-1] + 1.0])
            span = abs(lam_hi) + 1.0
            for i, (lam, got) in enumerate(zip(lams, ats, strict=True)):
                q = 0
                for a in sub:
                    q += _ref_q(a, lam_hi)
                assert _bits(lam) == _bits(lam_hi) and _bits(got) == _bits(q)
                assert i == len(ats) - 1 or not got >= sum(a.cap for a in sub)
                lam_hi += span
                span *= 2.0


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**9), POOLS.filter(bool), SIDES, st.booleans(), st.integers(-3000, 3000))
def test_fused_pool_closures_equal_the_shape_composition(seed: int, pools: str, side: Side, capped: bool,
                                                         bps: int) -> None:
    """q_at and cost_at over λ around and between every segment start, and over quantities up to
    and beyond the cap (limit prices cap the pools too)."""
    view = _view(seed, 1, pools, capped)
    mid = Decimal(70_000)
    limit = (mid * (1 + Decimal(bps) / 10_000)).quantize(Decimal("0.01")) if bps % 3 == 0 else None
    curves, total = _curves(view, side, "5", limit)
    _, amms = _relaxed(curves, total)
    rng = random.Random(seed)
    for a in amms:
        assert isinstance(a, LiquidityCurve)
        lams = [x + a.r for x in a.shape.lams]
        probes = [-math.inf, math.inf, 0.0, -0.0, a.m0, math.nextafter(a.m0, math.inf)]
        for x in lams:
            probes += [x, math.nextafter(x, -math.inf), math.nextafter(x, math.inf)]
        lo, hi = min([*lams, a.m0]), max([*lams, a.m0])
        span = abs(hi - lo) + abs(hi) * 1e-3 + 1.0
        probes += [rng.uniform(lo - span, hi + span) for _ in range(40)]
        for lam in probes:
            assert _bits(a.q_at(lam)) == _bits(_ref_q(a, lam)), lam
        qs = [0.0, -1.0, 1e-9, a.cap, float(a.curve.step)] if math.isfinite(a.cap) else [0.0, -1.0, 1e-9]
        qs += [a.q_at(lam) for lam in probes if math.isfinite(lam)]
        qs += [rng.uniform(0, min(a.cap, 10.0 * total) * 1.5) for _ in range(40)]
        for q in qs:
            assert _bits(a.cost_at(q)) == _bits(_ref_cost(a, q)), q


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 5), SIDES, st.booleans())
def test_book_rows_equal_the_per_book_bisections(seed: int, n_books: int, side: Side, capped: bool) -> None:
    """allocate and surplus read from the prefix rows: at every level's marginal (ties), next to
    it, between, outside, with and without a residual and with wrong hints."""
    curves, total = _curves(_view(seed, n_books, "", capped), side, "1")
    steps, _ = _relaxed(curves, total)
    if steps is None:
        return
    steps.tabulate()
    assert steps.rows is not None  # the generated books have sorted levels of positive size
    rng = random.Random(seed)
    probes = [-math.inf, math.inf, 0.0]
    for m in steps.marg:
        probes += [m, math.nextafter(m, -math.inf), math.nextafter(m, math.inf)]
    probes += [rng.uniform(steps.marg[0] - 10, steps.marg[-1] + 10) for _ in range(30)]
    rng.shuffle(probes)
    for lam in probes:
        for residual in (0.0, rng.uniform(0, sum(steps.sizes) + 5)):
            got: dict[int, float] = {}
            want: dict[int, float] = {}
            hint = rng.randint(0, len(steps.marg)) if rng.random() < 0.5 else None
            cost = steps.allocate(lam, residual, got, hint)
            assert _same((got, cost, lam), (want, _ref_allocate(steps, lam, residual, want), lam))
        out: dict[int, float] = {}
        steps.surplus(lam, out)
        assert _same((out, 0.0, lam), (_ref_surplus(steps, lam), 0.0, lam))


def test_unsorted_or_empty_levels_keep_the_bisections() -> None:
    """Rows are only built when a book's bisection is a prefix count; otherwise nothing changes."""
    curves, total = _curves(_view(3, 2, "2", False), Side.BUY, "1")
    steps, amms = _relaxed(curves, total)
    assert steps is not None
    index, marg, cum, cumc = steps.books[0]
    steps.books[0] = (index, marg, [0, *cum[1:-1], cum[-2]], cumc)  # a level of size 0
    precompute_waterfill(steps, amms)
    assert steps.rows is None
    out: dict[int, float] = {}
    want: dict[int, float] = {}
    lam = steps.marg[len(steps.marg) // 2]
    assert _same((out, steps.allocate(lam, 0.0, out), lam), (want, _ref_allocate(steps, lam, 0.0, want), lam))


def test_precomputed_tables_are_found_by_a_later_decision_and_change_no_route() -> None:
    """The lead's hook: precompute, then tables keyed by the pools' closures are hit by the
    decision's own curves (same shape, risk and cap), and routes equal those without any memo."""
    for seed in range(12):
        view = _view(seed, 3, "234"[: 1 + seed % 3], seed % 2 == 0)
        for side in (Side.BUY, Side.SELL):
            it = intent(str(1 + seed % 9), side)
            plain = SmartRouter().route(it, MarketView(view.now_ns, tuple(replace(s) for s in view.sources)))
            warm = MarketView(view.now_ns, tuple(replace(s) for s in view.sources))
            router = SmartRouter()
            router.precompute(warm, "BTC/USDT")
            steps, amms = _relaxed(*_curves(warm, side, "1"))
            precompute_waterfill(steps, amms)
            steps2, amms2 = _relaxed(*_curves(warm, side, str(1 + seed % 9)))
            assert steps2 is steps and tuple(a.q_at for a in amms2) in steps.tables  # type: ignore[union-attr]
            assert router.route(it, warm).to_json() == plain.to_json()
