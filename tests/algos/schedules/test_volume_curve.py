"""Tests for slipstream.algos.schedules.volume_curve."""

from __future__ import annotations

import csv
import math
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.algos.schedules import DAY_NS, VolumeCurve
from slipstream.errors import ValidationError

HOUR_NS = 3_600 * 1_000_000_000
MINUTE_NS = 60 * 1_000_000_000
DAY0 = 19_000 * DAY_NS  # 2022-01-08 00:00 UTC, an arbitrary midnight

# FTX BTC-PERP 1-minute bars kept as test data by Nautilus Trader
# (shared/data/nautilus/README.md, section C):
# ../shared/data/nautilus/tests/test_data/btc-perp-20211231-20220201_1m.csv
FTX_BARS = (
    Path(__file__).resolve().parents[3]
    / ".."
    / "shared"
    / "data"
    / "nautilus"
    / "tests"
    / "test_data"
    / "btc-perp-20211231-20220201_1m.csv"
)


# --- construction ------------------------------------------------------------------------------


def test_from_bars_is_the_mean_daily_share() -> None:
    # two full days of hourly bars; day A puts 3 units in hour 0, day B only 1 unit; 1 elsewhere
    bars = [(DAY0 + h * HOUR_NS, 3.0 if h == 0 else 1.0) for h in range(24)]
    bars += [(DAY0 + DAY_NS + h * HOUR_NS, 1.0) for h in range(24)]
    curve = VolumeCurve.from_bars(bars, bucket_seconds=3_600)
    assert curve.days == 2
    assert curve.bucket_count == 24
    assert curve.fractions[0] == pytest.approx((3 / 26 + 1 / 24) / 2, rel=1e-15)
    assert curve.fractions[5] == pytest.approx((1 / 26 + 1 / 24) / 2, rel=1e-15)
    assert math.fsum(curve.fractions) == pytest.approx(1.0, abs=1e-15)


def test_from_bars_sums_bars_into_buckets_and_ignores_order() -> None:
    rng = random.Random(7)
    bars = [(DAY0 + m * MINUTE_NS, rng.uniform(0, 10)) for m in range(3 * 1_440)]
    curve = VolumeCurve.from_bars(bars, bucket_seconds=900)
    shuffled = bars[:]
    rng.shuffle(shuffled)
    assert VolumeCurve.from_bars(shuffled, bucket_seconds=900) == curve  # bit-identical
    assert curve.bucket_count == 96 and curve.days == 3


