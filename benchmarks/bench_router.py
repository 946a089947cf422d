"""Smart order router: decision time, and route quality against a Uniswap-style baseline.

Scenario (seeded, synthetic, calibrated on /work/shared/MARKET_FACTS.md): BTC/USDT, 5 CLOB venues ×
50 levels per side (taker fees 10/10/10/5/26 bps after §1a; main-venue spread ≈ 0.2 bps and tens of
BTC within 10 bps, §2; 20 ms latency, §3a) plus 3 WBTC/USDC pools: a Uniswap v3 0.05 % pool with
stacked concentrated ranges (a 25 BTC swap crosses initialised ticks), a v3 0.3 % pool and a v2
pair (§1b), gas 0.5-10 gwei base fee + 0.5 gwei tip at ETH 3000 (§4).

Baseline ("Uniswap style", after Uniswap/smart-order-router's alpha router): split the order in
5 % steps, quote every venue at every step with the same exact cost model (gas-adjusted: each used
AMM pays its swap gas), then search breadth-first over splits of up to 3 venues whose percentages
sum to 100 %, keeping the cheapest. Its allocation is priced exactly like slipstream's, so the
comparison is in the same integer cost units.

Run: python benchmarks/bench_router.py [--quick]
"""

from __future__ import annotations

import gc
import math
import platform
import random
import statistics
import sys
import time
from dataclasses import replace
from decimal import Decimal
from itertools import combinations

from slipstream.model.enums import Side
from slipstream.model.instruments import SpotPair
from slipstream.model.intents import ChildIntent
from slipstream.routing import (
    AmmSource,
    BookSource,
    GasModel,
    MarketView,
    RouterConfig,
    SmartRouter,
    compiled_modules,
)
from slipstream.routing.costs import Curve
from slipstream.routing.optimiser import SplitProblem, solve
from slipstream.routing.sources import VenueConditions
from slipstream.venues.sim.amm import UniswapV2Pair, UniswapV3Pool
from slipstream.venues.sim.amm.tick_math import get_tick_at_sqrt_ratio

Q96 = 1 << 96
LOT = Decimal("0.00001")
TICK = Decimal("0.01")
BOOK_FEES = (("binance", "0.001"), ("okx", "0.001"), ("bybit", "0.001"), ("coinbase", "0.0005"),
             ("kraken", "0.0026"))
NOW = 10_000_000_000


def spot(venue: str, fee: str) -> SpotPair:
    return SpotPair.create(venue, "BTC", "USDT", tick=TICK, lot_size=LOT, taker_fee=Decimal(fee),
                           maker_fee=Decimal(fee) / 2, min_notional=Decimal("5"))


def book_source(rng: random.Random, venue: str, fee: str, mid: int, depth_scale: float, levels: int = 50
                ) -> BookSource:
    """``levels`` per side around ``mid`` (price units), 1-40 ticks apart, 0.05-3 BTC each × scale."""
    half = rng.randint(1, 60)
    bids, asks = [], []
    b, a = mid - half, mid + half
    for _ in range(levels):
        bids.append((b, max(1, int(rng.uniform(5_000, 300_000) * depth_scale))))
        asks.append((a, max(1, int(rng.uniform(5_000, 300_000) * depth_scale))))
        b -= rng.randint(1, 40)
        a += rng.randint(1, 40)
    cond = VenueConditions(received_ts_ns=NOW - rng.randint(0, 50_000_000))
    return BookSource(venue=venue, instrument=spot(venue, fee), bids=tuple(bids), asks=tuple(asks),
                      conditions=cond, traded_lots_per_s=rng.uniform(1_000, 50_000))


