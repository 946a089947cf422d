"""Pool dynamics: arbitrageurs restore pools to the fee band over blocks; noise is seeded."""

from __future__ import annotations

from fractions import Fraction

import pytest
from chain_helpers import BLOCK, E18, POOL, QUIET, USDC, chain_with_pool, swap_tx, v2_pool, v3_pool

from slipstream.errors import ValidationError
from slipstream.venues.sim.chain import Arbitrageur, NoiseTraders, StepPricePath
from slipstream.venues.sim.chain.dynamics import arbitrage_trade, base_unit_rate

KEEP = 1 - Fraction(3, 1000)


def _human_mid(chain: object) -> Fraction:
    return chain.pools[POOL].mid_price(0, 1) * Fraction(10**18, 10**6)  # type: ignore[attr-defined]


def test_arbitrage_trade_stops_at_fee_band_edge() -> None:
    pool = v2_pool()  # 3000 USDC per WETH
    rate = base_unit_rate(Fraction(3300), 18, 6)
    trade = arbitrage_trade(pool, rate)
    assert trade is not None and (trade.token_in, trade.token_out) == (1, 0)
    pool.swap_exact_in(1, 0, trade.amount_in)
    after = pool.mid_price(1, 0) * KEEP  # the last unit still beat the reference...
    assert 1 / rate <= after <= (1 / rate) * (1 + Fraction(1, 10**6))  # ...and barely
    assert trade.profit_out > 0
    again = arbitrage_trade(pool, rate)
    assert again is None or again.profit_out * 10**6 <= trade.profit_out


def test_no_trade_inside_band() -> None:
    assert arbitrage_trade(v2_pool(), base_unit_rate(Fraction(3001), 18, 6)) is None
    assert arbitrage_trade(v3_pool(), Fraction(1)) is None


def test_arbitrage_on_v3_pool_moves_price_to_band() -> None:
    pool = v3_pool()
    trade = arbitrage_trade(pool, Fraction(11, 10))
    assert trade is not None
    pool.swap_exact_in(trade.token_in, trade.token_out, trade.amount_in)
    assert Fraction(10, 11) <= pool.mid_price(1, 0) * KEEP <= Fraction(10, 11) * Fraction(1000001, 10**6)


def test_our_impact_is_restored_over_blocks_not_instantly() -> None:
    chain = chain_with_pool(QUIET)
    chain.add_arbitrageur(Arbitrageur(POOL, lambda ts: Fraction(3000)))
    tx_hash = chain.submit(swap_tx("alice", 0, 50 * E18), 1)  # 5% of the pool
    chain.advance(BLOCK)
    receipt = chain.receipts[tx_hash]
    moved = _human_mid(chain)
    assert moved < 3000 * KEEP * KEEP  # our block leaves the pool displaced
    assert chain.stats.arbitrage_trades == 0 and receipt.block_number == 1
    chain.advance(2 * BLOCK)  # the arbitrageur trades at the top of block 2
    restored = _human_mid(chain)
    assert chain.stats.arbitrage_trades == 1
    assert 3000 * KEEP * Fraction(999, 1000) <= restored <= 3000
    chain.advance(10 * BLOCK)
    assert chain.stats.arbitrage_trades == 1  # inside the band: nothing more to earn


def test_arbitrageur_skips_moves_smaller_than_its_gas() -> None:
    chain = chain_with_pool(QUIET)
    chain.add_arbitrageur(Arbitrageur(POOL, lambda ts: Fraction(3000) * Fraction(1005, 1000)))
    chain.advance(BLOCK)  # 0.5% gap, 0.3% fee: a few dollars of edge, ~$3 of gas either way
    trade = arbitrage_trade(v2_pool(), base_unit_rate(Fraction(3015), 18, 6))
    assert trade is not None
    gas_wei = 101_898 * QUIET.initial_base_fee_wei
    edge_wei = chain.value_wei("USDC", trade.profit_out) if trade.token_out == 1 else trade.profit_out
    assert (chain.stats.arbitrage_trades == 1) == (edge_wei > gas_wei)


def test_reference_path_drags_pool_along() -> None:
    path = StepPricePath([(0, Fraction(3000)), (5 * BLOCK, Fraction(3100)), (10 * BLOCK, Fraction(2900))])
    chain = chain_with_pool(QUIET)
    chain.add_arbitrageur(Arbitrageur(POOL, path))
    chain.advance(7 * BLOCK)
    assert 3100 * KEEP * Fraction(999, 1000) <= _human_mid(chain) <= 3100
    chain.advance(12 * BLOCK)
    assert 2900 <= _human_mid(chain) <= 2900 / KEEP * Fraction(1001, 1000)


def test_step_price_path_validation() -> None:
    with pytest.raises(ValidationError):
        StepPricePath([])
    with pytest.raises(ValidationError):
        StepPricePath([(5, Fraction(1)), (1, Fraction(2))])
    assert StepPricePath([(10, Fraction(3))])(0) == 3


def test_noise_traders_move_pool_deterministically() -> None:
    def run(seed: int) -> tuple[int, int]:
        chain = chain_with_pool(QUIET, seed=seed)
        chain.add_noise(NoiseTraders(POOL, 2.0, (E18, 3000 * USDC)))
        chain.advance(50 * BLOCK)
        pool = chain.pools[POOL]
        assert chain.stats.noise_swaps > 50
        return pool.reserve0, pool.reserve1  # type: ignore[attr-defined]

    assert run(1) == run(1)
    assert run(1) != run(2)
