"""Block production: inclusion rules, ordering, reverts, nonces, determinism."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chain_helpers import BLOCK, E18, GWEI, POOL, QUIET, USDC, chain_with_pool, swap_tx, v2_pool

from slipstream.errors import ValidationError
from slipstream.venues.sim.chain import ETHEREUM, Chain, NoiseTraders, Transaction, TxKind, TxStatus
from slipstream.venues.sim.chain.dynamics import Arbitrageur


def _busy_chain(seed: int) -> tuple[Chain, list[str]]:
    from fractions import Fraction

    chain = chain_with_pool(ETHEREUM, seed=seed)
    chain.add_arbitrageur(Arbitrageur(POOL, lambda ts: Fraction(3000 + ts // BLOCK)))
    chain.add_noise(NoiseTraders(POOL, 3.0, (E18, 3000 * USDC), 1.0, GWEI))
    hashes = []
    for i in range(6):
        pool = chain.pools[POOL]
        quote = pool.quote_exact_in(0, 1, 5 * E18).amount_out
        hashes.append(chain.submit(swap_tx("alice", i, 5 * E18, quote * 99 // 100, tip=GWEI + i),
                                   i * BLOCK + 1))
    chain.advance(20 * BLOCK)
    return chain, hashes


def test_same_seed_same_receipts_blocks_and_pool() -> None:
    a, ha = _busy_chain(3)
    b, hb = _busy_chain(3)
    assert ha == hb
    assert [a.receipts[h] for h in ha] == [b.receipts[h] for h in hb]
    assert a.blocks == b.blocks
    assert a.pools[POOL].reserve0 == b.pools[POOL].reserve0  # type: ignore[attr-defined]
    assert a.stats == b.stats
    c, hc = _busy_chain(4)
    assert [c.receipts[h] for h in hc] != [a.receipts[h] for h in ha]


def test_advance_granularity_does_not_change_history() -> None:
    a, b = chain_with_pool(ETHEREUM, seed=5), chain_with_pool(ETHEREUM, seed=5)
    for chain in (a, b):
        chain.add_noise(NoiseTraders(POOL, 2.0, (E18, 3000 * USDC)))
        chain.submit(swap_tx("alice", 0), 1)
    a.advance(30 * BLOCK)
    for t in range(0, 30 * BLOCK + 1, BLOCK // 3):
        b.advance(t)
    assert a.blocks == b.blocks and a.receipts == b.receipts


def test_blocks_at_preset_interval_and_base_fee_within_one_eighth() -> None:
    chain = Chain(ETHEREUM, seed=1)
    chain.advance(200 * BLOCK)
    assert [blk.ts_ns for blk in chain.blocks] == [(n + 1) * BLOCK for n in range(200)]
    for parent, child in zip(chain.blocks, chain.blocks[1:], strict=False):
        assert abs(child.base_fee_per_gas - parent.base_fee_per_gas) * 8 <= parent.base_fee_per_gas
        assert parent.gas_used <= parent.gas_limit
    assert len({blk.base_fee_per_gas for blk in chain.blocks}) > 100  # it moves


def test_higher_tip_goes_first_in_block() -> None:
    chain = chain_with_pool()
    low = chain.submit(swap_tx("alice", 0, tip=GWEI), 1)
    high = chain.submit(swap_tx("bob", 0, tip=3 * GWEI), 2)
    chain.advance(BLOCK)
    assert chain.receipts[high].index == 0 and chain.receipts[low].index == 1
    assert chain.receipts[high].block_number == chain.receipts[low].block_number == 1
    assert chain.receipts[high].effective_gas_price == chain.blocks[0].base_fee_per_gas + 3 * GWEI


def test_max_fee_below_base_fee_waits_until_fee_falls() -> None:
    preset = replace(QUIET, background_utilisation=0.0)  # empty blocks: base fee falls 12.5%/block
    chain = chain_with_pool(preset)
    cap = ETHEREUM.initial_base_fee_wei * 6 // 10
    tx_hash = chain.submit(swap_tx("alice", 0, tip=0, max_fee=cap), 1)
    chain.advance(20 * BLOCK)
    receipt = chain.receipts[tx_hash]
    included = chain.blocks[receipt.block_number - 1]
    assert included.base_fee_per_gas <= cap
    assert all(b.base_fee_per_gas > cap for b in chain.blocks[: receipt.block_number - 1])
    assert receipt.block_number > 2


def test_revert_on_min_output_pays_gas_and_leaves_pool() -> None:
    chain = chain_with_pool()
    pool = chain.pools[POOL]
    before = (pool.reserve0, pool.reserve1)  # type: ignore[attr-defined]
    quote = pool.quote_exact_in(0, 1, E18).amount_out
    eth_before = chain.account("alice").balances["ETH"]
    tx_hash = chain.submit(swap_tx("alice", 0, E18, quote + 1), 1)
    chain.advance(BLOCK)
    receipt = chain.receipts[tx_hash]
    assert receipt.status is TxStatus.REVERTED and receipt.revert_reason == "Too little received"
    assert receipt.gas_used > 0 and receipt.fee_wei > 0
    assert chain.account("alice").balances["ETH"] == eth_before - receipt.fee_wei
    assert (pool.reserve0, pool.reserve1) == before  # type: ignore[attr-defined]
    assert chain.account("alice").nonce == 1  # the nonce is used even by a revert


def test_nonces_increase_and_gaps_wait() -> None:
    chain = chain_with_pool()
    later = chain.submit(swap_tx("alice", 1), 1)
    chain.advance(3 * BLOCK)
    assert later not in chain.receipts  # nonce 0 missing
    first = chain.submit(swap_tx("alice", 0, tip=0), 3 * BLOCK + 1)
    chain.advance(4 * BLOCK)
    r0, r1 = chain.receipts[first], chain.receipts[later]
    assert (r0.block_number, r0.index) < (r1.block_number, r1.index)
    assert chain.account("alice").nonce == 2
    with pytest.raises(ValidationError, match="nonce too low"):
        chain.submit(swap_tx("alice", 1), 4 * BLOCK + 1)


def test_insufficient_gas_funds_rejected_at_submission() -> None:
    chain = chain_with_pool()
    chain.fund("carol", "WETH", E18)
    with pytest.raises(ValidationError, match="insufficient funds"):
        chain.submit(swap_tx("carol", 0), 1)


def test_swap_without_approval_reverts_then_approval_lets_it_through() -> None:
    chain = chain_with_pool()
    chain.fund("carol", "ETH", E18)
    chain.fund("carol", "WETH", E18)
    failed = chain.submit(swap_tx("carol", 0), 1)
    approve = chain.submit(Transaction("carol", 1, TxKind.APPROVE, 60_000, 100 * GWEI, GWEI,
                                       token="WETH"), 2)
    ok = chain.submit(swap_tx("carol", 2), 3)
    chain.advance(BLOCK)
    assert chain.receipts[failed].status is TxStatus.REVERTED
    assert chain.receipts[failed].revert_reason == "STF"
    assert chain.receipts[approve].gas_used == 46_000
    assert chain.receipts[ok].status is TxStatus.SUCCESS
    assert chain.account("carol").balances["USDC"] == chain.receipts[ok].amount_out


def test_wrap_moves_native_into_wrapped_token() -> None:
    chain = chain_with_pool()
    weth = chain.account("alice").balances["WETH"]
    tx_hash = chain.submit(Transaction("alice", 0, TxKind.WRAP, 60_000, 100 * GWEI, GWEI,
                                       amount=2 * E18), 1)
    chain.advance(BLOCK)
    assert chain.receipts[tx_hash].gas_used == 53_748
    assert chain.account("alice").balances["WETH"] == weth + 2 * E18


def test_deadline_passed_reverts() -> None:
    chain = chain_with_pool()
    tx_hash = chain.submit(swap_tx("alice", 0, deadline_ns=BLOCK - 1), 1)
    chain.advance(BLOCK)
    assert chain.receipts[tx_hash].revert_reason == "Transaction too old"


def test_out_of_gas_burns_the_limit() -> None:
    chain = chain_with_pool()
    tx = replace(swap_tx("alice", 0), gas_limit=50_000)
    tx_hash = chain.submit(tx, 1)
    chain.advance(BLOCK)
    receipt = chain.receipts[tx_hash]
    assert receipt.status is TxStatus.REVERTED and receipt.gas_used == 50_000


def test_public_cancel_is_a_paid_noop_and_private_cancel_is_free() -> None:
    chain = chain_with_pool()
    public = chain.submit(swap_tx("alice", 0), 1)
    noop = chain.cancel(public, 2)
    assert noop is not None and chain.receipts[public].status is TxStatus.DROPPED
    private = chain.submit(swap_tx("bob", 0, private=True), 3)
    assert chain.cancel(private, 4) is None
    chain.advance(BLOCK)
    assert chain.receipts[noop].gas_used == 21_000 and chain.receipts[noop].kind is TxKind.NOOP
    assert chain.receipts[private].revert_reason == "canceled"
    assert chain.account("bob").nonce == 0
    with pytest.raises(ValidationError):
        chain.cancel(noop, BLOCK + 1)


def test_underpriced_replacement_rejected() -> None:
    chain = chain_with_pool()
    chain.submit(swap_tx("alice", 0, tip=GWEI), 1)
    with pytest.raises(ValidationError, match="underpriced"):
        chain.submit(swap_tx("alice", 0, tip=GWEI + 1), 2)


def test_private_relay_is_slower_and_can_drop() -> None:
    preset = replace(QUIET, relay_inclusion_probability=0.3, relay_max_blocks=3)
    blocks_public, blocks_private, dropped = [], [], 0
    for seed in range(30):
        chain = Chain(preset, seed=seed)
        chain.add_pool(v2_pool())
        for name in ("alice", "bob"):
            chain.fund(name, "ETH", E18)
            chain.fund(name, "WETH", 10 * E18)
            chain.account(name).approved.add("WETH")
        pub = chain.submit(swap_tx("alice", 0), 1)
        priv = chain.submit(swap_tx("bob", 0, private=True), 1)
        chain.advance(10 * BLOCK)
        blocks_public.append(chain.receipts[pub].block_number)
        receipt = chain.receipts[priv]
        if receipt.status is TxStatus.DROPPED:
            dropped += 1
        else:
            blocks_private.append(receipt.block_number)
    assert set(blocks_public) == {1}
    assert max(blocks_private) > 1 and dropped > 0
    assert sum(blocks_private) / len(blocks_private) > 1.2
