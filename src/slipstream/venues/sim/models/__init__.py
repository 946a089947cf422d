"""Small, composable simulation models for simulated order-book venues.

Each model is a tiny protocol with one job (STYLE.md §5): :mod:`.latency` (how long requests,
responses and market data take), :mod:`.fees` (maker/taker fee schedules by volume tier) and
:mod:`.rate_limit` (weighted token buckets). A venue composes them; none subclasses another.
Every simplifying assumption is written in the model's docstring.
"""

from __future__ import annotations

from slipstream.venues.sim.models.fees import (
    BINANCE_SPOT,
    BINANCE_USDM_PERP,
    BYBIT_PERP,
    BYBIT_SPOT,
    DERIBIT_OPTION,
    DERIBIT_PERP,
    DERIBIT_WEEKLY_FUTURE,
    FEE_SCHEDULES,
    OKX_PERP,
    OKX_SPOT,
    FeeSchedule,
    FeeTier,
)
from slipstream.venues.sim.models.latency import (
    ConstantLatency,
    LatencyModel,
    LogNormalLatency,
    LogNormalLeg,
)
from slipstream.venues.sim.models.rate_limit import RATE_LIMITS, RateLimit, TokenBucket

__all__ = [
    "BINANCE_SPOT",
    "BINANCE_USDM_PERP",
    "BYBIT_PERP",
    "BYBIT_SPOT",
    "DERIBIT_OPTION",
    "DERIBIT_PERP",
    "DERIBIT_WEEKLY_FUTURE",
    "FEE_SCHEDULES",
    "OKX_PERP",
    "OKX_SPOT",
    "RATE_LIMITS",
    "ConstantLatency",
    "FeeSchedule",
    "FeeTier",
    "LatencyModel",
    "LogNormalLatency",
    "LogNormalLeg",
    "RateLimit",
    "TokenBucket",
]
