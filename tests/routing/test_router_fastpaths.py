"""The router's fast paths are exact: the precomputed v3 swap path equals the pool's own quote bit
for bit, the integer Decimal edge equals exact rational rounding, and per-snapshot memos do not
change a route."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from router_cases import intent, small_view, v3_source

from slipstream.model.enums import Side
from slipstream.routing import MarketView, SmartRouter
from slipstream.routing.pricing import ratio_dec
from slipstream.routing.v3_path import V3Path
from slipstream.venues.sim.amm.base import AmmRevert


def _reference_dec(num: int, den: int, places: int) -> Decimal:
    """Exact rational → Decimal, half-even at 10**-places, normalised (the edge rule)."""
    f = Fraction(num, den)
    with localcontext() as ctx:
        ctx.prec = 200
        d = Decimal(f.numerator) / Decimal(f.denominator)
        return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN).normalize() if d else Decimal(0)


@settings(max_examples=300, deadline=None)
@given(st.integers(-(10**40), 10**40), st.integers(1, 10**30), st.sampled_from([4, 10]))
def test_ratio_dec_is_exact_half_even_rounding(num: int, den: int, places: int) -> None:
    got = ratio_dec(num, den, places)
    want = _reference_dec(num, den, places)
    assert got == want and str(got) == str(want)


def test_ratio_dec_ties_and_signed_zero() -> None:
    assert str(ratio_dec(5, 10**11)) == "0"  # 0.5e-10 → even (0)
    assert str(ratio_dec(15, 10**11)) == "2E-10"  # 1.5e-10 → 2e-10
    assert str(ratio_dec(-1, 10**12)) == "-0"  # as Decimal.quantize(...).normalize() gives
    assert str(ratio_dec(300, 1)) == "3E+2"


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 1), st.booleans(), st.booleans(),
       st.lists(st.floats(0.0, 12.5), min_size=1, max_size=8))
def test_v3_path_quote_equals_the_contract_quote(seed: int, base_index: int, zero_for_one: bool, exact_in: bool,
                                                 exponents: list[float]) -> None:
    pool = v3_source(random.Random(seed), 70_000.0, base_index=base_index).pool
    path = V3Path(pool, zero_for_one)
    token_in, token_out = (0, 1) if zero_for_one else (1, 0)
    for e in exponents:
        amount = max(1, int(10**e))
        got = path.quote(amount, exact_in)
        try:
            want = (pool.quote_exact_in if exact_in else pool.quote_exact_out)(token_in, token_out, amount)
        except AmmRevert:
            assert got is None
            continue
        assert got is None or got == want


def test_v3_path_answers_tick_crossing_quotes_itself() -> None:
    """The shortcut is used (not always deferred) and crosses the stacked ranges exactly."""
    pool = v3_source(random.Random(6), 70_000.0).pool
    answered = crossed = 0
    for zero_for_one in (True, False):
        path = V3Path(pool, zero_for_one)
        for amount in (10**k + 12_345 for k in range(3, 12)):
            for exact_in in (True, False):
                got = path.quote(amount, exact_in)
                if got is None:
                    continue
                answered += 1
                crossed += got.ticks_crossed > 0
                token_in, token_out = (0, 1) if zero_for_one else (1, 0)
                quote = pool.quote_exact_in if exact_in else pool.quote_exact_out
                assert got == quote(token_in, token_out, amount)
    assert answered >= 30 and crossed >= 6


def test_memoised_snapshots_give_the_same_routes_as_fresh_ones() -> None:
    """Quotes, steps and units memoised on a snapshot by earlier routes never change a later one."""
    router = SmartRouter()
    warm = small_view(21, "v3")
    for qty in ("0.35", "2.0", "4.5"):
        for side in (Side.BUY, Side.SELL):
            router.route(intent(qty, side), warm)
    for qty in ("0.35", "1.25", "4.5"):
        for side in (Side.BUY, Side.SELL):
            fresh = small_view(21, "v3")
            assert router.route(intent(qty, side), warm).to_json() == \
                router.route(intent(qty, side), MarketView(fresh.now_ns, fresh.sources)).to_json()
