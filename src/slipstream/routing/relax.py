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
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable

import numpy as np

from slipstream.routing.costs import AmmCurve, BookCurve
from slipstream.venues.sim.amm.v2_pair import UniswapV2Pair
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = ["BookSteps", "LiquidityCurve", "PoolShape", "SampledCurve", "pool_shape", "waterfill"]

_Q96 = float(1 << 96)
_TICK_BASE = math.sqrt(1.0001)


class BookSteps:
    """Several books merged into one step curve: levels sorted by marginal cost per grid unit.

    Per book it also keeps its own (sorted) marginal costs and prefix sums, so that
    :meth:`allocate` is one bisection per book instead of a walk over every level below λ.
    """

    __slots__ = ("books", "cum", "marg", "owners", "sizes")

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

    def q_at(self, lam: float) -> float:
        k = bisect_right(self.marg, lam)
        return float(self.cum[k - 1]) if k else 0.0

    def surplus(self, lam: float, out: dict[int, float]) -> None:
        """Per book, ``min over q of relaxed cost(q) − λ·q`` (≤ 0): every level cheaper than λ."""
        for index, marg, cum, cumc in self.books:
            kb = bisect_left(marg, lam)
            out[index] = cumc[kb] - lam * cum[kb]

    def allocate(self, lam: float, residual: float, out: dict[int, float]) -> float:
        """Add full levels below λ, then ``residual`` from the next levels, to ``out``; return
        their relaxed cost."""
        cost = 0.0
        k = 0
        for index, marg, cum, cumc in self.books:
            kb = bisect_left(marg, lam)
            if kb:
                out[index] = out.get(index, 0.0) + cum[kb]
                cost += cumc[kb]
                k += kb
        owners, sizes, margs = self.owners, self.sizes, self.marg
        j = k
        while residual > 0 and j < len(margs):
            take = min(residual, sizes[j])
            out[owners[j]] = out.get(owners[j], 0.0) + take
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

    __slots__ = ("base0", "buy", "cap", "cum_b", "cum_q", "fee", "kb", "kq", "lams", "liq", "m0", "up", "xs")

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

        Hot path of the water-filling: :meth:`_x_at` and :meth:`_amounts` inlined, with the same
        float operations in the same order (bit-identical results)."""
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
    the route's risk rate (risk + MEV per grid unit) and capped at the curve's ``hi``."""

    __slots__ = ("cap", "curve", "m0", "r", "shape")

    def __init__(self, curve: AmmCurve, shape: PoolShape) -> None:
        self.curve = curve
        self.shape = shape
        self.r = float(curve.risk + curve.mev)
        self.cap = min(shape.cap, float(curve.hi))
        self.m0 = shape.m0 + self.r

    def q_at(self, lam: float) -> float:
        if lam <= self.m0:
            return 0.0
        q = self.shape.q_at(lam - self.r)
        return q if q < self.cap else self.cap

    def cost_at(self, q: float) -> float:
        """Relaxed cost of ``q`` grid units (risk and MEV included, fixed gas excluded)."""
        if q <= 0.0:
            return 0.0
        return self.shape.cost_at(q) + self.r * q


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


def waterfill(books: BookSteps | None, amms: list[Smooth], total: float
              ) -> tuple[dict[int, float], float, float]:
    """Relaxed optimal split of ``total`` grid units; returns (quantity per source index, cost,
    the marginal cost λ reached).

    Quantities may sum to less than ``total`` when capacity runs out.
    """
    seen: dict[float, float] = {}

    def amm_q(lam: float) -> float:  # the bisection and the final bracket revisit the same λ
        got = seen.get(lam)
        if got is not None:
            return got
        q = 0
        for a in amms:
            q += a.q_at(lam)
        seen[lam] = q
        return q

    marg = books.marg if books is not None else []
    cum = books.cum if books is not None else []
    # smallest book step k with F(marg[k]) >= total
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
        lam = _illinois(amm_q, need, lam_lo, lam_hi, at_hi)
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
            cost += a.cost_at(q)
    if books is not None:
        cost += books.allocate(lam, residual if k < len(marg) else 0.0, out)
    return out, cost, lam


def _illinois(fn: Callable[[float], float], target: float, lo: float, hi: float, f_hi: float) -> float:
    """λ in [lo, hi] with fn(λ) within 0.25 grid unit of ``target`` (fn continuous, increasing)."""
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

