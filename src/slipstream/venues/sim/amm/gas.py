"""Gas units per swap transaction, taken from Uniswap's published gas snapshots.

Every figure is a whole transaction's ``gasUsed`` (21,000 intrinsic + calldata + execution) on the
hardhat/ganache test chains of the cited snapshot, so they are directly usable as "units to
multiply by the base fee + tip". Warm/cold storage differs on mainnet by a few thousand units;
treat them as representative, not exact. Numbers marked ESTIMATED have no published snapshot.

Sources (repo @ commit, file):
    [v3core]  Uniswap/v3-core @ d8b1c635, test/__snapshots__/UniswapV3Pool.gas.spec.ts.snap
              (pool called through the test callee, "fee is off" rows)
    [v3peri]  Uniswap/v3-periphery @ 0682387, test/__snapshots__/SwapRouter.gas.spec.ts.snap
    [ur]      Uniswap/universal-router @ fb25ff09,
              test/integration-tests/gas-tests/__snapshots__/Uniswap.gas.test.ts.snap and
              .../Payments.gas.test.ts.snap
    [v2peri]  Uniswap/v2-periphery, test/UniswapV2Router01.spec.ts (the 'gas' tests)
"""

from __future__ import annotations

from slipstream.errors import ValidationError

__all__ = [
    "ERC20_APPROVE_GAS",
    "STABLESWAP_EXCHANGE_GAS",
    "V2_EXTRA_HOP_GAS",
    "V2_SWAP_GAS",
    "V3_EXTRA_HOP_GAS",
    "V3_FIRST_TICK_CROSS_GAS",
    "V3_NEXT_TICK_CROSS_GAS",
    "V3_SWAP_GAS",
    "WETH_WRAP_GAS",
    "v2_swap_gas",
    "v3_swap_gas",
]

# --- Uniswap v3 -----------------------------------------------------------------------------
# Router-level exact-in single-hop swap, no initialised tick crossed:
# [v3peri] "SwapRouter gas tests #exactInputSingle 0 -> 1" = 107180.
V3_SWAP_GAS = 107_180
# Tick-crossing increments from [v3core], fee off, "first swap in block":
#   moves tick, no initialised crossings            114858
#   large swap crossing a single initialized tick   129871  -> first crossing  +15013
#   large swap crossing several initialized ticks   152706  (4 ticks: mints at
#     startingTick-{1,2,3,4}*spacing in the spec)   -> next crossings (152706-129871)/3 = +7612
# The first crossing also pays the oracle observation lookup, hence the larger figure.
V3_FIRST_TICK_CROSS_GAS = 15_013
V3_NEXT_TICK_CROSS_GAS = 7_612
# Each further hop in a path: [v3peri] "#exactInput 0 -> 1 -> 2" 172498 - "#exactInput 0 -> 1"
# 107759 = 64739.
V3_EXTRA_HOP_GAS = 64_739

# --- Uniswap v2 -----------------------------------------------------------------------------
# [v2peri] swapExactTokensForTokens one hop via UniswapV2Router02: 101898.
V2_SWAP_GAS = 101_898
# Each further hop: [ur] "Trade on UniswapV2 with Universal Router ... exactIn, one trade,
# two hops" 176431 - "... one hop" 108605 = 67826 (three hops adds 67752 more).
V2_EXTRA_HOP_GAS = 67_826

# --- separate transactions --------------------------------------------------------------------
# WETH wrap as its own step: [ur] Payments "gas: WRAP_ETH" = 53748.
WETH_WRAP_GAS = 53_748
# ERC20 approve (zero -> non-zero allowance, one cold SSTORE): ESTIMATED, no Uniswap snapshot
# covers a bare approve. 21000 intrinsic + 22100 cold SSTORE + ~2.9k call/log overhead.
ERC20_APPROVE_GAS = 46_000

# --- Curve ------------------------------------------------------------------------------------
# 3pool exchange: ESTIMATED. curve-contract tests/forked/test_gas.py runs the swaps but stores
# no numbers; ~3 Newton loops of get_D/get_y plus two ERC20 transfers.
STABLESWAP_EXCHANGE_GAS = 135_000


def v3_swap_gas(ticks_crossed: int, hops: int = 1) -> int:
    """Gas units of a v3 exact-in router swap crossing ``ticks_crossed`` initialised ticks.

    Raises:
        ValidationError: negative ticks or fewer than one hop.
    """
    if ticks_crossed < 0 or hops < 1:
        raise ValidationError("ticks_crossed must be >= 0 and hops >= 1")
    gas = V3_SWAP_GAS + (hops - 1) * V3_EXTRA_HOP_GAS
    if ticks_crossed:
        gas += V3_FIRST_TICK_CROSS_GAS + (ticks_crossed - 1) * V3_NEXT_TICK_CROSS_GAS
    return gas


def v2_swap_gas(hops: int = 1) -> int:
    """Gas units of a v2 router swap along ``hops`` pairs.

    Raises:
        ValidationError: fewer than one hop.
    """
    if hops < 1:
        raise ValidationError("hops must be >= 1")
    return V2_SWAP_GAS + (hops - 1) * V2_EXTRA_HOP_GAS
