"""Exact cost curves: book walks, AMM quotes, gas per transaction and per tick, risk terms."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

from router_cases import book, intent, small_view, v3_source

from slipstream.marketdata.book import ASK, L2Book
from slipstream.model.enums import Side
from slipstream.routing import SmartRouter
from slipstream.routing.costs import AmmCurve, BookCurve, Units
from slipstream.routing.sources import DEFAULT_VOLATILITY, GasModel, MevModel, swap_gas_units


def test_grid_is_gcd_of_lots_and_scale_makes_every_factor_an_integer() -> None:
    view = small_view(1, "v2")
    units = Units.for_sources(list(view.sources))
    assert units.grid == Fraction(1, 20)  # gcd(0.1, 0.05, 0.1)
    assert units.scale % 10**18 == 0


def test_book_cost_equals_l2book_walk_plus_fee_and_risk() -> None:
    rng = random.Random(4)
    src = book(rng, "alpha", "0.1", 7_000_000)
    l2 = L2Book("BTC/USDT")
    for p, q in src.asks:
        l2.apply(1, ASK, p, q)
    units = Units.for_sources([src])
    curve = BookCurve(0, src, Side.BUY, units, age_ns=0)
    for lots in (1, 3, 7, sum(q for _, q in src.asks)):
        _filled, pu_cost, worst = l2.walk(ASK, lots)
        n = lots * curve.step
        fee = Fraction(src.taker_rate)
        expected = Fraction(pu_cost) * Fraction("0.01") * Fraction("0.1") * (1 + fee) * units.scale
        q = curve.quote(n)
        assert q.cash == expected and q.worst_price_units == worst
        assert curve.cost(n) == expected + curve.risk * n
    assert curve.cost(curve.hi + curve.step) is None


def test_latency_risk_is_expected_adverse_move() -> None:
    """σ·sqrt(t)/sqrt(2π) × mid per unit; t = latency + data age (20 ms + 30 ms here)."""
    rng = random.Random(5)
    src = book(rng, "alpha", "0.1", 7_000_000)
    units = Units.for_sources([src])
    curve = BookCurve(0, src, Side.BUY, units, age_ns=30_000_000)
    per_base = float(curve.risk) / float(units.grid * units.scale)
    expected = float(curve.mid) * DEFAULT_VOLATILITY * math.sqrt(0.05) / math.sqrt(2 * math.pi)
    assert math.isclose(per_base, expected, rel_tol=1e-9)


def test_amm_cost_is_the_exact_pool_quote_plus_tick_gas_and_mev() -> None:
    rng = random.Random(6)
    src = v3_source(rng, 70_000.0, gwei="10")
    units = Units.for_sources([src])
    curve = AmmCurve(0, src, Side.BUY, units, age_ns=0)
    n = 40 * curve.step  # 4 BTC: crosses the stacked ranges
    q = curve.quote(n)
    assert q is not None
    r = src.pool.quote_exact_out(1, 0, 4 * 10**8)
    assert q.amount_in == r.amount_in and q.ticks_crossed == r.ticks_crossed > 0
    assert q.cash == r.amount_in * units.scale // 10**6
    per_gas = Fraction(src.gas.quote_per_gas) * units.scale
    # Uniswap v3-core gas snapshot increments (venues/sim/amm/gas.py): +15,013 first tick, +7,612 next
    assert q.gas == (15_013 + 7_612 * (r.ticks_crossed - 1)) * per_gas
    assert curve.fixed == 107_180 * per_gas  # v3-periphery exactInputSingle snapshot
    assert q.mev == round(float(curve.mid * units.grid * units.scale) * 0.05 * 50 / 10_000) * n


def test_gas_and_mev_models() -> None:
    gas = GasModel(base_fee_gwei=Decimal("2"), priority_fee_gwei=Decimal("1"), native_price=Decimal("3000"))
    assert gas.quote_per_gas == Decimal("0.000009")
    assert MevModel(public_mempool=False).loss_rate == 0.0
    assert MevModel().loss_rate == 0.05 * 0.005
    rng = random.Random(1)
    assert swap_gas_units(v3_source(rng, 70_000.0).pool, 3, 2) == 107_180 + 64_739 + 15_013 + 2 * 7_612


def test_sell_side_costs_are_negative_proceeds() -> None:
    view = small_view(7, "v3")
    route = SmartRouter().route(intent("1.0", Side.SELL), view)
    assert route.costs.cash < 0
    for leg in route.legs:
        assert leg.limit_price <= leg.expected_avg_price or leg.kind == "amm"


def test_v3_pool_with_base_as_token1_prices_consistently() -> None:
    rng = random.Random(3)
    src = v3_source(rng, 70_000.0, base_index=1)
    units = Units.for_sources([src])
    buy = AmmCurve(0, src, Side.BUY, units, 0)
    sell = AmmCurve(0, src, Side.SELL, units, 0)
    n = 10 * buy.step
    qb, qs = buy.quote(n), sell.quote(n)
    assert qb is not None and qs is not None
    assert -qs.cash < qb.cash  # round trip loses the fee and the spread
    assert 60_000 < float(Fraction(qb.cash, units.scale)) < 80_000
