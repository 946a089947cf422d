"""Aggregated (L2) order book keyed by integer price units, built for replaying millions of deltas.

Layout: for each side a dense ``int64`` array of level sizes over a window of ``window``
consecutive price units (index = price - window base), plus a small dict per side for the rare
levels that lie outside the window (far-out quotes in real feeds). The window re-centres on the
touch when the best price drifts near its edge, so the near-touch levels a matching engine reads
stay in the dense part.

Why dense: :meth:`L2Book.apply_batch` can then apply a whole batch of deltas with a few numpy
calls instead of waking Python per row. Every non-CLEAR delta is "set level (side, price) to
size" (DELETE sets 0), so a batch's result is the *last* write per level; the batch is reduced to
that last write with an order-exact rule (``np.maximum.at`` of row numbers per level, or a stable
sort for small batches) — never numpy's unspecified order for repeated fancy-assignment indices.
Rows before the batch's last CLEAR cannot affect the result, so the batch is cut there.

Best bid/ask are cached and recomputed lazily from a hint (the highest bid / lowest ask index
that could hold the best), scanning a short slice first.

Assumptions: prices are positive ints (finest tick), sizes non-negative ints below 2**63; a
crossed feed is stored as given (:meth:`L2Book.is_crossed` reports it); ``ADD`` and ``UPDATE``
are identical (incremental feeds rarely say which).
"""

from __future__ import annotations

import numpy as np

from slipstream.errors import ValidationError

__all__ = ["ADD", "ASK", "BID", "CLEAR", "DELETE", "UPDATE", "L2Book"]

BID: int = 1
ASK: int = 2
ADD: int = 1
UPDATE: int = 2
DELETE: int = 3
CLEAR: int = 4

_MAX_QTY = (1 << 63) - 1
_SCAN = 64  # slice scanned first when looking for the next best level
_SMALL_BATCH = 2048  # below this, dedup by stable sort; above, by np.maximum.at


