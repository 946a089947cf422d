"""What the router knows about each venue trading the pair: an order-book snapshot or an AMM pool
copy, plus the conditions that turn a price into an all-in cost (fees, gas, latency, MEV, health).

Sources are immutable snapshots: a router decision reads them and never mutates them (AMM
sources hold their own :meth:`Pool.copy`). Defaults are calibrated on /work/shared/MARKET_FACTS.md:

* taker/maker fees come from the :class:`Instrument` (§1a: CEX spot 10 bps; Uniswap tiers §1b are
  inside the pool's exact quote);
* latency 20 ms one way (§3a: 10-35 ms round trip co-located);
* volatility 50 %/yr = 8.9e-5 per sqrt(second) (§5: BTC IV range 35-80);
* gas from :mod:`slipstream.venues.sim.amm.gas` (Uniswap snapshots; §4 router model ~97k + 31k per
  tick is of the same order), priced at the expected base fee + tip at inclusion (§4: 0.05-10 gwei);
* MEV: sandwich probability and victim loss are **not found** in MARKET_FACTS §4, so the default
  is an explicit assumption (5 % of public swaps sandwiched, losing the full 50 bps slippage
  tolerance the sim AMM venue uses by default); a private relay removes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ASK, BID, L2Book
from slipstream.model.feed import BookUpdate
from slipstream.model.instruments import Instrument
from slipstream.venues.sim.amm.base import Pool
from slipstream.venues.sim.amm.gas import STABLESWAP_EXCHANGE_GAS, v2_swap_gas, v3_swap_gas
from slipstream.venues.sim.amm.v2_pair import UniswapV2Pair
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = [
    "DEFAULT_LATENCY_NS",
    "DEFAULT_VOLATILITY",
    "AmmSource",
    "BookSource",
    "GasModel",
    "MevModel",
    "Source",
    "VenueConditions",
    "swap_gas_units",
]

DEFAULT_LATENCY_NS = 20_000_000
"""One-way order-entry latency, 20 ms (MARKET_FACTS §3a: 10-35 ms round trip from the region)."""
DEFAULT_VOLATILITY = 0.50 / math.sqrt(365 * 24 * 3600)
"""50 % annualised BTC volatility per sqrt(second) (MARKET_FACTS §5: IV 35-80)."""


@dataclass(frozen=True, slots=True)
class VenueConditions:
    """Per-venue state that is not price: health, limits, latency and how old the data is.

    Args:
        received_ts_ns: when the snapshot reached us; the view turns it into an age.
        latency_ns: one-way order-entry latency.
        volatility: fractional price volatility per sqrt(second), for the latency/staleness risk.
        healthy: venue circuit breaker closed (False excludes the venue).
        rate_limit_headroom: we may send another order now (False excludes the venue).
        max_base: inventory/cap of base asset we may trade here (None: unlimited).
        max_quote: quote balance available for buys here, fees included (None: unlimited).
    """

    received_ts_ns: int = 0
    latency_ns: int = DEFAULT_LATENCY_NS
    volatility: float = DEFAULT_VOLATILITY
    healthy: bool = True
    rate_limit_headroom: bool = True
    max_base: Decimal | None = None
    max_quote: Decimal | None = None

    def __post_init__(self) -> None:
        if self.latency_ns < 0 or not self.volatility >= 0:
            raise ValidationError("latency and volatility must be >= 0")
        for cap in (self.max_base, self.max_quote):
            if cap is not None and cap < 0:
                raise ValidationError("balance caps must be >= 0")


@dataclass(frozen=True, slots=True)
class BookSource:
    """A central limit order book snapshot in the instrument's integer units.

    Args:
        venue: venue id (the ChildOrder's venue).
        instrument: tick/lot/minimums/fees of the venue's market (linear, not inverse).
        bids, asks: ``(price_units, lots)`` best first.
        conditions: health, caps, latency, age.
        traded_lots_per_s: public volume trading against each side of the touch, for the
            passive fill-probability model.
        taker_fee, maker_fee: override the instrument's rates (fraction of notional, charged as
            quote-equivalent whatever asset the venue debits).
    """

    venue: str
    instrument: Instrument
    bids: tuple[tuple[int, int], ...]
    asks: tuple[tuple[int, int], ...]
    conditions: VenueConditions = field(default_factory=VenueConditions)
    traded_lots_per_s: float = 0.0
    taker_fee: Decimal | None = None
    maker_fee: Decimal | None = None
    memo: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Derived data of this snapshot (prefix arrays, factors), filled by the router on first use."""

    def __post_init__(self) -> None:
        if self.instrument.inverse:
            raise ValidationError(f"{self.venue}: inverse instruments cannot be routed as the base pair")
        for side, levels in (("bid", self.bids), ("ask", self.asks)):
            previous = None
            for price, lots in levels:
                if price <= 0 or lots <= 0:
                    raise ValidationError(f"{self.venue}: {side} level ({price}, {lots}) must be positive")
                if previous is not None and (price >= previous if side == "bid" else price <= previous):
                    raise ValidationError(f"{self.venue}: {side} levels must be best first and distinct")
                previous = price

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

    @property
    def taker_rate(self) -> Decimal:
        return self.instrument.taker_fee if self.taker_fee is None else self.taker_fee

    @property
    def maker_rate(self) -> Decimal:
        return self.instrument.maker_fee if self.maker_fee is None else self.maker_fee

    @classmethod
    def from_update(cls, update: BookUpdate, instrument: Instrument, **kw: object) -> BookSource:
        """A source from the book a venue published; its ``receive_ts_ns`` becomes the age base."""
        conditions = kw.pop("conditions", None) or VenueConditions()
        assert isinstance(conditions, VenueConditions)
        conditions = _with_received(conditions, update.receive_ts_ns)
        return cls(venue=update.venue, instrument=instrument, bids=update.bids, asks=update.asks,
                   conditions=conditions, **kw)  # type: ignore[arg-type]

    @classmethod
    def from_l2(cls, venue: str, book: L2Book, instrument: Instrument, depth: int = 50,
                **kw: object) -> BookSource:
        """A source from the top ``depth`` levels of an :class:`L2Book`."""
        return cls(venue=venue, instrument=instrument, bids=tuple(book.levels(BID, depth)),
                   asks=tuple(book.levels(ASK, depth)), **kw)  # type: ignore[arg-type]


