"""Build a runnable simulated market from a :class:`~.schema.Scenario`.

:func:`build_market` creates one venue per ``[[venues]]`` entry on the venue simulators
(:class:`BookVenue` for books, perpetuals and options; :class:`AmmVenue` per pool on a shared
:class:`Chain` per ``[[chains]]`` entry), wires them into an :class:`ExecutionEngine` (VenueWake
and ChainTick subscriptions), simulates the fair value, and adds the :class:`MarketDriver` that
moves everything on a loop timer. Replay feeds (``[[replay]]``) are scheduled by :mod:`.replay`.
Every random stream is the engine's ``rng_for`` of a fixed component name, so one seed gives one
market whatever else is added.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from slipstream.engine.clock import SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import ScenarioError
from slipstream.journal.store import EventStore
from slipstream.model.enums import OptionKind
from slipstream.model.instruments import DERIBIT_OPTION_TICKS, Instrument, Option, Perpetual, SpotPair
from slipstream.scenarios import calibration as cal
from slipstream.scenarios.amm import build_v2, build_v3
from slipstream.scenarios.driver import MarketDriver, PoolWatch, ReferenceMid
from slipstream.scenarios.fair_value import FairValuePath, simulate_fair_value
from slipstream.scenarios.liquidity import BookMaker, TradeFlow
from slipstream.scenarios.options import OptionQuoter
from slipstream.scenarios.replay import schedule_replay
from slipstream.scenarios.schema import ChainSpec, Scenario, VenueSpec
from slipstream.venues.base import Venue
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.chain import PRESETS, AmmMarket, AmmVenue, AmmVenueConfig, Arbitrageur, Chain, ChainTick
from slipstream.venues.sim.chain.dynamics import NoiseTraders
from slipstream.venues.sim.messages import VenueWake
from slipstream.venues.sim.models import FEE_SCHEDULES, RATE_LIMITS, ConstantLatency, LatencyModel, LogNormalLatency

__all__ = ["SimMarket", "build_market"]

_DAY_NS = 86_400_000_000_000
_GWEI = 10**9
_MS = 1_000_000


@dataclass(slots=True)
class SimMarket:
    """A built scenario: the engine, its venues and the synthetic market behind them.

    ``instruments`` maps ``(venue, symbol)``; ``pools`` maps an AMM venue to its watch (pool
    state and post-block samples). Call :meth:`run` to advance simulated time.
    """

    scenario: Scenario
    seed: int
    engine: ExecutionEngine
    venues: dict[str, Venue]
    instruments: dict[tuple[str, str], Instrument]
    fair_value: FairValuePath | None
    chains: dict[str, Chain]
    pools: dict[str, PoolWatch]
    driver: MarketDriver | None
    start_ns: int
    end_ns: int

    def run(self, until_ns: int | None = None) -> None:
        """Run the engine loop to ``until_ns`` (default: the scenario's end)."""
        self.engine.run(self.end_ns if until_ns is None else until_ns)


def _fail(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}")


def _latency(spec: VenueSpec) -> LatencyModel | None:
    lat = spec.latency
    if lat.model == "none":
        return None
    if lat.model == "colocated":
        return LogNormalLatency.colocated()
    if lat.model == "remote":
        return LogNormalLatency.remote()
    return ConstantLatency(round(lat.entry_ms * _MS), round(lat.response_ms * _MS),
                           round(lat.market_data_ms * _MS))


def _common(spec: VenueSpec) -> dict[str, Any]:
    return {"min_quantity": spec.min_quantity, "min_notional": spec.min_notional,
            "maker_fee": spec.maker_fee, "taker_fee": spec.taker_fee}


def _options(spec: VenueSpec, where: str, start_ns: int, price: float) -> list[Option]:
    chain = spec.options
    assert chain is not None
    day0 = start_ns // _DAY_NS * _DAY_NS
    strikes = sorted({round(price * (1 + off / 100) / chain.strike_step) * chain.strike_step
                      for off in chain.strike_offsets_pct})
    if min(strikes) <= 0:
        raise _fail(f"{where}.options.strike_offsets_pct", "a strike rounds to zero or below")
    out = []
    for days in sorted(set(chain.expiries_days)):
        expiry = day0 + days * _DAY_NS + 8 * 3_600_000_000_000  # Deribit expires at 08:00 UTC
        for strike in strikes:
            for kind in (OptionKind.CALL, OptionKind.PUT):
                out.append(Option.create(spec.name, spec.base, spec.quote, spec.base, expiry,
                                         Decimal(str(strike)), kind, DERIBIT_OPTION_TICKS, spec.lot,
                                         premium_currency=spec.base, **_common(spec)))
    return out


def _book_venue(spec: VenueSpec, where: str, instruments: list[Instrument], start_ns: int) -> BookVenue:
    fees = None
    if spec.fee_schedule is not None:
        fees = FEE_SCHEDULES.get(spec.fee_schedule)
        if fees is None:
            raise _fail(f"{where}.fee_schedule", f"unknown schedule {spec.fee_schedule!r}; known: "
                        f"{sorted(FEE_SCHEDULES)}")
    buckets = []
    for i, name in enumerate(spec.rate_limits):
        if name not in RATE_LIMITS:
            raise _fail(f"{where}.rate_limits[{i}]", f"unknown rate limit {name!r}; known: {sorted(RATE_LIMITS)}")
        buckets.append(RATE_LIMITS[name].bucket(start_ns))
    return BookVenue(spec.name, instruments, latency=_latency(spec), fees=fees, rate_limits=buckets,
                     balances=dict(spec.balances))


def _chain(spec: ChainSpec, seed: int, start_ns: int) -> Chain:
    preset = PRESETS[spec.preset]
    changes: dict[str, Any] = {}
    if spec.block_time_ms is not None:
        changes["block_time_ns"] = spec.block_time_ms * _MS
    if spec.base_fee_gwei is not None:
        changes["initial_base_fee_wei"] = max(round(spec.base_fee_gwei * _GWEI), preset.min_base_fee_wei)
    if spec.priority_fee_gwei is not None:
        changes["default_priority_fee_wei"] = round(spec.priority_fee_gwei * _GWEI)
    if spec.sandwich_probability is not None:
        changes["sandwich_probability"] = spec.sandwich_probability
    return Chain(replace(preset, **changes), seed=seed, genesis_ns=start_ns)


def build_market(scenario: Scenario, seed: int | None = None, *, data_root: str | Path | None = None,
                 step_ms: int | None = None, journal: EventStore | None = None) -> SimMarket:
    """Construct the venues, engine and driver of ``scenario``.

    Args:
        scenario: a validated scenario.
        seed: overrides ``scenario.seed`` (fair value, books, flows, chains and engine).
        data_root: folder that relative replay paths are read from (default: the working dir).
        step_ms: overrides ``scenario.step_ms`` (coarser grids run faster).
        journal: the engine's event store (default: in memory).

    Raises:
        ScenarioError: a reference that only the build can check (fee schedule or rate-limit
            name, a strike below zero) or an unreadable replay file.
    """
    meta = scenario.scenario
    seed = meta.seed if seed is None else seed
    start_ns = meta.start_ns
    step_ns = (meta.step_ms if step_ms is None else step_ms) * _MS
    engine = ExecutionEngine(seed=seed, clock=SimulatedClock(start_ns), journal=journal)
    loop = engine.loop
    venues: dict[str, Venue] = {}
    instruments: dict[tuple[str, str], Instrument] = {}
    path: FairValuePath | None = None
    driver: MarketDriver | None = None
    chains: dict[str, Chain] = {}
    pools: dict[str, PoolWatch] = {}
    end_ns = start_ns + meta.duration_ns

    def add(venue: Venue) -> None:
        engine.add_venue(venue)
        venues[venue.venue_id] = venue
        for instrument in venue.instruments:
            instruments[(venue.venue_id, instrument.symbol)] = instrument
        if hasattr(venue, "loop_subscriptions"):
            return  # the engine wired the venue's own subscriptions
        if isinstance(venue, BookVenue):  # older venue API: wire VenueWake / ChainTick here
            loop.subscribe(VenueWake, venue.on_wake)
        elif isinstance(venue, AmmVenue):
            loop.subscribe(ChainTick, venue.on_chain_tick)

    if scenario.venues:
        asset = scenario.asset
        assert asset is not None
        path = simulate_fair_value(asset, start_ns, meta.duration_ns, step_ns, seed)
        price = asset.initial_price
        makers: list[BookMaker] = []
        flows: list[TradeFlow] = []
        quoters: list[OptionQuoter] = []
        for i, spec in enumerate(scenario.venues):
            where = f"venues[{i}]"
            rng = loop.rng_for(f"scenario:{spec.name}")
            if spec.kind in ("book", "perp"):
                maker_kind = SpotPair.create if spec.kind == "book" else None
                instrument: Instrument = (
                    maker_kind(spec.name, spec.base, spec.quote, spec.tick, spec.lot, **_common(spec))
                    if maker_kind is not None else
                    Perpetual.create(spec.name, spec.base, spec.quote, spec.quote, spec.tick, spec.lot,
                                     **_common(spec)))
                venue = _book_venue(spec, where, [instrument], start_ns)
                add(venue)
                assert spec.book is not None
                maker = BookMaker(venue, instrument, spec.book, spec.liquidity_scale, spec.basis_bps, price, rng)
                makers.append(maker)
                rate = spec.book.trade_rate_per_s
                rate = cal.TRADE_RATE_PER_S * spec.liquidity_scale if rate is None else rate
                flows.append(TradeFlow(maker, instrument, rate, loop.rng_for(f"scenario:{spec.name}:trades")))
            elif spec.kind == "options":
                options = _options(spec, where, start_ns, price)
                venue = _book_venue(spec, where, options, start_ns)
                add(venue)
                assert spec.options is not None
                quoters.append(OptionQuoter(venue, options, spec.options, spec.liquidity_scale, rng))
        reference = ReferenceMid(makers[0] if makers else None, path)
        chain_watches: list[tuple[Chain, list[PoolWatch]]] = []
        for c, chain_spec in enumerate(scenario.chains):
            chain = _chain(chain_spec, seed * 1_000 + c, start_ns)
            chains[chain_spec.name] = chain
            watches = _pools(scenario, chain_spec, chain, price, reference, instruments, add)
            pools.update({w.venue: w for w in watches})
            chain_watches.append((chain, watches))
        driver = MarketDriver(loop, path, makers, flows, quoters, chain_watches, reference.price)
        driver.start()
    if scenario.replay:
        replay_venues, replay_end = schedule_replay(engine, scenario.replay, start_ns, data_root)
        for venue in replay_venues:
            add(venue)
        if not scenario.venues:
            end_ns = replay_end
    return SimMarket(scenario, seed, engine, venues, instruments, path, chains, pools, driver, start_ns, end_ns)


def _pools(scenario: Scenario, chain_spec: ChainSpec, chain: Chain, price: float, reference: ReferenceMid,
           instruments: dict[tuple[str, str], Instrument], add: Any) -> list[PoolWatch]:
    """Deploy the chain's pools, arbitrageurs, noise, our funded wallet and the AMM venues."""
    watches: list[PoolWatch] = []
    tip = chain.preset.default_priority_fee_wei
    native = chain_spec.native_price_usd
    specs = [s for s in scenario.venues if s.chain == chain_spec.name]
    for spec in specs:
        pool_spec = spec.pool
        assert pool_spec is not None
        pool = build_v2(spec.name, pool_spec, price) if spec.kind == "amm_v2" else build_v3(spec.name, pool_spec, price)
        chain.add_pool(pool)
        chain.add_arbitrageur(Arbitrageur(spec.name, reference, tip_wei=tip))
        if chain_spec.noise_swaps_per_block > 0:
            usd = chain_spec.noise_mean_usd
            means = (max(1, round(usd / price * 10**pool_spec.base_decimals)),
                     max(1, round(usd * 10**pool_spec.quote_decimals)))
            chain.add_noise(NoiseTraders(spec.name, chain_spec.noise_swaps_per_block, means, 1.0, tip))
        # what a base unit of each token is worth in wei, for arbitrage and MEV gas decisions
        chain.set_native_price(pool_spec.quote_token, Fraction(10**18, 10**pool_spec.quote_decimals)
                               / Fraction(native).limit_denominator(10**6))
        chain.set_native_price(pool_spec.base_token, Fraction(price / native).limit_denominator(10**9)
                               * Fraction(10**18, 10**pool_spec.base_decimals))
        watches.append(PoolWatch(spec.name, pool, pool_spec, native))
    for asset, amount in sorted(chain_spec.balances.items()):
        decimals = chain.decimals.get(asset, 18)
        chain.fund(chain_spec.account, asset, int(amount.scaleb(decimals)))
    config = AmmVenueConfig(account=chain_spec.account, private_relay=chain_spec.private_mempool)
    for spec in specs:
        assert spec.pool is not None
        instrument = SpotPair.create(spec.name, spec.base, spec.quote, spec.tick, spec.lot, **_common(spec))
        market = AmmMarket(instrument, spec.name, base_token=spec.pool.base_token, quote_token=spec.pool.quote_token)
        add(AmmVenue(spec.name, chain, [market], config))
    return watches
