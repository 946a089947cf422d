"""Constants calibrated from the recorded samples in ``shared/data/nautilus``, and the code that
recomputes them (a test checks that the stored numbers still match the files).

What is fitted, from which file (paths relative to ``shared/data/nautilus``):

* **Depth shape** — ``tests/test_data/bybit/xrpusdt-ob500.data.zip`` (Bybit linear XRPUSDT,
  500 levels a side, 2024-12-01): the opening snapshot's cumulative depth ``D(d)`` as a function
  of distance ``d`` from the mid in bps is fitted as ``D(d) = A · d**beta`` by least squares on
  logs over 1–200 bps, one fit a side, averaged. ``beta`` ≈ 1 means depth per bps is about
  flat. Level-to-level noise is the robust (MAD) standard deviation of ``log(size / local mean)``
  with a 21-level moving mean; it is the dispersion of one *tick* level (the sample's tick,
  :data:`DEPTH_SAMPLE_TICK_BPS` of the price), which :func:`level_size_sigma` rescales to a
  coarser level. The same fit on ``tests/test_data/tardis/
  binance-futures_book_snapshot_25_BTCUSDT.csv`` (Binance futures BTCUSDT, 25 levels, a few bps
  deep) is kept as :data:`NEAR_TOUCH_DEPTH_BETA`: near the touch, depth is concentrated.
* **Trade sizes and rate** — ``_history/8a2858d0.../tests/test_data/tardis/trades.csv`` (Binance
  futures BTCUSDT, 9,999 trades over ~2 h, 2020-02-22): sizes in BTC are log-normal with the
  mean and standard deviation of ``log(size)``; the rate is trades per second over the sample;
  the buy share is the fraction of buyer-aggressor trades.
* **Intraday volume curve** — ``tests/test_data/btc-perp-20211231-20220201_1m.csv`` (FTX
  BTC-PERP 1-minute bars, a month): :meth:`VolumeCurve.from_bars` with hourly buckets.

Everything is rounded to 4 significant digits when stored, so the comparison is exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np

from slipstream.algos.schedules.volume_curve import VolumeCurve
from slipstream.errors import DataError
from slipstream.marketdata.loaders import load
from slipstream.model.enums import Side
from slipstream.model.market import BookSide, BookSnapshot

__all__ = [
    "DEPTH_BETA",
    "DEPTH_SAMPLE_TICK_BPS",
    "DEPTH_SIZE_SIGMA",
    "HOURLY_VOLUME_FRACTIONS",
    "NEAR_TOUCH_DEPTH_BETA",
    "SAMPLE_FILES",
    "TRADE_BUY_SHARE",
    "TRADE_RATE_PER_S",
    "TRADE_SIZE_LOG_MEAN",
    "TRADE_SIZE_LOG_SIGMA",
    "Calibration",
    "calibrate",
    "level_size_sigma",
    "stored",
]

SAMPLE_FILES = {
    "depth": "tests/test_data/bybit/xrpusdt-ob500.data.zip",
    "near_touch": "tests/test_data/tardis/binance-futures_book_snapshot_25_BTCUSDT.csv",
    "trades": "_history/8a2858d0e72516aeae89cf0b32a257f18f06ddd5/tests/test_data/tardis/trades.csv",
    "bars": "tests/test_data/btc-perp-20211231-20220201_1m.csv",
}
"""Sample files, relative to ``shared/data/nautilus``."""

# ---- stored constants (regenerate with ``python -m slipstream.scenarios.calibration DIR``) ----
DEPTH_BETA = 1.124
DEPTH_SIZE_SIGMA = 2.209
DEPTH_SAMPLE_TICK_BPS = 0.512
NEAR_TOUCH_DEPTH_BETA = 0.4577
TRADE_SIZE_LOG_MEAN = -2.672
TRADE_SIZE_LOG_SIGMA = 2.191
TRADE_RATE_PER_S = 1.325
TRADE_BUY_SHARE = 0.5268
HOURLY_VOLUME_FRACTIONS: tuple[float, ...] = (
    0.04176, 0.02745, 0.02592, 0.03112, 0.02916, 0.02542,
    0.02151, 0.02517, 0.03863, 0.03286, 0.03586, 0.03513,
    0.04, 0.05111, 0.07037, 0.0665, 0.06034, 0.05484,
    0.05049, 0.05421, 0.0561, 0.04704, 0.03862, 0.04039,
)

class Calibration(msgspec.Struct, frozen=True):
    """One set of calibrated constants (see the module docstring for their meaning)."""

    depth_beta: float
    depth_size_sigma: float
    depth_sample_tick_bps: float
    near_touch_depth_beta: float
    trade_size_log_mean: float
    trade_size_log_sigma: float
    trade_rate_per_s: float
    trade_buy_share: float
    hourly_volume_fractions: tuple[float, ...]


def stored() -> Calibration:
    """The constants stored in this module."""
    return Calibration(DEPTH_BETA, DEPTH_SIZE_SIGMA, DEPTH_SAMPLE_TICK_BPS, NEAR_TOUCH_DEPTH_BETA, TRADE_SIZE_LOG_MEAN,
                       TRADE_SIZE_LOG_SIGMA, TRADE_RATE_PER_S, TRADE_BUY_SHARE,
                       HOURLY_VOLUME_FRACTIONS)


def level_size_sigma(level_spacing_bps: float) -> float:
    """Log-size dispersion of a level that aggregates ``level_spacing_bps / tick`` sample ticks.

    A sum of ``m`` independent log-normal tick sizes has relative variance ``(e**s**2 - 1) / m``;
    the log-normal with that relative variance has ``sigma = sqrt(log(1 + that))``.
    """
    m = max(1.0, level_spacing_bps / DEPTH_SAMPLE_TICK_BPS)
    return float(np.sqrt(np.log1p(np.expm1(DEPTH_SIZE_SIGMA**2) / m)))


def _sig(x: float) -> float:
    """Round to 4 significant digits (what the stored constants keep)."""
    return float(f"{x:.4g}")


def _fit_beta(distance_bps: np.ndarray, sizes: np.ndarray, lo: float, hi: float) -> float:
    """Slope of log cumulative depth against log distance over ``[lo, hi]`` bps."""
    cumulative = np.cumsum(sizes)
    keep = (distance_bps >= lo) & (distance_bps <= hi)
    if keep.sum() < 3:
        raise DataError("calibration", 0, f"fewer than 3 levels between {lo} and {hi} bps")
    return float(np.polyfit(np.log(distance_bps[keep]), np.log(cumulative[keep]), 1)[0])


def _robust_sigma(sizes: np.ndarray, window: int = 21) -> float:
    local = np.convolve(sizes, np.ones(window) / window, mode="same")
    half = window // 2
    resid = np.log(sizes[half:-half] / local[half:-half])
    return float(1.4826 * np.median(np.abs(resid - np.median(resid))))


def _depth(path: Path) -> tuple[float, float, float]:
    bids: list[tuple[float, float]] = []
    asks: list[tuple[float, float]] = []
    for event in load(path):
        if not getattr(event, "is_snapshot", False):
            break
        side = getattr(event, "side", None)
        if side is None:
            continue
        (bids if side is BookSide.BID else asks).append((float(event.price), float(event.size)))
    bids.sort(reverse=True)
    asks.sort()
    mid = (bids[0][0] + asks[0][0]) / 2
    betas, sigmas = [], []
    for levels in (bids, asks):
        prices = np.array([p for p, _ in levels])
        sizes = np.array([s for _, s in levels])
        betas.append(_fit_beta(np.abs(prices / mid - 1) * 1e4, sizes, 1.0, 200.0))
        sigmas.append(_robust_sigma(sizes))
    tick = min(abs(a[0] - b[0]) for a, b in itertools.pairwise(bids))
    return float(np.mean(betas)), float(np.mean(sigmas)), tick / mid * 1e4


def _near_touch(path: Path) -> float:
    betas = []
    for snapshot in load(path):
        assert isinstance(snapshot, BookSnapshot)
        mid = float(snapshot.bids[0].price + snapshot.asks[0].price) / 2
        for levels in (snapshot.bids, snapshot.asks):
            distance = np.array([abs(float(level.price) / mid - 1) * 1e4 for level in levels])
            sizes = np.array([float(level.size) for level in levels])
            betas.append(_fit_beta(np.maximum(distance, 0.05), sizes, 0.0, 1e9))
    return float(np.mean(betas))


def _trades(path: Path) -> tuple[float, float, float, float]:
    sizes, times, buys = [], [], 0
    for tick in load(path):
        sizes.append(float(tick.size))
        times.append(tick.venue_ts_ns)
        buys += tick.aggressor is Side.BUY
    logs = np.log(np.array(sizes))
    span_s = (times[-1] - times[0]) / 1e9
    return float(logs.mean()), float(logs.std()), (len(sizes) - 1) / span_s, buys / len(sizes)


def _volume_curve(path: Path) -> tuple[float, ...]:
    bars = ((bar.open_ts_ns, float(bar.volume)) for bar in load(path))
    return VolumeCurve.from_bars(bars, bucket_seconds=3600).fractions


def calibrate(nautilus_dir: str | Path) -> Calibration:
    """Recompute every constant from the sample files under ``nautilus_dir``.

    Raises:
        DataError: a file is missing or unreadable.
    """
    root = Path(nautilus_dir)
    for rel in SAMPLE_FILES.values():
        if not (root / rel).is_file():
            raise DataError(str(root / rel), 0, "calibration sample missing")
    beta, sigma, tick_bps = _depth(root / SAMPLE_FILES["depth"])
    near = _near_touch(root / SAMPLE_FILES["near_touch"])
    mu, sd, rate, buy_share = _trades(root / SAMPLE_FILES["trades"])
    curve = _volume_curve(root / SAMPLE_FILES["bars"])
    return Calibration(_sig(beta), _sig(sigma), _sig(tick_bps), _sig(near), _sig(mu), _sig(sd), _sig(rate),
                       _sig(buy_share), tuple(_sig(f) for f in curve))


def _render(cal: Calibration) -> str:
    fractions = ",\n    ".join(", ".join(repr(f) for f in cal.hourly_volume_fractions[i:i + 6])
                               for i in range(0, 24, 6))
    return (f"DEPTH_BETA = {cal.depth_beta!r}\nDEPTH_SIZE_SIGMA = {cal.depth_size_sigma!r}\n"
            f"DEPTH_SAMPLE_TICK_BPS = {cal.depth_sample_tick_bps!r}\n"
            f"NEAR_TOUCH_DEPTH_BETA = {cal.near_touch_depth_beta!r}\n"
            f"TRADE_SIZE_LOG_MEAN = {cal.trade_size_log_mean!r}\n"
            f"TRADE_SIZE_LOG_SIGMA = {cal.trade_size_log_sigma!r}\n"
            f"TRADE_RATE_PER_S = {cal.trade_rate_per_s!r}\nTRADE_BUY_SHARE = {cal.trade_buy_share!r}\n"
            f"HOURLY_VOLUME_FRACTIONS: tuple[float, ...] = (\n    {fractions},\n)\n")


def main(argv: Sequence[str]) -> None:
    """Print the constants block for the given ``shared/data/nautilus`` folder."""
    print(_render(calibrate(argv[0])))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