def test_partial_days_are_dropped_and_missing_bars_count_as_zero() -> None:
    full = [(DAY0 + h * HOUR_NS, 1.0) for h in range(24) if h != 3]  # 23/24 buckets, hour 3 silent
    partial = [(DAY0 + DAY_NS + h * HOUR_NS, 100.0) for h in range(6)]  # a recording's last hours
    curve = VolumeCurve.from_bars(full + partial, bucket_seconds=3_600, min_coverage=0.9)
    assert curve.days == 1
    assert curve.fractions[3] == 0.0
    assert curve.fractions[0] == pytest.approx(1 / 23, rel=1e-15)
    with pytest.raises(ValidationError, match="no day has bars"):
        VolumeCurve.from_bars(full, bucket_seconds=3_600, min_coverage=1.0)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"bucket_seconds": 7}, "dividing 86400"),
        ({"bucket_seconds": 0}, "dividing 86400"),
        ({"min_coverage": 0.0}, "min_coverage"),
        ({"bars": [(DAY0, -1.0)]}, "volume must be finite"),
        ({"bars": [(DAY0, math.nan)]}, "volume must be finite"),
        ({"bars": [(-1, 1.0)]}, "timestamp"),
        ({"bars": [(DAY0 + h * HOUR_NS, 0.0) for h in range(24)]}, "no day has bars"),
        ({"bars": []}, "no day has bars"),
    ],
)
def test_from_bars_rejects_bad_input(kwargs: dict[str, object], reason: str) -> None:
    args: dict[str, object] = {"bars": [(DAY0, 1.0)], "bucket_seconds": 3_600}
    args.update(kwargs)
    with pytest.raises(ValidationError, match=reason):
        VolumeCurve.from_bars(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bucket_seconds", "fractions", "reason"),
    [
        (3_600, [1 / 24] * 23, "expected 24"),
        (3_600, [1 / 24] * 23 + [-1 / 24], "finite and >= 0"),
        (3_600, [1 / 12] * 24, "sum to 1"),
        (86_401, [1.0], "dividing 86400"),
    ],
)
def test_constructor_validates(bucket_seconds: int, fractions: list[float], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        VolumeCurve(bucket_seconds, tuple(fractions))


def test_from_weights_normalises_and_validates() -> None:
    curve = VolumeCurve.from_weights(43_200, [1.0, 3.0])
    assert curve.fractions == (0.25, 0.75)
    with pytest.raises(ValidationError, match="all zero"):
        VolumeCurve.from_weights(43_200, [0.0, 0.0])
    with pytest.raises(ValidationError, match="finite and >= 0"):
        VolumeCurve.from_weights(43_200, [1.0, -1.0])


# --- targets -----------------------------------------------------------------------------------


def test_uniform_curve_is_time_linear() -> None:
    curve = VolumeCurve.uniform(60)
    start, end = DAY0 + 2 * HOUR_NS, DAY0 + 10 * HOUR_NS
    assert curve.target_cumulative(start, end, start) == 0.0
    assert curve.target_cumulative(start, end, end) == 1.0
    assert curve.target_cumulative(start, end, DAY0 + 4 * HOUR_NS) == pytest.approx(0.25)
    assert curve.target_cumulative(start, end, start - HOUR_NS) == 0.0  # clamped
    assert curve.target_cumulative(start, end, end + HOUR_NS) == 1.0
    assert curve.remaining_fraction(start, end, DAY0 + 4 * HOUR_NS) == pytest.approx(0.75)


def test_target_follows_the_curve_and_interpolates_inside_a_bucket() -> None:
    curve = VolumeCurve.from_weights(21_600, [1.0, 2.0, 3.0, 2.0])  # four 6-hour buckets
    day_start, day_end = DAY0, DAY0 + DAY_NS
    assert curve.target_cumulative(day_start, day_end, DAY0 + 6 * HOUR_NS) == pytest.approx(0.125)
    assert curve.target_cumulative(day_start, day_end, DAY0 + 15 * HOUR_NS) == pytest.approx(
        0.125 + 0.25 + 0.375 / 2
    )
    # a window from 06:00 to 18:00 re-normalises over buckets 1 and 2 (weights 2 and 3)
    window = (DAY0 + 6 * HOUR_NS, DAY0 + 18 * HOUR_NS)
    assert curve.target_cumulative(*window, DAY0 + 12 * HOUR_NS) == pytest.approx(0.4)
    assert curve.bucket_of(DAY0 + 13 * HOUR_NS) == 2


def test_window_across_midnight_and_several_days() -> None:
    curve = VolumeCurve.from_weights(43_200, [1.0, 3.0])  # 25 % before noon, 75 % after
    start, end = DAY0 + 18 * HOUR_NS, DAY0 + DAY_NS + 6 * HOUR_NS  # 18:00 -> 06:00 next day
    # 18-24 h: 0.75·0.5 = 0.375 ; 00-06 h: 0.25·0.5 = 0.125 -> midnight is 0.375/0.5 = 75 % done
    assert curve.target_cumulative(start, end, DAY0 + DAY_NS) == pytest.approx(0.75)
    two_days = (DAY0, DAY0 + 2 * DAY_NS)
    assert curve.target_cumulative(*two_days, DAY0 + DAY_NS + 12 * HOUR_NS) == pytest.approx(0.625)


def test_zero_volume_window_falls_back_to_time() -> None:
    curve = VolumeCurve.from_weights(43_200, [0.0, 1.0])
    start, end = DAY0, DAY0 + 12 * HOUR_NS
    assert curve.target_cumulative(start, end, DAY0 + 3 * HOUR_NS) == pytest.approx(0.25)
    with pytest.raises(ValidationError, match="after start"):
        curve.target_cumulative(end, start, start)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.just(0.0) | st.floats(1e-6, 100.0), min_size=24, max_size=24).filter(
        lambda w: sum(w) > 0
    ),
    st.integers(0, 3 * DAY_NS),
    st.integers(1, 2 * DAY_NS),
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
)
def test_re_normalisation_is_consistent(
    weights: list[float], offset: int, length: int, cut: list[float]
) -> None:
    curve = VolumeCurve.from_weights(3_600, weights)
    start = DAY0 + offset
    end = start + length
    mid, t = sorted(start + int(c * length) for c in cut)
    whole = curve.target_cumulative(start, end, t)
    assert 0.0 <= whole <= 1.0
    assert whole >= curve.target_cumulative(start, end, mid) - 1e-12  # monotone
    # asking again at `mid` about the rest of the window re-spreads what is left
    done = curve.target_cumulative(start, end, mid)
    if mid < end:
        rest = curve.target_cumulative(mid, end, t)
        assert done + (1 - done) * rest == pytest.approx(whole, abs=1e-9)


