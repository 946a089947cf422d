"""Exact integer split over one venue set, started from the continuous relaxation's allocation.

Round the relaxed allocation down to lots, fill the remainder greedily by exact marginal cost per
grid unit, then apply the best improving exchange of quantity between two sources (galloping to
larger moves) until none improves. For separable convex costs on a common lot this local optimum
is the global one (the optimiser's property tests check it against brute force). Everything here
is exact integer cost units; the branch and bound over venue sets is in
:mod:`slipstream.routing.optimiser`.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from typing import Final

from slipstream.routing.costs import BookCurve, Curve

__all__ = ["exact_split"]

_MAX_MOVES: Final = 10_000
_FILL_LOTS: Final = 64  # deficits up to this many lots are filled lot by lot without the heap


def _lcm(a: int, b: int) -> int:
    return a // math.gcd(a, b) * b


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


def exact_split(curves: list[Curve], members: tuple[int, ...], seed: dict[int, float], total: int
                ) -> tuple[dict[int, int], int, int]:
    """Exact local search over the venue set ``members`` from the relaxed ``seed`` (grid units per
    curve index); returns (allocation, unfilled, cost)."""
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
                second = first  # mypyc: swap-by-tuple miscompiles when the RHS reads a narrowed Optional
                first = (add, pos)
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
def _one_lot(c: Curve, n: int, s: int) -> tuple[int | None, int | None]:
    """(cost of one more lot, cost of one lot less) at ``n`` — :func:`_add` and :func:`_take`
    with the common lot ``s`` (fixed charge on the first lot; None where infeasible). Books price
    the lot from their level arrays: ``cost(n ± s) − cost(n)`` is that lot's level price × the
    book's multiplier + the risk rate."""
    up: int | None
    down: int | None
    u = n + s
    if c.__class__ is BookCurve:
        if u > c.hi or u < c.lo:
            up = None
        else:
            up = c.prices[bisect_left(c.cum_lots, u // s)] * c.mult + c.risk * s
        d = n - s
        if not n or 0 < d < c.lo:
            down = None
        else:
            down = -(c.prices[bisect_left(c.cum_lots, n // s)] * c.mult + c.risk * s)
        return up, down
    cost = c.cost
    b = cost(n)
    if b is None:
        return None, None
    fixed = c.fixed
    if u > c.hi or u < c.lo:
        up = None
    else:
        a = cost(u)
        up = None if a is None else (a - b if n else a - b + fixed)
    d = n - s
    if not n or d < 0 or 0 < d < c.lo:
        down = None
    else:
        a = cost(d)
        down = None if a is None else (a - b if d else a - b - fixed)
    return up, down


def _exact_common(curves: list[Curve], members: tuple[int, ...], seed: dict[int, float], total: int, step: int
                  ) -> tuple[dict[int, int], int, int]:
    """:func:`_exact_reference` when every member trades the same lot: the same rounding, greedy
    fill and exchange moves (property-tested), with each member's one-lot cost changes priced
    once and re-priced only where the allocation moved."""
    cs = [curves[i] for i in members]
    xs: list[int] = []
    used = 0
    for i, c in zip(members, cs, strict=True):
        n = math.floor(seed.get(i, 0.0) + 1e-9)
        if c.__class__ is BookCurve:  # priced up to hi, so the largest feasible size is direct
            n = min(n, c.hi) // step * step
            if n < c.lo:
                n = 0
        else:
            n = _feasible_down(c, n)
        xs.append(n)
        used += n
    if used > total:  # float seeds may overshoot by a hair: the reference trims, then fills
        return _exact_reference(curves, members, seed, total)
    deficit = total - used
    x = dict(zip(members, xs, strict=True))
    # the reference's greedy fill, when every offer is one lot (deficit a few lots, no empty
    # member whose minimum lies between a lot and the deficit): take the cheapest lot, earliest
    # on ties, re-price that member, repeat — else the reference fill itself
    lots = deficit // step if deficit <= _FILL_LOTS * step else 0
    if lots and any(not n and step < c.lo <= deficit for c, n in zip(cs, xs, strict=True)):
        lots = 0
    if deficit and not lots:
        deficit = _fill(_Exact(curves), curves, members, x, deficit)
        xs = [x[i] for i in members]
    margins = [_one_lot(c, n, step) for c, n in zip(cs, xs, strict=True)]
    for _ in range(lots):
        pick = -1
        for pos, (up, _) in enumerate(margins):
            if up is not None and (pick < 0 or up < margins[pick][0]):  # type: ignore[operator]
                pick = pos
        if pick < 0:
            break
        x[members[pick]] = xs[pick] = xs[pick] + step
        margins[pick] = _one_lot(cs[pick], xs[pick], step)
        deficit -= step
    if lots and deficit:  # lots do not add up (or nobody can take one): the reference's repair
        deficit = _repair(_Exact(curves), curves, members, x, deficit)
        xs = [x[i] for i in members]
        margins = [_one_lot(c, n, step) for c, n in zip(cs, xs, strict=True)]
    ex_moves: _Exact | None = None
    for _ in range(_MAX_MOVES if len(members) > 1 else 0):
        # the reference's round (see _exchange_common): takes in member order, adds priced except
        # for the only taker, the pair from the two cheapest adds
        takes = [pos for pos, (_, d) in enumerate(margins) if d is not None]
        if not takes:
            break
        only = takes[0] if len(takes) == 1 else -1
        first = second = -1
        first_up = second_up = 0
        for pos, (add, _) in enumerate(margins):
            if add is None or pos == only:
                continue
            if first < 0 or add < first_up:
                first, second, first_up, second_up = pos, first, add, first_up
            elif second < 0 or add < second_up:
                second, second_up = pos, add
        best_delta = 0
        best_i = best_j = -1
        for j in takes:
            if first >= 0 and first != j:
                cand, up = first, first_up
            elif second >= 0:
                cand, up = second, second_up
            else:
                continue
            delta = up + margins[j][1]  # type: ignore[operator]
            if delta < best_delta:
                best_delta, best_i, best_j = delta, cand, j
        if best_i < 0:
            break
        if ex_moves is None:
            ex_moves = _Exact(curves)
        _apply_move(ex_moves, curves, x, members[best_i], members[best_j], step)
        for pos in (best_i, best_j):
            xs[pos] = x[members[pos]]
            margins[pos] = _one_lot(cs[pos], xs[pos], step)
    cost = 0
    for c, n in zip(cs, xs, strict=True):
        if n:
            v = c.cost(n)
            assert v is not None
            cost += v + c.fixed
    return x, deficit, cost
