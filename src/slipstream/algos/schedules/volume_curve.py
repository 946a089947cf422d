"""Intraday volume curve: what share of a day's volume trades in each time-of-day bucket.

A VWAP algo follows this curve. The curve is estimated from recorded bars (``(ts_ns, volume)``
pairs) or given directly (e.g. from a scenario). The question VWAP asks is "what fraction of my
order should be done by time ``t``, for an order working over ``[start, end)``?" — answered by
:meth:`VolumeCurve.target_cumulative`, which re-normalises the curve over that window, so asking
again later with the same ``end`` re-spreads what is left over the rest of the day.

Assumptions:

* Buckets are by UTC time of day, of equal length dividing 24 h; every day has the same curve
  (no weekday or event effects).
* Inside a bucket volume arrives at a constant rate (cumulative curve interpolated linearly).
* Estimation is the mean, over days, of each bucket's share of that day's volume. Only days whose
  bars cover at least ``min_coverage`` of the buckets count (this drops the partial first and last
  days of a recording); in a counted day a bucket without a bar counts as zero volume (a bar feed
  emits no bar for a minute without trades).
* A window whose curve volume is zero falls back to time-linear progress.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from slipstream.errors import ValidationError

__all__ = ["DAY_NS", "VolumeCurve"]

DAY_NS = 86_400 * 1_000_000_000
_SUM_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class VolumeCurve:
    """Fraction of daily volume per equal time-of-day bucket (UTC), summing to 1.

    Args:
        bucket_seconds: bucket length; must divide 86 400.
        fractions: one non-negative share per bucket, ``86400 / bucket_seconds`` of them, summing
            to 1 (within 1e-9); bucket ``i`` covers ``[i·bucket_seconds, (i+1)·bucket_seconds)``
            seconds after 00:00 UTC.
        days: how many days the estimate averages (0 when given directly).

    Raises:
        ValidationError: bad bucket length, wrong count, negative/non-finite share or bad sum.
    """

    bucket_seconds: int
    fractions: tuple[float, ...]
    days: int = 0
    _cumulative: tuple[float, ...] = field(default=(), init=False, repr=False, compare=False)
    _after: tuple[float, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seconds = self.bucket_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0 or (
            86_400 % seconds
        ):
            raise ValidationError(
                f"bucket_seconds must be a positive integer dividing 86400, got {seconds!r}"
            )
        fractions = tuple(float(f) for f in self.fractions)
        if len(fractions) != 86_400 // seconds:
            raise ValidationError(
                f"expected {86_400 // seconds} bucket fractions for {seconds}s buckets, "
                f"got {len(fractions)}"
            )
        if not all(math.isfinite(f) and f >= 0.0 for f in fractions):
            raise ValidationError("bucket fractions must be finite and >= 0")
        total = math.fsum(fractions)
        if abs(total - 1.0) > _SUM_TOLERANCE:
            raise ValidationError(f"bucket fractions must sum to 1, got {total!r}")
        cumulative = [0.0]
        running = 0.0
        for f in fractions:
            running += f
            cumulative.append(running)
        cumulative[-1] = 1.0
        after = [0.0]  # after[i] = sum(fractions[i:]), summed from the end so tails stay exact
        running = 0.0
        for f in reversed(fractions):
            running += f
            after.append(running)
        after.reverse()
        object.__setattr__(self, "fractions", fractions)
        object.__setattr__(self, "_cumulative", tuple(cumulative))
        object.__setattr__(self, "_after", tuple(after))

    @classmethod
    def uniform(cls, bucket_seconds: int = 60) -> VolumeCurve:
        """A flat curve: VWAP on it is TWAP."""
        count = 86_400 // bucket_seconds if bucket_seconds > 0 else 0
        return cls(bucket_seconds, tuple([1.0 / count] * count) if count else ())

    @classmethod
    def from_weights(cls, bucket_seconds: int, weights: Sequence[float]) -> VolumeCurve:
        """A curve from non-negative weights per bucket (e.g. a scenario's volumes), normalised.

        Raises:
            ValidationError: a weight is negative or not finite, or all are zero.
        """
        values = [float(w) for w in weights]
        if not all(math.isfinite(w) and w >= 0.0 for w in values):
            raise ValidationError("volume weights must be finite and >= 0")
        total = math.fsum(values)
        if total <= 0.0:
            raise ValidationError("volume weights are all zero")
        return cls(bucket_seconds, tuple(w / total for w in values))

    @classmethod
    def from_bars(
        cls,
        bars: Iterable[tuple[int, float]],
        bucket_seconds: int = 60,
        min_coverage: float = 0.95,
    ) -> VolumeCurve:
        """Estimate the curve from ``(ts_ns, volume)`` bars (any order; a bar belongs to its start).

        Args:
            bars: bar START time in UTC epoch nanoseconds, and traded volume (any unit, ≥ 0).
                Feeds that stamp bars at their close (Nautilus does) must subtract the bar length.
            bucket_seconds: bucket length; must divide 86 400 (bars are summed into buckets).
            min_coverage: fraction of a day's buckets that must have a bar for the day to count.

        Returns:
            The mean per-bucket share of daily volume over the counted days.

        Raises:
            ValidationError: bad bucket length or coverage, a negative/non-finite volume or
                timestamp, or no day with enough coverage and positive volume.
        """
        if not 0.0 < min_coverage <= 1.0:
            raise ValidationError(f"min_coverage must be in (0, 1], got {min_coverage!r}")
        if isinstance(bucket_seconds, bool) or not isinstance(bucket_seconds, int) or (
            bucket_seconds <= 0 or 86_400 % bucket_seconds
        ):
            raise ValidationError(
                f"bucket_seconds must be a positive integer dividing 86400, got {bucket_seconds!r}"
            )
        bucket_ns = bucket_seconds * 1_000_000_000
        count = 86_400 // bucket_seconds
        per_day: dict[int, dict[int, list[float]]] = {}
        for ts_ns, volume in bars:
            if not isinstance(ts_ns, int) or ts_ns < 0:
                raise ValidationError(f"bar timestamp must be a non-negative int ns, got {ts_ns!r}")
            vol = float(volume)
            if not math.isfinite(vol) or vol < 0.0:
                raise ValidationError(f"bar volume must be finite and >= 0, got {volume!r}")
            day, offset = divmod(ts_ns, DAY_NS)
            per_day.setdefault(day, {}).setdefault(offset // bucket_ns, []).append(vol)
        shares: list[list[float]] = [[] for _ in range(count)]
        days = 0
        for day in sorted(per_day):
            buckets = per_day[day]
            if len(buckets) < min_coverage * count:
                continue
            sums = [math.fsum(buckets.get(b, ())) for b in range(count)]
            total = math.fsum(sums)
            if total <= 0.0:
                continue
            days += 1
            for b in range(count):
                shares[b].append(sums[b] / total)
        if days == 0:
            raise ValidationError(
                f"no day has bars in at least {min_coverage:.0%} of its {count} buckets "
                "with positive volume"
            )
        means = [math.fsum(s) / days for s in shares]
        norm = math.fsum(means)
        return cls(bucket_seconds, tuple(m / norm for m in means), days=days)

    @property
    def bucket_count(self) -> int:
        """Number of buckets in a day."""
        return len(self.fractions)

    def bucket_of(self, ts_ns: int) -> int:
        """Index of the bucket holding ``ts_ns`` (UTC epoch ns)."""
        return (ts_ns % DAY_NS) // (self.bucket_seconds * 1_000_000_000)

    def _volume_between(self, start_ns: int, end_ns: int) -> float:
        """Expected volume in ``[start, end)`` (``start <= end``) in units of one day's volume.

        Summed from the pieces (partial buckets, whole buckets, whole days) rather than as a
        difference of cumulative values, so short windows keep their relative precision.
        """
        bucket_ns = self.bucket_seconds * 1_000_000_000
        day_s, offset_s = divmod(start_ns, DAY_NS)
        day_e, offset_e = divmod(end_ns, DAY_NS)
        bucket_s, into_s = divmod(offset_s, bucket_ns)
        bucket_e, into_e = divmod(offset_e, bucket_ns)
        f = self.fractions
        if day_s == day_e and bucket_s == bucket_e:
            return f[bucket_s] * ((into_e - into_s) / bucket_ns)
        head = f[bucket_s] * ((bucket_ns - into_s) / bucket_ns)
        tail = f[bucket_e] * (into_e / bucket_ns)
        if day_s == day_e:
            return head + (self._cumulative[bucket_e] - self._cumulative[bucket_s + 1]) + tail
        rest_of_first_day = head + self._after[bucket_s + 1]
        return rest_of_first_day + (day_e - day_s - 1) + self._cumulative[bucket_e] + tail

    def target_cumulative(self, start_ns: int, end_ns: int, t_ns: int) -> float:
        """Fraction of an order working over ``[start, end)`` that should be done by ``t``.

        Args:
            start_ns: window start (UTC epoch ns); the order's progress is 0 here.
            end_ns: window end, after ``start_ns``; progress is 1 here. May span midnight or days.
            t_ns: the time asked about; clamped into the window.

        Returns:
            A value in ``[0, 1]``, non-decreasing in ``t``.

        Raises:
            ValidationError: ``end_ns <= start_ns``.
        """
        if end_ns <= start_ns:
            raise ValidationError(f"window end {end_ns} must be after start {start_ns}")
        t = min(max(t_ns, start_ns), end_ns)
        total = self._volume_between(start_ns, end_ns)
        if total <= 0.0:
            return (t - start_ns) / (end_ns - start_ns)
        return min(1.0, max(0.0, self._volume_between(start_ns, t) / total))

    def remaining_fraction(self, start_ns: int, end_ns: int, t_ns: int) -> float:
        """Fraction of the order still to do at ``t``: ``1 − target_cumulative``."""
        return 1.0 - self.target_cumulative(start_ns, end_ns, t_ns)
