"""Continuous cost curves of AMM pools for the relaxation: the constant-product /
concentrated-liquidity closed forms per pool snapshot (:class:`PoolShape`), shifted by a route's
risk rate and capped (:class:`LiquidityCurve`, fused into closures), and chords through exact
quotes for pools without a closed form (:class:`SampledCurve`)."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import Final

from slipstream.routing.costs import AmmCurve
from slipstream.venues.sim.amm.v2_pair import UniswapV2Pair
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = ["LiquidityCurve", "PoolShape", "SampledCurve", "pool_shape"]

_Q96: Final = float(1 << 96)
_TICK_BASE: Final = math.sqrt(1.0001)
_INF: Final = math.inf
_KERNELS: Final = 16  # fused (risk, cap) closures kept per pool shape (cleared when full)


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
