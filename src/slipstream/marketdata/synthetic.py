"""Seeded synthetic L2 delta streams and their ``.npz`` exchange format.

A stream is a dict of five equal-length ``int64`` columns, the same columns the ``.npz`` file
holds so other engines (Nautilus, hftbacktest) can replay the identical stream:

* ``ts``     — venue time, ns since the epoch, non-decreasing;
* ``action`` — 1 add, 2 update, 3 delete, 4 clear (:mod:`slipstream.marketdata.book` codes);
* ``side``   — 1 bid, 2 ask (ignored, conventionally 0, on clear rows);
* ``price``  — integer ticks (> 0 on non-clear rows);
* ``qty``    — integer lots (>= 0; 0 on delete/clear rows).

The generator's model (simple on purpose — a load generator, not a market simulator):

* The stream opens with a snapshot: one CLEAR, then ``levels`` ADDs a side. The spread is one
  tick (best bid ``m``, best ask ``m + 1``), and both sides always hold exactly ``levels``
  contiguous levels.
* Each later *event* is, with probability ``1 - move_prob``, a size update (one UPDATE row) on
  a random side at a depth drawn from a geometric distribution (``depth_p``; truncated to the
  book), or, with probability ``move_prob``, a one-tick mid move up or down (four rows: the
  touch level on the losing side is deleted, the winning side gains a new touch level, and the
  far ends are trimmed/extended so each side keeps ``levels`` levels). No prefix of the stream
  is ever crossed.
* Sizes are log-normal lots (median ``size_median``), at least 1; event gaps are exponential
  (mean ``mean_gap_ns``); the rows of one event share a timestamp.
* The stream holds exactly ``n`` rows; the last event may be cut short (still uncrossed).
"""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE

__all__ = ["COLUMNS", "generate_l2_stream", "load_npz", "save_npz", "validate_stream"]

COLUMNS: tuple[str, ...] = ("ts", "action", "side", "price", "qty")
_START_NS = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z


def generate_l2_stream(
    n: int,
    seed: int,
    levels: int = 20,
    tick: Decimal | str = "0.01",
    mid: Decimal | str = "65000",
    *,
    move_prob: float = 0.05,
    depth_p: float = 0.3,
    size_median: float = 200.0,
    mean_gap_ns: int = 100_000,
) -> dict[str, np.ndarray]:
    """Generate ``n`` L2 delta rows, deterministically from ``seed``.

    Args:
        n: number of rows (>= 2 * levels + 1, room for the opening snapshot).
        seed: RNG seed; the same arguments give the same stream on every platform numpy
            supports (``numpy.random.PCG64``).
        levels: levels per side.
        tick: price tick; prices in the stream are integer multiples of it.
        mid: starting mid price (BTC-like by default); the best bid starts at ``mid / tick``.
        move_prob: probability that an event is a one-tick mid move.
        depth_p: success probability of the geometric depth of size updates (0 = touch).
        size_median: median level size in lots.
        mean_gap_ns: mean time between events.

    Returns:
        The stream's columns (see the module docstring), each ``int64`` of length ``n``.

    Raises:
        ValidationError: a parameter is out of range.
    """
    if levels < 1:
        raise ValidationError(f"levels must be >= 1, got {levels}")
    head = 2 * levels + 1
    if n < head:
        raise ValidationError(f"n must be >= {head} for a {levels}-level snapshot, got {n}")
    if not 0.0 <= move_prob <= 1.0 or not 0.0 < depth_p <= 1.0:
        raise ValidationError("move_prob must be in [0, 1] and depth_p in (0, 1]")
    if size_median < 1 or mean_gap_ns < 0:
        raise ValidationError("size_median must be >= 1 and mean_gap_ns >= 0")
    tick_d, mid_d = Decimal(str(tick)), Decimal(str(mid))
    if tick_d <= 0 or mid_d <= 0:
        raise ValidationError(f"tick and mid must be positive, got {tick} and {mid}")
    m0 = int(mid_d / tick_d)
    if m0 - levels < 1:
        raise ValidationError(f"mid {mid} is too close to zero for {levels} levels at tick {tick}")

    rng = np.random.default_rng(seed)
    log_median = float(np.log(size_median))

    def sizes(k: int) -> np.ndarray:
        return np.maximum(np.rint(rng.lognormal(log_median, 1.0, k)), 1).astype(np.int64)

    # events: at most one per remaining row
    e = n - head
    is_move = rng.random(e) < move_prob
    step = np.where(is_move, rng.integers(0, 2, e) * 2 - 1, 0).astype(np.int64)
    bid_after = m0 + np.cumsum(step)
    bid_before = bid_after - step
    if e and int(bid_after.min()) - levels < 1:
        raise ValidationError("the random walk reached zero; raise mid or lower n")
    width = np.where(is_move, 4, 1)
    first = np.concatenate(([0], np.cumsum(width)[:-1])).astype(np.int64)
    used = int(np.searchsorted(first, e, side="left"))  # events that start inside the budget
    is_move, step, bid_before, first = is_move[:used], step[:used], bid_before[:used], first[:used]
    total = int(first[-1] + (4 if is_move[-1] else 1)) if used else 0

    action = np.empty(total, np.int64)
    side = np.empty(total, np.int64)
    price = np.empty(total, np.int64)
    qty = np.zeros(total, np.int64)
    ts_event = _START_NS + np.cumsum(rng.exponential(mean_gap_ns, used).astype(np.int64))

    upd = ~is_move
    k = int(upd.sum())
    at = first[upd]
    s = rng.integers(BID, ASK + 1, k)
    depth = np.minimum(rng.geometric(depth_p, k) - 1, levels - 1)
    m = bid_before[upd]
    action[at] = UPDATE
    side[at] = s
    price[at] = np.where(s == BID, m - depth, m + 1 + depth)
    qty[at] = sizes(k)

    mv = is_move
    at, m, up = first[mv], bid_before[mv], step[mv] > 0
    k = int(mv.sum())
    new_sizes = sizes(2 * k).reshape(2, k) if k else np.zeros((2, 0), np.int64)
    # up: delete ask m+1, add bid m+1, delete bid m-L+1, add ask m+1+L
    # down: delete bid m, add ask m, delete ask m+L, add bid m-L
    rows = (
        (DELETE, np.where(up, ASK, BID), np.where(up, m + 1, m), None),
        (ADD, np.where(up, BID, ASK), np.where(up, m + 1, m), new_sizes[0]),
        (DELETE, np.where(up, BID, ASK), np.where(up, m - levels + 1, m + levels), None),
        (ADD, np.where(up, ASK, BID), np.where(up, m + 1 + levels, m - levels), new_sizes[1]),
    )
    for j, (act, sd, px, q) in enumerate(rows):
        action[at + j] = act
        side[at + j] = sd
        price[at + j] = px
        if q is not None:
            qty[at + j] = q
    ts_rows = np.repeat(ts_event, np.where(is_move, 4, 1)) if used else np.zeros(0, np.int64)

    snap_px = np.concatenate((m0 - np.arange(levels), m0 + 1 + np.arange(levels)))
    snap = {
        "ts": np.full(head, _START_NS, np.int64),
        "action": np.concatenate(([CLEAR], np.full(2 * levels, ADD))).astype(np.int64),
        "side": np.concatenate(([0], np.full(levels, BID), np.full(levels, ASK))).astype(np.int64),
        "price": np.concatenate(([0], snap_px)).astype(np.int64),
        "qty": np.concatenate(([0], sizes(2 * levels))).astype(np.int64),
    }
    body = {"ts": ts_rows, "action": action, "side": side, "price": price, "qty": qty}
    return {c: np.ascontiguousarray(np.concatenate((snap[c], body[c]))[:n]) for c in COLUMNS}


