"""The router's fast exact quotes equal the contracts' own quotes bit for bit, and the cost curves'
memoised constructors and cost paths give what the straightforward computation gives.

References: :meth:`UniswapV3Pool.quote_exact_in`/``quote_exact_out`` (the contract's swap loop) and
:class:`UniswapV2Pair` (``getAmountOut``/``getAmountIn`` + the pair's checks); the book walk and the
risk model are recomputed here from their definitions in :mod:`slipstream.routing.costs`.
"""

from __future__ import annotations

import dataclasses
import math
import random
from decimal import Decimal
from fractions import Fraction
from itertools import accumulate

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from router_cases import small_view, spot, v2_source, v3_source

from slipstream.model.enums import Side
from slipstream.routing import AmmSource, MarketView
from slipstream.routing.costs import AmmCurve, BookCurve, Units
from slipstream.routing.sources import BookSource, swap_gas_units
from slipstream.routing.v3_path import PoolQuotes, RawSwap, V3Path, v3_path_for
from slipstream.venues.sim.amm import UniswapV2Pair, UniswapV3Pool
from slipstream.venues.sim.amm.base import AmmRevert, SwapResult
from slipstream.venues.sim.amm.stableswap import StableSwapPool
from slipstream.venues.sim.amm.tick_math import MAX_TICK, MIN_TICK, get_sqrt_ratio_at_tick

_FEES = [(500, 10), (3000, 60), (10000, 200), (100, 1), (0, 1)]
_MAX_UINT112 = (1 << 112) - 1


def _contract(pool: UniswapV3Pool | UniswapV2Pair | StableSwapPool, token_in: int, token_out: int, amount: int,
              exact_in: bool) -> SwapResult | None:
    try:
        quote = pool.quote_exact_in if exact_in else pool.quote_exact_out
        return quote(token_in, token_out, amount)
    except AmmRevert:
        return None


def _as_result(raw: RawSwap | None) -> SwapResult | None:
    return None if raw is None else SwapResult(*raw)


_liquidity = st.integers(0, 100).flatmap(lambda e: st.integers(1, 2**e))  # up to 2**100: the output cap binds


