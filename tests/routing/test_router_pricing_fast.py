"""The fast leg pricing (:mod:`slipstream.routing.pricing`) gives the same bits as the
straightforward code: the edge rounding equals exact half-even rounding of the rational, and
``take_legs`` equals pricing each leg with :func:`ratio_dec` and summing ``ZERO_COSTS + costs``
in the default decimal context — whatever the ambient context, on real curves and on synthetic
quotes (negative, zero, trailing zeros, beyond 28 digits, tiered ticks, odd grids and scales).
"""

from __future__ import annotations

import random
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, Inexact, localcontext
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from router_cases import intent, small_view

from slipstream.errors import InstrumentError
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instruments import SpotPair, TickTier
from slipstream.routing import RouterConfig, SmartRouter
from slipstream.routing.build_info import compiled_modules
from slipstream.routing.costs import AmmCurve, BookCurve, Curve, LegQuote, Units
from slipstream.routing.pricing import _EDGE, _dec10, _per, _Pricing, ratio_dec
from slipstream.routing.route import ZERO_COSTS, CostBreakdown, RouteLeg

_BIG = Context(prec=10_000)
_DEFAULT = Context(prec=28, rounding=ROUND_HALF_EVEN)
_HOSTILE = Context(prec=3, rounding=ROUND_FLOOR, traps=[Inexact])


def _reference(num: int, den: int) -> Decimal:
    """``num / den`` half-even to 1e-10, trailing zeros stripped, from exact Fractions."""
    f = Fraction(num, den)
    q = round(f * 10**10)  # Fraction rounds half to even
    if q == 0:
        return Decimal("-0") if f < 0 else Decimal(0)
    return Decimal(q).scaleb(-10, _BIG).normalize(_BIG)


def _same(a: Decimal, b: Decimal) -> bool:
    return str(a) == str(b) and a.as_tuple() == b.as_tuple()


# ---- the edge rounding ---------------------------------------------------------------------------
_NUMS = st.one_of(
    st.integers(-(10**40), 10**40),
    st.integers(-(10**12), 10**12),
    st.builds(lambda k, z: k * 10**z, st.integers(-(10**9), 10**9), st.integers(0, 30)),  # trailing zeros
)
_DENS = st.one_of(st.integers(1, 10**30), st.sampled_from([1, 2, 10**8, 10**18, 2 * 10**25, 3, 7 * 10**18]))


@settings(max_examples=400, deadline=None)
@given(_NUMS, _DENS, st.sampled_from([1, 1, 3, 10**5, 2**40]))
def test_dec10_equals_exact_half_even_rounding(num: int, den: int, factor: int) -> None:
    m, d, h = _per(factor, den)
    with localcontext(_EDGE):
        got = _dec10(num * m, d, h)
    want = _reference(num * factor, den)
    assert _same(got, want), (num, den, factor, got, want)
    assert _same(ratio_dec(num * factor, den), want)


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**30), 10**30), st.integers(1, 10**20), st.booleans())
def test_dec10_ties_go_to_even(q0: int, k: int, odd_den: bool) -> None:
    """``num / den × 10¹⁰ = q0 + ½`` exactly: ties round to the even neighbour."""
    num, den = (2 * q0 + 1) * k, 2 * 10**10 * k * (3 if odd_den else 1)
    num *= 3 if odd_den else 1
    m, d, h = _per(1, den)
    with localcontext(_EDGE):
        got = _dec10(num * m, d, h)
    assert _same(got, _reference(num, den))


@settings(max_examples=200, deadline=None)
@given(st.integers(10**26, 10**30), st.integers(1, 10**20), st.integers(-(10**6), 10**6), st.booleans())
def test_dec10_near_and_beyond_28_digits(q: int, den: int, offset: int, negative: bool) -> None:
    num = q * den // 10**10 + offset
    num = -num if negative else num
    m, d, h = _per(1, den)
    with localcontext(_EDGE):
        got = _dec10(num * m, d, h)
    assert _same(got, _reference(num, den))