# --- real data: FTX BTC-PERP, January 2022 -----------------------------------------------------


def _read_ftx_bars() -> list[tuple[int, float]]:
    """Tiny reader for the Nautilus bar CSV: ``timestamp,open,high,low,close,volume`` (UTC).

    Nautilus stamps a bar at its close, so the first bar "2021-12-31 23:01" covers 23:00–23:01;
    the curve wants the bar's start, hence the one-minute shift.
    """
    bars = []
    with FTX_BARS.open(newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == ["timestamp", "open", "high", "low", "close", "volume"]
        for row in reader:
            closed = datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
            bars.append((int(closed.timestamp()) * 1_000_000_000 - MINUTE_NS, float(row[5])))
    return bars


@pytest.fixture(scope="module")
def ftx_bars() -> list[tuple[int, float]]:
    if not FTX_BARS.is_file():
        pytest.skip(f"shared market data not found at {FTX_BARS}")
    return _read_ftx_bars()


def test_ftx_hourly_curve(ftx_bars: list[tuple[int, float]]) -> None:
    assert len(ftx_bars) == 45_031
    curve = VolumeCurve.from_bars(ftx_bars, bucket_seconds=3_600)
    assert curve.days == 31  # 2022-01-01 .. 2022-01-31; the partial edge days are dropped
    assert math.fsum(curve.fractions) == pytest.approx(1.0, abs=1e-12)
    # measured: not a U-shape. Crypto trades round the clock; volume peaks in the first full hour
    # of the US equity session (14:00–15:00 UTC) and bottoms out at 06:00–07:00 UTC
    peak = max(range(24), key=lambda h: curve.fractions[h])
    trough = min(range(24), key=lambda h: curve.fractions[h])
    assert (peak, trough) == (14, 6)
    assert curve.fractions[14] == pytest.approx(0.0709, abs=5e-4)
    assert curve.fractions[6] == pytest.approx(0.0215, abs=5e-4)
    us_session = math.fsum(curve.fractions[13:21])  # 13:00–21:00 UTC, a third of the day
    assert us_session == pytest.approx(0.4644, abs=2e-3)


def test_ftx_minute_curve_and_vwap_targets(ftx_bars: list[tuple[int, float]]) -> None:
    curve = VolumeCurve.from_bars(ftx_bars, bucket_seconds=60)
    assert curve.days == 31 and curve.bucket_count == 1_440
    busiest = max(range(1_440), key=lambda m: curve.fractions[m])
    assert busiest == 13 * 60 + 30  # 13:30 UTC, the NYSE open in January (EST)
    assert curve.fractions[busiest] * 1_440 == pytest.approx(3.65, abs=0.02)  # × average minute
    day = 19_000 * DAY_NS  # any UTC midnight: the curve is the same every day
    by_noon = curve.target_cumulative(day, day + DAY_NS, day + 12 * HOUR_NS)
    assert by_noon == pytest.approx(0.370, abs=2e-3)  # a full-day VWAP is behind TWAP at noon
    # an order worked 13:30–17:30 UTC: volume builds after the open, so VWAP lags TWAP at 14:30
    start = day + 13 * HOUR_NS + 30 * MINUTE_NS
    at_1430 = curve.target_cumulative(start, start + 4 * HOUR_NS, start + HOUR_NS)
    assert at_1430 == pytest.approx(0.2168, abs=2e-3)
