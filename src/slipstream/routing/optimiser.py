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
       improves. For separable convex costs on a common lot this local optimum is the global one;
       the property tests check it against brute force.
    3. Sets are popped in bound order and the search stops once the smallest bound is no better
       than the best exact solution (after a float safety margin).

Objective order is (unfilled quantity, cost): filling more always wins, then cheaper.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from dataclasses import dataclass
from itertools import combinations

from slipstream.routing.costs import AmmCurve, BookCurve, Curve
from slipstream.routing.relax import BookSteps, LiquidityCurve, SampledCurve, Smooth, pool_shape, waterfill

__all__ = ["Solution", "SplitProblem", "solve"]

_REL_MARGIN = 1e-9  # float relaxation error allowance, relative to the cost magnitude
_MAX_MOVES = 10_000


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
    """Caches the per-curve relaxed forms and the merged book steps per set of books."""

    def __init__(self, curves: list[Curve], total: int) -> None:
        self.curves = curves
        self.total = total
        self.smooth: dict[int, Smooth] = {}
        self.steps: dict[tuple[int, ...], BookSteps] = {}
        self.inexact = False

    def smooth_of(self, i: int) -> Smooth:
        s = self.smooth.get(i)
        if s is None:
            s = _smooth(self.curves[i], self.total)  # type: ignore[arg-type]
            self.smooth[i] = s
            self.inexact |= isinstance(s, SampledCurve)
        return s

    def capacity(self, i: int) -> float:
        """Most grid units source ``i`` can take (books: ``hi``; pools: the closed form's cap)."""
        c = self.curves[i]
        return float(c.hi) if isinstance(c, BookCurve) else self.smooth_of(i).cap

    def surplus(self, lam: float) -> dict[int, float]:
        """``h_i(λ) = min_q relaxed_cost_i(q) − λ·q`` per source: for any λ and any set S that
        fills the quantity Q, ``λ·Q + Σ_{i∈S} h_i(λ)`` is a lower bound on its cost (Lagrangian
        dual of the continuous relaxation), for every S at once."""
        out: dict[int, float] = {}
        books = tuple(i for i, c in enumerate(self.curves) if isinstance(c, BookCurve))
        if books:
            self._steps(books).surplus(lam, out)
        for i, c in enumerate(self.curves):
            if isinstance(c, AmmCurve):
                s = self.smooth_of(i)
                q = s.q_at(lam)
                out[i] = s.cost_at(q) - lam * q if q > 0 else 0.0
        return out

    def _steps(self, books: tuple[int, ...]) -> BookSteps:
        steps = self.steps.get(books)
        if steps is None:
            steps = BookSteps.cached([self.curves[i] for i in books])  # type: ignore[misc]
            self.steps[books] = steps
        return steps

    def relax(self, members: tuple[int, ...]) -> tuple[dict[int, float], float, float]:
        books = tuple(i for i in members if isinstance(self.curves[i], BookCurve))
        steps = self._steps(books) if books else None
        amms = [self.smooth_of(i) for i in members if isinstance(self.curves[i], AmmCurve)]
        return waterfill(steps, amms, float(self.total))


def warm_relaxation(curves: list[Curve], total: int) -> None:
    """Build the snapshot-level relaxation data (merged book steps, pool shapes) for ``curves``."""
    relaxer = _Relaxer(curves, total)
    relaxer.relax(tuple(range(len(curves))))


def _lcm(a: int, b: int) -> int:
    return a // math.gcd(a, b) * b


def _fixed(curves: list[Curve], members: tuple[int, ...]) -> int:
    return sum(curves[i].fixed for i in members)