def test_dec10_signed_zero_and_normal_form() -> None:
    m, d, h = _per(1, 10**12)
    with localcontext(_EDGE):
        assert str(_dec10(-1 * m, d, h)) == "-0"  # as ratio_dec / quantize().normalize()
        assert str(_dec10(0, d, h)) == "0"
        assert str(_dec10(3 * 10**24 * m, d, h)) == "3E+12"
        assert str(_dec10((10**28 + 1) * 10**12 * m, d, h)) == "10000000000000000000000000001"


def test_leg_quote_field_order_is_what_the_fast_breakdown_unpacks() -> None:
    assert LegQuote._fields[:7] == ("n", "cash", "notional", "fee", "gas", "latency", "mev")


# ---- the straightforward leg (the code before the fast path) --------------------------------------
def _ref_book_limit(p: _Pricing, inst: Any, worst_units: int) -> int:
    buy = p.side is Side.BUY
    widened = inst.units_to_price(worst_units) * (10_000 + p.side.sign * p.book_slippage_bps) / 10_000
    if p.limit_price is not None:
        widened = min(widened, p.limit_price) if buy else max(widened, p.limit_price)
    units = inst.price_to_units(widened, "down" if buy else "up")
    return max(units, worst_units) if buy else min(units, worst_units)  # type: ignore[no-any-return]


def _ref_breakdown(p: _Pricing, q: LegQuote, fixed: int, taken: list[int]) -> CostBreakdown:
    b, scale = p.b_mid, p.scale
    impact_num = (q.notional * b - p.a_mid * q.n) * p.side.sign
    gas = q.gas + fixed
    total_num = impact_num + (q.fee + gas + q.latency + q.mev) * b
    taken[0] += total_num
    return CostBreakdown(cash=ratio_dec(q.cash, scale), impact=ratio_dec(impact_num, b * scale),
                         fee=ratio_dec(q.fee, scale), gas=ratio_dec(gas, scale) if gas else Decimal(0),
                         latency=ratio_dec(q.latency, scale), mev=ratio_dec(q.mev, scale) if q.mev else Decimal(0),
                         total=ratio_dec(total_num, b * scale))