class L2Book:
    """Aggregated price-level book keyed by integer price units; sizes int lots.

    Args:
        symbol: instrument symbol (informational).
        window: width of the dense price window in price units (>= 64). The default covers
            ±2048 ticks around the touch; levels outside it still work, via a slower dict.

    Raises:
        ValidationError: ``window`` is too small.
    """

    __slots__ = ("_best", "_dirty", "_far", "_hint", "_lo", "_placed", "_sz", "_w", "symbol")

    def __init__(self, symbol: str = "", *, window: int = 4096) -> None:
        if window < _SCAN:
            raise ValidationError(f"window must be >= {_SCAN}, got {window}")
        self.symbol = symbol
        self._w = int(window)
        self._lo = 0
        self._placed = False  # the window has been positioned on real prices
        self._sz = np.zeros((3, self._w), dtype=np.int64)  # row 0 unused; rows BID, ASK
        self._far: tuple[dict[int, int], dict[int, int], dict[int, int]] = ({}, {}, {})
        self._best: list[int | None] = [None, None, None]
        self._dirty = [False, False, False]
        self._hint = [0, 0, 0]  # window index bound for the lazy best scan

    # ---- updates -------------------------------------------------------------------------------
    def apply(self, action: int, side: int, price: int, qty: int) -> None:
        """Apply one delta: ADD/UPDATE set the level's size (0 deletes), DELETE removes it,
        CLEAR empties both sides (``side``/``price`` ignored).

        Raises:
            ValidationError: unknown action or side, price <= 0, or size out of range. The
                book is unchanged.
        """
        if action == CLEAR:
            self.clear()
            return
        if action == DELETE:
            qty = 0
        elif action != ADD and action != UPDATE:
            raise ValidationError(f"unknown book action {action!r}")
        if side != BID and side != ASK:
            raise ValidationError(f"unknown book side {side!r}")
        if price <= 0:
            raise ValidationError(f"price must be positive, got {price}")
        if qty < 0 or qty > _MAX_QTY:
            raise ValidationError(f"size out of range: {qty}")
        if not self._placed:
            self._place(price)
        self._set(side, price, qty)

    def _set(self, side: int, price: int, qty: int) -> None:
        i = price - self._lo
        if 0 <= i < self._w:
            self._sz[side, i] = qty
            if self._dirty[side]:
                if (side == BID and i > self._hint[side]) or (side == ASK and i < self._hint[side]):
                    self._hint[side] = i
                return
            best = self._best[side]
            if qty:
                if best is None or (price > best if side == BID else price < best):
                    self._best[side] = price
            elif price == best:
                self._mark_dirty(side)
            return
        far = self._far[side]
        if qty:
            far[price] = qty
        else:
            far.pop(price, None)
        self._mark_dirty(side)
        self._maybe_recentre()

    def apply_batch(
        self,
        action: np.ndarray,
        side: np.ndarray,
        price: np.ndarray,
        qty: np.ndarray,
    ) -> None:
        """Apply rows in order, vectorised; the result equals calling :meth:`apply` per row.

        Raises:
            ValidationError: arrays differ in length or are not 1-D integers, or any row is
                invalid (as for :meth:`apply`). The whole batch is checked first, so an error
                leaves the book unchanged.
        """
        action, side, price, qty = _as_rows(action, side, price, qty)
        n = action.shape[0]
        if n == 0:
            return
        has_clear = _check_rows(action, side, price, qty)
        if has_clear:
            self.clear()
            start = int(np.flatnonzero(action == CLEAR)[-1]) + 1
            if start == n:
                return
            action, side, price, qty = action[start:], side[start:], price[start:], qty[start:]
            n = action.shape[0]
        value = np.where(action == DELETE, 0, qty)
        if not self._placed:
            self._place(int(np.partition(price, n // 2)[n // 2]))
        w = self._w
        idx = price - self._lo
        if int(idx.min()) < 0 or int(idx.max()) >= w:
            inside = (idx >= 0) & (idx < w)
            outside = np.flatnonzero(~inside)
            for r in outside.tolist():  # rare: far levels; order within a level kept
                p = int(price[r])
                s = int(side[r])
                if value[r]:
                    self._far[s][p] = int(value[r])
                else:
                    self._far[s].pop(p, None)
            for s in (BID, ASK):
                if np.any(side[outside] == s):
                    self._mark_dirty(s)
            keep = np.flatnonzero(inside)
            side, idx, value = side[keep], idx[keep], value[keep]
            n = idx.shape[0]
        if n:
            keys = side * w + idx
            flat = self._sz.reshape(-1)
            if n < _SMALL_BATCH:
                order = np.argsort(keys, kind="stable")
                sk = keys[order]
                last = np.empty(n, dtype=bool)
                last[-1] = True
                np.not_equal(sk[1:], sk[:-1], out=last[:-1])
                written = sk[last]
                flat[written] = value[order[last]]
            else:
                row = np.full(3 * w, -1, dtype=np.int64)
                np.maximum.at(row, keys, np.arange(n, dtype=np.int64))
                written = np.flatnonzero(row >= 0)
                flat[written] = value[row[written]]
            # written keys are sorted: bids are [w, 2w), asks [2w, 3w)
            cut = int(np.searchsorted(written, 2 * w))
            if cut:
                self._widen_hint(BID, int(written[cut - 1]) - w)
            if cut < written.shape[0]:
                self._widen_hint(ASK, int(written[cut]) - 2 * w)
        self._maybe_recentre()

    def consume(self, side: int, price: int, qty: int) -> None:
        """Our taker took ``qty`` at a level: its size drops by ``qty`` (never below 0).

        Raises:
            ValidationError: unknown side or negative ``qty``.
        """
        if side != BID and side != ASK:
            raise ValidationError(f"unknown book side {side!r}")
        if qty < 0:
            raise ValidationError(f"consumed quantity must be >= 0, got {qty}")
        have = self.size_at(side, price)
        if have and qty:
            self._set(side, price, max(have - qty, 0))

    def clear(self) -> None:
        """Empty both sides (the window keeps its position)."""
        self._sz.fill(0)
        for s in (BID, ASK):
            self._far[s].clear()
            self._best[s] = None
            self._dirty[s] = False

    # ---- queries -------------------------------------------------------------------------------
    def best_bid(self) -> int | None:
        """Highest bid price, or ``None`` if the bid side is empty."""
        if self._dirty[BID]:
            self._refresh(BID)
        return self._best[BID]

    def best_ask(self) -> int | None:
        """Lowest ask price, or ``None`` if the ask side is empty."""
        if self._dirty[ASK]:
            self._refresh(ASK)
        return self._best[ASK]

    def size_at(self, side: int, price: int) -> int:
        """Size resting at ``price`` on ``side`` (0 if no level)."""
        i = price - self._lo
        if 0 <= i < self._w:
            return int(self._sz[side, i])
        return self._far[side].get(price, 0)

    def levels(self, side: int, depth: int | None = None) -> list[tuple[int, int]]:
        """``(price, size)`` levels of ``side``, best first; at most ``depth`` of them."""
        row = self._sz[side]
        nz = np.flatnonzero(row)
        if side == BID:
            nz = nz[::-1]
        if depth is not None:
            nz = nz[:depth]
        lo = self._lo
        out = list(zip((nz + lo).tolist(), row[nz].tolist(), strict=True))
        far = self._far[side]
        if far:
            out.extend(far.items())
            out.sort(reverse=side == BID)
            if depth is not None:
                del out[depth:]
        return out

    def is_crossed(self) -> bool:
        """True when the best bid is at or above the best ask."""
        bid, ask = self.best_bid(), self.best_ask()
        return bid is not None and ask is not None and bid >= ask

    def walk(self, side: int, qty: int, limit_price: int | None = None) -> tuple[int, int, int]:
        """What taking ``qty`` from ``side`` would cost, without changing the book.

        Args:
            side: the side being taken from (``ASK`` for a buy, ``BID`` for a sell).
            qty: lots wanted.
            limit_price: worst acceptable price (asks above / bids below it are not taken).

        Returns:
            ``(filled_qty, cost, worst_price)``: lots available, the exact sum of
            price × lots over the levels taken, and the last level's price (0 if nothing).
        """
        filled = cost = worst = 0
        if qty <= 0:
            return 0, 0, 0
        for price, size in self.levels(side):
            if limit_price is not None and (
                price > limit_price if side == ASK else price < limit_price
            ):
                break
            take = min(size, qty - filled)
            filled += take
            cost += take * price
            worst = price
            if filled == qty:
                break
        return filled, cost, worst

    def __len__(self) -> int:
        """Number of non-empty levels on both sides."""
        return int(np.count_nonzero(self._sz)) + len(self._far[BID]) + len(self._far[ASK])

    def __repr__(self) -> str:
        return f"L2Book({self.symbol!r}, bid={self.best_bid()}, ask={self.best_ask()})"

    # ---- internals -----------------------------------------------------------------------------
    def _mark_dirty(self, side: int) -> None:
        if not self._dirty[side]:
            self._dirty[side] = True
            best = self._best[side]
            i = best - self._lo if best is not None else (self._w - 1 if side == BID else 0)
            self._hint[side] = min(max(i, 0), self._w - 1)

    def _widen_hint(self, side: int, i: int) -> None:
        """A batch wrote window index ``i`` (the extreme one) on ``side``."""
        if not self._dirty[side]:
            self._mark_dirty(side)
        if side == BID:
            self._hint[BID] = max(self._hint[BID], i)
        else:
            self._hint[ASK] = min(self._hint[ASK], i)

    def _refresh(self, side: int) -> None:
        """Recompute a side's best from the window (scanning from the hint) and the far dict."""
        row = self._sz[side]
        h = self._hint[side]
        best: int | None = None
        if side == BID:
            start = max(h - _SCAN + 1, 0)
            nz = np.flatnonzero(row[start : h + 1])
            if nz.size:
                best = self._lo + start + int(nz[-1])
            elif start:
                nz = np.flatnonzero(row[:start])
                if nz.size:
                    best = self._lo + int(nz[-1])
            far = self._far[BID]
            if far:
                top = max(far)
                best = top if best is None else max(best, top)
        else:
            stop = min(h + _SCAN, self._w)
            nz = np.flatnonzero(row[h:stop])
            if nz.size:
                best = self._lo + h + int(nz[0])
            elif stop < self._w:
                nz = np.flatnonzero(row[stop:])
                if nz.size:
                    best = self._lo + stop + int(nz[0])
            far = self._far[ASK]
            if far:
                low = min(far)
                best = low if best is None else min(best, low)
        self._best[side] = best
        self._dirty[side] = False

    def _place(self, centre: int) -> None:
        self._lo = max(centre - self._w // 2, 0)
        self._placed = True

    def _maybe_recentre(self) -> None:
        """Move the window onto the touch when a best price is outside its middle 3/4."""
        bid, ask = self.best_bid(), self.best_ask()
        if bid is None and ask is None:
            return
        margin = self._w // 8
        lo = self._lo + margin if self._lo > 0 else 0  # a window at 0 cannot move lower
        hi = self._lo + self._w - margin

        def inside(p: int | None) -> bool:
            return p is None or lo <= p < hi

        if inside(bid) and inside(ask):
            return
        if bid is not None and ask is not None:
            if abs(ask - bid) >= self._w - 4 * margin:
                return  # both can never sit in the middle; keep the window (no thrash)
            centre = (bid + ask) // 2
        elif bid is not None:
            centre = bid
        else:
            assert ask is not None
            centre = ask
        self._recentre(centre)

    def _recentre(self, centre: int) -> None:
        levels = {s: self.levels(s) for s in (BID, ASK)}
        self._sz.fill(0)
        self._place(centre)
        for s in (BID, ASK):
            far = self._far[s]
            far.clear()
            if not levels[s]:
                continue
            p = np.fromiter((lv[0] for lv in levels[s]), np.int64, len(levels[s]))
            q = np.fromiter((lv[1] for lv in levels[s]), np.int64, len(levels[s]))
            i = p - self._lo
            ok = (i >= 0) & (i < self._w)
            self._sz[s, i[ok]] = q[ok]
            for price, size in zip(p[~ok].tolist(), q[~ok].tolist(), strict=True):
                far[price] = size
            self._dirty[s] = False
            self._best[s] = levels[s][0][0]


def _as_rows(*cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    out = []
    n = None
    for name, col in zip(("action", "side", "price", "qty"), cols, strict=True):
        arr = np.asarray(col)
        if arr.ndim != 1:
            raise ValidationError(f"{name}: expected a 1-D array, got shape {arr.shape}")
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise ValidationError(f"{name}: expected integers, got dtype {arr.dtype}")
        if arr.dtype == np.uint64 and arr.size and int(arr.max()) > _MAX_QTY:
            raise ValidationError(f"{name}: value above int64 range")
        arr = arr.astype(np.int64, copy=False)
        if n is None:
            n = arr.shape[0]
        elif arr.shape[0] != n:
            raise ValidationError(f"{name}: length {arr.shape[0]} differs from {n}")
        out.append(arr)
    return out[0], out[1], out[2], out[3]


def _check_rows(action: np.ndarray, side: np.ndarray, price: np.ndarray, qty: np.ndarray) -> bool:
    """Raise on the first invalid row; return whether the batch holds a CLEAR."""
    amax = int(action.max())
    if (
        amax < CLEAR
        and int(action.min()) >= ADD
        and int(side.min()) >= BID
        and int(side.max()) <= ASK
        and int(price.min()) > 0
        and int(qty.min()) >= 0
    ):
        return False  # fast path: no clears, all rows valid
    bad = (action < ADD) | (action > CLEAR)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise ValidationError(f"row {r}: unknown book action {int(action[r])}")
    level = action != CLEAR
    bad = level & (side != BID) & (side != ASK)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise ValidationError(f"row {r}: unknown book side {int(side[r])}")
    bad = level & (price <= 0)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise ValidationError(f"row {r}: price must be positive, got {int(price[r])}")
    bad = level & (action != DELETE) & (qty < 0)  # a delete's size is ignored, as in apply()
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise ValidationError(f"row {r}: negative size {int(qty[r])}")
    return amax == CLEAR
