"""Simulated AMM pools whose swaps return exactly what the on-chain contracts return.

Uniswap v2 pairs, Uniswap v3 pools (Q64.96 prices, tick bitmap) and Curve stableswap pools
(3pool rounding) all implement :class:`Pool`; the math modules mirror the contracts' libraries.
"""

from slipstream.venues.sim.amm.base import AmmRevert, Pool, SwapResult
from slipstream.venues.sim.amm.stableswap import StableSwapPool
from slipstream.venues.sim.amm.v2_pair import UniswapV2Pair
from slipstream.venues.sim.amm.v3_pool import FEE_TIER_TICK_SPACING, UniswapV3Pool

__all__ = [
    "FEE_TIER_TICK_SPACING",
    "AmmRevert",
    "Pool",
    "StableSwapPool",
    "SwapResult",
    "UniswapV2Pair",
    "UniswapV3Pool",
]
