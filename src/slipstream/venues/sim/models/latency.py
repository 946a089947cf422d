"""Latency models: how long an order takes to reach the venue, an answer to come back, and
market data to arrive.

A model draws each delay from the numpy ``Generator`` it is handed (the venue's seeded stream,
:meth:`slipstream.engine.loop.EventLoop.rng_for`), so a run is reproducible and adding a model
never shifts another component's random numbers.

Assumptions (hftbacktest's latency models make the same ones): delays are independent draws;
requests and responses are not reordered by the model (a venue that needs FIFO delivery clamps
each delivery time to the previous one); no dependence on load, time of day or message size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from slipstream.errors import ValidationError

__all__ = ["ConstantLatency", "LatencyModel", "LogNormalLatency", "LogNormalLeg"]

_MS = 1_000_000


class LatencyModel(Protocol):
    """Three one-way delays in integer nanoseconds, each drawn from ``rng``."""

    def entry_ns(self, rng: np.random.Generator) -> int:
        """Order entry: from our send to the venue's matching engine."""
        ...

    def response_ns(self, rng: np.random.Generator) -> int:
        """Venue to us: acknowledgements, rejects and fills."""
        ...

    def market_data_ns(self, rng: np.random.Generator) -> int:
        """Venue stamp to our receipt of a market-data message."""
        ...


@dataclass(frozen=True, slots=True)
class ConstantLatency:
    """Fixed delays (ns); draws nothing from ``rng``. Good for tests and golden scenarios.

    Raises:
        ValidationError: a delay is negative.
    """

    entry: int = 0
    response: int = 0
    market_data: int = 0

    def __post_init__(self) -> None:
        if min(self.entry, self.response, self.market_data) < 0:
            raise ValidationError("latencies must be >= 0 ns")

    def entry_ns(self, rng: np.random.Generator) -> int:
        return self.entry

    def response_ns(self, rng: np.random.Generator) -> int:
        return self.response

    def market_data_ns(self, rng: np.random.Generator) -> int:
        return self.market_data


@dataclass(frozen=True, slots=True)
class LogNormalLeg:
    """One delay: log-normal body plus a rare exponential spike (queueing, GC, reconnects).

    Every draw consumes exactly three numbers from ``rng`` (body, coin, spike), spike or not,
    so the random stream's position never depends on the outcome.

    Args:
        median_ns: median of the log-normal body.
        sigma: log-space standard deviation of the body.
        spike_probability: chance that a spike is added to a draw.
        spike_mean_ns: mean of the exponential spike.

    Raises:
        ValidationError: a parameter is out of range.
    """

    median_ns: int
    sigma: float
    spike_probability: float = 0.0
    spike_mean_ns: int = 0

    def __post_init__(self) -> None:
        if self.median_ns <= 0 or self.sigma < 0 or self.spike_mean_ns < 0:
            raise ValidationError("median_ns must be > 0, sigma and spike_mean_ns >= 0")
        if not 0.0 <= self.spike_probability <= 1.0:
            raise ValidationError(f"spike_probability must be in [0, 1], got {self.spike_probability}")

    @classmethod
    def from_mean_p99(cls, mean_ns: float, p99_ns: float, **spike: float) -> LogNormalLeg:
        """The log-normal whose mean and 99th percentile are the given ones.

        Solves ``mean = m·exp(σ²/2)``, ``p99 = m·exp(z₉₉·σ)`` for median ``m`` and ``σ``.

        Raises:
            ValidationError: no log-normal has that mean and p99 (p99 too close to the mean).
        """
        z = 2.3263478740408408  # standard normal 99th percentile
        ratio = math.log(p99_ns / mean_ns)
        disc = z * z - 2.0 * ratio
        if mean_ns <= 0 or ratio <= 0 or disc < 0:
            raise ValidationError(f"no log-normal has mean {mean_ns} and p99 {p99_ns}")
        sigma = z - math.sqrt(disc)
        median = mean_ns / math.exp(sigma * sigma / 2.0)
        return cls(round(median), sigma, float(spike.get("spike_probability", 0.0)),
                   round(spike.get("spike_mean_ns", 0)))

    @classmethod
    def from_p5_p95(cls, p5_ns: float, p95_ns: float, **spike: float) -> LogNormalLeg:
        """The log-normal whose 5th and 95th percentiles are the given ones.

        Raises:
            ValidationError: the percentiles are not positive and increasing.
        """
        if not 0 < p5_ns < p95_ns:
            raise ValidationError(f"need 0 < p5 < p95, got {p5_ns}, {p95_ns}")
        z = 1.6448536269514722
        sigma = math.log(p95_ns / p5_ns) / (2.0 * z)
        return cls(round(math.sqrt(p5_ns * p95_ns)), sigma,
                   float(spike.get("spike_probability", 0.0)), round(spike.get("spike_mean_ns", 0)))

    def draw(self, rng: np.random.Generator) -> int:
        """One delay in ns (>= 0)."""
        body = self.median_ns * math.exp(self.sigma * float(rng.standard_normal()))
        coin = float(rng.random())
        spike = float(rng.standard_exponential()) * self.spike_mean_ns
        if coin < self.spike_probability:
            body += spike
        return round(body)


