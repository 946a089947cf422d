"""Weighted token-bucket rate limits with exact integer arithmetic.

A bucket holds up to ``capacity`` tokens and refills at ``count`` tokens per ``window_ns``. A
request of weight ``w`` is granted when ``w`` tokens are there (and takes them); otherwise the
bucket answers how many nanoseconds until it would be. Time is passed in (the engine's clock),
never read, so the bucket is deterministic.

Exactness: the level is kept in units of ``1 / window_ns`` token, so refilling ``dt`` ns adds
exactly ``dt × count`` units — no floats, no drift, however long the run.

Assumptions: venues count in different ways (Binance uses fixed one-minute windows, Deribit a
credit pool that refills continuously, OKX/Bybit fixed per-second or per-two-second windows); a
token bucket with the same burst and sustained rate is the common approximation. It can grant a
burst right after a window boundary slightly differently than a fixed-window counter.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.errors import ValidationError

__all__ = ["RATE_LIMITS", "RateLimit", "TokenBucket"]

_SECOND_NS = 1_000_000_000


class TokenBucket:
    """A weighted token bucket, full at creation.

    Args:
        capacity: most tokens it holds (the burst).
        refill_per_s: tokens added per second.
        now_ns: the creation time.

    Raises:
        ValidationError: capacity or refill not positive.
    """

    __slots__ = ("_capacity_units", "_count", "_last_ns", "_level", "_window_ns", "capacity")

    def __init__(self, capacity: int, refill_per_s: int, now_ns: int) -> None:
        self._init(capacity, refill_per_s, _SECOND_NS, now_ns)

    @classmethod
    def per_window(cls, capacity: int, count: int, window_ns: int, now_ns: int) -> TokenBucket:
        """A bucket refilling ``count`` tokens per ``window_ns`` (e.g. 60 per 2 s).

        Raises:
            ValidationError: a parameter is not positive.
        """
        bucket = cls.__new__(cls)
        bucket._init(capacity, count, window_ns, now_ns)
        return bucket

    def _init(self, capacity: int, count: int, window_ns: int, now_ns: int) -> None:
        if capacity <= 0 or count <= 0 or window_ns <= 0:
            raise ValidationError(
                f"capacity, refill count and window must be > 0, got {capacity}, {count}, {window_ns}"
            )
        self.capacity = int(capacity)
        self._count = int(count)
        self._window_ns = int(window_ns)
        self._capacity_units = self.capacity * self._window_ns
        self._level = self._capacity_units
        self._last_ns = int(now_ns)

    def _refill(self, now_ns: int) -> None:
        if now_ns < self._last_ns:
            raise ValidationError(f"time went backwards: {now_ns} < {self._last_ns}")
        if now_ns > self._last_ns:
            gained = (now_ns - self._last_ns) * self._count
            self._level = min(self._level + gained, self._capacity_units)
            self._last_ns = now_ns

    def try_acquire(self, weight: int, now_ns: int) -> int:
        """Take ``weight`` tokens if available.

        Returns:
            0 if granted; otherwise the nanoseconds to wait until they would be (exact: the
            same request at ``now_ns + result`` is granted, one nanosecond earlier it is not).

        Raises:
            ValidationError: weight not positive or above capacity (could never be granted),
                or ``now_ns`` earlier than a previous call.
        """
        if weight <= 0 or weight > self.capacity:
            raise ValidationError(f"weight must be in 1..{self.capacity}, got {weight}")
        self._refill(now_ns)
        need = weight * self._window_ns
        if self._level >= need:
            self._level -= need
            return 0
        return -(-(need - self._level) // self._count)  # ceil division

    def available(self, now_ns: int) -> int:
        """Whole tokens available at ``now_ns``.

        Raises:
            ValidationError: ``now_ns`` earlier than a previous call.
        """
        self._refill(now_ns)
        return self._level // self._window_ns

    def __repr__(self) -> str:
        return (
            f"TokenBucket(capacity={self.capacity}, refill={self._count}/{self._window_ns}ns, "
            f"level={self._level / self._window_ns:.3f})"
        )


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A venue's limit as data: ``capacity`` burst, ``count`` per ``window_ns`` sustained.

    ``weight`` is what one ordinary request costs (Deribit credits: 500 per request).
    """

    name: str
    capacity: int
    count: int
    window_ns: int
    weight: int = 1
    source: str = ""

    def bucket(self, now_ns: int) -> TokenBucket:
        """A fresh, full bucket for this limit."""
        return TokenBucket.per_window(self.capacity, self.count, self.window_ns, now_ns)


_FACTS = "/work/shared/MARKET_FACTS.md §3b"
RATE_LIMITS: dict[str, RateLimit] = {
    r.name: r
    for r in (
        RateLimit("binance-spot-request-weight", 6_000, 6_000, 60 * _SECOND_NS, 1,
                  f"{_FACTS}: REQUEST_WEIGHT 6,000 per minute per IP"),
        RateLimit("bybit-ip", 600, 600, 5 * _SECOND_NS, 1,
                  f"{_FACTS}: 600 HTTP requests per 5 s per IP"),
        RateLimit("bybit-spot-orders", 20, 20, _SECOND_NS, 1,
                  f"{_FACTS}: spot order endpoints 20/s per UID (default)"),
        RateLimit("bybit-perp-orders", 10, 10, _SECOND_NS, 1,
                  f"{_FACTS}: futures order endpoints 10/s per UID (default)"),
        RateLimit("okx-place-order", 60, 60, 2 * _SECOND_NS, 1,
                  f"{_FACTS}: place order 60 per 2 s per (user, instrument)"),
        RateLimit("deribit-non-matching", 50_000, 10_000, _SECOND_NS, 500,
                  f"{_FACTS}: 500 credits per request, pool 50,000, refill 10,000/s"),
        RateLimit("deribit-matching-default", 20, 5, _SECOND_NS, 1,
                  f"{_FACTS}: matching engine default tier 5/s, burst 20"),
        RateLimit("deribit-matching-tier1", 100, 30, _SECOND_NS, 1,
                  f"{_FACTS}: matching engine tier 1 (>$25M 7-day volume) 30/s, burst 100"),
        RateLimit("deribit-matching-tier2", 50, 20, _SECOND_NS, 1,
                  f"{_FACTS}: matching engine tier 2 (>$5M 7-day volume) 20/s, burst 50"),
    )
}
"""Presets by name, from the venues' published limits."""