def v3_pool(pool_id: str, fee_pips: int, price: float, liquidity: int, ranges: int) -> UniswapV3Pool:
    """WBTC(8)/USDC(6) pool at ``price`` USDC per WBTC: full range plus ``ranges`` nested ranges."""
    atom_price = price * 10**6 / 10**8
    sqrt_x96 = int(math.sqrt(atom_price) * Q96)
    pool = UniswapV3Pool(pool_id, ("WBTC", "USDC"), (8, 6), fee_pips, sqrt_x96)
    spacing = pool.tick_spacing
    full = (887272 // spacing) * spacing
    pool.mint(-full, full, liquidity)
    centre = get_tick_at_sqrt_ratio(sqrt_x96) // spacing * spacing
    for k in range(1, ranges + 1):
        width = 3 * k * spacing
        pool.mint(centre - width, centre + width, liquidity * 2)
    return pool


def amm_sources(rng: random.Random, price: float) -> list[AmmSource]:
    gas = GasModel(base_fee_gwei=Decimal(str(round(rng.uniform(0.5, 10.0), 2))), priority_fee_gwei=Decimal("0.5"),
                   native_price=Decimal(3000))
    cond = VenueConditions(received_ts_ns=NOW - rng.randint(0, 6_000_000_000))
    inst = {v: SpotPair.create(v, "BTC", "USDT", tick=TICK, lot_size=LOT) for v in ("univ3_005", "univ3_030", "univ2")}
    pools = [
        ("univ3_005", v3_pool("v3-005", 500, price * rng.uniform(0.9995, 1.0005), int(rng.uniform(1, 4) * 1e11), 6)),
        ("univ3_030", v3_pool("v3-030", 3000, price * rng.uniform(0.999, 1.001), int(rng.uniform(1, 4) * 1e11), 0)),
    ]
    p2 = price * rng.uniform(0.999, 1.001)
    btc = int(rng.uniform(20, 80) * 1e8)
    pools.append(("univ2", UniswapV2Pair("v2", ("WBTC", "USDC"), (8, 6), btc, int(btc * p2 / 100))))
    return [AmmSource(venue=v, instrument=inst[v], pool=p, base_index=0, quote_index=1, gas=gas, conditions=cond)
            for v, p in pools]


def scenario(seed: int, n_books: int = 5, levels: int = 50, amms: bool = True, depth: float = 1.0) -> MarketView:
    rng = random.Random(seed)
    price = rng.uniform(60_000, 80_000)
    mid = int(price / float(TICK))
    scales = (1.0, 0.5, 0.4, 0.3, 0.2)
    sources: list[BookSource | AmmSource] = [
        book_source(rng, v, f, mid + rng.randint(-30, 30), scales[i] * depth, levels)
        for i, (v, f) in enumerate(BOOK_FEES[:n_books])
    ]
    if amms:
        sources.extend(amm_sources(rng, price))
    return MarketView(NOW, tuple(sources))


def intent(seed: int, quantity: Decimal | None = None, side: Side | None = None) -> ChildIntent:
    rng = random.Random(seed * 7919 + 1)
    q = quantity if quantity is not None else (Decimal(rng.randint(10_000, 2_500_000)) * LOT)
    s = side if side is not None else rng.choice((Side.BUY, Side.SELL))
    return ChildIntent(intent_id=f"i{seed}", parent_id="p", symbol="BTC/USDT", side=s, quantity=q)


# ---- Uniswap-style baseline -----------------------------------------------------------------------
def _all_in(curve: Curve, n: int) -> int | None:
    if n == 0:
        return 0
    v = curve.cost(n)
    return None if v is None else v + curve.fixed


def baseline_cost(curves: list[Curve], total: int, step_pct: int = 5, max_splits: int = 3) -> int | None:
    """Cheapest exact all-in cost among splits in ``step_pct`` % steps over ≤ ``max_splits`` venues."""
    buckets = 100 // step_pct
    parts: dict[tuple[int, int], int | None] = {}
    for i, c in enumerate(curves):
        for b in range(1, buckets + 1):
            n = total * b // buckets // c.step * c.step
            parts[i, b] = _all_in(c, n) if n >= c.lo else None
    best: int | None = None
    # breadth-first: splits of k venues, k = 1..max_splits; the last venue takes the rounding remainder
    for k in range(1, max_splits + 1):
        for venues in combinations(range(len(curves)), k):
            for split in _compositions(buckets, k):
                cost = 0
                used = 0
                for i, b in zip(venues[:-1], split[:-1], strict=True):
                    v = parts[i, b]
                    if v is None:
                        cost = None
                        break
                    cost += v
                    used += total * b // buckets // curves[i].step * curves[i].step
                if cost is None:
                    continue
                last = curves[venues[-1]]
                rest = total - used
                if rest % last.step or (0 < rest < last.lo):
                    continue
                v = _all_in(last, rest)
                if v is None:
                    continue
                cost += v
                if best is None or cost < best:
                    best = cost
    return best


def _compositions(n: int, k: int) -> list[tuple[int, ...]]:
    if k == 1:
        return [(n,)]
    return [(a, *rest) for a in range(1, n - k + 2) for rest in _compositions(n - a, k - 1)]


def compare(n_scenarios: int, seed0: int = 0) -> dict[str, float]:
    """slipstream vs baseline on random scenarios; improvement in bps of notional (≥ 0 expected)."""
    router = SmartRouter(RouterConfig(compare_alternatives=False))
    gains: list[float] = []
    for s in range(seed0, seed0 + n_scenarios):
        view = scenario(s, n_books=3, levels=20)
        it = intent(s, Decimal(random.Random(s).randint(1_000, 800_000)) * LOT)
        prep = router.prepare(it, view)
        sol = solve(SplitProblem(prep.curves, prep.total))
        base = baseline_cost(prep.curves, prep.total, max_splits=3)
        if base is None or sol.unfilled:
            continue
        mid = float(prep.curves[0].mid)
        notional = mid * float(prep.total * prep.units.grid) * prep.units.scale
        gains.append((base - sol.cost) / notional * 1e4)
    return {"scenarios": len(gains), "mean_bps": statistics.fmean(gains), "worst_bps": min(gains),
            "best_bps": max(gains), "never_beaten": float(min(gains) >= 0)}


def fresh_copy(view: MarketView) -> MarketView:
    """The same market as a brand-new snapshot: new source objects with empty memos (the pools
    are shared; the router never mutates them)."""
    return MarketView(view.now_ns, tuple(replace(s) for s in view.sources))


def precompute(router: SmartRouter, view: MarketView) -> None:
    """The market-data-update hook (:meth:`SmartRouter.precompute`); on revisions without it, the
    equivalent warm-up of the old benchmark (one 25 BTC route per side)."""
    hook = getattr(router, "precompute", None)
    if hook is not None:
        hook(view, "BTC/USDT")
        return
    for side in (Side.BUY, Side.SELL):
        router.route(intent(0, Decimal(25), side), view)


def time_interleaved(n: int, seed0: int = 1_000, depth: float = 0.05) -> dict[str, float]:
    """Live, in the order a running router works: a market-data update makes a fresh snapshot,
    :meth:`SmartRouter.precompute` runs on it (timed separately), then one decision is routed on it
    (timed). Only one snapshot is alive at a time."""
    router = SmartRouter(RouterConfig(compare_alternatives=False))
    base = [scenario(seed0 + k, depth=depth) for k in range(20)]
    gc.collect()  # start from a collected heap (earlier rows' snapshots are garbage by now)
    samples: list[float] = []
    prep: list[float] = []
    for k in range(n):
        view = fresh_copy(base[k % len(base)])
        it = intent(seed0 + k)
        start = time.perf_counter()
        precompute(router, view)
        mid = time.perf_counter()
        router.route(it, view)
        samples.append(time.perf_counter() - mid)
        prep.append(mid - start)
    samples.sort()
    prep.sort()
    return {"n": n, "p50_us": samples[n // 2] * 1e6, "p99_us": samples[min(n - 1, int(n * 0.99))] * 1e6,
            "mean_us": statistics.fmean(samples) * 1e6, "precompute_p50_us": prep[n // 2] * 1e6}


def time_routes(n: int, seed0: int = 1_000, compare_alternatives: bool = True, depth: float = 1.0,
                cold: bool = False, freeze_gc: bool = False, live: bool = False, decide_after_ns: int = 0,
                risk_age_step_ns: int = 0) -> dict[str, float]:
    """p50/p99 wall time of one ``SmartRouter.route`` call on the 5×50 + 3 AMM scenario (random Q
    and side). The timed region is exactly the ``route`` call; view construction is not timed.

    * warm (default): 20 views reused round-robin, each routed once per side before timing, so the
      per-snapshot precomputation is done — and later routes on a view also reuse exact pool
      quotes memoised by earlier routes on it (a view sees ~150 decisions).
    * ``live``: every decision gets its own fresh snapshot (new sources, empty memos) on which
      :meth:`SmartRouter.precompute` ran at market-data update time (untimed), as a live system
      does on each update; nothing is reused across decisions.
    * ``cold``: a fresh snapshot per decision and no precompute: all of it is inside the timed call.

    ``decide_after_ns``: (live) the decision's view is taken this long after the update, so the
    data ages — and with them the latency-risk rates — differ from the precompute's; work keyed
    on them (the merged book steps) is then redone inside the decision.
    ``freeze_gc``: ``gc.freeze()`` after setup, as a latency-sensitive process would do.
    ``risk_age_step_ns``: :attr:`RouterConfig.risk_age_step_ns` (ages rounded up for the risk model, so
    a later decision whose ages round to the same steps reuses the precompute).
    """
    router = SmartRouter(RouterConfig(compare_alternatives=compare_alternatives, risk_age_step_ns=risk_age_step_ns))
    base = [scenario(seed0 + k, depth=depth) for k in range(20)]
    if cold or live:
        views = [fresh_copy(base[k % len(base)]) for k in range(n)]
    else:
        views = base
        for view in views:  # per-snapshot precompute happens on the market-data update
            for side in (Side.BUY, Side.SELL):
                router.route(intent(0, Decimal(25), side), view)
    if live:
        for k, view in enumerate(views):
            if risk_age_step_ns:  # updates arrive at any time, not on the steps' boundaries
                view = MarketView(view.now_ns + random.Random(k).randrange(risk_age_step_ns), view.sources)
            precompute(router, view)
            views[k] = MarketView(view.now_ns + decide_after_ns, view.sources)
    if freeze_gc:
        gc.collect()
        gc.freeze()
    samples: list[float] = []
    ticks = []
    for k in range(n):
        view = views[k % len(views)]
        it = intent(seed0 + k)
        start = time.perf_counter()
        route = router.route(it, view)
        samples.append(time.perf_counter() - start)
        ticks.extend(leg.ticks_crossed for leg in route.legs if leg.venue == "univ3_005")
    if freeze_gc:
        gc.unfreeze()
    samples.sort()
    return {"n": n, "p50_us": samples[n // 2] * 1e6, "p99_us": samples[min(n - 1, int(n * 0.99))] * 1e6,
            "mean_us": statistics.fmean(samples) * 1e6, "v3_max_ticks_crossed": max(ticks or [0])}


def main() -> None:
    quick = "--quick" in sys.argv
    n = 300 if quick else 3_000
    compiled = compiled_modules()
    print(f"python {platform.python_version()} on {platform.machine()}; build: "
          + (f"mypyc-compiled ({len(compiled)} modules)" if compiled else "pure Python"))
    rows = [
        ("optimiser + legs, warm views", {"compare_alternatives": False}),
        ("optimiser + legs, warm views, gc frozen", {"compare_alternatives": False, "freeze_gc": True}),
        ("+ best-single/equal-split pricing, warm", {}),
        ("optimiser + legs, cold views (precompute timed)", {"compare_alternatives": False, "cold": True}),
        ("thin books (x0.05): AMMs used, v3 crosses ticks", {"compare_alternatives": False, "depth": 0.05}),
        ("thin books, gc frozen", {"compare_alternatives": False, "depth": 0.05, "freeze_gc": True}),
        ("live: fresh snapshot per decision, precompute at update", {"compare_alternatives": False, "live": True}),
        ("live, thin books (x0.05): AMMs used, v3 crosses ticks",
         {"compare_alternatives": False, "depth": 0.05, "live": True}),
        ("live, thin books, gc frozen", {"compare_alternatives": False, "depth": 0.05, "live": True,
                                         "freeze_gc": True}),
        ("live, decision 1 ms after the update", {"compare_alternatives": False, "live": True,
                                                  "decide_after_ns": 1_000_000}),
        ("live, thin books, decision 1 ms after the update",
         {"compare_alternatives": False, "depth": 0.05, "live": True, "decide_after_ns": 1_000_000}),
        ("live, thin books, 1 ms after the update, risk ages in 5 ms steps",
         {"compare_alternatives": False, "depth": 0.05, "live": True, "decide_after_ns": 1_000_000,
          "risk_age_step_ns": 5_000_000}),
    ]
    print("| case | n | p50 µs | p99 µs | mean µs | p50/100µs | p99/500µs | max v3 ticks crossed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, kw in rows:
        t = time_routes(n, **kw)  # type: ignore[arg-type]
        print(f"| {name} | {t['n']} | {t['p50_us']:.0f} | {t['p99_us']:.0f} | {t['mean_us']:.0f} | "
              f"{t['p50_us'] / 100:.2f} | {t['p99_us'] / 500:.2f} | {t['v3_max_ticks_crossed']:.0f} |")
    for depth in (1.0, 0.05):
        t = time_interleaved(n, depth=depth)
        print(f"| live, update then decide (depth x{depth}) | {t['n']} | {t['p50_us']:.0f} | {t['p99_us']:.0f} | "
              f"{t['mean_us']:.0f} | {t['p50_us'] / 100:.2f} | {t['p99_us'] / 500:.2f} | precompute p50 "
              f"{t['precompute_p50_us']:.0f} µs |")
    quality = compare(200 if quick else 3_000)
    print("vs uniswap-style baseline:", {k: round(v, 4) for k, v in quality.items()})


if __name__ == "__main__":
    main()