@st.composite
def v3_pools(draw: st.DrawFn) -> UniswapV3Pool:
    """Stacked (possibly disjoint) ranges around a price that may sit exactly on a tick."""
    fee, spacing = draw(st.sampled_from(_FEES))
    tick0 = draw(st.integers(-200_000, 200_000))
    sqrt = get_sqrt_ratio_at_tick(tick0)
    if draw(st.booleans()):  # strictly inside the tick
        sqrt += draw(st.integers(0, get_sqrt_ratio_at_tick(tick0 + 1) - sqrt - 1))
    pool = UniswapV3Pool("p", ("A", "B"), (18, 18), fee, sqrt, tick_spacing=spacing)
    centre = pool.tick // spacing * spacing
    lo_bound, hi_bound = -(-MIN_TICK // spacing) * spacing, MAX_TICK // spacing * spacing
    for _ in range(draw(st.integers(0, 5))):
        lo = max(centre + draw(st.integers(-30, 30)) * spacing, lo_bound)
        hi = min(lo + draw(st.integers(1, 30)) * spacing, hi_bound)
        pool.mint(lo, hi, draw(_liquidity))
    if draw(st.booleans()):
        pool.mint(lo_bound, hi_bound, draw(_liquidity))
    return pool


_amounts = st.lists(st.one_of(st.integers(1, 4), st.integers(0, 132).flatmap(lambda e: st.integers(1, 2**e))),
                    min_size=1, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v3_pools(), st.integers(0, 10), _amounts, st.data())
def test_v3_path_quote_is_the_contract_quote(pool: UniswapV3Pool, precomputed: int, amounts: list[int],
                                             data: st.DataObject) -> None:
    """Random amounts, tiny ones, ones beyond the liquidity, and ones landing exactly on (or one
    unit around) the end of a full step, whether or not that step was precomputed."""
    for zero_for_one in (True, False):
        token_in, token_out = (0, 1) if zero_for_one else (1, 0)
        path = V3Path(pool, zero_for_one)
        path.extend(precomputed)
        probe = V3Path(pool, zero_for_one)
        probe.extend(12)
        ends_in = list(accumulate(a + f for a, f in zip(probe.ins, probe.fees, strict=True)))
        ends_out = list(accumulate(probe.outs))
        for exact_in in (True, False):
            ends = ends_in if exact_in else ends_out
            edges = [e + d for e in ends for d in (-1, 0, 1) if e + d > 0]
            picked = data.draw(st.lists(st.sampled_from(edges), max_size=8)) if edges else []
            for amount in amounts + picked:
                got = path.quote_raw(amount, exact_in)
                assert _as_result(got) == path.quote(amount, exact_in)
                if got is not None:
                    assert SwapResult(*got) == _contract(pool, token_in, token_out, amount, exact_in)


def test_v3_path_answers_boundaries_itself_and_defers_past_the_liquidity() -> None:
    """The shortcut is used on full-step boundaries (not only deferred), and an amount beyond the
    last range (the contract stops at the price limit) is left to the pool."""
    rng = random.Random(11)
    answered = on_edge = deferred_beyond = 0
    for _ in range(12):
        pool = v3_source(rng, rng.uniform(20_000, 90_000), base_index=rng.randint(0, 1)).pool
        for zero_for_one in (True, False):
            token_in, token_out = (0, 1) if zero_for_one else (1, 0)
            path = V3Path(pool, zero_for_one)
            path.extend(8)
            for exact_in in (True, False):
                ends = list(accumulate(a + f for a, f in zip(path.ins, path.fees, strict=True))) if exact_in \
                    else list(accumulate(path.outs))
                for amount in [1, 2, *ends[:6], *(e + 1 for e in ends[:6]), *(e - 1 for e in ends[:6])]:
                    got = path.quote_raw(amount, exact_in)
                    want = _contract(pool, token_in, token_out, amount, exact_in)
                    if got is not None:
                        answered += 1
                        on_edge += amount in ends
                        assert SwapResult(*got) == want
                huge = 2**127
                assert path.quote_raw(huge, exact_in) is None
                deferred_beyond += 1
    assert answered >= 300 and on_edge >= 40 and deferred_beyond == 48


_reserve = st.one_of(st.integers(0, 112).flatmap(lambda e: st.integers(0, 2**e - 1)),
                    st.integers(_MAX_UINT112 - 10**6, _MAX_UINT112))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_FEES), st.integers(-50_000, 50_000), st.integers(97, 100), st.booleans(),
       st.lists(st.integers(1, 2**100), min_size=4, max_size=12))
