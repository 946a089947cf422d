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

__all__ = ["BookSteps", "LiquidityCurve", "SampledCurve", "waterfill"]

_Q96 = float(1 << 96)
_TICK_BASE = math.sqrt(1.0001)


class BookSteps:
    """Several books merged into one step curve: levels sorted by marginal cost per grid unit."""

    __slots__ = ("cum", "cumc", "marg", "owners", "sizes")

    def __init__(self, books: list[BookCurve]) -> None:
        margs, sizes, owners = [], [], []
        for b in books:
            m, sz = b.level_arrays()
            margs.append(m + float(b.risk))
            sizes.append(sz)
            owners.append(np.full(len(m), b.index, dtype=np.int64))
        marg = np.concatenate(margs)
        order = np.argsort(marg, kind="stable")  # ties: book order, then level order
        marg = marg[order]
        size = np.concatenate(sizes)[order]
        self.marg: list[float] = marg.tolist()
        self.sizes: list[int] = size.tolist()
        self.owners: list[int] = np.concatenate(owners)[order].tolist()
        self.cum: list[int] = np.cumsum(size).tolist()
        self.cumc: list[float] = np.cumsum(marg * size).tolist()

    def q_at(self, lam: float) -> float:
        k = bisect_right(self.marg, lam)
        return float(self.cum[k - 1]) if k else 0.0

    def allocate(self, lam: float, residual: float, out: dict[int, float]) -> float:
        """Add full levels below λ, then ``residual`` from the next levels, to ``out``; return
        their relaxed cost."""
        k = bisect_left(self.marg, lam)
        owners, sizes = self.owners, self.sizes
        for j in range(k):
            out[owners[j]] = out.get(owners[j], 0.0) + sizes[j]
        cost = self.cumc[k - 1] if k else 0.0
        j = k
        while residual > 0 and j < len(self.marg):
            take = min(residual, sizes[j])
            out[owners[j]] = out.get(owners[j], 0.0) + take
            cost += take * self.marg[j]
            residual -= take
            j += 1
        return cost


class LiquidityCurve:
    """Continuous cost of a v2/v3 pool: constant-liquidity segments along the swap direction.

    In sqrt-price x (token1 per token0, base units), a segment of liquidity L moved from xa to xb
    exchanges L·|1/xa − 1/xb| of token0 for L·|xb − xa| of token1; the fee f scales the input.
    """

    __slots__ = ("base0", "buy", "cap", "cum_b", "cum_q", "curve", "fee", "kb", "kq", "liq", "m0", "r", "up",
                 "xs")

    def __init__(self, curve: AmmCurve, segments: list[tuple[float, float, float]], fee: float) -> None:
        src = curve.source
        self.curve = curve
        self.buy = curve.buy
        self.base0 = src.base_index == 0
        self.up = self.buy == self.base0
        self.fee = fee
        db = src.pool.decimals[src.base_index]
        self.kb = curve.apl / curve.step  # base units per grid unit
        self.kq = float(curve.mq)  # cost units per quote unit
        self.r = float(curve.risk + curve.mev)
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
        cap = self.cum_b[-1] / self.kb
        self.cap = min(cap, float(curve.hi))
        self.m0 = self._marginal(self.xs[0]) if segments else math.inf
        del db

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
        """Marginal cost per grid unit at sqrt price x."""
        ratio = x * x if self.base0 else 1.0 / (x * x)
        m = ratio / (1.0 - self.fee) if self.buy else ratio * (1.0 - self.fee)
        return (m if self.buy else -m) * self.kb * self.kq + self.r

    def _x_at(self, lam: float) -> float:
        m = (lam - self.r) / (self.kb * self.kq)
        m = m if self.buy else -m
        if m <= 0.0:
            return math.inf if self.up else 0.0
        ratio = m * (1.0 - self.fee) if self.buy else m / (1.0 - self.fee)
        return math.sqrt(ratio) if self.base0 else 1.0 / math.sqrt(ratio)

    def q_at(self, lam: float) -> float:
        if lam <= self.m0:
            return 0.0
        x = self._x_at(lam)
        xs = self.xs
        # position along the path: xs increase when moving up, decrease when moving down
        j = bisect_right(xs, x) - 1 if self.up else _bisect_desc(xs, x) - 1
        if j >= len(self.liq):
            return self.cap
        j = max(j, 0)
        b, _ = self._amounts(self.liq[j], xs[j], x)
        return min((self.cum_b[j] + b) / self.kb, self.cap)

    def cost_at(self, q: float) -> float:
        """Relaxed cost of ``q`` grid units (risk and MEV included, fixed gas excluded)."""
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
        return (total_q if self.buy else -total_q) * self.kq + self.r * q


def _bisect_desc(xs: list[float], x: float) -> int:
    """Number of leading entries of the decreasing list ``xs`` that are >= x."""
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] >= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def liquidity_segments(curve: AmmCurve) -> list[tuple[float, float, float]] | None:
    """(x_from, x_to, L) along the swap direction for v2/v3 pools; None for other pool kinds.
    Memoised on the source (the pool copy is immutable to the router)."""
    key = ("segments", curve.buy)
    memo = curve.source.memo
    if key not in memo:
        memo[key] = _segments(curve)
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
              ) -> tuple[dict[int, float], float]:
    """Relaxed optimal split of ``total`` grid units; returns (quantity per source index, cost).

    Quantities may sum to less than ``total`` when capacity runs out.
    """
    def amm_q(lam: float) -> float:
        return sum(a.q_at(lam) for a in amms)

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
    return out, cost


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