def solve(problem: SplitProblem) -> Solution:
    """Exact minimum-cost split (see module docstring)."""
    curves, total = problem.curves, problem.total
    n = len(curves)
    if total <= 0 or n == 0:
        return Solution({}, 0, max(total, 0))
    relaxer = _Relaxer(curves, total)
    everyone = tuple(range(n))
    charged = tuple(i for i, c in enumerate(curves) if c.fixed)
    free, sets = _sets(n, charged, problem.max_venues)
    alloc_all, cost_all, lam_all = relaxer.relax(everyone)
    unfilled_all = _unfilled_bound(total, alloc_all)
    margin = _REL_MARGIN * (abs(cost_all) + 1.0)
    # heap entries: (unfilled bound, cost bound, order, relaxed?, members, seed)
    heap: list[tuple[int, float, int, bool, tuple[int, ...], dict[int, float] | None]] = []
    support_all = {i for i, q in alloc_all.items() if q > 0}
    caps = [relaxer.capacity(i) for i in everyone]
    lagrange = None if relaxer.inexact or not math.isfinite(lam_all) else relaxer.surplus(lam_all)
    lag = lagrange or {}
    fixed = [c.fixed for c in curves]
    lags = [lag.get(i, 0.0) for i in everyone]
    # every set is ``free`` + charged ones: when the free sources come first, the sums over
    # ``free`` are shared (the same float additions in the same order as summing each set)
    shared = problem.max_venues is None or problem.max_venues >= n
    shared = shared and (not free or not charged or free[-1] < charged[0])
    base_cap = base_lag = 0.0
    base_charge = 0
    if shared:
        for i in free:
            base_cap += caps[i]
            base_lag += lags[i]
            base_charge += fixed[i]
    skip = len(free) if shared else 0
    for order, members in enumerate(sets):
        if shared:
            cap, lag_sum, charge = base_cap, base_lag, base_charge
        else:
            cap = lag_sum = 0.0
            charge = 0
        for i in members[skip:]:
            cap += caps[i]
            lag_sum += lags[i]
            charge += fixed[i]
        # a set that cannot hold the quantity leaves at least the excess unfilled
        excess = total - cap
        unf = max(unfilled_all, math.floor(excess) if excess > 0 else 0)
        bound = cost_all
        if unf == 0 and lagrange is not None:
            # valid for this set's solutions that fill everything; any that do not are beaten by
            # an incumbent that does, and never pruned by cost otherwise (see _dominated)
            bound = max(bound, lam_all * total + lag_sum)
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
                seed, cost, _ = relaxer.relax(members)
            unf = _unfilled_bound(total, seed)
            heapq.heappush(heap, (unf, cost + _fixed(curves, members), order, True, members, seed))
            continue
        assert seed is not None
        alloc, unfilled, cost = _exact(curves, members, seed, total)
        solved += 1
        if best is None or (unfilled, cost) < best:
            best = (unfilled, cost)
            best_alloc = alloc
    assert best is not None
    return Solution({i: q for i, q in sorted(best_alloc.items()) if q}, best[1], best[0], solved, pruned)


_SETS: dict[tuple[int, tuple[int, ...], int | None], tuple[tuple[int, ...], list[tuple[int, ...]]]] = {}


def _sets(n: int, charged: tuple[int, ...], max_venues: int | None
          ) -> tuple[tuple[int, ...], list[tuple[int, ...]]]:
    """(free sources, candidate venue sets) for ``n`` sources of which ``charged`` pay a fixed
    charge: every subset of the charged ones with all free ones, or (with ``max_venues``) every
    subset of that size or smaller. Memoised (it depends only on the pattern)."""
    key = (n, charged, max_venues)
    got = _SETS.get(key)
    if got is None:
        everyone = tuple(range(n))
        free = tuple(i for i in everyone if i not in charged)
        if max_venues is None or max_venues >= n:
            sets = [tuple(sorted(free + t)) for k in range(len(charged) + 1) for t in combinations(charged, k)]
        else:
            sets = [s for k in range(1, max_venues + 1) for s in combinations(everyone, k)]
        if len(_SETS) >= 1_024:
            _SETS.clear()
        got = _SETS[key] = (free, sets)
    return got


def _unfilled_bound(total: int, seed: dict[int, float]) -> int:
    """Whole grid units the relaxation leaves unfilled, floored: a lower bound on the exact rest
    (the water-filling stops within 0.25 unit of the target)."""
    return math.floor(max(total - sum(seed.values()), 0.0))


