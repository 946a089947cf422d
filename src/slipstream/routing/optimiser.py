"""Exact split optimiser: convex costs plus fixed charges, solved by branch and bound.

Problem: choose n_i (a multiple of source i's step, 0 or within [lo_i, hi_i]) with Σ n_i = Q to
minimise Σ cost_i(n_i) + Σ fixed_i·[n_i > 0], optionally using at most ``max_venues`` sources.
Book costs are piecewise linear convex, AMM costs convex (up to the contract's rounding and the
per-tick gas steps), gas is a fixed charge per used AMM.

Method:
    1. Branch and bound over the sets of venues allowed to trade (every subset of the
       fixed-charge sources; with ``max_venues``, every subset of that size or smaller). A set's
       bound starts at the larger of relaxation(all sources) and the Lagrangian bound at the
       all-source marginal cost λ* (``λ*·Q + Σ_{i∈S} min_q(cost_i(q) − λ*·q)``, one evaluation
       per source serves every set), plus its fixed charges; a set whose capacity cannot hold Q
       starts with that excess as its unfilled bound. Before it is solved the bound is tightened
       to the set's own continuous relaxation (:func:`slipstream.routing.relax.waterfill`),
       unless the all-source relaxed optimum already lies inside the set.
    2. A set is solved exactly from its relaxed allocation: round down to lots, fill the
       remainder greedily by exact marginal cost per grid unit, then apply the best improving
       single-lot exchange between any two sources (galloping to larger moves) until none
       improves (:mod:`slipstream.routing.exact`). For separable convex costs on a common lot this
       local optimum is the global one; the property tests check it against brute force.
    3. Sets are popped in bound order and the search stops once the smallest bound is no better
       than the best exact solution (after a float safety margin).

Objective order is (unfilled quantity, cost): filling more always wins, then cheaper.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from itertools import combinations
from typing import Final, cast

from slipstream.routing.costs import AmmCurve, BookCurve, Curve
from slipstream.routing.exact import exact_split
from slipstream.routing.relax import (
    BookSteps,
    LiquidityCurve,
    SampledCurve,
    Smooth,
    pool_shape,
    precompute_waterfill,
    waterfill,
)

__all__ = ["Solution", "SplitProblem", "solve"]

_REL_MARGIN: Final = 1e-9  # float relaxation error allowance, relative to the cost magnitude


@dataclass(frozen=True, slots=True)
class Solution:
    """Exact allocation in grid units per curve index, its exact cost, and the unfilled rest."""

    allocation: dict[int, int]
    cost: int
    unfilled: int
    sets_solved: int = 0
    sets_pruned: int = 0


@dataclass(slots=True)
class SplitProblem:
    """Curves (indexed by position) and the quantity to split, in grid units."""

    curves: list[Curve]
    total: int
    max_venues: int | None = None


def _smooth(curve: AmmCurve, total: int) -> Smooth:
    shape = pool_shape(curve)
    if shape is None:
        return SampledCurve(curve, total)
    return LiquidityCurve(curve, shape)


class _Relaxer:
    """Caches the per-curve relaxed forms and the merged book steps per set of books.

    What depends only on the curves (their kinds, fixed charges, pool curves, merged book steps,
    capacities) is shared by every solve over the same curve list — the router hands the same
    list to every decision on a snapshot (memoised on its first source, one slot per side)."""

    __slots__ = ("amms", "books", "charged", "curves", "fixed", "inexact", "local", "pool_costs", "shared",
                 "smooth", "steps", "total")

    def __init__(self, curves: list[Curve], total: int) -> None:
        self.curves = curves
        self.total = total
        self.inexact = False
        self.local: dict[int, Smooth] = {}  # sampled pool curves depend on ``total``: not shared
        self.pool_costs: dict[int, float] = {}
        memo = curves[0].source.memo
        key = ("relaxer", curves[0].sign)
        slot = memo.get(key)
        if slot is None or slot[0] is not curves:  # type: ignore[index]
            books = tuple(i for i, c in enumerate(curves) if isinstance(c, BookCurve))
            amms = tuple(i for i, c in enumerate(curves) if isinstance(c, AmmCurve))
            slot = (curves, {}, {}, books, amms, tuple(i for i, c in enumerate(curves) if c.fixed),
                    [c.fixed for c in curves], {})
            memo[key] = slot
        _, self.smooth, self.steps, self.books, self.amms, self.charged, self.fixed, self.shared = cast(
            "tuple[object, dict[int, Smooth], dict[tuple[int, ...], BookSteps], tuple[int, ...], tuple[int, ...], "
            "tuple[int, ...], list[int], dict[object, object]]", slot)

    def smooth_of(self, i: int) -> Smooth:
        s = self.smooth.get(i) or self.local.get(i)
        if s is None:
            s = _smooth(self.curves[i], self.total)  # type: ignore[arg-type]
            if isinstance(s, SampledCurve):
                self.local[i] = s
                self.inexact = True
            else:
                self.smooth[i] = s
        return s

    def capacities(self) -> list[float]:
        """Most grid units each source can take (books: ``hi``; pools: the closed form's cap)."""
        caps = self.shared.get("caps")
        if caps is None:
            caps = [float(c.hi) if isinstance(c, BookCurve) else self.smooth_of(i).cap
                    for i, c in enumerate(self.curves)]
            if not self.local:
                self.shared["caps"] = caps
        return caps  # type: ignore[return-value]

    def plan(self, max_venues: int | None
             ) -> tuple[tuple[int, ...], list[tuple[tuple[int, ...], tuple[int, ...], float, int]]]:
        """The candidate venue sets and their decision-independent parts (shared per curve list):
        per set, its members, the members after the shared head, its capacity and its fixed
        charges. Sets: every subset of the fixed-charge sources with all free ones, or (with
        ``max_venues``) every subset of that size or smaller. When the free sources come first,
        every set starts with them (the same float additions in the same order as summing each
        set), so sums over that head are shared."""
        key = ("plan", max_venues)
        got = self.shared.get(key)
        if got is not None:
            return got  # type: ignore[return-value]
        n = len(self.curves)
        charged = self.charged
        everyone = tuple(range(n))
        free = tuple(i for i in everyone if i not in charged)
        if max_venues is None or max_venues >= n:
            sets = [tuple(sorted(free + t)) for k in range(len(charged) + 1) for t in combinations(charged, k)]
        else:
            sets = [m for k in range(1, max_venues + 1) for m in combinations(everyone, k)]
        caps = self.capacities()
        fixed = self.fixed
        head = free if (max_venues is None or max_venues >= n) and (
            not free or not charged or free[-1] < charged[0]) else ()
        base_cap = 0.0
        base_charge = 0
        for i in head:
            base_cap += caps[i]
            base_charge += fixed[i]
        plan = []
        for members in sets:
            tail = members[len(head):]
            cap, charge = base_cap, base_charge
            for i in tail:
                cap += caps[i]
                charge += fixed[i]
            plan.append((members, tail, cap, charge))
        got = (head, plan)
        if not self.local:
            self.shared[key] = got
        return got

    def surplus(self, lam: float, relaxed: dict[int, float]) -> dict[int, float]:
        """``h_i(λ) = min_q relaxed_cost_i(q) − λ·q`` per source: for any λ and any set S that
        fills the quantity Q, ``λ·Q + Σ_{i∈S} h_i(λ)`` is a lower bound on its cost (Lagrangian
        dual of the continuous relaxation), for every S at once. ``relaxed``: the all-source
        relaxation at this λ (its pool quantities and costs are the minimisers)."""
        out: dict[int, float] = {}
        if self.books:
            self._steps(self.books).surplus(lam, out)
        costs = self.pool_costs
        for i in self.amms:
            q = relaxed.get(i, 0.0)
            out[i] = costs[i] - lam * q if q > 0 else 0.0
        return out

    def _steps(self, books: tuple[int, ...]) -> BookSteps:
        steps = self.steps.get(books)
        if steps is None:
            steps = BookSteps.cached([self.curves[i] for i in books])  # type: ignore[misc]
            self.steps[books] = steps
        return steps

    def relax(self, members: tuple[int, ...], pool_costs: dict[int, float] | None = None
              ) -> tuple[dict[int, float], float, float]:
        shared = self.shared
        got = shared.get(members)
        if got is None:
            curves = self.curves
            got = shared[members] = (
                tuple(i for i in members if isinstance(curves[i], BookCurve)),
                tuple(i for i in members if isinstance(curves[i], AmmCurve)))
        books, pools = cast("tuple[tuple[int, ...], tuple[int, ...]]", got)
        steps = self._steps(books) if books else None
        return waterfill(steps, [self.smooth_of(i) for i in pools], float(self.total), pool_costs)


def warm_relaxation(curves: list[Curve], total: int) -> None:
    """Build the snapshot-level relaxation data (merged book steps, pool shapes, the water-filling
    table of the all-source set: :func:`slipstream.routing.relax.precompute_waterfill`)."""
    relaxer = _Relaxer(curves, total)
    everyone = tuple(range(len(curves)))
    relaxer.relax(everyone)
    relaxer.capacities()
    precompute_waterfill(relaxer._steps(relaxer.books) if relaxer.books else None,
                         [relaxer.smooth_of(i) for i in relaxer.amms])


def solve(problem: SplitProblem) -> Solution:
    """Exact minimum-cost split (see module docstring)."""
    curves, total = problem.curves, problem.total
    n = len(curves)
    if total <= 0 or n == 0:
        return Solution({}, 0, max(total, 0))
    relaxer = _Relaxer(curves, total)
    everyone = tuple(range(n))
    alloc_all, cost_all, lam_all = relaxer.relax(everyone, relaxer.pool_costs)
    cost_all = _at_total(cost_all, lam_all, alloc_all, total)
    unfilled_all = _unfilled_bound(total, alloc_all)
    margin = _REL_MARGIN * (abs(cost_all) + 1.0)
    # heap entries: (unfilled bound, cost bound, order, relaxed?, members, seed)
    heap: list[tuple[int, float, int, bool, tuple[int, ...], dict[int, float] | None]] = []
    support_all = {i for i, q in alloc_all.items() if q > 0}
    lagrange = None if relaxer.inexact or not math.isfinite(lam_all) else relaxer.surplus(lam_all, alloc_all)
    lag = lagrange or {}
    lags = [lag.get(i, 0.0) for i in everyone]
    head, plan = relaxer.plan(problem.max_venues)
    base_lag = 0.0
    for i in head:
        base_lag += lags[i]
    with_lagrange = lagrange is not None
    lam_total = lam_all * total
    for order, (members, tail, cap, charge) in enumerate(plan):
        lag_sum = base_lag
        for i in tail:
            lag_sum += lags[i]
        # a set that cannot hold the quantity leaves at least the excess unfilled
        excess = total - cap
        unf = max(unfilled_all, math.floor(excess) if excess > 0 else 0)
        bound = cost_all
        if unf == 0 and with_lagrange:
            # valid for this set's solutions that fill everything; any that do not are beaten by
            # an incumbent that does, and never pruned by cost otherwise (see _dominated)
            bound = max(bound, lam_total + lag_sum)
        heap.append((unf, bound + charge, order, False, members, None))
    heapq.heapify(heap)
    best: tuple[int, int] | None = None
    best_alloc: dict[int, int] = {}
    solved = pruned = 0
    while heap:
        unf_b, cost_b, order, relaxed, members, seed = heapq.heappop(heap)
        if best is not None and _dominated(unf_b, cost_b, best, margin, relaxer.inexact):
            pruned += 1 + len(heap)
            break
        if not relaxed:
            if members == everyone or support_all.issubset(members):
                seed, cost = alloc_all, cost_all  # the relaxed optimum of all is feasible here
            else:
                seed, cost, lam = relaxer.relax(members)
                cost = _at_total(cost, lam, seed, total)
            unf = _unfilled_bound(total, seed)
            heapq.heappush(heap, (unf, cost + plan[order][3], order, True, members, seed))
            continue
        assert seed is not None
        alloc, unfilled, exact_cost = exact_split(curves, members, seed, total)
        solved += 1
        if best is None or (unfilled, exact_cost) < best:
            best = (unfilled, exact_cost)
            best_alloc = alloc
    assert best is not None
    return Solution({i: q for i, q in sorted(best_alloc.items()) if q}, best[1], best[0], solved, pruned)


def _at_total(cost: float, lam: float, alloc: dict[int, float], total: int) -> float:
    """The relaxed cost of ``total`` from the water-filling's result: the root finder stops within
    a fraction of a grid unit of it, at a quantity whose own optimum has marginal cost λ, so move
    along that tangent — the relaxed cost is convex in the quantity, so the tangent stays below it
    and the bound stays a bound (reading the cost at an overshoot could prune the optimal set). A
    set short by a unit or more ran out of capacity: its unfilled bound decides, the cost stays."""
    gap = total - sum(alloc.values(), 0.0)  # mypyc: bare sum() over floats was compiled as an int sum
    if gap and gap < 1.0 and math.isfinite(lam):
        return cost + lam * gap
    return cost


def _unfilled_bound(total: int, seed: dict[int, float]) -> int:
    """Whole grid units the relaxation leaves unfilled, floored: a lower bound on the exact rest
    (the water-filling stops within 0.25 unit of the target)."""
    return math.floor(max(total - sum(seed.values(), 0.0), 0.0))


def _dominated(unf_b: int, cost_b: float, best: tuple[int, int], margin: float, inexact: bool) -> bool:
    if unf_b != best[0]:
        return unf_b > best[0]
    slack = margin * (1e3 if inexact else 1.0)
    return cost_b - slack >= best[1]