def test_v3_path_with_deep_liquidity(fee_spacing: tuple[int, int], tick0: int, log_liquidity: int,
                                     zero_for_one: bool, amounts: list[int]) -> None:
    """Liquidity above 2**96: one unit of price moves more than one token unit, so the contract caps
    an exact-output step's amount at what remains (rounding would otherwise pay out more)."""
    fee, spacing = fee_spacing
    pool = UniswapV3Pool("p", ("A", "B"), (18, 18), fee, get_sqrt_ratio_at_tick(tick0) + 12_345, tick_spacing=spacing)
    centre = pool.tick // spacing * spacing
    pool.mint(centre - 50 * spacing, centre + 50 * spacing, 2**log_liquidity)
    pool.mint(centre - 5 * spacing, centre + 7 * spacing, 2**log_liquidity // 3)
    token_in, token_out = (0, 1) if zero_for_one else (1, 0)
    path = V3Path(pool, zero_for_one)
    path.extend(6)
    for exact_in in (True, False):
        ends = accumulate(a + f for a, f in zip(path.ins, path.fees, strict=True)) if exact_in else \
            accumulate(path.outs)
        near = [e - d for e in ends for d in range(4) if e - d > 0]  # may land exactly on the step's end
        for amount in amounts + near:
            got = path.quote_raw(amount, exact_in)
            if got is not None:
                assert SwapResult(*got) == _contract(pool, token_in, token_out, amount, exact_in)


def test_v3_path_defers_when_the_pool_cannot_pay() -> None:
    """The contract's final balance check ('TF'): a pool holding less than a quote's output reverts."""
    pool = v3_source(random.Random(5), 70_000.0).pool
    for zero_for_one in (True, False):
        token_in, token_out = (0, 1) if zero_for_one else (1, 0)
        poor = pool.copy()
        amount = 10**9 if zero_for_one else 10**13
        out = _contract(poor, token_in, token_out, amount, True)
        assert out is not None
        if zero_for_one:
            poor.balance1 = out.amount_out - 1
        else:
            poor.balance0 = out.amount_out - 1
        path = V3Path(poor, zero_for_one)
        assert _contract(poor, token_in, token_out, amount, True) is None
        assert path.quote_raw(amount, True) is None
        smaller = path.quote_raw(amount // 2, True)
        assert smaller is not None and SwapResult(*smaller) == _contract(poor, token_in, token_out, amount // 2, True)


@settings(max_examples=300, deadline=None)
@given(_reserve, _reserve,
       st.lists(st.one_of(st.integers(1, 1000), st.integers(0, 120).flatmap(lambda e: st.integers(1, 2**e))),
                min_size=1, max_size=10),
       st.booleans())
def test_v2_quotes_are_the_pair_quotes(r0: int, r1: int, amounts: list[int], base_is_token0: bool) -> None:
    """Reserves from empty to uint112 max; amounts that round to nothing, exceed the reserve or
    overflow the balance revert (None) exactly where the pair reverts."""
    pair = UniswapV2Pair("v2", ("WBTC", "USDC"), (8, 6), r0, r1)
    base = 0 if base_is_token0 else 1
    src = AmmSource(venue="univ2", instrument=spot("univ2", "0.1"), pool=pair, base_index=base, quote_index=1 - base)
    for buy in (True, False):
        quotes = PoolQuotes(src, buy, None)
        for amount in amounts:
            want = _contract(pair, 1 - base, base, amount, False) if buy else _contract(pair, base, 1 - base, amount,
                                                                                         True)
            assert _as_result(quotes.swap(amount)) == want
            assert _as_result(quotes.swap(amount)) == want  # memoised


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 1),
       st.lists(st.integers(0, 80).flatmap(lambda e: st.integers(1, 2**e)), min_size=1, max_size=10))
def test_pool_quotes_of_a_v3_source_are_the_pool_quotes(seed: int, base_index: int, amounts: list[int]) -> None:
    """Buys are exact-output quotes that must deliver exactly the base asked for, sells exact-input
    ones that must take all of it; anything else (or a revert) is None."""
    src = v3_source(random.Random(seed), 70_000.0, base_index=base_index)
    b, q = src.base_index, src.quote_index
    for buy in (True, False):
        quotes = PoolQuotes(src, buy, v3_path_for(src, buy))
        for atoms in amounts:
            r = _contract(src.pool, q, b, atoms, False) if buy else _contract(src.pool, b, q, atoms, True)
            want = r if r is not None and (r.amount_out if buy else r.amount_in) == atoms else None
            assert _as_result(quotes.swap(atoms)) == want


def test_pool_quotes_fall_back_to_the_pool_for_other_pools() -> None:
    pool = StableSwapPool("3pool", ("USDC", "USDT"), (6, 6), [10**13, 10**13], 2000)
    src = AmmSource(venue="curve", instrument=spot("curve", "0.01"), pool=pool, base_index=0, quote_index=1)
    for buy in (True, False):
        quotes = PoolQuotes(src, buy, None)
        for atoms in (1, 10**6, 10**12, 10**14):
            r = _contract(pool, 1, 0, atoms, False) if buy else _contract(pool, 0, 1, atoms, True)
            want = r if r is not None and (r.amount_out if buy else r.amount_in) == atoms else None
            assert _as_result(quotes.swap(atoms)) == want


# ------------------------------------------------------------------ curves


def _capped_view(seed: int) -> MarketView:
    """A small view whose sources carry random balance caps and latencies (caps use exact quotes)."""
    rng = random.Random(seed)
    view = small_view(seed, rng.choice(["v2", "v3"]))
    sources = []
    for s in view.sources:
        cond = dataclasses.replace(
            s.conditions, latency_ns=rng.randint(0, 10**8),
            max_base=Decimal(rng.choice(["0.35", "1.2", "4"])) if rng.random() < 0.5 else None,
            max_quote=Decimal(rng.choice(["900", "30000", "150000"])) if rng.random() < 0.5 else None)
        sources.append(dataclasses.replace(s, conditions=cond))
    return MarketView(view.now_ns, tuple(sources))


def _fields(curve: BookCurve | AmmCurve) -> dict[str, object]:
    skip = {"_base", "_costs", "_memo", "_gas_memo", "_quotes", "source"}
    # Pure build: the class's __slots__. A mypyc-compiled class has no __slots__; it lists the same
    # attributes in __mypyc_attrs__ (see docs/performance.md), so both builds compare the same fields.
    names: tuple[str, ...] = getattr(type(curve), "__slots__", None) or type(curve).__mypyc_attrs__  # type: ignore[union-attr]
    assert names
    return {k: getattr(curve, k) for k in names if k not in skip}


def _curve(source: BookSource | AmmSource, side: Side, units: Units, age: int) -> BookCurve | AmmCurve:
    cls = BookCurve if isinstance(source, BookSource) else AmmCurve
    return cls(3, source, side, units, age)  # type: ignore[arg-type]


def _risk(curve: BookCurve | AmmCurve, units: Units, age: int, amm: bool) -> int:
    """σ·sqrt(t)/sqrt(2π) × mid per grid unit, rounded half-even (the module docstring's model)."""
    cond = curve.source.conditions
    t = (cond.latency_ns + age) / 1e9
    if amm:
        t = t + curve.source.block_time_s / 2  # type: ignore[union-attr]
    return round(float(curve.mid * units.grid * units.scale) * (cond.volatility * math.sqrt(t) * 0.3989422804014327))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([Side.BUY, Side.SELL]),
       st.lists(st.integers(0, 200_000_000), min_size=1, max_size=4))
