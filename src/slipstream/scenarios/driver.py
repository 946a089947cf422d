"""The market driver: one loop component that, at every grid step, moves every synthetic venue
to the shared fair value and advances the chains, and the record of pool-vs-book deviations.

Order inside a step (fixed, so a seed gives one history): order books and their trade prints in
venue order, option quotes, then each chain produces the blocks due (its arbitrageurs read the
reference book's mid as it is after this step's update). After a chain produced a block, each of
its pools is sampled: marginal price, reference mid, and the no-arbitrage band
``fee + gas band`` (see :class:`PoolSample`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from slipstream.engine.loop import EventLoop, TimerFired
from slipstream.scenarios.amm import pool_price
from slipstream.scenarios.fair_value import FairValuePath
from slipstream.scenarios.liquidity import BookMaker, TradeFlow
from slipstream.scenarios.options import OptionQuoter
from slipstream.scenarios.schema import AmmPool
from slipstream.venues.sim.amm import UniswapV2Pair, UniswapV3Pool
from slipstream.venues.sim.chain import Chain

__all__ = ["ARB_SWAP_GAS", "MarketDriver", "PoolSample", "PoolWatch", "ReferenceMid"]

ARB_SWAP_GAS = 150_000
"""Gas of one arbitrage swap for the band: ~97k router gas per single-hop swap plus ticks
crossed (MARKET_FACTS §4, Uniswap smart-order-router gas model), rounded up."""


class ReferenceMid:
    """The CEX price the arbitrageurs use: a book's synthetic mid (else the fair value)."""

    def __init__(self, maker: BookMaker | None, path: FairValuePath) -> None:
        self._maker = maker
        self._path = path
        self._unit = float(maker.venue.instrument(maker.symbol).price_unit) if maker else 0.0

    def price(self, ts_ns: int) -> float:
        if self._maker is not None and self._maker.mid > 0:
            bid, ask = self._maker.touch()
            return (bid + ask) / 2 * self._unit
        return self._path.price_at(ts_ns)

    def __call__(self, ts_ns: int) -> Fraction:
        """Quote per base as an exact fraction (what :class:`Arbitrageur` expects)."""
        return Fraction(self.price(ts_ns)).limit_denominator(10**9)


@dataclass(frozen=True, slots=True)
class PoolSample:
    """One pool right after a block.

    ``band_bps`` = pool fee + gas band, the gas band being the deviation at which closing it
    earns the arbitrage swap's gas: for a constant-product curve with (virtual) quote reserve
    ``Q``, moving the price back by ``δ`` earns about ``Q δ² / 4``, so ``δ_gas = 2 √(gas / Q)``;
    a v3 pool's virtual reserve is ``L √P``.
    """

    ts_ns: int
    block: int
    pool_price: float
    book_mid: float
    band_bps: float

    @property
    def deviation_bps(self) -> float:
        return abs(self.pool_price / self.book_mid - 1.0) * 1e4


@dataclass(slots=True)
class PoolWatch:
    """A pool on a chain, the spec it was built from, and its samples."""

    venue: str
    pool: UniswapV2Pair | UniswapV3Pool
    spec: AmmPool
    native_price_usd: float
    samples: list[PoolSample] = field(default_factory=list)

    def within_band(self, tolerance_bps: float = 0.5) -> tuple[float, int]:
        """Share of samples within ``band + tolerance`` and the longest run of samples outside."""
        if not self.samples:
            return 1.0, 0
        inside = [s.deviation_bps <= s.band_bps + tolerance_bps for s in self.samples]
        longest = run = 0
        for ok in inside:
            run = 0 if ok else run + 1
            longest = max(longest, run)
        return sum(inside) / len(inside), longest

    def band_bps(self, chain: Chain) -> float:
        spec = self.spec
        if isinstance(self.pool, UniswapV2Pair):
            quote_units = float(self.pool.reserve1)
        else:
            quote_units = self.pool.liquidity * self.pool.sqrt_price_x96 / 2**96
        reserve_usd = quote_units / 10**spec.quote_decimals
        base_fee = chain.blocks[-1].base_fee_per_gas if chain.blocks else chain.next_base_fee
        gas_price = base_fee + chain.preset.default_priority_fee_wei  # the arbitrageur's bid
        gas_usd = ARB_SWAP_GAS * gas_price * 1e-18 * self.native_price_usd
        gas_band = 2 * math.sqrt(gas_usd / reserve_usd) if reserve_usd > 0 else 1.0
        return spec.fee_pips / 100 + gas_band * 1e4


class MarketDriver:
    """Steps every synthetic venue on the loop timer ``scenario:market``."""

    TIMER = "scenario:market"

    def __init__(self, loop: EventLoop, path: FairValuePath, makers: Sequence[BookMaker],
                 flows: Sequence[TradeFlow], quoters: Sequence[OptionQuoter],
                 chains: Sequence[tuple[Chain, Sequence[PoolWatch]]],
                 reference: Callable[[int], float]) -> None:
        self.loop = loop
        self.path = path
        self.makers = list(makers)
        self.flows = list(flows)
        self.quoters = list(quoters)
        self.chains = [(chain, list(watches)) for chain, watches in chains]
        self.reference = reference
        self.steps = 0
        loop.subscribe(TimerFired, self.on_timer)

    def start(self) -> None:
        self.loop.set_timer(self.TIMER, self.path.start_ns, self.path.step_ns)

    def on_timer(self, fired: TimerFired) -> None:
        if fired.name != self.TIMER:
            return
        ts = fired.ts_ns
        i = (ts - self.path.start_ns) // self.path.step_ns
        if i >= len(self.path):
            self.loop.cancel_timer(self.TIMER)
            return
        self.step(ts, float(self.path.prices[i]))

    def step(self, ts_ns: int, fair: float) -> None:
        dt_s = self.path.step_ns / 1e9
        for maker in self.makers:
            maker.step(ts_ns, fair, dt_s)
        for flow in self.flows:
            flow.step(ts_ns, dt_s)
        for quoter in self.quoters:
            quoter.step(ts_ns, fair)
        for chain, watches in self.chains:
            if chain.advance(ts_ns) and watches:
                mid = self.reference(ts_ns)
                for watch in watches:
                    watch.samples.append(PoolSample(ts_ns, chain.block_number,
                                                    pool_price(watch.pool, watch.spec), mid,
                                                    watch.band_bps(chain)))
        self.steps += 1
