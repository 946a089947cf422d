"""AMM pools whose state is consistent with the fair (CEX) price at the start.

* v2: reserves worth ``tvl_usd`` split half and half at the price.
* v3: for each position, the tick range ``price × (1 ± half_width)`` (widened to the tick
  spacing) and the liquidity ``L`` whose token amounts are worth ``share × tvl_usd``:
  value in token1 units = ``L·(2√P − P/√P_b − √P_a)`` (the Uniswap v3 whitepaper amounts
  ``x = L(1/√P − 1/√P_b)``, ``y = L(√P − √P_a)``, valued at ``P``).

Prices are token1 base units per token0 base unit (``USDC·10^6`` per ``WBTC·10^8``).
"""

from __future__ import annotations

import math
from fractions import Fraction

from slipstream.scenarios.schema import AmmPool
from slipstream.venues.sim.amm import UniswapV2Pair, UniswapV3Pool
from slipstream.venues.sim.amm.tick_math import get_sqrt_ratio_at_tick

__all__ = ["base_rate", "build_v2", "build_v3", "pool_price"]

_Q96 = 1 << 96
_LOG_TICK = math.log(1.0001)


def base_rate(spec: AmmPool, price: float) -> Fraction:
    """Human price (quote per base) as token1 base units per token0 base unit (exact)."""
    human = Fraction(price).limit_denominator(10**6)
    return human * Fraction(10**spec.quote_decimals, 10**spec.base_decimals)


def pool_price(pool: UniswapV2Pair | UniswapV3Pool, spec: AmmPool) -> float:
    """The pool's marginal price in quote per base (human units, before fee)."""
    rate = pool.mid_price(0, 1) * Fraction(10**spec.base_decimals, 10**spec.quote_decimals)
    return float(rate)


def build_v2(pool_id: str, spec: AmmPool, price: float) -> UniswapV2Pair:
    half_usd = spec.tvl_usd / 2
    reserve0 = round(half_usd / price * 10**spec.base_decimals)
    reserve1 = round(half_usd * 10**spec.quote_decimals)
    return UniswapV2Pair(pool_id, (spec.base_token, spec.quote_token),
                         (spec.base_decimals, spec.quote_decimals), reserve0, reserve1)


def build_v3(pool_id: str, spec: AmmPool, price: float) -> UniswapV3Pool:
    rate = base_rate(spec, price)
    sqrt_x96 = math.isqrt(rate.numerator * (1 << 192) // rate.denominator)
    pool = UniswapV3Pool(pool_id, (spec.base_token, spec.quote_token),
                         (spec.base_decimals, spec.quote_decimals), spec.fee_pips, sqrt_x96)
    spacing = pool.tick_spacing
    r = float(rate)
    sqrt_p = sqrt_x96 / _Q96
    for position in spec.positions:
        w = position.half_width_pct / 100
        lower = math.floor(math.log(r * (1 - w)) / _LOG_TICK / spacing) * spacing
        upper = math.ceil(math.log(r * (1 + w)) / _LOG_TICK / spacing) * spacing
        sqrt_a = get_sqrt_ratio_at_tick(lower) / _Q96
        sqrt_b = get_sqrt_ratio_at_tick(upper) / _Q96
        value = position.share * spec.tvl_usd * 10**spec.quote_decimals
        liquidity = int(value / (2 * sqrt_p - r / sqrt_b - sqrt_a))
        if liquidity > 0:
            pool.mint(lower, upper, liquidity)
    return pool
