"""Quote throughput of the simulated AMM pools (exact on-chain integer math).

Measures:
    * v3 exact-in quotes that cross ~5 initialised ticks (0.3% pool, full-range liquidity plus
      five stacked ranges every 10 tick-spacings, so a 3e18 sell crosses five lower ticks);
    * v3 exact-in quotes inside one range (no crossing);
    * v2 exact-in quotes (getAmountOut + K check);
    * Curve 3pool get_dy / quote_exact_in (D cached per pool state) and bare get_D + get_y.

Run: python benchmarks/bench_amm.py [--quick]
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable

from slipstream.venues.sim.amm import StableSwapPool, UniswapV2Pair, UniswapV3Pool
from slipstream.venues.sim.amm.stableswap import get_d, get_y

E18 = 10**18
Q96 = 1 << 96


def laddered_v3_pool() -> UniswapV3Pool:
    """Full range 1e18 plus five nested ranges of 0.5e18 at +-10k spacings around 1:1."""
    pool = UniswapV3Pool("bench-v3", ("WETH", "USDC"), (18, 18), 3000, Q96)
    spacing = pool.tick_spacing
    full = (887272 // spacing) * spacing
    pool.mint(-full, full, E18)
    for k in range(1, 6):
        pool.mint(-k * 10 * spacing, k * 10 * spacing, E18 // 2)
    return pool


def _rate(fn: Callable[[int], object], n: int) -> float:
    start = time.perf_counter()
    for k in range(n):
        fn(k)
    return n / (time.perf_counter() - start)


def run(n: int = 20_000) -> dict[str, float]:
    """Return operations per second for each measured path (n operations each)."""
    v3 = laddered_v3_pool()
    crossed = v3.quote_exact_in(0, 1, 3 * E18).ticks_crossed
    assert crossed == 5, crossed
    assert v3.quote_exact_out(0, 1, 9 * E18 // 10).ticks_crossed == 5
    v2 = UniswapV2Pair("bench-v2", ("WETH", "USDC"), (18, 18), 1000 * E18, 2_000_000 * E18)
    three = StableSwapPool("3pool", ("DAI", "USDC", "USDT"), (18, 6, 6),
                           [10**8 * E18, 10**8 * 10**6, 10**8 * 10**6], 2000)
    xp = three.xp()
    return {
        "v3 exact-in quote, 5 initialised ticks crossed": _rate(
            lambda k: v3.quote_exact_in(0, 1, 3 * E18 + k), n),
        "v3 exact-in quote, no tick crossed": _rate(
            lambda k: v3.quote_exact_in(0, 1, 10**15 + k), n),
        "v3 exact-out quote, 5 initialised ticks crossed": _rate(
            lambda k: v3.quote_exact_out(0, 1, 9 * E18 // 10 + k), n),
        "v2 exact-in quote": _rate(lambda k: v2.quote_exact_in(0, 1, E18 + k), n),
        "stableswap get_dy (3 coins, D cached per state)": _rate(
            lambda k: three.get_dy(0, 1, 1000 * E18 + k), n // 4),
        "stableswap get_D + get_y (D recomputed)": _rate(
            lambda k: get_y(0, 1, xp[0] + k, xp, 2000, get_d(xp, 2000)), n // 4),
        "stableswap quote_exact_in (exchange math, D cached)": _rate(
            lambda k: three.quote_exact_in(0, 1, 1000 * E18 + k), n // 4),
    }


def main() -> None:
    n = 2_000 if "--quick" in sys.argv else 20_000
    results = run(n)
    print(f"python {platform.python_version()} on {platform.machine()}, n={n}")
    print("| path | ops/s |")
    print("|---|---:|")
    for name, rate in results.items():
        print(f"| {name} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
