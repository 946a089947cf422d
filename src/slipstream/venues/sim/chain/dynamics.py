"""Other traders: arbitrageurs pulling pools toward the CEX price, and seeded noise swaps.

So liquidity we take is restored at the market's pace, not instantly: after our swap moves a
pool, only an arbitrageur's trade in a later block (or noise flow) moves it back, and only as far
as the no-arbitrage band — the pool fee plus the arbitrageur's gas — allows.

The arbitrageur trades at the top of each block (CEX–DEX arbitrage back-runs the block boundary).
It sells the token the pool overprices until the pool's marginal rate after fee no longer beats
the reference, and trades only when that round trip earns more than its gas. Assumptions: it
has unlimited inventory, the CEX leg fills at the reference price with no cost, and it sees the
reference price at the block's timestamp.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.base import AmmRevert, Pool

__all__ = [
    "ArbTrade",
    "Arbitrageur",
    "NoiseSwap",
    "NoiseTraders",
    "ReferencePrice",
    "StepPricePath",
    "arbitrage_trade",
    "base_unit_rate",
]

ReferencePrice = Callable[[int], Fraction]
"""Time (ns) -> price of one whole token0 in whole token1 units (e.g. USDC per WETH)."""

_MAX_DOUBLINGS = 256


def base_unit_rate(price: Fraction, decimals0: int, decimals1: int) -> Fraction:
    """A human price of token0 in token1 as token1 base units per token0 base unit."""
    return price * Fraction(10**decimals1, 10**decimals0)


class StepPricePath:
    """A reference price that holds each recorded value until the next one (e.g. CEX mids).

    Raises:
        ValidationError: empty, unsorted or non-positive points.
    """

    def __init__(self, points: Sequence[tuple[int, Fraction]]) -> None:
        if not points:
            raise ValidationError("a price path needs at least one point")
        times = [t for t, _ in points]
        if times != sorted(times) or any(p <= 0 for _, p in points):
            raise ValidationError("price path points must be time-sorted and positive")
        self._times = times
        self._prices = [p for _, p in points]

    def __call__(self, ts_ns: int) -> Fraction:
        i = bisect.bisect_right(self._times, ts_ns) - 1
        return self._prices[max(i, 0)]


@dataclass(frozen=True, slots=True)
class ArbTrade:
    """An arbitrage swap the arbitrageur would make: exact ``amount_in`` of ``token_in``."""

    token_in: int
    token_out: int
    amount_in: int
    amount_out: int
    profit_out: Fraction  # token_out base units earned against the reference, before gas


def arbitrage_trade(pool: Pool, rate01: Fraction) -> ArbTrade | None:
    """The trade taking ``pool`` to the edge of its fee band around ``rate01`` (no gas yet).

    Args:
        pool: a two-token pool (not modified).
        rate01: reference token1 base units per token0 base unit.

    Returns:
        The largest exact-in trade whose last unit still earns against the reference, or None
        when the pool is already inside the fee band.
    """
    if rate01 <= 0:
        raise ValidationError("reference rate must be positive")
    keep = 1 - Fraction(pool.fee_pips, 1_000_000)
    if pool.mid_price(0, 1) * keep > rate01:
        token_in, token_out, rate = 0, 1, rate01
    elif pool.mid_price(1, 0) * keep > 1 / rate01:
        token_in, token_out, rate = 1, 0, 1 / rate01
    else:
        return None

    def margin(x: int) -> bool | None:
        """True while the x-th unit still beats the reference; None if the swap reverts."""
        copy = pool.copy()
        try:
            copy.swap_exact_in(token_in, token_out, x)
        except (AmmRevert, ValidationError):
            return None
        return copy.mid_price(token_in, token_out) * keep >= rate

    first = 1  # dust amounts revert (output rounds to zero): find the first size that trades
    for _ in range(_MAX_DOUBLINGS):
        if margin(first) is not None:
            break
        first *= 2
    else:
        return None
    lo, hi = 0, first
    for _ in range(_MAX_DOUBLINGS):
        if not margin(hi):
            break
        lo, hi = hi, hi * 2
    while hi - lo > max(1, lo >> 30):
        mid = (lo + hi) // 2
        state = margin(mid)
        if state or (state is None and mid < first):
            lo = mid
        else:
            hi = mid
    if lo <= 0:
        return None
    try:
        out = pool.quote_exact_in(token_in, token_out, lo).amount_out
    except (AmmRevert, ValidationError):
        return None
    profit = out - lo * rate
    return ArbTrade(token_in, token_out, lo, out, profit) if profit > 0 else None


@dataclass(frozen=True, slots=True)
class Arbitrageur:
    """Keeps one pool near a reference price.

    Args:
        pool_id: the pool it watches.
        reference: the CEX price of token0 in token1 (whole units) over time.
        tip_wei: priority fee per gas it bids (it trades first in the block regardless).
    """

    pool_id: str
    reference: ReferencePrice
    tip_wei: int = 0


@dataclass(frozen=True, slots=True)
class NoiseSwap:
    """One uninformed swap drawn for a block."""

    pool_id: str
    token_in: int
    token_out: int
    amount_in: int
    tip_wei: int


@dataclass(frozen=True, slots=True)
class NoiseTraders:
    """Uninformed flow on one pool: Poisson count per block, random side, lognormal size.

    Args:
        pool_id: the pool.
        swaps_per_block: Poisson mean of swaps per block.
        mean_amount_in: mean exact-in size when selling token0 and when selling token1
            (base units).
        size_sigma: lognormal sigma of sizes.
        mean_tip_wei: mean of their exponentially distributed tips (sets their block position).
    """

    pool_id: str
    swaps_per_block: float
    mean_amount_in: tuple[int, int]
    size_sigma: float = 1.0
    mean_tip_wei: int = 0

    def __post_init__(self) -> None:
        if self.swaps_per_block < 0 or self.size_sigma < 0 or min(self.mean_amount_in) <= 0:
            raise ValidationError("noise rate/sigma must be >= 0 and mean sizes > 0")

    def draw(self, rng: np.random.Generator) -> list[NoiseSwap]:
        """This block's noise swaps (consumes a fixed pattern of draws per swap)."""
        n = int(rng.poisson(self.swaps_per_block))
        swaps = []
        for _ in range(n):
            token_in = int(rng.integers(0, 2))
            mean = self.mean_amount_in[token_in]
            mu = math.log(mean) - self.size_sigma**2 / 2
            amount = int(math.exp(rng.normal(mu, self.size_sigma))) if self.size_sigma else mean
            tip = int(rng.exponential(self.mean_tip_wei)) if self.mean_tip_wei else 0
            if amount > 0:
                swaps.append(NoiseSwap(self.pool_id, token_in, 1 - token_in, amount, tip))
        return swaps
