"""Continuous relaxation of the split problem: float cost curves and marginal-cost water-filling.

The relaxation drops lot rounding, minimum sizes and per-tick gas, and prices AMMs with the
continuous constant-product / concentrated-liquidity formulas (the contract rounds every step in
the pool's favour, so the exact cost is never below it). Its optimum is therefore a lower bound
on the exact problem — what the branch-and-bound over fixed-charge venues prunes with — and its
allocation is the seed the exact integer search starts from. Floats are fine here: nothing from
this module reaches an order; the optimiser re-prices everything exactly.

Water-filling: every curve reports ``q_at(λ)``, the quantity whose marginal cost is ≤ λ. Book
curves are step functions (one step per level) merged into one sorted array; AMM curves are
continuous and increasing. λ* is found by bisection over the merged book steps, then by
false position (Illinois) inside the bracketing step for the AMMs.

Speed without changing a bit: each pool's ``q_at``/``cost_at`` is one closure (risk shift and cap
fused, snapshot constants bound once per shape); and the bisection's values ``cum[k] + Σ q(marg[k])``
— fixed for a snapshot's merged steps and a set of pool curves — are tabulated at market-data-update
time (:func:`precompute_waterfill`), so a decision bisects a table and evaluates the pools only in
the Illinois bracket, which starts from the same values as without the table.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import combinations, pairwise

import numpy as np

from slipstream.routing.costs import AmmCurve, BookCurve
from slipstream.venues.sim.amm.v2_pair import UniswapV2Pair
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = [
    "BookSteps",
    "LiquidityCurve",
    "PoolShape",
    "SampledCurve",
    "pool_shape",
    "precompute_waterfill",
    "waterfill",
]

_Q96 = float(1 << 96)
_TICK_BASE = math.sqrt(1.0001)
_INF = math.inf
_KERNELS = 16  # fused (risk, cap) closures kept per pool shape (cleared when full)
_SUBSET_TABLES = 0  # with at most this many pools also tabulate each subset (0: the full set only; the
# live thin case relaxes a pool subset in ~0.06 of decisions, not worth ~1 ms more per update)


class BookSteps:
    """Several books merged into one step curve: levels sorted by marginal cost per grid unit.

    Per book it also keeps its own (sorted) marginal costs and prefix sums, so that
    :meth:`allocate` is one bisection per book instead of a walk over every level below λ.
    After :meth:`tabulate` (market-data-update time) it also holds, per prefix of k merged levels
    (= every level below a λ with ``bisect_left(marg, λ) == k``), one row of what those levels
    give — the same values the per-book bisections would, read from one place.
    """

    __slots__ = ("books", "cum", "hint", "indices", "marg", "owners", "rows", "sizes", "tables", "width")

    def __init__(self, books: list[BookCurve]) -> None:
        layout = _Layout.cached(books)
        risks = np.asarray([float(b.risk) for b in books], dtype=np.float64)
        marg_all = layout.marg0 + risks[layout.book_of]  # per level: marginal + its book's risk
        weighted = marg_all * layout.sizes
        margs = marg_all.tolist()
        per_book: list[tuple[int, list[float], list[int], list[float]]] = []
        for index, a, z, cum in layout.bounds:
            per_book.append((index, margs[a:z], cum, [0.0, *weighted[a:z].cumsum().tolist()]))
        order = np.argsort(marg_all, kind="stable")  # ties: book order, then level order
        size = layout.sizes[order]
        self.marg: list[float] = marg_all[order].tolist()
        self.sizes: list[int] = size.tolist()
        self.owners: list[int] = layout.owners[order].tolist()
        self.cum: list[int] = size.cumsum().tolist()
        self.books = per_book
        self.indices = tuple(index for index, _, _, _ in per_book)
        # row k (k = 0..len(marg)): marg[k-1] (−inf for 0), marg[k] (+inf at the end),
        # float(cum[k-1]) (0.0), the cost allocate sums over the books, then per book
        # float(cum_b[kb]) and cumc_b[kb] with kb its levels among the first k
        self.rows: array[float] | None = None
        self.width = 4 + 2 * len(per_book)
        self.hint = 0  # the last row allocate used (surplus is asked at the same λ next)
        # pool q_at closures -> (cum[k] + Σ q(marg[k]), Σ q(marg[k])) per step, the steps above
        # the books and the pools' summed q_at: see precompute_waterfill
        self.tables: dict[tuple[object, ...], tuple[array[float], array[float], list[float], list[float],
                                                     Callable[[float], float]]] = {}

    @staticmethod
    def cached(books: list[BookCurve]) -> BookSteps:
        """The merged steps of ``books``, memoised on the first book's snapshot (one slot: the key
        holds everything the merge depends on — the snapshots, their risk rates and caps)."""
        key = tuple((id(b.source), b.index, b.risk, b.cap, b.step, b.mult) for b in books)
        memo = books[0].source.memo
        slot_key = ("steps", books[0].sign)
        slot = memo.get(slot_key)
        if slot is not None:
            got_key, sources, steps = slot  # type: ignore[misc]
            if got_key == key and all(s is b.source for s, b in zip(sources, books, strict=True)):
                return steps  # type: ignore[no-any-return]
        steps = BookSteps(books)
        memo[slot_key] = (key, tuple(b.source for b in books), steps)
        return steps

    def tabulate(self) -> None:
        """Build :attr:`rows` (idempotent). Skipped — the bisections stay — unless every book's
        levels are sorted with positive sizes and no NaN (then a book's ``bisect_left`` at λ
        counts exactly its levels among the first ``bisect_left(marg, λ)`` merged ones)."""
        if self.rows is not None:
            return
        for _, marg_b, cum_b, _ in self.books:
            if any(m != m for m in marg_b) or any(not a <= b for a, b in pairwise(marg_b)) or \
                    any(not a < b for a, b in pairwise(cum_b)):
                return
        position = {index: b for b, (index, _, _, _) in enumerate(self.books)}
        n, nb = len(self.marg), len(self.books)
        counts = np.zeros((n + 1, nb), dtype=np.int64)  # per prefix k: each book's levels in it
        counts[np.arange(1, n + 1), [position[o] for o in self.owners]] = 1
        counts = counts.cumsum(axis=0)
        rows = np.empty((n + 1, self.width), dtype=np.float64)
        marg = np.asarray(self.marg, dtype=np.float64)
        rows[:, 0] = np.concatenate(([-_INF], marg))
        rows[:, 1] = np.concatenate((marg, [_INF]))
        rows[:, 2] = np.concatenate(([0.0], np.asarray(self.cum, dtype=np.float64)))  # float(cum[k-1])
        cost = np.zeros(n + 1, dtype=np.float64)
        for b, (_, _, cum_b, cumc_b) in enumerate(self.books):
            kb = counts[:, b]
            cc = np.asarray(cumc_b, dtype=np.float64)[kb]
            # allocate adds cumc_b[kb] where kb > 0; adding 0.0 elsewhere changes no bit (the sum
            # starts at +0.0 and so is never −0.0)
            cost = cost + np.where(kb > 0, cc, 0.0)
            rows[:, 4 + 2 * b] = np.asarray(cum_b, dtype=np.float64)[kb]
            rows[:, 5 + 2 * b] = cc
        rows[:, 3] = cost
        self.rows = array("d", rows.ravel().tobytes())

    def _row(self, lam: float) -> int:
        """Start of the row of ``bisect_left(marg, λ)`` (the hint's when it brackets λ)."""
        rows, w = self.rows, self.width
        at = self.hint * w
        if not rows[at] < lam <= rows[at + 1]:  # type: ignore[index]
            self.hint = bisect_left(self.marg, lam)
            at = self.hint * w
        return at

    def q_at(self, lam: float) -> float:
        k = bisect_right(self.marg, lam)
        return float(self.cum[k - 1]) if k else 0.0

    def surplus(self, lam: float, out: dict[int, float]) -> None:
        """Per book, ``min over q of relaxed cost(q) − λ·q`` (≤ 0): every level cheaper than λ."""
        rows = self.rows
        if rows is None:
            bis = bisect_left
            for index, marg, cum, cumc in self.books:
                kb = bis(marg, lam)
                out[index] = cumc[kb] - lam * cum[kb]
            return
        at = self._row(lam) + 4
        for index in self.indices:
            out[index] = rows[at + 1] - lam * rows[at]
            at += 2

    def allocate(self, lam: float, residual: float, out: dict[int, float], hint: int | None = None) -> float:
        """Add full levels below λ, then ``residual`` from the next levels, to ``out``; return
        their relaxed cost. ``hint``: a guess of ``bisect_left(marg, λ)`` (speed only)."""
        get = out.get
        rows = self.rows
        if rows is None:
            cost = 0.0
            k = 0
            bis = bisect_left
            for index, marg, cum, cumc in self.books:
                kb = bis(marg, lam)
                if kb:
                    out[index] = get(index, 0.0) + cum[kb]
                    cost += cumc[kb]
                    k += kb
        else:
            if hint is not None:
                self.hint = hint
            at = self._row(lam)
            k = self.hint
            cost = rows[at + 3]
            at += 4
            for index in self.indices:
                q = rows[at]
                if q > 0.0:  # kb > 0 (sizes are positive)
                    out[index] = get(index, 0.0) + q
                at += 2
        if residual > 0:
            owners, sizes, margs = self.owners, self.sizes, self.marg
            j = k
            n = len(margs)
            while residual > 0 and j < n:
                size = sizes[j]
                take = size if size < residual else residual  # == min(residual, size), ties included
                owner = owners[j]
                out[owner] = get(owner, 0.0) + take
                cost += take * margs[j]
                residual -= take
                j += 1
        return cost


class _Layout:
    """The risk-free part of merging several books' levels (one concatenated array per field):
    snapshot-only, so it is memoised and the decision only adds each book's risk rate and sorts
    (the same float operations on the same values as merging book by book)."""

    __slots__ = ("book_of", "bounds", "marg0", "owners", "sizes")

    def __init__(self, books: list[BookCurve]) -> None:
        margs, sizes, owners, book_of = [], [], [], []
        self.bounds: list[tuple[int, int, int, list[int]]] = []
        at = 0
        for k, b in enumerate(books):
            m, sz = b.level_arrays()
            margs.append(m)
            sizes.append(sz)
            owners.append(np.full(len(m), b.index, dtype=np.int64))
            book_of.append(np.full(len(m), k, dtype=np.int64))
            self.bounds.append((b.index, at, at + len(m), [0, *np.cumsum(sz).tolist()]))
            at += len(m)
        self.marg0 = np.concatenate(margs).astype(np.float64)
        self.sizes = np.concatenate(sizes).astype(np.int64)
        self.owners = np.concatenate(owners)
        self.book_of = np.concatenate(book_of)

    @staticmethod
    def cached(books: list[BookCurve]) -> _Layout:
        """Memoised on the first book's snapshot (one slot per side), keyed like
        :meth:`BookSteps.cached` without the risk rates."""
        key = tuple((id(b.source), b.index, b.cap, b.step, b.mult) for b in books)
        memo = books[0].source.memo
        slot_key = ("steps_layout", books[0].sign)
        slot = memo.get(slot_key)
        if slot is not None:
            got_key, sources, layout = slot  # type: ignore[misc]
            if got_key == key and all(s is b.source for s, b in zip(sources, books, strict=True)):
                return layout  # type: ignore[no-any-return]
        layout = _Layout(books)
        memo[slot_key] = (key, tuple(b.source for b in books), layout)
        return layout


class PoolShape:
    """The snapshot-only part of a v2/v3 pool's continuous cost (no risk term, no cap): memoised
    per pool snapshot, side and units, shared by every route on that snapshot.

    In sqrt-price x (token1 per token0, base units), a segment of liquidity L moved from xa to xb
    exchanges L·|1/xa − 1/xb| of token0 for L·|xb − xa| of token1; the fee f scales the input.
    ``lams`` are the marginal costs per grid unit at the segment starts (increasing along the path).
    """

    __slots__ = ("base0", "buy", "cap", "cum_b", "cum_q", "fee", "kb", "kernels", "kq", "lams", "liq", "m0", "up",
                 "xs")

    def __init__(self, curve: AmmCurve, segments: list[tuple[float, float, float]], fee: float) -> None:
        src = curve.source
        self.buy = curve.buy
        self.base0 = src.base_index == 0
        self.up = self.buy == self.base0
        self.fee = fee
        self.kb = curve.apl / curve.step  # base units per grid unit
        self.kq = float(curve.mq)  # cost units per quote unit
        self.xs = [segments[0][0]] if segments else [0.0]
        self.liq: list[float] = []
        self.cum_b = [0.0]
        self.cum_q = [0.0]
        for xa, xb, liq in segments:
            b, q = self._amounts(liq, xa, xb)
            self.xs.append(xb)
            self.liq.append(liq)
            self.cum_b.append(self.cum_b[-1] + b)
            self.cum_q.append(self.cum_q[-1] + q)
        self.cap = self.cum_b[-1] / self.kb
        self.lams = [self._marginal(x) for x in self.xs[: len(self.liq)]]
        self.m0 = self.lams[0] if segments else math.inf
        self.kernels: dict[tuple[float, float], tuple[Callable[[float], float], Callable[[float], float]]] = {}

    def fused(self, r: float, cap: float) -> tuple[Callable[[float], float], Callable[[float], float]]:
        """``(q_at, cost_at)`` of :class:`LiquidityCurve` for risk shift ``r`` and cap ``cap`` as
        closures (memoised per shape: a decision on a precomputed snapshot finds them built)."""
        key = (r, cap)
        got = self.kernels.get(key)
        if got is None:
            if len(self.kernels) >= _KERNELS:
                self.kernels.clear()
            got = self.kernels[key] = _kernels(self, r, cap)
        return got

    def _amounts(self, liq: float, xa: float, xb: float) -> tuple[float, float]:
        d_inv = abs(1.0 / xa - 1.0 / xb) if xb not in (0.0, math.inf) else (1.0 / xa if xa else 0.0)
        if xb == 0.0:
            d_inv = math.inf
        d_x = abs(xb - xa)
        raw_b, raw_q = (liq * d_inv, liq * d_x) if self.base0 else (liq * d_x, liq * d_inv)
        if liq == 0.0:
            raw_b = raw_q = 0.0
        if self.buy:
            return raw_b, raw_q / (1.0 - self.fee)
        return raw_b / (1.0 - self.fee), raw_q

    def _marginal(self, x: float) -> float:
        """Marginal cost per grid unit at sqrt price x (no risk term)."""
        ratio = x * x if self.base0 else (1.0 / (x * x) if x else math.inf)
        m = ratio / (1.0 - self.fee) if self.buy else ratio * (1.0 - self.fee)
        return (m if self.buy else -m) * self.kb * self.kq

    def _x_at(self, m: float) -> float:
        m = m / (self.kb * self.kq)
        m = m if self.buy else -m
        if m <= 0.0:
            return math.inf if self.up else 0.0
        ratio = m * (1.0 - self.fee) if self.buy else m / (1.0 - self.fee)
        return math.sqrt(ratio) if self.base0 else 1.0 / math.sqrt(ratio)

    def q_at(self, m: float) -> float:
        """Base quantity (grid units, uncapped) whose marginal cost without risk is ≤ m.

        :meth:`_x_at` and :meth:`_amounts` inlined; the water-filling uses :meth:`fused`, which
        repeats these float operations in the same order (bit-identical results)."""
        if m <= self.m0:
            return 0.0
        j = bisect_right(self.lams, m) - 1
        buy = self.buy
        fee = self.fee
        base0 = self.base0
        up = self.up
        mm = m / (self.kb * self.kq)
        mm = mm if buy else -mm
        if mm <= 0.0:
            x = math.inf if up else 0.0
        else:
            ratio = mm * (1.0 - fee) if buy else mm / (1.0 - fee)
            x = math.sqrt(ratio) if base0 else 1.0 / math.sqrt(ratio)
        xs = self.xs
        xe = xs[j + 1]
        if (x > xe) if up else (x < xe):
            x = xe
        liq = self.liq[j]
        if liq == 0.0:
            b = 0.0
        else:
            xa = xs[j]
            if base0:
                if x == 0.0:
                    raw_b = liq * math.inf
                elif x == math.inf:
                    raw_b = liq * (1.0 / xa if xa else 0.0)
                else:
                    raw_b = liq * abs(1.0 / xa - 1.0 / x)
            else:
                raw_b = liq * abs(x - xa)
            b = raw_b if buy else raw_b / (1.0 - fee)
        return (self.cum_b[j] + b) / self.kb

    def cost_at(self, q: float) -> float:
        """Relaxed cost of ``q`` grid units without risk (fixed gas excluded)."""
        if q <= 0.0:
            return 0.0
        b = q * self.kb
        j = bisect_left(self.cum_b, b) - 1
        j = min(max(j, 0), len(self.liq) - 1)
        liq, xa = self.liq[j], self.xs[j]
        rem = (b - self.cum_b[j]) * (1.0 if self.buy else 1.0 - self.fee)
        if liq > 0.0:
            if self.base0:
                inv = 1.0 / xa - rem / liq if self.up else 1.0 / xa + rem / liq
                xb = 1.0 / inv if inv > 0 else math.inf
            else:
                xb = xa + rem / liq if self.up else xa - rem / liq
            _, quote = self._amounts(liq, xa, xb)
        else:
            quote = 0.0
        total_q = self.cum_q[j] + quote
        return (total_q if self.buy else -total_q) * self.kq


class LiquidityCurve:
    """Continuous cost of a v2/v3 pool for one route: the snapshot's :class:`PoolShape` shifted by
    the route's risk rate (risk + MEV per grid unit) and capped at the curve's ``hi``.

    ``q_at(λ)`` is the quantity whose marginal cost is ≤ λ: 0 up to ``m0``, else
    ``min(shape.q_at(λ − r), cap)``; ``cost_at(q)`` is the relaxed cost of ``q`` grid units (risk
    and MEV included, fixed gas excluded): ``shape.cost_at(q) + r·q``. Both are closures from
    :meth:`PoolShape.fused`, one pair per (shape, r, cap): their identity keys the tables of
    :func:`precompute_waterfill`."""

    __slots__ = ("cap", "cost_at", "curve", "m0", "q_at", "r", "shape")

    q_at: Callable[[float], float]
    cost_at: Callable[[float], float]

    def __init__(self, curve: AmmCurve, shape: PoolShape) -> None:
        self.curve = curve
        self.shape = shape
        self.r = float(curve.risk + curve.mev)
        self.cap = min(shape.cap, float(curve.hi))
        self.m0 = shape.m0 + self.r
        self.q_at, self.cost_at = shape.fused(self.r, self.cap)


def _kernels(shape: PoolShape, r: float, cap: float) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """:meth:`LiquidityCurve.q_at`/``cost_at`` with :meth:`PoolShape.q_at`/``cost_at`` and
    :meth:`PoolShape._amounts` inlined and the snapshot constants bound: the same float operations
    in the same order. Shapes with a zero sqrt price or no segments keep the plain composition."""
    m0s = shape.m0
    m0 = m0s + r
    xs = shape.xs
    if not shape.liq or 0.0 in xs[:-1]:
        def q_plain(lam: float) -> float:
            if lam <= m0:
                return 0.0
            q = shape.q_at(lam - r)
            return q if q < cap else cap

        def cost_plain(q: float) -> float:
            return 0.0 if q <= 0.0 else shape.cost_at(q) + r * q

        return q_plain, cost_plain
    buy, base0, up = shape.buy, shape.base0, shape.up
    kb, kq = shape.kb, shape.kq
    kbkq = kb * kq
    omf = 1.0 - shape.fee
    lams = shape.lams
    one = len(lams) == 1  # v2: bisect_right(lams, m) − 1 is 0 for every m > m0
    cum_b, cum_q, nl = shape.cum_b, shape.cum_q, len(shape.liq) - 1
    segs = [(xs[j], xs[j + 1], liq, 1.0 / xs[j], cum_b[j], cum_q[j]) for j, liq in enumerate(shape.liq)]
    bis_l = bisect_left
    if base0:
        q_at = _base0_q_at(buy, one, segs, lams, m0, m0s, r, kbkq, omf, kb, cap)
    else:
        q_at = _q_at(buy, base0, up, one, segs, lams, m0, m0s, r, kbkq, omf, kb, cap)

    def cost_at(q: float) -> float:
        if q <= 0.0:
            return 0.0
        b = q * kb
        j = bis_l(cum_b, b) - 1
        xa, _, liq, inv_a, cb, cq = segs[0 if j < 0 else (j if j < nl else nl)]  # j clamped to [0, nl]
        rem = b - cb if buy else (b - cb) * omf  # (b − cb)·1.0 is b − cb
        if liq > 0.0:
            if base0:
                inv = inv_a - rem / liq if up else inv_a + rem / liq
                xb = 1.0 / inv if inv > 0 else _INF
                quote = liq * abs(xb - xa)
            else:
                xb = xa + rem / liq if up else xa - rem / liq
                if xb == 0.0:
                    quote = liq * _INF
                elif xb == _INF:
                    quote = liq * inv_a
                else:
                    quote = liq * abs(inv_a - 1.0 / xb)
            if buy:
                quote = quote / omf
        else:
            quote = 0.0
        total_q = cq + quote
        return (total_q if buy else -total_q) * kq + r * q

    return q_at, cost_at


def _q_at(buy: bool, base0: bool, up: bool, one: bool, segs: list[tuple[float, float, float, float, float, float]],
          lams: list[float], m0: float, m0s: float, r: float, kbkq: float, omf: float, kb: float, cap: float
          ) -> Callable[[float], float]:
    """The fused ``q_at`` for any orientation (the flags are tested per call)."""
    x_stop = _INF if up else 0.0
    sqrt, bis_r = math.sqrt, bisect_right

    def q_at(lam: float) -> float:
        if lam <= m0:
            return 0.0
        m = lam - r
        if m <= m0s:
            return 0.0
        xa, xe, liq, inv_a, cb, _ = segs[0] if one else segs[bis_r(lams, m) - 1]
        mm = m / kbkq
        if buy:
            x = x_stop if mm <= 0.0 else (sqrt(mm * omf) if base0 else 1.0 / sqrt(mm * omf))
        else:
            mm = -mm
            x = x_stop if mm <= 0.0 else (sqrt(mm / omf) if base0 else 1.0 / sqrt(mm / omf))
        if (x > xe) if up else (x < xe):
            x = xe
        if liq == 0.0:
            b = 0.0
        else:
            if not base0:
                b = liq * abs(x - xa)
            elif x == 0.0:
                b = liq * _INF
            elif x == _INF:
                b = liq * inv_a
            else:
                b = liq * abs(inv_a - 1.0 / x)
            if not buy:
                b = b / omf
        q = (cb + b) / kb
        return q if q < cap else cap

    return q_at


def _base0_q_at(buy: bool, one: bool, segs: list[tuple[float, float, float, float, float, float]],
                lams: list[float], m0: float, m0s: float, r: float, kbkq: float, omf: float, kb: float, cap: float
                ) -> Callable[[float], float]:
    """:func:`_q_at` for a pool whose token0 is the base (the usual orientation), one closure per
    side with its branches resolved: the same float operations in the same order (buy: ``up``,
    stop at +inf, no fee division of the base; sell: the mirror)."""
    sqrt, bis_r = math.sqrt, bisect_right
    if buy:
        def q_buy(lam: float) -> float:
            if lam <= m0:
                return 0.0
            m = lam - r
            if m <= m0s:
                return 0.0
            _, xe, liq, inv_a, cb, _ = segs[0] if one else segs[bis_r(lams, m) - 1]
            mm = m / kbkq
            x = _INF if mm <= 0.0 else sqrt(mm * omf)
            if x > xe:
                x = xe
            if liq == 0.0:
                b = 0.0
            elif x == 0.0:
                b = liq * _INF
            elif x == _INF:
                b = liq * inv_a
            else:
                b = liq * abs(inv_a - 1.0 / x)
            q = (cb + b) / kb
            return q if q < cap else cap

        return q_buy

    def q_sell(lam: float) -> float:
        if lam <= m0:
            return 0.0
        m = lam - r
        if m <= m0s:
            return 0.0
        _, xe, liq, inv_a, cb, _ = segs[0] if one else segs[bis_r(lams, m) - 1]
        mm = -(m / kbkq)
        x = 0.0 if mm <= 0.0 else sqrt(mm / omf)
        if x < xe:
            x = xe
        if liq == 0.0:
            b = 0.0
        else:
            if x == 0.0:
                b = liq * _INF
            elif x == _INF:
                b = liq * inv_a
            else:
                b = liq * abs(inv_a - 1.0 / x)
            b = b / omf
        q = (cb + b) / kb
        return q if q < cap else cap

    return q_sell


def pool_shape(curve: AmmCurve) -> PoolShape | None:
    """The pool's :class:`PoolShape` for the curve's side and units; None for pools without a
    closed form. Memoised on the source (the pool copy is immutable to the router)."""
    key = ("shape", curve.buy, curve.apl, curve.step, curve.mq)
    memo = curve.source.memo
    if key not in memo:
        segs = _segments(curve)
        memo[key] = None if segs is None else PoolShape(curve, segs, curve.source.pool.fee_pips / 1_000_000)
    return memo[key]  # type: ignore[return-value]


def _segments(curve: AmmCurve) -> list[tuple[float, float, float]] | None:
    src = curve.source
    pool = src.pool
    up = curve.buy == (src.base_index == 0)
    if isinstance(pool, UniswapV2Pair):
        r0, r1 = float(pool.reserve0), float(pool.reserve1)
        if r0 <= 0 or r1 <= 0:
            return []
        x = math.sqrt(r1 / r0)
        return [(x, math.inf if up else 0.0, math.sqrt(r0) * math.sqrt(r1))]
    if isinstance(pool, UniswapV3Pool):
        x = pool.sqrt_price_x96 / _Q96
        liq = float(pool.liquidity)
        segs: list[tuple[float, float, float]] = []
        ticks = sorted(pool.ticks)
        if up:
            for t in ticks[bisect_right(ticks, pool.tick):]:
                xt = _TICK_BASE**t
                segs.append((x, xt, liq))
                x = xt
                liq += pool.ticks[t].liquidity_net
            segs.append((x, math.inf, max(liq, 0.0)))
        else:
            for t in reversed(ticks[: bisect_right(ticks, pool.tick)]):
                xt = _TICK_BASE**t
                segs.append((x, xt, liq))
                x = xt
                liq -= pool.ticks[t].liquidity_net
            segs.append((x, 0.0, max(liq, 0.0)))
        return [s for s in segs if s[0] != s[1]]
    return None


class SampledCurve:
    """Fallback for pools without a closed form: chords through exact quotes at geometric sizes.

    The chords lie above the convex cost, so this is not a strict lower bound; the optimiser
    widens its pruning margin for it (see :mod:`slipstream.routing.optimiser`).
    """

    __slots__ = ("cap", "costs", "curve", "m0", "ns", "slopes")

    def __init__(self, curve: AmmCurve, upto: int, points: int = 24) -> None:
        self.curve = curve
        ns = [0]
        costs = [0.0]
        slopes: list[float] = []
        step = curve.step
        top = min(upto, curve.hi) // step
        for i in range(1, points + 1):
            lots = max(1, round(top ** (i / points))) if top >= 1 else 0
            n = lots * step
            if n <= ns[-1]:
                continue
            c = curve.cost(n)
            if c is None:
                break
            slope = (c - costs[-1]) / (n - ns[-1])
            slopes.append(max(slope, slopes[-1]) if slopes else slope)
            ns.append(n)
            costs.append(float(c))
        self.ns, self.costs, self.slopes = ns, costs, slopes
        self.cap = float(ns[-1])
        self.m0 = slopes[0] if slopes else math.inf

    def q_at(self, lam: float) -> float:
        return float(self.ns[bisect_right(self.slopes, lam)])

    def cost_at(self, q: float) -> float:
        k = min(bisect_left(self.ns, q), len(self.ns) - 1)
        if k == 0:
            return 0.0
        n0, n1 = self.ns[k - 1], self.ns[k]
        return self.costs[k - 1] + (q - n0) * self.slopes[k - 1] if n1 != n0 else self.costs[k]


Smooth = LiquidityCurve | SampledCurve


def waterfill(books: BookSteps | None, amms: list[Smooth], total: float,
              pool_costs: dict[int, float] | None = None) -> tuple[dict[int, float], float, float]:
    """Relaxed optimal split of ``total`` grid units; returns (quantity per source index, cost,
    the marginal cost λ reached). ``pool_costs`` (optional) receives each used pool's relaxed cost.

    Quantities may sum to less than ``total`` when capacity runs out. With a table from
    :func:`precompute_waterfill` for these pools the bisection reads it instead of evaluating them
    (the same comparisons on the same values: identical λ, allocation and cost).
    """
    marg = books.marg if books is not None else []
    cum = books.cum if books is not None else []
    n_steps = len(marg)
    table = None
    if n_steps and amms and books.tables:  # type: ignore[union-attr]
        table = books.tables.get(tuple([a.q_at for a in amms]))  # type: ignore[union-attr]
    # Σ q_a(λ) (the table's own when there is one); memoised while the bisection evaluates the pools
    evaluate = amm_sum = table[4] if table is not None else _summed([a.q_at for a in amms])
    # smallest book step k with F(marg[k]) >= total
    if not n_steps:
        k = 0
    elif not amms:
        k = bisect_left(cum, total)  # F = cum: the comparisons of the bisection below
    else:
        if table is not None:
            k = bisect_left(table[0], total)  # bisect_left's loop is the one below (no NaN: see build)
        else:
            seen: dict[float, float] = {}  # the bisection and the bracket revisit the same λ

            def amm_q(lam: float) -> float:
                got = seen.get(lam)
                if got is None:
                    got = seen[lam] = amm_sum(lam)
                return got

            lo_k, hi_k = 0, n_steps
            while lo_k < hi_k:
                mid = (lo_k + hi_k) // 2
                if cum[mid] + amm_q(marg[mid]) >= total:
                    hi_k = mid
                else:
                    lo_k = mid + 1
            k = lo_k
            evaluate = amm_q
    rows = books.rows if books is not None else None
    if rows is not None:  # marg[k-1], marg[k], float(cum[k-1]) from the row of k
        at = k * books.width  # type: ignore[union-attr]
        lam_lo, lam_hi, base = rows[at], rows[at + 1], rows[at + 2]
    else:
        base = float(cum[k - 1]) if k else 0.0
        lam_lo = marg[k - 1] if k else 0.0
        lam_hi = marg[k] if k < n_steps else 0.0
    if not k:
        lam_lo = min([a.m0 for a in amms] + ([marg[0]] if marg else [])) - 1.0
    need = total - base
    if k < n_steps:
        at_hi = table[1][k] if table is not None else evaluate(lam_hi)
    elif table is not None:  # the loop below, read from its precomputed steps
        lams, ats = table[2], table[3]
        i, last = 0, len(ats) - 1
        while i < last and not ats[i] >= need:  # (before ``last`` the cap is never reached)
            i += 1
        lam_hi, at_hi = lams[i], ats[i]
    else:
        lam_hi = max([a.m0 for a in amms] + [lam_lo + 1.0])
        at_hi = evaluate(lam_hi)
        span = abs(lam_hi) + 1.0
        for _ in range(200):
            if at_hi >= need or at_hi >= sum(a.cap for a in amms):
                break
            lam_hi += span
            span *= 2.0
            at_hi = evaluate(lam_hi)
    if amms and at_hi >= need:
        at_lo = table[1][k - 1] if table is not None and k else evaluate(lam_lo)
        lam = _illinois(evaluate, need, lam_lo, lam_hi, at_lo, at_hi)
        residual = 0.0
    else:
        lam = lam_hi
        residual = need - at_hi
    out: dict[int, float] = {}
    cost = 0.0
    for a in amms:
        q = a.q_at(lam)
        if q > 0:
            out[a.curve.index] = q
            c = a.cost_at(q)
            cost += c
            if pool_costs is not None:
                pool_costs[a.curve.index] = c
    if books is not None:
        cost += books.allocate(lam, residual if k < n_steps else 0.0, out, k)
    return out, cost, lam


def _summed(fns: list[Callable[[float], float]]) -> Callable[[float], float]:
    """λ ↦ ``0 + f_1(λ) + f_2(λ) + …`` (left to right, as a loop from 0 adds)."""
    if len(fns) == 3:
        f1, f2, f3 = fns
        return lambda lam: 0 + f1(lam) + f2(lam) + f3(lam)

    def total(lam: float) -> float:
        q = 0
        for f in fns:
            q += f(lam)
        return q

    return total


def precompute_waterfill(books: BookSteps | None, amms: list[Smooth]) -> None:
    """Tabulate :func:`waterfill`'s bisection for ``books`` and ``amms`` (market-data-update time).

    Builds the books' rows (:meth:`BookSteps.tabulate`) and, per merged book step k,
    ``cum[k] + Σ_a q_a(marg[k])`` (summed in ``amms`` order from 0, as the bisection sums) and the
    pool sum alone (the bracket's end values), on ``books`` keyed by the pools' ``q_at`` closures
    (one per shape, risk shift and cap): for the ordered set and, with up to ``_SUBSET_TABLES``
    pools, each ordered subset (the branch and bound's other venue sets). A waterfill over other
    pools, or over per-route :class:`SampledCurve` curves, bisects as before."""
    if books is None:
        return
    books.tabulate()
    if not amms or not books.marg or not all(isinstance(a, LiquidityCurve) for a in amms):
        return
    fns = [a.q_at for a in amms]
    marg, cum = books.marg, books.cum
    cols = [[f(m) for m in marg] for f in fns]
    m0s = [a.m0 for a in amms]
    caps = [a.cap for a in amms]
    sizes = range(1, len(amms) + 1) if len(amms) <= _SUBSET_TABLES else (len(amms),)
    for size in sizes:
        for subset in combinations(range(len(amms)), size):
            key = tuple([fns[i] for i in subset])
            if key in books.tables:
                continue
            sums = []
            for k in range(len(marg)):
                q = 0
                for i in subset:
                    q += cols[i][k]
                sums.append(q)
            at = [c + q for c, q in zip(cum, sums, strict=True)]
            if any(v != v for v in at):  # NaN: bisect_left would not take the bisection's branches
                continue
            summed = _summed(list(key))
            lams, ats = _beyond_books(summed, marg[-1], [m0s[i] for i in subset], sum(caps[i] for i in subset))
            books.tables[key] = (array("d", at), array("d", sums), lams, ats, summed)


def _beyond_books(amm_sum: Callable[[float], float], lam_lo: float, m0s: list[float], capsum: float
                  ) -> tuple[list[float], list[float]]:
    """The λ (and pool sums) :func:`waterfill` steps through above the last book step, up to the
    first that reaches the pools' capacity (or 200 steps): the same doubling from the same start."""
    lam_hi = max([*m0s, lam_lo + 1.0])
    at_hi = amm_sum(lam_hi)
    span = abs(lam_hi) + 1.0
    lams, ats = [lam_hi], [at_hi]
    for _ in range(200):
        if at_hi >= capsum:
            break
        lam_hi += span
        span *= 2.0
        at_hi = amm_sum(lam_hi)
        lams.append(lam_hi)
        ats.append(at_hi)
    return lams, ats


def _illinois(fn: Callable[[float], float], target: float, lo: float, hi: float, at_lo: float, f_hi: float
              ) -> float:
    """λ in [lo, hi] with fn(λ) within 0.25 grid unit of ``target`` (fn continuous, increasing;
    ``at_lo``, ``f_hi``: fn at the ends)."""
    f_lo = at_lo - target
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