# MARKET_FACTS.md §3a (deltix.io "measuring websocket data feed latency"): Binance websocket
# market data, exchange send → AWS Tokyo receive: mean ≈ 4 ms, p99 ≈ 13 ms.
_MD_COLOCATED = LogNormalLeg.from_mean_p99(4 * _MS, 13 * _MS)
# MARKET_FACTS.md §3a (arbitron.app): REST round trip 10–35 ms from the co-located cloud region,
# 200–500 ms from another continent. Order-entry ack latency itself was "not found", so each
# one-way leg takes half the round trip, with the range read as the 5th–95th percentile.
# The spike (0.5% of draws, mean 100 ms) is our assumption for queueing/GC stalls, not a source.
_ENTRY_COLOCATED = LogNormalLeg.from_p5_p95(5 * _MS, 17.5 * _MS,
                                            spike_probability=0.005, spike_mean_ns=100 * _MS)
_ENTRY_REMOTE = LogNormalLeg.from_p5_p95(100 * _MS, 250 * _MS,
                                         spike_probability=0.005, spike_mean_ns=500 * _MS)


@dataclass(frozen=True, slots=True)
class LogNormalLatency:
    """Independent log-normal-with-spikes delays for entry, response and market data.

    The defaults are a trader co-located in the venue's cloud region (see :meth:`colocated`).
    """

    entry: LogNormalLeg = _ENTRY_COLOCATED
    response: LogNormalLeg = _ENTRY_COLOCATED
    market_data: LogNormalLeg = _MD_COLOCATED

    @classmethod
    def colocated(cls) -> LogNormalLatency:
        """Same cloud region as the engine: ~9 ms median one-way order path (10–35 ms round
        trip), market data mean 4 ms / p99 13 ms (MARKET_FACTS.md §3a)."""
        return cls()

    @classmethod
    def remote(cls) -> LogNormalLatency:
        """Another continent: 200–500 ms round trip (MARKET_FACTS.md §3a). Market data is
        assumed to pay the same one-way distance on top of the co-located feed delay's shape."""
        md = LogNormalLeg.from_p5_p95(100 * _MS, 250 * _MS)
        return cls(_ENTRY_REMOTE, _ENTRY_REMOTE, md)

    def entry_ns(self, rng: np.random.Generator) -> int:
        return self.entry.draw(rng)

    def response_ns(self, rng: np.random.Generator) -> int:
        return self.response.draw(rng)

    def market_data_ns(self, rng: np.random.Generator) -> int:
        return self.market_data.draw(rng)