def validate_stream(stream: dict[str, np.ndarray], source: str = "stream") -> dict[str, np.ndarray]:
    """Check a stream's columns and values; return them as contiguous ``int64`` arrays.

    Raises:
        ValidationError: a column is missing, not a 1-D integer array, of a different length,
            or holds an invalid value (names the column and first bad row).
    """
    out: dict[str, np.ndarray] = {}
    n: int | None = None
    for c in COLUMNS:
        if c not in stream:
            raise ValidationError(f"{source}: missing column {c!r} (need {', '.join(COLUMNS)})")
        arr = np.asarray(stream[c])
        if arr.ndim != 1:
            raise ValidationError(f"{source}: column {c!r} must be 1-D, got shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.integer):
            raise ValidationError(f"{source}: column {c!r} must be integer, got {arr.dtype}")
        if arr.dtype == np.uint64 and arr.size and int(arr.max()) >= 1 << 63:
            raise ValidationError(f"{source}: column {c!r} exceeds the int64 range")
        if n is None:
            n = arr.shape[0]
        elif arr.shape[0] != n:
            raise ValidationError(f"{source}: column {c!r} has {arr.shape[0]} rows, not {n}")
        out[c] = np.ascontiguousarray(arr, dtype=np.int64)
    action, side, price, qty, ts = out["action"], out["side"], out["price"], out["qty"], out["ts"]
    level = action != CLEAR
    checks = (
        ("action", (action < ADD) | (action > CLEAR), "must be 1 add, 2 update, 3 delete, 4 clear"),
        ("side", level & (side != BID) & (side != ASK), "must be 1 bid or 2 ask"),
        ("price", level & (price <= 0), "must be positive ticks"),
        ("qty", qty < 0, "must be >= 0 lots"),
        ("ts", np.concatenate(([False], ts[1:] < ts[:-1])), "must not decrease"),
    )
    for c, bad, why in checks:
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            raise ValidationError(f"{source}: column {c!r} row {r}: {int(out[c][r])} {why}")
    return out


def save_npz(path: str | Path, stream: dict[str, np.ndarray], *, compress: bool = False) -> None:
    """Validate ``stream`` and write it as an ``.npz`` with the five int64 columns.

    Raises:
        ValidationError: the stream is invalid (nothing is written).
    """
    c = validate_stream(stream)
    save = np.savez_compressed if compress else np.savez
    save(Path(path), ts=c["ts"], action=c["action"], side=c["side"], price=c["price"], qty=c["qty"])


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Read and validate an ``.npz`` stream (no pickles); extra arrays are ignored.

    Raises:
        ValidationError: the file is missing or unreadable, or its columns are invalid.
    """
    p = Path(path)
    try:
        data = np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValidationError(f"{p}: cannot read .npz stream: {exc}") from exc
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValidationError(f"{p}: not an .npz archive (got a single array)")
    try:
        with data:
            raw = {c: data[c] for c in COLUMNS if c in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValidationError(f"{p}: cannot read .npz stream: {exc}") from exc
    return validate_stream(raw, source=str(p))
