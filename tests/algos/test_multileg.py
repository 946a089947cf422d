"""Multi-leg strategy specs, presets and the legging-risk gate's arithmetic."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slipstream.algos.multileg import (
    ExecutionStyle,
    Leg,
    LegFill,
    LeggingLimit,
    StrategySpec,
    call_spread,
    gross_legging_delta,
    headroom,
    imbalance,
    legging_delta,
    risk_reversal,
    straddle,
    worst_imbalance,
)
from slipstream.errors import ValidationError
from slipstream.model.enums import OptionKind, Side
from slipstream.model.instruments import DERIBIT_OPTION_TICKS, Option

DAY = 86_400 * 10**9
LIMIT = LeggingLimit(max_imbalance=Decimal("0.1"))


def opt(strike: int, kind: OptionKind, expiry: int = 30 * DAY, base: str = "BTC") -> Option:
    return Option.create("deribit", base, "USD", base, expiry, Decimal(strike), kind, DERIBIT_OPTION_TICKS,
                         Decimal("0.1"))


# ---- spec and presets --------------------------------------------------------------------------------
def test_call_spread_buys_the_lower_strike_and_sells_the_upper() -> None:
    low, high = opt(100_000, OptionKind.CALL), opt(110_000, OptionKind.CALL)
    spec = call_spread("S", "desk", low, high, Decimal(2), LIMIT)
    assert [(leg.symbol, leg.side) for leg in spec.legs] == [(low.symbol, Side.BUY), (high.symbol, Side.SELL)]
    sold = call_spread("S", "desk", low, high, Decimal(2), LIMIT, side=Side.SELL)
    assert [leg.side for leg in sold.legs] == [Side.SELL, Side.BUY]
    assert spec.name == "call_spread" and spec.execution is ExecutionStyle.AUTO
    for bad in ((high, low), (low, opt(110_000, OptionKind.PUT)), (low, opt(110_000, OptionKind.CALL, 7 * DAY)),
                (low, opt(110_000, OptionKind.CALL, base="ETH"))):
        with pytest.raises(ValidationError):
            call_spread("S", "desk", *bad, Decimal(1), LIMIT)


def test_risk_reversal_and_straddle_legs() -> None:
    put, call = opt(90_000, OptionKind.PUT), opt(110_000, OptionKind.CALL)
    rr = risk_reversal("R", "desk", put, call, Decimal(1), LIMIT)
    assert [(leg.symbol, leg.side) for leg in rr.legs] == [(call.symbol, Side.BUY), (put.symbol, Side.SELL)]
    short = risk_reversal("R", "desk", put, call, Decimal(1), LIMIT, side=Side.SELL)
    assert [leg.side for leg in short.legs] == [Side.SELL, Side.BUY]
    with pytest.raises(ValidationError):
        risk_reversal("R", "desk", opt(120_000, OptionKind.PUT), call, Decimal(1), LIMIT)
    atm_c, atm_p = opt(100_000, OptionKind.CALL), opt(100_000, OptionKind.PUT)
    sd = straddle("D", "desk", atm_c, atm_p, Decimal(1), LIMIT, side=Side.SELL)
    assert [leg.side for leg in sd.legs] == [Side.SELL, Side.SELL]
    with pytest.raises(ValidationError):
        straddle("D", "desk", atm_c, put, Decimal(1), LIMIT)


def test_leg_parents_carry_ratio_horizon_and_ids() -> None:
    spec = StrategySpec(strategy_id="B", account="desk", name="ratio", quantity=Decimal("1.5"), limit=LIMIT,
                        legs=(Leg(symbol="A", side=Side.BUY), Leg(symbol="C", side=Side.SELL, ratio=2)),
                        start_ts_ns=10, end_ts_ns=20)
    parents = [spec.leg_parent(k) for k in range(2)]
    assert [p.parent_id for p in parents] == ["B-leg0", "B-leg1"]
    assert [p.quantity for p in parents] == [Decimal("1.5"), Decimal("3.0")]
    assert all(p.start_ts_ns == 10 and p.end_ts_ns == 20 and p.account == "desk" for p in parents)
    assert StrategySpec.decode(spec.encode()) == spec


@pytest.mark.parametrize("change, message", [
    ({"legs": (Leg(symbol="A", side=Side.BUY),)}, "2 to 6 legs"),
    ({"legs": (Leg(symbol="A", side=Side.BUY), Leg(symbol="A", side=Side.SELL))}, "distinct"),
    ({"quantity": Decimal("0.00001")}, "whole number"),
    ({"quantity": Decimal(0)}, "positive"),
    ({"strategy_id": ""}, "empty"),
    ({"completion_grace": timedelta(seconds=-1)}, "completion_grace"),
])
def test_spec_validation(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"strategy_id": "S", "account": "a", "name": "n", "quantity": Decimal(1),
                                 "limit": LIMIT,
                                 "legs": (Leg(symbol="A", side=Side.BUY), Leg(symbol="B", side=Side.SELL))}
    fields.update(change)
    with pytest.raises(ValidationError, match=message):
        StrategySpec(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{}, {"max_imbalance": Decimal(0)}, {"max_imbalance": Decimal("1.5")},
                                    {"max_net_delta": Decimal(-1)}, {"max_net_delta": Decimal("NaN")}])
def test_limit_validation(kwargs: dict[str, Decimal]) -> None:
    with pytest.raises(ValidationError):
        LeggingLimit(**kwargs)


def test_leg_ratio_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="ratio"):
        Leg(symbol="A", side=Side.BUY, ratio=0)


# ---- arithmetic: worked examples ---------------------------------------------------------------------------
def test_two_leg_numbers_by_hand() -> None:
    # Leg 0 (long, delta +0.5/unit) is 40% filled; leg 1 (short, delta -0.2/unit, 2x ratio) 10%.
    legs = [LegFill(quantity_units=100, filled_units=40, committed_units=50, delta_per_unit=0.5),
            LegFill(quantity_units=200, filled_units=20, committed_units=20, delta_per_unit=-0.2)]
    assert imbalance(legs) == Fraction(3, 10)
    assert worst_imbalance(legs) == Fraction(4, 10)  # leg 0's working 10 could fill
    # Unmatched: leg 0 beyond 10% is 30 units x 0.5 = 15
    assert legging_delta(legs) == pytest.approx(15.0)
    assert gross_legging_delta(legs) == pytest.approx(20.0)  # 40 units x 0.5 if the working fills
    # Leg 1 may catch up freely; leg 0 may add nothing more under a 0.4 imbalance cap.
    limit = LeggingLimit(max_imbalance=Decimal("0.4"))
    assert headroom(legs, 0, limit) == 0
    assert headroom(legs, 1, limit) == 140  # up to 80%: 40% ahead of leg 0's filled 40%
    # A delta cap of 22.5 lets leg 0 add 5 more units (20 + 5 x 0.5 = 22.5).
    assert headroom(legs, 0, LeggingLimit(max_net_delta=Decimal("22.5"))) == 5


def test_headroom_is_zero_when_the_leg_is_fully_committed() -> None:
    legs = [LegFill(quantity_units=10, filled_units=5, committed_units=10),
            LegFill(quantity_units=10, filled_units=10, committed_units=10)]
    assert headroom(legs, 0, LeggingLimit(max_imbalance=Decimal(1))) == 0


# ---- arithmetic: properties ---------------------------------------------------------------------------------
@st.composite
def leg_states(draw: st.DrawFn, n: int | None = None) -> list[LegFill]:
    count = draw(st.integers(2, 4)) if n is None else n
    legs = []
    for _ in range(count):
        quantity = draw(st.integers(1, 400))
        filled = draw(st.integers(0, quantity))
        committed = draw(st.integers(filled, quantity))
        delta = draw(st.floats(-1.0, 1.0, allow_nan=False))
        legs.append(LegFill(quantity_units=quantity, filled_units=filled, committed_units=committed,
                            delta_per_unit=delta))
    return legs


@settings(max_examples=150, deadline=None)
@given(legs=leg_states(), data=st.data())
def test_worst_cases_bound_every_fill_of_the_working_orders(legs: list[LegFill], data: st.DataObject) -> None:
    fills = [data.draw(st.integers(leg.filled_units, leg.committed_units)) for leg in legs]
    state = [replace(leg, filled_units=f, committed_units=f) for leg, f in zip(legs, fills, strict=True)]
    assert imbalance(state) <= worst_imbalance(legs)
    assert abs(legging_delta(state)) <= gross_legging_delta(legs) + 1e-9
    if len(legs) == 2:  # with two legs only one is ever ahead: gross equals |net|
        assert abs(legging_delta(state)) == pytest.approx(gross_legging_delta(state), abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(legs=leg_states(), data=st.data(), cap=st.sampled_from(["0.05", "0.2", "1"]), dcap=st.floats(0.5, 50))
def test_headroom_is_the_largest_quantity_within_the_limit(legs: list[LegFill], data: st.DataObject,
                                                           cap: str, dcap: float) -> None:
    index = data.draw(st.integers(0, len(legs) - 1))
    limit = LeggingLimit(max_imbalance=Decimal(cap), max_net_delta=Decimal(repr(dcap)))

    def within(state: list[LegFill]) -> bool:
        delta_cap = Fraction(Decimal(repr(dcap)))  # the limit exactly as the gate reads it
        return worst_imbalance(state) <= Fraction(cap) and Fraction(gross_legging_delta(state)) <= delta_cap

    assume(within(legs))
    room = headroom(legs, index, limit)
    leg = legs[index]
    assert 0 <= room <= leg.quantity_units - leg.committed_units

    def adding(extra: int) -> list[LegFill]:
        trial = list(legs)
        trial[index] = replace(leg, committed_units=leg.committed_units + extra)
        return trial

    assert within(adding(room))
    if room < leg.quantity_units - leg.committed_units:
        assert not within(adding(room + 1))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 3), data=st.data(), cap=st.sampled_from(["0.05", "0.1", "0.3"]),
       dcap=st.floats(5.0, 40.0))
def test_a_gated_random_run_never_breaks_the_limit_at_any_fill(n: int, data: st.DataObject, cap: str,
                                                              dcap: float) -> None:
    """Model check: legs send only within headroom, working orders fill partly in any order or are
    cancelled; at every fill the filled state is within both limits."""
    legs = data.draw(leg_states(n).map(lambda ls: [replace(x, filled_units=0, committed_units=0) for x in ls]))
    limit = LeggingLimit(max_imbalance=Decimal(cap), max_net_delta=Decimal(repr(dcap)))
    for _ in range(60):
        k = data.draw(st.integers(0, n - 1))
        leg = legs[k]
        action = data.draw(st.sampled_from(["send", "fill", "fill", "cancel"]))
        if action == "send":
            room = headroom(legs, k, limit)
            extra = data.draw(st.integers(0, room))
            legs[k] = replace(leg, committed_units=leg.committed_units + extra)
        elif action == "fill" and leg.committed_units > leg.filled_units:
            done = data.draw(st.integers(1, leg.committed_units - leg.filled_units))
            legs[k] = replace(leg, filled_units=leg.filled_units + done)
            assert imbalance(legs) <= Fraction(cap)
            assert abs(legging_delta(legs)) <= dcap + 1e-9
        elif action == "cancel":
            legs[k] = replace(leg, committed_units=leg.filled_units)


def test_lagging_leg_may_always_catch_up_even_over_the_limit() -> None:
    # A market move left the unmatched delta above the cap: the leg that is ahead is held, the
    # lagging one may still trade (its fills only shrink the exposure).
    legs = [LegFill(quantity_units=100, filled_units=50, committed_units=50, delta_per_unit=1.0),
            LegFill(quantity_units=100, filled_units=0, committed_units=0, delta_per_unit=-1.0)]
    limit = LeggingLimit(max_net_delta=Decimal(10))
    assert gross_legging_delta(legs) == 50.0
    assert headroom(legs, 0, limit) == 0
    assert headroom(legs, 1, limit) == 60  # level (50), then ahead only as far as the limit (10)
    for units in range(0, 61, 5):
        state = [legs[0], replace(legs[1], filled_units=units, committed_units=units)]
        assert abs(legging_delta(state)) <= 50.0


def test_bench_gate_cost_smoke() -> None:
    from bench_multileg import gate_cost

    assert gate_cost(2, calls=3) > 0
