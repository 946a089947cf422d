"""Shared builders for the chain simulator tests."""

from __future__ import annotations

from dataclasses import replace

from slipstream.venues.sim.amm import UniswapV2Pair, UniswapV3Pool
from slipstream.venues.sim.chain import ETHEREUM, Chain, ChainPreset, Transaction, TxKind

E18 = 10**18
USDC = 10**6
GWEI = 10**9
BLOCK = ETHEREUM.block_time_ns
POOL = "weth-usdc"

QUIET = replace(ETHEREUM, sandwich_probability=0.0, background_sd=0.0)
"""Ethereum with no sandwiches and a constant background load (deterministic fee path)."""


def v2_pool(weth: int = 1000, usdc: int = 3_000_000) -> UniswapV2Pair:
    return UniswapV2Pair(POOL, ("WETH", "USDC"), (18, 6), weth * E18, usdc * USDC)


def v3_pool() -> UniswapV3Pool:
    """1:1 pool (token0/token1 both 18 decimals) with nested ranges, so big swaps cross ticks."""
    pool = UniswapV3Pool("v3", ("WETH", "TKN"), (18, 18), 3000, 2**96)
    for half_width in (600, 1200, 2400, 6000):
        pool.mint(-half_width, half_width, 1000 * E18)
    return pool


def chain_with_pool(preset: ChainPreset = QUIET, seed: int = 7, pool: object | None = None) -> Chain:
    chain = Chain(preset, seed=seed)
    chain.add_pool(pool if pool is not None else v2_pool())  # type: ignore[arg-type]
    for name in ("alice", "bob"):
        chain.fund(name, "ETH", 100 * E18)
        chain.fund(name, "WETH", 1000 * E18)
        chain.fund(name, "USDC", 1_000_000 * USDC)
        chain.account(name).approved.update({"WETH", "USDC", "TKN"})
        chain.fund(name, "TKN", 1000 * E18)
    return chain


def swap_tx(sender: str, nonce: int, amount: int = E18, min_out: int = 0, *, tip: int = GWEI,
            max_fee: int = 100 * GWEI, private: bool = False, pool_id: str = POOL,
            deadline_ns: int | None = None) -> Transaction:
    """Sell ``amount`` of token0 for token1 (exact in)."""
    return Transaction(sender, nonce, TxKind.SWAP_EXACT_IN, 300_000, max_fee, tip,
                       pool_id=pool_id, token_in=0, token_out=1, amount=amount, limit=min_out,
                       private=private, deadline_ns=deadline_ns)
