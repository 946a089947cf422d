"""Sandwiches: only public swaps, only when profitable after gas, never beyond the tolerance."""

from __future__ import annotations

from dataclasses import replace

from chain_helpers import BLOCK, E18, GWEI, POOL, QUIET, chain_with_pool, swap_tx, v2_pool, v3_pool
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.venues.sim.amm import UniswapV2Pair
from slipstream.venues.sim.chain import TxStatus, plan_sandwich
from slipstream.venues.sim.chain.execution import run_swap

ALWAYS = replace(QUIET, sandwich_probability=1.0)


@settings(max_examples=60, deadline=None)
@given(
    reserve_eth=st.integers(10, 100_000),
    price=st.integers(100, 10_000),
    size_ppm=st.integers(100, 200_000),
    tolerance_bps=st.integers(1, 2_000),
    exact_in=st.booleans(),
)
def test_plan_keeps_victim_within_limit_and_profits(reserve_eth: int, price: int, size_ppm: int,
                                                    tolerance_bps: int, exact_in: bool) -> None:
    pool = UniswapV2Pair("p", ("WETH", "USDC"), (18, 6), reserve_eth * E18,
                         reserve_eth * price * 10**6)
    amount = reserve_eth * E18 * size_ppm // 1_000_000
    if exact_in:
        quote = pool.quote_exact_in(0, 1, amount).amount_out
        limit = quote * (10_000 - tolerance_bps) // 10_000
    else:
        quote = pool.quote_exact_out(1, 0, amount).amount_in
        limit = quote * (10_000 + tolerance_bps) // 10_000
    token_in, token_out = (0, 1) if exact_in else (1, 0)
    before = (pool.reserve0, pool.reserve1)
    plan = plan_sandwich(pool, exact_in, token_in, token_out, amount, limit)
    assert (pool.reserve0, pool.reserve1) == before  # planning never touches the pool
    if plan is None:
        return
    assert plan.profit > 0
    if exact_in:
        assert plan.victim.amount_out >= limit
        assert plan.victim_loss <= quote - limit
    else:
        assert plan.victim.amount_in <= limit
        assert plan.victim_loss <= limit - quote
    # replaying the plan on a copy reproduces it exactly
    copy = pool.copy()
    copy.swap_exact_in(token_in, token_out, plan.front_in)
    victim = run_swap(copy, exact_in, token_in, token_out, amount, limit)
    assert victim.result == plan.victim
    assert copy.swap_exact_in(token_out, token_in, plan.front_out).amount_out == plan.back_out


def test_plan_on_v3_pool_crossing_ticks() -> None:
    pool = v3_pool()
    amount = 200 * E18
    quote = pool.quote_exact_in(0, 1, amount)
    plan = plan_sandwich(pool, True, 0, 1, amount, quote.amount_out * 98 // 100)
    assert plan is not None and plan.victim.ticks_crossed >= 1
    assert quote.amount_out - plan.victim.amount_out == plan.victim_loss
    assert plan.victim.amount_out >= quote.amount_out * 98 // 100


def test_zero_tolerance_victim_loses_nothing() -> None:
    # With no tolerance only a dust front-run fits (a back-run in all but name): loss 0.
    pool = v2_pool()
    quote = pool.quote_exact_in(0, 1, 10 * E18).amount_out
    plan = plan_sandwich(pool, True, 0, 1, 10 * E18, quote)
    assert plan is None or (plan.victim_loss == 0 and plan.victim.amount_out == quote)


def _sandwich_run(private: bool, amount: int, tolerance_bps: int, seed: int = 1,
                  preset: object = ALWAYS) -> tuple[object, object]:
    chain = chain_with_pool(preset, seed=seed)  # type: ignore[arg-type]
    pool = chain.pools[POOL]
    quote = pool.quote_exact_in(0, 1, amount).amount_out
    min_out = quote * (10_000 - tolerance_bps) // 10_000
    max_fee = 3 * chain.preset.initial_base_fee_wei
    tx_hash = chain.submit(swap_tx("alice", 0, amount, min_out, private=private, max_fee=max_fee), 1)
    chain.advance(5 * BLOCK)
    return chain, (chain.receipts[tx_hash], quote, min_out)


def test_public_swap_sandwiched_within_tolerance() -> None:
    chain, (receipt, quote, min_out) = _sandwich_run(False, 10 * E18, 100)  # type: ignore[misc]
    assert receipt.status is TxStatus.SUCCESS and receipt.sandwiched
    assert receipt.amount_out >= min_out
    assert receipt.sandwich_loss == quote - receipt.amount_out <= quote - min_out
    (record,) = chain.stats.sandwiches  # type: ignore[attr-defined]
    assert record.victim_tx == receipt.tx_hash and record.profit_wei > 0
    assert record.victim_loss == receipt.sandwich_loss
    block = chain.blocks[0]  # type: ignore[attr-defined]
    assert block.gas_used >= block.background_gas + receipt.gas_used + record.gas_units


def test_private_relay_swap_never_sandwiched() -> None:
    for seed in range(5):
        chain, (receipt, quote, _) = _sandwich_run(True, 10 * E18, 100, seed)  # type: ignore[misc]
        if receipt.status is TxStatus.SUCCESS:
            assert not receipt.sandwiched and receipt.amount_out == quote
        assert chain.stats.sandwiches == []  # type: ignore[attr-defined]


def test_no_sandwich_when_gas_exceeds_profit() -> None:
    # The 10 ETH / 1% swap that is sandwiched at 10 gwei is left alone at 1000 gwei.
    dear = replace(ALWAYS, initial_base_fee_wei=1000 * GWEI)
    _, (receipt, quote, min_out) = _sandwich_run(  # type: ignore[misc]
        False, 10 * E18, 100, preset=dear)
    plan = plan_sandwich(v2_pool(), True, 0, 1, 10 * E18, min_out)
    assert plan is not None and plan.profit > 0  # profitable before gas...
    gas_wei = (plan.front_gas + plan.back_gas) * dear.initial_base_fee_wei
    assert plan.profit < gas_wei  # ...but not after
    assert not receipt.sandwiched and receipt.amount_out == quote


def test_probability_zero_never_attacks() -> None:
    chain = chain_with_pool(QUIET)
    quote = chain.pools[POOL].quote_exact_in(0, 1, 10 * E18).amount_out
    tx_hash = chain.submit(swap_tx("alice", 0, 10 * E18, quote * 9 // 10, tip=GWEI), 1)
    chain.advance(BLOCK)
    assert not chain.receipts[tx_hash].sandwiched and chain.stats.sandwiches == []
