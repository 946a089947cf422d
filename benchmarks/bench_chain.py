"""Chain simulator throughput: blocks per second and sandwich planning cost.

Run: python benchmarks/bench_chain.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction

from slipstream.venues.sim.amm import UniswapV2Pair, UniswapV3Pool
from slipstream.venues.sim.chain import (
    ARBITRUM,
    ETHEREUM,
    Arbitrageur,
    Chain,
    NoiseTraders,
    plan_sandwich,
)

E18 = 10**18


def _v2() -> UniswapV2Pair:
    return UniswapV2Pair("p", ("WETH", "USDC"), (18, 6), 1000 * E18, 3_000_000 * 10**6)


def _v3() -> UniswapV3Pool:
    pool = UniswapV3Pool("p", ("WETH", "TKN"), (18, 18), 3000, 2**96)
    for half in (600, 1200, 2400, 6000):
        pool.mint(-half, half, 1000 * E18)
    return pool


def blocks_per_second(make_pool: Callable[[], object] | None, blocks: int,
                      noise_mean: tuple[int, int] = (E18, 3000 * 10**6),
                      ref: Fraction = Fraction(3000), preset: object = ETHEREUM) -> float:
    chain = Chain(preset, seed=1)  # type: ignore[arg-type]
    if make_pool is not None:
        chain.add_pool(make_pool())  # type: ignore[arg-type]
        chain.add_arbitrageur(Arbitrageur("p", lambda ts: ref))
        chain.add_noise(NoiseTraders("p", 3.0, noise_mean))
    t = time.perf_counter()
    chain.advance(blocks * chain.preset.block_time_ns)
    return blocks / max(time.perf_counter() - t, 1e-9)


def sandwich_plans_per_second(make_pool: Callable[[], object], amount: int, n: int) -> float:
    pool = make_pool()
    quote = pool.quote_exact_in(0, 1, amount).amount_out  # type: ignore[attr-defined]
    t = time.perf_counter()
    for _ in range(n):
        plan_sandwich(pool, True, 0, 1, amount, quote * 99 // 100)  # type: ignore[arg-type]
    return n / max(time.perf_counter() - t, 1e-9)


def main(scale: int = 1) -> list[tuple[str, float, str]]:
    rows = [
        ("empty blocks (Ethereum preset)", blocks_per_second(None, 20_000 * scale), "blocks/s"),
        ("empty blocks (Arbitrum preset)",
         blocks_per_second(None, 20_000 * scale, preset=ARBITRUM), "blocks/s"),
        ("v2 pool, arb + 3 noise swaps/block", blocks_per_second(_v2, 2_000 * scale), "blocks/s"),
        ("v3 pool, arb + 3 noise swaps/block",
         blocks_per_second(_v3, 200 * scale, (10 * E18, 10 * E18), Fraction(1)), "blocks/s"),
        ("sandwich plan, v2, 10 ETH victim", sandwich_plans_per_second(_v2, 10 * E18, 50 * scale),
         "plans/s"),
        ("sandwich plan, v3, 200 ETH victim",
         sandwich_plans_per_second(_v3, 200 * E18, 5 * scale), "plans/s"),
    ]
    return rows


if __name__ == "__main__":
    for name, value, unit in main():
        print(f"| {name} | {value:,.0f} {unit} |")
