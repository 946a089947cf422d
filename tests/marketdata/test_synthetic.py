"""Tests for slipstream.marketdata.synthetic: the seeded L2 generator and the .npz format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE, L2Book
from slipstream.marketdata.synthetic import (
    COLUMNS,
    generate_l2_stream,
    load_npz,
    save_npz,
    validate_stream,
)


def test_same_seed_same_stream_and_different_seed_differs() -> None:
    a = generate_l2_stream(5_000, 42)
    b = generate_l2_stream(5_000, 42)
    c = generate_l2_stream(5_000, 43)
    for col in COLUMNS:
        assert a[col].dtype == np.int64 and a[col].shape == (5_000,)
        np.testing.assert_array_equal(a[col], b[col])
    assert not np.array_equal(a["qty"], c["qty"])


def test_golden_prefix_is_stable() -> None:
    """Pin the opening rows so a change to the generator's draws is a visible decision."""
    s = generate_l2_stream(100, 7, levels=2, tick="0.01", mid="65000")
    assert s["action"][:5].tolist() == [CLEAR, ADD, ADD, ADD, ADD]
    assert s["side"][:5].tolist() == [0, BID, BID, ASK, ASK]
    assert s["price"][:5].tolist() == [0, 6_500_000, 6_499_999, 6_500_001, 6_500_002]
    assert s["ts"][0] == 1_704_067_200_000_000_000


def test_mix_of_updates_and_mid_moves() -> None:
    s = generate_l2_stream(200_000, 1)
    action = s["action"]
    updates = int((action == UPDATE).sum())
    moves = int((action == DELETE).sum()) / 2  # a mid move deletes two levels
    share = moves / (moves + updates)
    assert 0.045 < share < 0.055  # 5% of events are mid moves
    assert np.all(np.diff(s["ts"]) >= 0)
    assert s["qty"][action == DELETE].max() == 0 and s["qty"][action == UPDATE].min() >= 1


def test_depth_of_updates_is_geometric() -> None:
    """Replaying the stream, the depth of each size update below the touch decays geometrically."""
    s = generate_l2_stream(50_000, 5, levels=20, depth_p=0.3)
    book = L2Book()
    depths = []
    for i, row in enumerate(zip(*(s[c].tolist() for c in ("action", "side", "price", "qty")), strict=True)):
        if i > 41 and row[0] == UPDATE:
            best = book.best_bid() if row[1] == BID else book.best_ask()
            assert best is not None
            depths.append(abs(row[2] - best))
        book.apply(*row)
    counts = np.bincount(depths, minlength=20)
    assert counts[0] > counts[1] > counts[2] > counts[5]
    assert abs(counts[0] / len(depths) - 0.3) < 0.02


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), n=st.integers(41, 2_000), levels=st.integers(1, 20))
def test_stream_is_valid_and_has_exactly_n_rows(seed: int, n: int, levels: int) -> None:
    if n < 2 * levels + 1:
        n = 2 * levels + 1
    s = generate_l2_stream(n, seed, levels=levels)
    assert all(len(s[c]) == n for c in COLUMNS)
    validate_stream(s)
    book = L2Book()
    book.apply_batch(s["action"], s["side"], s["price"], s["qty"])
    assert not book.is_crossed()
    assert len(book.levels(BID)) in (levels - 1, levels, levels + 1)  # last event may be cut


@pytest.mark.parametrize(
    "kwargs",
    [{"n": 10, "levels": 20}, {"levels": 0}, {"move_prob": 1.5}, {"depth_p": 0.0},
     {"tick": "0"}, {"mid": "0.05"}, {"size_median": 0.5}],
)
def test_bad_parameters_raise(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"n": 1_000, "seed": 0, **kwargs}
    with pytest.raises(ValidationError):
        generate_l2_stream(**args)  # type: ignore[arg-type]


def test_npz_round_trip(tmp_path: Path) -> None:
    s = generate_l2_stream(1_000, 9)
    for compress in (False, True):
        path = tmp_path / f"s{compress}.npz"
        save_npz(path, s, compress=compress)
        back = load_npz(path)
        for col in COLUMNS:
            np.testing.assert_array_equal(back[col], s[col])
            assert back[col].dtype == np.int64


def test_load_accepts_other_integer_dtypes(tmp_path: Path) -> None:
    s = generate_l2_stream(200, 9)
    path = tmp_path / "small.npz"
    np.savez(path, ts=s["ts"].astype(np.uint64), action=s["action"].astype(np.int8),
             side=s["side"].astype(np.uint8), price=s["price"].astype(np.int32),
             qty=s["qty"].astype(np.int32), extra=np.zeros(3))
    back = load_npz(path)
    np.testing.assert_array_equal(back["price"], s["price"])
    assert set(back) == set(COLUMNS)


def _write(path: Path, **cols: np.ndarray) -> Path:
    np.savez(path, **cols)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drop": "qty"}, "missing column 'qty'"),
        ({"price": np.array([0.0, 1.5, 2.0])}, "column 'price' must be integer"),
        ({"side": np.array([0, 1])}, "column 'side' has 2 rows"),
        ({"action": np.array([4, 5, 1])}, "column 'action' row 1"),
        ({"side": np.array([0, 3, 2])}, "column 'side' row 1"),
        ({"price": np.array([0, 100, -1])}, "column 'price' row 2"),
        ({"qty": np.array([0, -4, 1])}, "column 'qty' row 1"),
        ({"ts": np.array([5, 4, 6])}, "column 'ts' row 1"),
        ({"price": np.array([[0, 100, 101]])}, "must be 1-D"),
    ],
)
def test_load_rejects_bad_columns(tmp_path: Path, change: dict[str, object], message: str) -> None:
    cols: dict[str, np.ndarray] = {
        "ts": np.array([1, 2, 3]),
        "action": np.array([CLEAR, ADD, ADD]),
        "side": np.array([0, BID, ASK]),
        "price": np.array([0, 100, 101]),
        "qty": np.array([0, 5, 6]),
    }
    drop = change.pop("drop", None)
    if drop is not None:
        del cols[str(drop)]
    cols.update({k: np.asarray(v) for k, v in change.items()})
    path = _write(tmp_path / "bad.npz", **cols)
    with pytest.raises(ValidationError, match=message):
        load_npz(path)


def test_load_rejects_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read"):
        load_npz(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(ValidationError, match="cannot read"):
        load_npz(junk)
    single = tmp_path / "single.npy"
    np.save(single, np.arange(3))
    with pytest.raises(ValidationError, match=r"not an \.npz"):
        load_npz(single)
    with pytest.raises(ValidationError):
        save_npz(tmp_path / "never.npz", {"ts": np.arange(3)})
    assert not (tmp_path / "never.npz").exists()


def test_ask_side_constant_is_two() -> None:
    """The .npz side codes are the book's codes (one definition, no hand-synced copies)."""
    assert (BID, ASK) == (1, 2) and (ADD, UPDATE, DELETE, CLEAR) == (1, 2, 3, 4)