def _with_received(conditions: VenueConditions, received_ts_ns: int) -> VenueConditions:
    return VenueConditions(received_ts_ns, conditions.latency_ns, conditions.volatility, conditions.healthy,
                           conditions.rate_limit_headroom, conditions.max_base, conditions.max_quote)


@dataclass(frozen=True, slots=True)
class GasModel:
    """Expected gas price at inclusion and the native coin's price, to charge gas in quote.

    Args:
        base_fee_gwei: the base fee expected in the inclusion block (EIP-1559 moves it at most
            12.5 % per block; the chain model supplies the forecast).
        priority_fee_gwei: tip (MARKET_FACTS §4: 0.5-2 gwei usually enough).
        native_price: price of the gas coin (ETH) in the route's quote asset.
    """

    base_fee_gwei: Decimal = Decimal("1")
    priority_fee_gwei: Decimal = Decimal("0.5")
    native_price: Decimal = Decimal("3000")

    def __post_init__(self) -> None:
        if self.base_fee_gwei < 0 or self.priority_fee_gwei < 0 or self.native_price < 0:
            raise ValidationError("gas prices must be >= 0")

    @property
    def quote_per_gas(self) -> Decimal:
        """Quote asset paid per gas unit."""
        return (self.base_fee_gwei + self.priority_fee_gwei) * self.native_price / Decimal(10**9)


@dataclass(frozen=True, slots=True)
class MevModel:
    """Expected sandwich loss of a swap: ``probability × tolerance × notional`` when public.

    A sandwicher can push the execution price to the swap's slippage limit, so the loss is bounded
    by the tolerance; MARKET_FACTS §4 has aggregate losses but no per-swap rate, so both numbers
    are assumptions to calibrate per scenario.
    """

    public_mempool: bool = True
    sandwich_probability: float = 0.05
    slippage_tolerance_bps: float = 50.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.sandwich_probability <= 1.0 or not self.slippage_tolerance_bps >= 0:
            raise ValidationError("sandwich probability must be in [0, 1] and tolerance >= 0")

    @property
    def loss_rate(self) -> float:
        """Expected loss as a fraction of notional."""
        if not self.public_mempool:
            return 0.0
        return self.sandwich_probability * self.slippage_tolerance_bps / 10_000


def swap_gas_units(pool: Pool, ticks_crossed: int = 0, hops: int = 1) -> int:
    """Gas units of one swap transaction on ``pool`` (per-hop and per-tick-crossed included)."""
    if isinstance(pool, UniswapV3Pool):
        return v3_swap_gas(ticks_crossed, hops)
    if isinstance(pool, UniswapV2Pair):
        return v2_swap_gas(hops)
    return STABLESWAP_EXCHANGE_GAS * hops


@dataclass(frozen=True, slots=True)
class AmmSource:
    """An AMM pool seen as a venue: a private copy of the pool and how we would swap on it.

    Args:
        venue: venue id of the AMM venue that executes the swap.
        instrument: the listed market (lot = trading granularity, tick = limit price grid).
        pool: the pool state (use :meth:`snapshot` to copy a live pool).
        base_index, quote_index: the pool's token indices of the base and quote assets.
        gas: gas price model; mev: sandwich model; hops: pool hops of the path.
        block_time_s: expected wait for inclusion is half a block, added to latency.
        quote_rate: value of one pool quote token in the route's quote asset (USDC in USDT).
        slippage_bps: tolerance around the expected average price for the order's limit.
    """

    venue: str
    instrument: Instrument
    pool: Pool
    base_index: int
    quote_index: int
    gas: GasModel = field(default_factory=GasModel)
    mev: MevModel = field(default_factory=MevModel)
    conditions: VenueConditions = field(default_factory=VenueConditions)
    hops: int = 1
    block_time_s: float = 12.0
    quote_rate: Decimal = Decimal(1)
    slippage_bps: int = 50
    memo: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Derived data of this snapshot (factors, liquidity segments), filled by the router on first use."""

    def __post_init__(self) -> None:
        n = len(self.pool.tokens)
        if not (0 <= self.base_index < n and 0 <= self.quote_index < n) or self.base_index == self.quote_index:
            raise ValidationError(f"{self.venue}: bad base/quote token indices")
        atoms = self.instrument.lot_size * Decimal(10) ** self.pool.decimals[self.base_index]
        if atoms % 1 != 0:
            raise ValidationError(f"{self.venue}: one lot is not a whole number of base token units")
        if self.hops < 1 or self.block_time_s < 0 or self.quote_rate <= 0 or not 0 <= self.slippage_bps < 10_000:
            raise ValidationError(f"{self.venue}: hops >= 1, block time >= 0, quote rate > 0, slippage in bps")

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

    @classmethod
    def snapshot(cls, venue: str, instrument: Instrument, pool: Pool, base_index: int, quote_index: int,
                 **kw: object) -> AmmSource:
        """A source holding a copy of ``pool``, so later swaps on the live pool do not leak in."""
        return cls(venue=venue, instrument=instrument, pool=pool.copy(), base_index=base_index,
                   quote_index=quote_index, **kw)  # type: ignore[arg-type]


Source = BookSource | AmmSource