def _dominated(unf_b: int, cost_b: float, best: tuple[int, int], margin: float, inexact: bool) -> bool:
    if unf_b != best[0]:
        return unf_b > best[0]
    slack = margin * (1e3 if inexact else 1.0)
    return cost_b - slack >= best[1]


class _Exact:
    """Exact cost bookkeeping for one set of sources during the local search."""

    __slots__ = ("costs", "curves", "fixed")

    def __init__(self, curves: list[Curve]) -> None:
        self.curves = curves
        self.costs = [c.cost for c in curves]  # bound methods, looked up once per search
        self.fixed = [c.fixed for c in curves]

    def cost(self, i: int, n: int) -> int | None:
        v = self.costs[i](n)
        if v is None:
            return None
        return v + self.fixed[i] if n else v


def _feasible_down(curve: Curve, n: int) -> int:
    """Largest feasible multiple of the step ≤ n (0 or ≥ lo, and priced)."""
    step = curve.step
    n = min(n, int(curve.hi) if curve.hi != math.inf else n) // step * step
    if n < curve.lo:
        return 0
    if curve.cost(n) is not None:
        return n
    lo, hi = 0, n // step  # bisection on lots: the largest priced size
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if curve.cost(mid * step) is not None:
            lo = mid
        else:
            hi = mid - 1
    n = lo * step
    return n if n >= curve.lo else 0


def _exact(curves: list[Curve], members: tuple[int, ...], seed: dict[int, float], total: int
           ) -> tuple[dict[int, int], int, int]:
    """Exact local search from the relaxed seed; returns (allocation, unfilled, cost)."""
    step = curves[members[0]].step
    for i in members:
        if curves[i].step != step:
            return _exact_reference(curves, members, seed, total)
    return _exact_common(curves, members, seed, total, step)


def _exact_reference(curves: list[Curve], members: tuple[int, ...], seed: dict[int, float], total: int
                     ) -> tuple[dict[int, int], int, int]:
    """:func:`_exact` for any lots: round the seed down, fill greedily, then exchange."""
    ex = _Exact(curves)
    x: dict[int, int] = {i: _feasible_down(curves[i], math.floor(seed.get(i, 0.0) + 1e-9)) for i in members}
    used = sum(x.values())
    while used > total:  # float seeds may overshoot by a hair: trim the dearest unit
        i = max((i for i in members if x[i]), key=lambda j: (curves[j].step, j))
        x[i] = _feasible_down(curves[i], x[i] - curves[i].step)
        used = sum(x.values())
    deficit = _fill(ex, curves, members, x, total - used)
    _exchange(ex, curves, members, x)
    cost = 0
    for i in members:
        c = ex.cost(i, x[i])
        assert c is not None
        cost += c
    return x, deficit, cost