def test_curve_constructors_do_not_depend_on_memo_state(seed: int, side: Side, ages: list[int]) -> None:
    """A curve built on a warm snapshot (memoised statics, another age seen last) has the same fields
    as one built on a fresh copy; the risk rate is the model's at the curve's own age."""
    view = _capped_view(seed)
    warm = list(view.sources)
    units = Units.for_sources(warm)
    for age in [*ages, *reversed(ages)]:
        fresh = [dataclasses.replace(s) for s in view.sources]  # new, empty memo
        fresh_units = Units.for_sources(fresh)
        for w, f in zip(warm, fresh, strict=True):
            a, b = _curve(w, side, units, age), _curve(f, side, fresh_units, age)
            assert _fields(a) == _fields(b)
            assert a.index == 3 and a.source is w
            assert a.risk == _risk(a, units, age, isinstance(a, AmmCurve))
            if isinstance(a, AmmCurve):
                loss = a.source.mev.loss_rate
                assert a.mev == round(float(a.mid * units.grid * units.scale) * loss)
                assert a.fixed == swap_gas_units(a.source.pool, 0, a.source.hops) * a.gas_mult
                assert (a.buy, a.sign, a.lo) == (side is Side.BUY, side.sign, a.step)


def _fits(curve: AmmCurve, n: int, budget: Decimal) -> bool:
    s = curve.source
    r = _contract(s.pool, s.quote_index, s.base_index, n // curve.step * curve.apl, False)
    return r is not None and r.amount_in <= budget


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([Side.BUY, Side.SELL]), st.integers(0, 10**8))
def test_amm_cost_is_the_pool_quote_priced(seed: int, side: Side, age: int) -> None:
    """cost(n) = ±(exact pool amount × quote factor) + gas per tick crossed + (risk + MEV)·n, the same
    as quote(n).total; None where the pool cannot fill or above the cap; 0 at n = 0."""
    view = _capped_view(seed)
    sources = list(view.sources)
    units = Units.for_sources(sources)
    rng = random.Random(seed)
    for s in sources:
        if not isinstance(s, AmmSource):
            continue
        curve = AmmCurve(0, s, side, units, age)
        pool, b, q = s.pool, s.base_index, s.quote_index
        cond = s.conditions
        if curve.buy and cond.max_quote is not None:  # the largest size whose exact input fits the balance
            budget = cond.max_quote * 10 ** pool.decimals[q]
            cap = math.inf if cond.max_base is None else int(cond.max_base / s.instrument.lot_size) * curve.step
            assert curve.hi == 0 or _fits(curve, int(curve.hi), budget)
            assert curve.hi + curve.step > cap or not _fits(curve, int(curve.hi) + curve.step, budget)
        top = int(min(curve.hi, 600 * curve.step)) if curve.hi != math.inf else 600 * curve.step
        sizes = [0, curve.step, *(rng.randrange(1, top // curve.step + 3) * curve.step for _ in range(25))]
        for n in sizes + sizes:  # twice: the second pass is served from the memos
            got = curve.cost(n)
            if n == 0:
                assert got == 0
                continue
            atoms = n // curve.step * curve.apl
            r = _contract(pool, q, b, atoms, False) if curve.buy else _contract(pool, b, q, atoms, True)
            if n > curve.hi or r is None or (r.amount_out if curve.buy else r.amount_in) != atoms:
                assert got is None and curve.quote(n) is None
                continue
            cash = r.amount_in * curve.mq if curve.buy else -r.amount_out * curve.mq
            gas = (swap_gas_units(pool, r.ticks_crossed, s.hops) - curve.gas_zero) * curve.gas_mult
            assert got == cash + gas + (curve.risk + curve.mev) * n
            leg = curve.quote(n)
            assert leg is not None and leg.total == got and leg.ticks_crossed == r.ticks_crossed
            assert (leg.amount_in, leg.amount_out) == (r.amount_in, r.amount_out)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([Side.BUY, Side.SELL]), st.integers(0, 10**8))
def test_book_cost_and_quote_walk_the_levels(seed: int, side: Side, age: int) -> None:
    view = _capped_view(seed)
    sources = list(view.sources)
    units = Units.for_sources(sources)
    for s in sources:
        if not isinstance(s, BookSource):
            continue
        curve = BookCurve(0, s, side, units, age)
        levels = s.asks if side is Side.BUY else s.bids
        total = sum(q for _, q in levels)
        for lots in range(0, total + 2):
            n = lots * curve.step
            left, pu, worst = lots, 0, levels[0][0]
            for price, q in levels:
                if left <= 0:
                    break
                take = min(q, left)
                pu, left, worst = pu + take * price, left - take, price
            got = curve.cost(n)
            if n == 0:
                assert got == 0
            elif n > curve.hi:
                assert got is None
            else:
                assert got == pu * curve.mult + curve.risk * n
            if 0 < lots <= total:
                leg = curve.quote(n)
                fee = pu * curve.fee_factor
                assert leg.cash == pu * curve.mult and leg.fee == fee and leg.worst_price_units == worst
                assert leg.notional == pu * abs(curve.mult) - curve.sign * fee and leg.latency == curve.risk * n
                assert (leg.gas, leg.mev, leg.ticks_crossed, leg.amount_in, leg.amount_out) == (0, 0, 0, 0, 0)
        expected_mult = Fraction(s.instrument.price_unit) * Fraction(s.instrument.lot_size) \
            * (1 + side.sign * Fraction(s.taker_rate)) * units.scale
        assert curve.mult == int(expected_mult) * side.sign


def test_v2_source_curve_answers_without_the_pair() -> None:
    """Smoke: a v2 curve's exact costs come from the inline formulas (the pair is not called)."""
    src = v2_source(random.Random(3), 70_000.0)
    units = Units.for_sources([src])
    curve = AmmCurve(0, src, Side.SELL, units, 0)

    class _NoQuotes(UniswapV2Pair):
        def quote_exact_in(self, *args: object) -> SwapResult:  # type: ignore[override]
            raise AssertionError("the pair was asked")

    pair = src.pool
    assert isinstance(pair, UniswapV2Pair)
    guarded = _NoQuotes("v2", pair.tokens, pair.decimals, pair.reserve0, pair.reserve1)  # type: ignore[arg-type]
    fast = AmmCurve(0, dataclasses.replace(src, pool=guarded), Side.SELL, units, 0)
    for n in (1, 7, 40):
        assert fast.cost(n * curve.step) == curve.cost(n * curve.step) is not None
