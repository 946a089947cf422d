"""Small random routing instances for the router's property tests (seeded, no I/O)."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from itertools import product

from slipstream.model.enums import Side
from slipstream.model.instruments import SpotPair
from slipstream.model.intents import ChildIntent
from slipstream.routing import AmmSource, BookSource, GasModel, MarketView, VenueConditions
from slipstream.routing.costs import Curve
from slipstream.venues.sim.amm import UniswapV2Pair, UniswapV3Pool
from slipstream.venues.sim.amm.tick_math import get_tick_at_sqrt_ratio

NOW = 1_000_000_000_000
Q96 = 1 << 96


def spot(venue: str, lot: str, fee: str = "0.001", min_quantity: str = "0") -> SpotPair:
    return SpotPair.create(venue, "BTC", "USDT", tick=Decimal("0.01"), lot_size=Decimal(lot), taker_fee=Decimal(fee),
                           maker_fee=Decimal(fee) / 2, min_quantity=Decimal(min_quantity))


def book(rng: random.Random, venue: str, lot: str, mid: int, levels: int = 6, **cond: object) -> BookSource:
    """Levels 1-5 lots... sized in the venue's lots, 50-500 price units (0.5-5 USDT) apart."""
    inst = spot(venue, lot, rng.choice(["0.001", "0.0005", "0.002"]), rng.choice(["0", "0", lot]))
    scale = int(Decimal("0.1") / Decimal(lot))
    bids, asks = [], []
    b, a = mid - rng.randint(1, 400), mid + rng.randint(1, 400)
    for _ in range(levels):
        bids.append((b, rng.randint(1, 5) * scale))
        asks.append((a, rng.randint(1, 5) * scale))
        b -= rng.randint(50, 500)
        a += rng.randint(50, 500)
    conditions = VenueConditions(received_ts_ns=NOW - rng.randint(0, 100_000_000), **cond)  # type: ignore[arg-type]
    return BookSource(venue=venue, instrument=inst, bids=tuple(bids), asks=tuple(asks), conditions=conditions,
                      traded_lots_per_s=rng.uniform(1, 200) * scale)


def v2_source(rng: random.Random, price: float, lot: str = "0.1", gwei: str = "20") -> AmmSource:
    btc = int(rng.uniform(5, 30) * 1e8)
    pool = UniswapV2Pair("v2", ("WBTC", "USDC"), (8, 6), btc, int(btc * price * rng.uniform(0.998, 1.002) / 100))
    inst = SpotPair.create("univ2", "BTC", "USDT", tick=Decimal("0.01"), lot_size=Decimal(lot))
    return AmmSource(venue="univ2", instrument=inst, pool=pool, base_index=0, quote_index=1,
                     gas=GasModel(base_fee_gwei=Decimal(gwei)), conditions=VenueConditions(received_ts_ns=NOW))


def v3_source(rng: random.Random, price: float, lot: str = "0.1", gwei: str = "20", base_index: int = 0
              ) -> AmmSource:
    """A 0.05 % pool with stacked ranges, so multi-BTC swaps cross initialised ticks."""
    p = price * rng.uniform(0.998, 1.002)
    if base_index == 0:  # token0 = WBTC(8), token1 = USDC(6)
        tokens, decimals, atom = ("WBTC", "USDC"), (8, 6), p * 1e6 / 1e8
    else:  # token0 = USDC(6), token1 = WBTC(8)
        tokens, decimals, atom = ("USDC", "WBTC"), (6, 8), 1e8 / (p * 1e6)
    sqrt_x96 = int(math.sqrt(atom) * Q96)
    pool = UniswapV3Pool("v3", tokens, decimals, 500, sqrt_x96)
    spacing = pool.tick_spacing
    full = 887272 // spacing * spacing
    liq = int(rng.uniform(0.5, 2) * 1e11)
    pool.mint(-full, full, liq)
    centre = get_tick_at_sqrt_ratio(sqrt_x96) // spacing * spacing
    for k in range(1, 4):
        pool.mint(centre - 2 * k * spacing, centre + 2 * k * spacing, liq)
    inst = SpotPair.create("univ3", "BTC", "USDT", tick=Decimal("0.01"), lot_size=Decimal(lot))
    return AmmSource(venue="univ3", instrument=inst, pool=pool, base_index=base_index, quote_index=1 - base_index,
                     gas=GasModel(base_fee_gwei=Decimal(gwei)), conditions=VenueConditions(received_ts_ns=NOW))


def small_view(seed: int, amm: str = "v2") -> MarketView:
    """Two books (lots 0.1 and 0.05 BTC) and optionally one pool, around 70,000 USDT."""
    rng = random.Random(seed)
    price = rng.uniform(60_000, 80_000)
    mid = int(price * 100)
    sources: list[BookSource | AmmSource] = [book(rng, "alpha", "0.1", mid), book(rng, "beta", "0.05", mid)]
    if amm == "v2":
        sources.append(v2_source(rng, price, gwei=rng.choice(["1", "50", "400"])))
    elif amm == "v3":
        sources.append(v3_source(rng, price, gwei=rng.choice(["1", "50"]), base_index=rng.randint(0, 1)))
    return MarketView(NOW, tuple(sources))


def intent(quantity: str, side: Side = Side.BUY, **kw: object) -> ChildIntent:
    return ChildIntent(intent_id="i1", parent_id="p1", symbol="BTC/USDT", side=side, quantity=Decimal(quantity),
                       **kw)  # type: ignore[arg-type]


def all_in(curve: Curve, n: int) -> int | None:
    if n == 0:
        return 0
    v = curve.cost(n)
    return None if v is None else v + curve.fixed


def brute_force(curves: list[Curve], total: int) -> tuple[int, tuple[int, ...]] | None:
    """Cheapest feasible allocation over every grid point (each source: 0 or lo..hi in its steps)."""
    choices = []
    for c in curves:
        top = min(int(c.hi) if c.hi != math.inf else total, total)
        choices.append([0] + [n for n in range(c.step, top + 1, c.step) if n >= c.lo])
    best = None
    for combo in product(*choices[:-1]):
        rest = total - sum(combo)
        last = curves[-1]
        if rest < 0 or (rest not in choices[-1] and rest != 0):
            continue
        if rest and rest % last.step:
            continue
        parts = (*combo, rest)
        cost = 0
        for c, n in zip(curves, parts, strict=True):
            v = all_in(c, n)
            if v is None:
                cost = None
                break
            cost += v
        if cost is not None and (best is None or cost < best[0]):
            best = (cost, parts)
    return best
