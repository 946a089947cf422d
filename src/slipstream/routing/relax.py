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

from array import array
from bisect import bisect_left
from collections.abc import Callable
from itertools import combinations
from typing import Final

from slipstream.routing.book_steps import BookSteps
from slipstream.routing.pool_curves import LiquidityCurve, PoolShape, SampledCurve, pool_shape

__all__ = [
    "BookSteps",
    "LiquidityCurve",
    "PoolShape",
    "SampledCurve",
    "pool_shape",
    "precompute_waterfill",
    "waterfill",
]

_SUBSET_TABLES: Final = 0  # with at most this many pools also tabulate each subset (0: the full set only; the
# live thin case relaxes a pool subset in ~0.06 of decisions, not worth ~1 ms more per update)


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
            if at_hi >= need or at_hi >= sum((a.cap for a in amms), 0.0):
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
        q = 0.0
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
                q = 0.0
                for i in subset:
                    q += cols[i][k]
                sums.append(q)
            at = [c + q for c, q in zip(cum, sums, strict=True)]
            if any(v != v for v in at):  # NaN: bisect_left would not take the bisection's branches
                continue
            summed = _summed(list(key))
            lams, ats = _beyond_books(summed, marg[-1], [m0s[i] for i in subset], sum((caps[i] for i in subset), 0.0))
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