def _fill(ex: _Exact, curves: list[Curve], members: tuple[int, ...], x: dict[int, int], deficit: int) -> int:
    """Add lots by cheapest exact marginal cost per grid unit until ``deficit`` is met.

    Offers are keyed by ``(Δcost · L / add, i, add)`` with ``L`` the lcm of every possible
    ``add``: an exact integer with the same order and ties as the ratio ``Δcost / add``."""
    span = 1
    for i in members:
        c = curves[i]
        span = _lcm(_lcm(span, c.step), max(c.lo, c.step))

    def offer(i: int) -> tuple[int, int, int] | None:
        c = curves[i]
        add = c.step if x[i] else max(c.lo, c.step)
        if add > deficit or x[i] + add > c.hi:
            return None
        now, nxt = ex.cost(i, x[i]), ex.cost(i, x[i] + add)
        if now is None or nxt is None:
            return None
        return (nxt - now) * (span // add), i, add

    heap = [o for o in (offer(i) for i in members) if o is not None]
    heapq.heapify(heap)
    while deficit > 0 and heap:
        _, i, add = heapq.heappop(heap)
        if add > deficit:
            continue
        x[i] += add
        deficit -= add
        o = offer(i)
        if o is not None:
            heapq.heappush(heap, o)
        if heap and heap[0][2] > deficit:  # offers too big for the rest: re-offer smaller ones
            heap = [o for o in (offer(j) for j in members) if o is not None]
            heapq.heapify(heap)
    if deficit > 0:
        deficit = _repair(ex, curves, members, x, deficit)
    return deficit


def _repair(ex: _Exact, curves: list[Curve], members: tuple[int, ...], x: dict[int, int], deficit: int) -> int:
    """Lots do not add up: add a whole lot of i and take the excess back from j (cheapest pair)."""
    best: tuple[int, int, int, int, int] | None = None
    for i in members:
        ci = curves[i]
        add = -(-deficit // ci.step) * ci.step
        if not x[i]:
            add = max(add, -(-ci.lo // ci.step) * ci.step)
        if x[i] + add > ci.hi:
            continue
        excess = add - deficit
        for j in members:
            if excess == 0 and j != i:
                continue
            if excess and (j == i or excess % curves[j].step or x[j] < excess or 0 < x[j] - excess < curves[j].lo):
                continue
            a, b = ex.cost(i, x[i] + add), ex.cost(i, x[i])
            c, d = (ex.cost(j, x[j] - excess), ex.cost(j, x[j])) if excess else (0, 0)
            if a is None or b is None or c is None or d is None:
                continue
            key = (a - b + c - d, i, j, add, excess)
            if best is None or key < best:
                best = key
    if best is None:
        return deficit
    _, i, j, add, excess = best
    x[i] += add
    x[j] -= excess
    return 0


def _exchange(ex: _Exact, curves: list[Curve], members: tuple[int, ...], x: dict[int, int]) -> None:
    """Apply the best improving move of quantity from one source to another until none improves.

    Each round prices "add ``size`` to i" and "take ``size`` from j" once per (source, size) and
    combines them per pair (the same moves and tie order as pricing every pair separately)."""
    if len(members) < 2:
        return
    steps = {curves[i].step for i in members}
    if len(steps) == 1:  # one common lot (the usual case): every pair moves that lot
        _exchange_common(ex, curves, members, x, steps.pop())
        return
    sizes = {(i, j): _lcm(curves[i].step, curves[j].step) for j in members for i in members if i != j}
    _exchange_pairwise(ex, curves, members, x, sizes)


def _exchange_pairwise(ex: _Exact, curves: list[Curve], members: tuple[int, ...], x: dict[int, int],
                       sizes: dict[tuple[int, int], int]) -> None:
    """:func:`_exchange` over every ordered pair (i, j) with its own move size."""
    for _ in range(_MAX_MOVES):
        best_delta = 0
        best_move: tuple[int, int, int] | None = None
        adds: dict[tuple[int, int], int | None] = {}
        takes: dict[tuple[int, int], int | None] = {}
        for j in members:
            xj = x[j]
            if not xj:
                continue
            for i in members:
                if i == j:
                    continue
                size = sizes[i, j]
                key_t = (j, size)
                if key_t in takes:
                    take = takes[key_t]
                else:
                    take = takes[key_t] = _take(ex, curves[j], j, xj, size)
                if take is None:
                    continue
                key_a = (i, size)
                if key_a in adds:
                    add = adds[key_a]
                else:
                    add = adds[key_a] = _add(ex, curves[i], i, x[i], size)
                if add is None:
                    continue
                delta = add + take
                if delta < best_delta:
                    best_delta, best_move = delta, (i, j, size)
        if best_move is None:
            return
        _apply_move(ex, curves, x, *best_move)


def _exchange_common(ex: _Exact, curves: list[Curve], members: tuple[int, ...], x: dict[int, int],
                     size: int) -> None:
    """:func:`_exchange` when every pair moves the same ``size``: per round, price each take and
    each add once, then pick the pair from the two cheapest adds — O(m) instead of O(m²), and the
    same move as the pairwise scan (first (j, i) in member order with the smallest delta)."""
    for _ in range(_MAX_MOVES):
        takes: list[tuple[int, int]] = []
        for j in members:
            xj = x[j]
            if xj:
                take = _take(ex, curves[j], j, xj, size)
                if take is not None:
                    takes.append((j, take))
        if not takes:
            return
        only = takes[0][0] if len(takes) == 1 else None  # adds are priced only where a pair needs them
        first: tuple[int, int] | None = None  # (add, i): smallest add, earliest i on ties
        second: tuple[int, int] | None = None
        for pos, i in enumerate(members):
            if i == only:
                continue
            add = _add(ex, curves[i], i, x[i], size)
            if add is None:
                continue
            if first is None or add < first[0]:
                first, second = (add, pos), first
            elif second is None or add < second[0]:
                second = (add, pos)
        best_delta = 0
        best_move: tuple[int, int, int] | None = None
        for j, take in takes:
            cand = first if first is not None and members[first[1]] != j else second
            if cand is None:
                continue
            delta = cand[0] + take
            if delta < best_delta:
                best_delta, best_move = delta, (members[cand[1]], j, size)
        if best_move is None:
            return
        _apply_move(ex, curves, x, *best_move)


def _apply_move(ex: _Exact, curves: list[Curve], x: dict[int, int], i: int, j: int, size: int) -> None:
    """Move ``size`` from j to i, then keep moving in doubling sizes while it still pays."""
    x[i] += size
    x[j] -= size
    while True:
        step_delta = _move_delta(ex, curves[i], curves[j], i, j, x, size * 2)
        if step_delta is None or step_delta >= 0:
            break
        size *= 2
        x[i] += size
        x[j] -= size


def _add(ex: _Exact, ci: Curve, i: int, xi: int, size: int) -> int | None:
    """Exact cost change of adding ``size`` to source i (None: infeasible)."""
    ni = xi + size
    if ni > ci.hi or ni < ci.lo:
        return None
    a, b = ex.cost(i, ni), ex.cost(i, xi)
    return None if a is None or b is None else a - b


def _take(ex: _Exact, cj: Curve, j: int, xj: int, size: int) -> int | None:
    """Exact cost change of taking ``size`` from source j (None: infeasible)."""
    nj = xj - size
    if nj < 0 or 0 < nj < cj.lo:
        return None
    c, d = ex.cost(j, nj), ex.cost(j, xj)
    return None if c is None or d is None else c - d


def _move_delta(ex: _Exact, ci: Curve, cj: Curve, i: int, j: int, x: dict[int, int], size: int) -> int | None:
    xi, xj = x[i], x[j]
    ni, nj = xi + size, xj - size
    if nj < 0 or (0 < nj < cj.lo) or ni > ci.hi or ni < ci.lo:
        return None
    a, b, c, d = ex.cost(i, ni), ex.cost(i, xi), ex.cost(j, nj), ex.cost(j, xj)
    if a is None or b is None or c is None or d is None:
        return None
    return a - b + c - d


# ---- the common-lot search (the usual case), kept move for move equal to the reference -----------
class _Margins:
    """Exact cost changes of one lot up/down per member, kept current as the allocation moves.

    Books price a lot from their level arrays (one bisection: ``cost(n ± s) − cost(n)`` is the
    lot's level price × the book's multiplier + the risk rate); pools use their memoised exact
    cost. Values equal :func:`_add` / :func:`_take` with the common lot ``s``."""

    __slots__ = ("books", "costs", "curves", "downs", "fixed", "his", "los", "members", "step", "ups", "x")

    def __init__(self, curves: list[Curve], members: tuple[int, ...], x: dict[int, int], step: int) -> None:
        self.curves = [curves[i] for i in members]
        self.members = members
        self.x = x
        self.step = step
        self.books = [isinstance(c, BookCurve) for c in self.curves]
        self.costs = [c.cost for c in self.curves]
        self.fixed = [c.fixed for c in self.curves]
        self.los = [c.lo for c in self.curves]
        self.his = [c.hi for c in self.curves]
        m = len(members)
        self.ups: list[int | None] = [None] * m
        self.downs: list[int | None] = [None] * m
        for pos in range(m):
            self.update(pos)

    def update(self, pos: int) -> None:
        n = self.x[self.members[pos]]
        s = self.step
        up = n + s
        if up > self.his[pos] or up < self.los[pos]:
            self.ups[pos] = None
        elif self.books[pos]:
            c: BookCurve = self.curves[pos]  # type: ignore[assignment]
            self.ups[pos] = c.prices[bisect_left(c.cum_lots, up // s)] * c.mult + c.risk * s
        else:  # the fixed charge counts on the first lot (as in _Exact.cost)
            cost = self.costs[pos]
            a, b = cost(up), cost(n)
            self.ups[pos] = None if a is None or b is None else (a - b if n else a - b + self.fixed[pos])
        down = n - s
        if not n or down < 0 or 0 < down < self.los[pos]:
            self.downs[pos] = None
        elif self.books[pos]:
            c = self.curves[pos]  # type: ignore[assignment]
            self.downs[pos] = -(c.prices[bisect_left(c.cum_lots, n // s)] * c.mult + c.risk * s)
        else:
            cost = self.costs[pos]
            a, b = cost(down), cost(n)
            self.downs[pos] = None if a is None or b is None else (a - b if down else a - b - self.fixed[pos])


def _exact_common(curves: list[Curve], members: tuple[int, ...], seed: dict[int, float], total: int, step: int
                  ) -> tuple[dict[int, int], int, int]:
    """:func:`_exact_reference` when every member trades the same lot: the same rounding, greedy
    fill and exchange moves (property-tested), with each member's one-lot cost changes priced
    once and re-priced only where a move touched it."""
    x: dict[int, int] = {}
    for i in members:
        c = curves[i]
        n = math.floor(seed.get(i, 0.0) + 1e-9)
        if isinstance(c, BookCurve):  # priced up to hi, so the largest feasible size is direct
            n = min(n, c.hi) // step * step
            x[i] = n if n >= c.lo else 0
        else:
            x[i] = _feasible_down(c, n)
    used = sum(x.values())
    if used > total:  # float seeds may overshoot by a hair: the reference trims and fills
        return _exact_reference(curves, members, seed, total)
    deficit = total - used
    if deficit:
        ex = _Exact(curves)
        deficit = _fill(ex, curves, members, x, deficit)
    margins = _Margins(curves, members, x, step)
    ups, downs = margins.ups, margins.downs
    ex_moves: _Exact | None = None
    for _ in range(_MAX_MOVES):
        # the reference's round (see _exchange_common): takes in member order, adds priced except
        # for the only taker, the pair from the two cheapest adds
        takes = [pos for pos, d in enumerate(downs) if d is not None]
        if not takes or len(members) < 2:
            break
        only = takes[0] if len(takes) == 1 else -1
        first = second = -1
        for pos, add in enumerate(ups):
            if add is None or pos == only:
                continue
            if first < 0 or add < ups[first]:  # type: ignore[operator]
                first, second = pos, first
            elif second < 0 or add < ups[second]:  # type: ignore[operator]
                second = pos
        best_delta = 0
        best: tuple[int, int] | None = None
        for j in takes:
            cand = first if first >= 0 and first != j else second
            if cand < 0:
                continue
            delta = ups[cand] + downs[j]  # type: ignore[operator]
            if delta < best_delta:
                best_delta, best = delta, (cand, j)
        if best is None:
            break
        if ex_moves is None:
            ex_moves = _Exact(curves)
        _apply_move(ex_moves, curves, x, members[best[0]], members[best[1]], step)
        margins.update(best[0])
        margins.update(best[1])
    cost = 0
    for i in members:
        c = curves[i]
        n = x[i]
        v = c.cost(n)
        assert v is not None
        cost += v + c.fixed if n else v
    return x, deficit, cost
