"""Order books merged into one marginal-cost step curve for the continuous relaxation: levels sorted
by marginal cost per grid unit, per-book prefix sums, and rows precomputed per merged step (see
:mod:`slipstream.routing.relax`)."""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import pairwise
from typing import Final, cast

import numpy as np

from slipstream.routing.costs import BookCurve

__all__ = ["BookSteps"]

_INF: Final = math.inf


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
        return _one_slot(books, "steps", key, BookSteps)  # type: ignore[return-value]

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
        return _one_slot(books, "steps_layout", key, _Layout)  # type: ignore[return-value]


def _one_slot(books: list[BookCurve], name: str, key: tuple[object, ...],
              build: Callable[[list[BookCurve]], object]) -> object:
    """``build(books)``, memoised in one slot per side on the first book's snapshot: reused while
    ``key`` (everything the result depends on) matches and the snapshots are the same objects."""
    memo = books[0].source.memo
    slot_key = (name, books[0].sign)
    slot = memo.get(slot_key)
    if slot is not None:
        got_key, sources, value = cast("tuple[object, tuple[object, ...], object]", slot)
        if got_key == key and all(s is b.source for s, b in zip(sources, books, strict=True)):
            return value
    value = build(books)
    memo[slot_key] = (key, tuple(b.source for b in books), value)
    return value