def _ref_leg(p: _Pricing, c: Curve, n: int, taken: list[int]) -> RouteLeg:
    src, inst = c.source, c.source.instrument
    g_num, g_den = p.g_num, p.g_den
    q = c.quote(n)
    assert q is not None
    if isinstance(c, BookCurve):
        units = _ref_book_limit(p, inst, q.worst_price_units) if p.book_slippage_bps else q.worst_price_units
        kind = "book"
    else:
        pu_n, pu_d = inst.price_unit.as_integer_ratio()
        num = abs(q.cash) * g_den * (10_000 + p.side.sign * src.slippage_bps) * pu_d  # type: ignore[union-attr]
        den = p.scale * n * g_num * 10_000 * pu_n
        buy = p.side is Side.BUY
        raw = max(-(-num // den) if buy else num // den, 1)
        units = inst.price_to_units(inst.units_to_price(raw), "up" if buy else "down")
        kind = "amm"
    return RouteLeg(venue=src.venue, symbol=inst.symbol, kind=kind, side=p.side, lots=n // c.step,
                    quantity=ratio_dec(n * g_num, g_den), order_type=OrderType.LIMIT,
                    time_in_force=TimeInForce.IOC, limit_price_units=units, limit_price=inst.price_unit * units,
                    expected_avg_price=ratio_dec(q.notional * g_den, p.scale * n * g_num),
                    costs=_ref_breakdown(p, q, c.fixed, taken), ticks_crossed=q.ticks_crossed)


def _reference_legs(p: _Pricing, curves: list[Curve], allocation: dict[int, int]
                    ) -> tuple[bytes, bytes, int] | None:
    """(legs JSON, summed costs JSON, exact taken total) as router.route computed them, in the
    default context; None where that code raises (the fast path must then raise too)."""
    taken = [0]
    with localcontext(_DEFAULT):
        try:
            legs = [_ref_leg(p, curves[i], n, taken) for i, n in allocation.items()]
        except (ArithmeticError, InstrumentError):
            return None
        costs = ZERO_COSTS
        for leg in legs:
            costs = costs + leg.costs
    return msgspec.json.encode(legs), msgspec.json.encode(costs), taken[0]


def _fast_legs(p: _Pricing, curves: list[Curve], allocation: dict[int, int]) -> tuple[bytes, bytes, int]:
    with localcontext(_HOSTILE):  # must not matter
        legs, costs = p.take_legs(curves, allocation)
    return msgspec.json.encode(legs), msgspec.json.encode(costs), p.taken_num


def _fresh(p: _Pricing) -> _Pricing:
    return _Pricing(p.side, p.units, p.mid, p.book_slippage_bps, p.limit_price)


# ---- real curves -----------------------------------------------------------------------------------
@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(["v2", "v3", "none"]), st.sampled_from([Side.BUY, Side.SELL]),
       st.sampled_from([0, 0, 3, 50]), st.booleans(), st.randoms(use_true_random=False))
def test_take_legs_equal_the_reference_on_real_curves(seed: int, amm: str, side: Side, slip: int, limited: bool,
                                                      rng: random.Random) -> None:
    view = small_view(seed, amm)
    router = SmartRouter(RouterConfig(book_slippage_bps=slip))
    prep = router.prepare(intent("3", side), view)
    curves = prep.curves
    assume(curves)
    limit = None
    if limited:
        mid = Decimal(view.sources[0].asks[0][0]) / 100  # type: ignore[union-attr]
        limit = (mid * Decimal("1.001") if side is Side.BUY else mid * Decimal("0.999")).quantize(Decimal("0.01"))
    mid_f = Fraction(rng.randint(5_000_000, 9_000_000), rng.choice([1, 2, 200]))
    p = _Pricing(side, prep.units, mid_f, slip, limit)
    allocation: dict[int, int] = {}
    for i in rng.sample(range(len(curves)), rng.randint(1, len(curves))):
        c = curves[i]
        top = int(min(c.hi, 400 * c.step))
        if top < c.lo:
            continue
        n = rng.randint(c.lo // c.step, top // c.step) * c.step
        if n and c.quote(n) is not None:
            allocation[i] = n
    assume(allocation)
    want = _reference_legs(_fresh(p), curves, allocation)
    assert want is not None
    assert _fast_legs(p, curves, allocation) == want


def test_legs_priced_one_by_one_equal_take_legs() -> None:
    view = small_view(7, "v3")
    prep = SmartRouter().prepare(intent("2"), view)
    allocation = {i: c.lo for i, c in enumerate(prep.curves)}
    p = _Pricing(Side.BUY, prep.units, Fraction(7_000_000, 1))
    legs, costs = _fresh(p).take_legs(prep.curves, allocation)
    singles = [_fresh(p).take_legs(prep.curves, {i: n}) for i, n in allocation.items()]
    one = [got[0][0] for got in singles]
    assert msgspec.json.encode(one) == msgspec.json.encode(legs)
    assert [got[1] for got in singles] == [leg.costs for leg in legs]  # one leg: its own costs
    total = ZERO_COSTS
    for leg in one:
        total = total + leg.costs
    assert total == costs
    assert _fresh(p).take_legs(prep.curves, {}) == ([], ZERO_COSTS)


# ---- synthetic quotes: extremes the markets above never reach ------------------------------------
class _Book(BookCurve):
    def quote(self, n: int) -> LegQuote:
        return self.fake[n]  # type: ignore[attr-defined,no-any-return]


class _Amm(AmmCurve):
    def quote(self, n: int) -> LegQuote | None:
        return self.fake[n]  # type: ignore[attr-defined,no-any-return]


def _tiered(venue: str) -> SpotPair:
    """Deribit-style tiers: 0.0001 below 0.005, 0.0005 above."""
    tiers = (TickTier(Decimal(0), Decimal("0.0001")), TickTier(Decimal("0.005"), Decimal("0.0005")))
    return SpotPair(symbol="ETH/BTC", venue=venue, base="ETH", quote="BTC", settle="BTC", tick_tiers=tiers,
                    lot_size=Decimal("0.001"))


_INSTRUMENTS = [SpotPair.create("a", "BTC", "USDT", tick=Decimal(t), lot_size=Decimal("0.001"))
                for t in ("0.01", "0.5", "25", "0.00010")] + [_tiered("t")]
_MONEY = st.one_of(st.integers(-(10**30), 10**30), st.integers(-(10**50), 10**50),
                   st.builds(lambda k, z: k * 10**z, st.integers(-(10**6), 10**6), st.integers(0, 30)))


@st.composite
def _quotes(draw: st.DrawFn, n: int, amm: bool) -> LegQuote:
    cash, notional, fee = draw(_MONEY), draw(_MONEY), draw(_MONEY)
    gas, latency, mev = (draw(st.one_of(st.just(0), _MONEY)) for _ in range(3))
    worst = 0 if amm else draw(st.one_of(st.integers(1, 10**12), st.integers(10**26, 10**32)))
    return LegQuote(n, cash, notional, fee, gas, latency, mev, worst, draw(st.integers(0, 30)))


@st.composite
def _synthetic(draw: st.DrawFn) -> tuple[_Pricing, list[Curve], dict[int, int]]:
    side = draw(st.sampled_from([Side.BUY, Side.SELL]))
    grid = draw(st.sampled_from([Fraction(1, 100_000), Fraction(1, 10**8), Fraction(1, 3), Fraction(5, 2),
                                 Fraction(1, 10**12), Fraction(3, 1000)]))
    scale = draw(st.sampled_from([10**18, 3 * 10**18, 2**7 * 10**18, 7, 3 * 10**5, 10**24]))
    mid = Fraction(draw(st.integers(1, 10**12)), draw(st.integers(1, 10**6)))
    slip = draw(st.sampled_from([0, 0, 5]))
    p = _Pricing(side, Units(grid, scale), mid, slip, draw(st.sampled_from([None, Decimal("70000.5")])))
    curves: list[Curve] = []
    allocation: dict[int, int] = {}
    for i in range(draw(st.integers(1, 6))):
        amm = draw(st.booleans())
        c: Curve = object.__new__(_Amm if amm else _Book)
        inst = draw(st.sampled_from(_INSTRUMENTS))
        c.source = SimpleNamespace(venue=f"v{i}", instrument=inst, slippage_bps=draw(st.sampled_from([0, 50])))
        c.step = draw(st.sampled_from([1, 1, 3, 10]))
        c.fixed = draw(st.one_of(st.just(0), st.integers(0, 10**22)))
        n = c.step * draw(st.one_of(st.integers(1, 10**4), st.integers(1, 10**20)))
        c.fake = {n: draw(_quotes(n, amm))}  # type: ignore[union-attr]
        curves.append(c)
        allocation[i] = n
    return p, curves, allocation


@pytest.mark.skipif(
    "slipstream.routing.costs" in compiled_modules(),
    reason="fakes quotes by subclassing the curve classes; mypyc-compiled classes refuse interpreted "
    "subclasses (and would dispatch quote() natively), so this runs on the pure build only")
@settings(max_examples=300, deadline=None)
@given(_synthetic())
def test_take_legs_equal_the_reference_on_extreme_quotes(case: tuple[_Pricing, list[Curve], dict[int, int]]) -> None:
    p, curves, allocation = case
    want = _reference_legs(_fresh(p), curves, allocation)
    if want is None:  # the straightforward code raises (a limit the instrument cannot express)
        try:
            _fast_legs(p, curves, allocation)
        except (ArithmeticError, InstrumentError):
            return
        raise AssertionError("the fast path priced what the reference could not")
    assert _fast_legs(p, curves, allocation) == want
