"""Tests for slipstream.venues.sim.models.rate_limit (limits from /work/shared/MARKET_FACTS.md §3b)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.venues.sim.models.rate_limit import RATE_LIMITS, TokenBucket

S = 1_000_000_000


def test_burst_then_refill() -> None:
    bucket = TokenBucket(capacity=20, refill_per_s=5, now_ns=0)  # Deribit default tier
    assert all(bucket.try_acquire(1, 0) == 0 for _ in range(20))
    assert bucket.try_acquire(1, 0) == S // 5  # one token every 200 ms
    assert bucket.try_acquire(1, S // 5 - 1) == 1
    assert bucket.try_acquire(1, S // 5) == 0
    assert bucket.available(10 * S) == 20  # never above capacity


def test_weighted_requests_deribit_credits() -> None:
    spec = RATE_LIMITS["deribit-non-matching"]
    bucket = spec.bucket(now_ns=0)
    granted = sum(bucket.try_acquire(spec.weight, 0) == 0 for _ in range(200))
    assert granted == 100  # burst of 100 requests of 500 credits
    assert bucket.try_acquire(spec.weight, 0) == S // 20  # 20 requests/s sustained


def test_per_window_is_exact_without_drift() -> None:
    bucket = TokenBucket.per_window(60, 60, 2 * S, now_ns=0)  # OKX: 60 per 2 s
    for _ in range(60):
        assert bucket.try_acquire(1, 0) == 0
    # 30 tokens/s => 1 token every 33,333,333.33 ns: the wait rounds up, then succeeds exactly
    wait = bucket.try_acquire(1, 0)
    assert wait == 33_333_334
    assert bucket.try_acquire(1, wait) == 0
    # a year later the level is exactly full, not 59.999...
    assert bucket.available(365 * 86_400 * S) == 60


def test_errors() -> None:
    with pytest.raises(ValidationError):
        TokenBucket(0, 1, 0)
    with pytest.raises(ValidationError):
        TokenBucket(1, 0, 0)
    bucket = TokenBucket(5, 1, 100)
    with pytest.raises(ValidationError):
        bucket.try_acquire(6, 100)  # can never be granted
    with pytest.raises(ValidationError):
        bucket.try_acquire(0, 100)
    with pytest.raises(ValidationError):
        bucket.try_acquire(1, 99)  # time went backwards


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(1, 50),
    count=st.integers(1, 40),
    window=st.sampled_from([S, 2 * S, 60 * S, 7]),
    requests=st.lists(st.tuples(st.integers(1, 50), st.integers(0, S // 3)), max_size=80),
)
def test_never_grants_more_than_capacity_plus_refill(
    capacity: int, count: int, window: int, requests: list[tuple[int, int]]
) -> None:
    bucket = TokenBucket.per_window(capacity, count, window, now_ns=0)
    now = granted = 0
    for weight, dt in requests:
        now += dt
        weight = min(weight, capacity)
        wait = bucket.try_acquire(weight, now)
        if wait == 0:
            granted += weight
        else:
            assert wait > 0
            if wait > 1:  # exact: one ns before the answer it is still refused
                probe = TokenBucket.per_window(capacity, count, window, now_ns=0)
                probe._level, probe._last_ns = bucket._level, bucket._last_ns
                assert probe.try_acquire(weight, now + wait - 1) > 0
                assert probe.try_acquire(weight, now + wait) == 0
        # granted tokens <= capacity + refill x elapsed, in exact integer units
        assert granted * window <= capacity * window + count * now


def test_presets_are_sourced() -> None:
    for name, spec in RATE_LIMITS.items():
        assert spec.name == name and "MARKET_FACTS.md" in spec.source
        assert spec.bucket(0).try_acquire(spec.weight, 0) == 0
