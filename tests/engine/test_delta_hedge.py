"""Black-76 delta, the delta model on live books, and the delta hedger on the perpetual."""

from __future__ import annotations

import math
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from options_market import FORWARD, OPTIONS, PERP, SECOND, START, OptionsMarket

from slipstream.algos import AlgoParams, TwapAlgo
from slipstream.algos.multileg import LeggingLimit, risk_reversal
from slipstream.engine.delta_hedge import BlackDeltas, DeltaHedger
from slipstream.engine.executor import AlgoEngine, MarketView
from slipstream.engine.multileg import MultiLegEngine, StrategyState
from slipstream.errors import ValidationError
from slipstream.journal.codec import decode_event, encode_event
from slipstream.model.enums import OptionKind, Side
from slipstream.model.events import OrderFilled
from slipstream.model.instruments import Perpetual
from slipstream.model.orders import ParentOrder
from slipstream.model.strategy_events import HedgeCompleted, HedgeOrdered
from slipstream.scenarios import build_market, load_scenario
from slipstream.venues.sim.options import black76, black76_delta

ATM_CALL = OPTIONS[(100_000, OptionKind.CALL)]
ATM_PUT = OPTIONS[(100_000, OptionKind.PUT)]


# ---- Black-76 delta ----------------------------------------------------------------------------------
def test_black76_delta_golden_values() -> None:
    # Haug, "The Complete Guide to Option Pricing Formulas" (1998), pp. 11-16: futures option,
    # F=105, K=100, T=0.5, r=10%, σ=36% (b=0): call delta 0.5946, put delta -0.3566. Taken from
    # QuantLib's test table, lballabio/QuantLib test-suite/europeanoption.cpp (testGreekValues:
    # spot 105, q=r=0.10, so the carry is zero, i.e. Black-76).
    assert round(black76_delta(105, 100, 0.5, 0.36, 0.10, OptionKind.CALL), 4) == 0.5946
    assert round(black76_delta(105, 100, 0.5, 0.36, 0.10, OptionKind.PUT), 4) == -0.3566
    # At expiry: the discounted digital (in, out, at the money).
    assert black76_delta(110, 100, 0.0, 0.3, 0.0, OptionKind.CALL) == 1.0
    assert black76_delta(90, 100, 0.0, 0.3, 0.0, OptionKind.PUT) == -1.0
    assert black76_delta(100, 100, 0.0, 0.3, 0.0, OptionKind.CALL) == 0.5
    with pytest.raises(ValidationError):
        black76_delta(-1, 100, 0.5, 0.3, 0.0, OptionKind.CALL)


@given(f=st.floats(10, 1000), k=st.floats(10, 1000), t=st.floats(0.01, 3), v=st.floats(0.05, 2),
       r=st.floats(0, 0.1))
def test_black76_put_call_delta_parity(f: float, k: float, t: float, v: float, r: float) -> None:
    call = black76_delta(f, k, t, v, r, OptionKind.CALL)
    put = black76_delta(f, k, t, v, r, OptionKind.PUT)
    assert call - put == pytest.approx(math.exp(-r * t), abs=1e-12)
    assert 0.0 <= call <= 1.0 and -1.0 <= put <= 0.0


@given(f=st.floats(50, 200), t=st.floats(0.05, 2), v=st.floats(0.1, 1.0),
       kind=st.sampled_from([OptionKind.CALL, OptionKind.PUT]))
def test_black76_delta_is_the_price_derivative(f: float, t: float, v: float, kind: OptionKind) -> None:
    h = 1e-4 * f
    slope = (black76(f + h, 100, t, v, 0.02, kind) - black76(f - h, 100, t, v, 0.02, kind)) / (2 * h)
    assert black76_delta(f, 100, t, v, 0.02, kind) == pytest.approx(slope, abs=1e-6)


# ---- delta model -----------------------------------------------------------------------------------------
def test_black_deltas_on_the_current_underlying_mid() -> None:
    market = OptionsMarket()
    deltas = market.deltas
    assert deltas.forward() == pytest.approx(FORWARD)
    years = (ATM_CALL.expiry_ts_ns - START) / (365 * 86_400 * SECOND)
    vol = market.surface.vol(100_000, FORWARD, years)
    assert deltas.delta(ATM_CALL, START) == pytest.approx(black76_delta(FORWARD, 100_000, years, vol, 0.0,
                                                                        OptionKind.CALL))
    assert deltas.delta(market.perp, START) == 1.0
    inverse = Perpetual.create("x", "BTC", "USD", "BTC", Decimal("0.5"), Decimal(1), contract_size=Decimal(100))
    assert deltas.delta(inverse, START) == pytest.approx(100 / FORWARD)
    eth = Perpetual.create("x", "ETH", "USDT", "USDT", Decimal("0.01"), Decimal("0.01"))
    assert deltas.delta(eth, START) is None
    empty = BlackDeltas(MarketView(market.engine.oms.instruments), PERP)
    assert empty.forward() is None and empty.delta(ATM_CALL, START) is None
    with pytest.raises(ValidationError, match="no venue lists"):
        BlackDeltas(market.algos.market, "NOPE")


# ---- hedger ------------------------------------------------------------------------------------------------
def option_parent(side: Side, quantity: str = "5", parent_id: str = "O1") -> ParentOrder:
    return ParentOrder(parent_id=parent_id, account="desk", symbol=ATM_CALL.symbol, side=side,
                       quantity=Decimal(quantity), quantity_unit=Decimal("0.1"), start_ts_ns=START,
                       end_ts_ns=START + 120 * SECOND)


def hedged_run(side: Side, band: str = "0.05") -> tuple[OptionsMarket, DeltaHedger]:
    market = OptionsMarket(default_lots=3)
    hedger = DeltaHedger(market.algos, market.deltas, hedge_symbol=PERP, band=Decimal(band), account="desk")
    market.algos.start(option_parent(side), TwapAlgo(), AlgoParams(slice_interval=timedelta(seconds=10)))
    hedger.watch("O1")
    market.run(START + 300 * SECOND)
    return market, hedger


@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
def test_an_option_parent_is_delta_hedged_within_the_band_after_each_hedge(side: Side) -> None:
    market, hedger = hedged_run(side)
    events = [e for _, e in market.engine.journal.events()]
    ordered = [e for e in events if isinstance(e, HedgeOrdered)]
    completed = [e for e in events if isinstance(e, HedgeCompleted)]
    assert len(ordered) >= 5 and len(completed) == len(ordered)
    settled = [e for e in completed if e.in_flight == 0]
    assert len(settled) == len(completed)  # a deep perp book: every hedge fills at once, in full
    for event in settled:
        assert abs(event.net_delta) <= hedger.band
    for event in ordered:
        assert abs(event.net_delta) > hedger.band  # a hedge only when the band is left
        assert event.side is (Side.SELL if side is Side.BUY else Side.BUY)
    status = hedger.status()
    assert status.options == {ATM_CALL.symbol: Decimal(5) if side is Side.BUY else Decimal(-5)}
    assert abs(status.net_delta) <= float(hedger.band)
    # the perp offsets the options: about -0.5 x 5 contracts for the long calls
    per_contract = market.deltas.delta(ATM_CALL, market.engine.now_ns)
    assert per_contract is not None
    expected = -5 * per_contract if side is Side.BUY else 5 * per_contract
    assert float(status.hedge_position) == pytest.approx(expected, abs=float(hedger.band))
    position = sum(s.filled_lots * s.instrument.lot_size * (1 if s.order.side is Side.BUY else -1)
                   for s in market.engine.oms.orders.values() if s.order.symbol == PERP)
    assert position == status.hedge_position  # the OMS agrees with the hedger's book
    for event in ordered + completed:
        assert decode_event(encode_event(event)) == event


def test_a_wider_band_hedges_less_often() -> None:
    narrow = len(hedged_run(Side.BUY, "0.05")[1].hedge_ids)
    wide = len(hedged_run(Side.BUY, "0.5")[1].hedge_ids)
    assert wide < narrow


def test_hedger_validation() -> None:
    market = OptionsMarket()
    with pytest.raises(ValidationError, match="below one hedge lot"):
        DeltaHedger(market.algos, market.deltas, hedge_symbol=PERP, band=Decimal("0.0001"))
    with pytest.raises(ValidationError, match="no venue lists"):
        DeltaHedger(market.algos, market.deltas, hedge_symbol="NOPE", band=Decimal(1))


def test_unwatched_fills_are_not_hedged() -> None:
    market = OptionsMarket(default_lots=3)
    hedger = DeltaHedger(market.algos, market.deltas, hedge_symbol=PERP, band=Decimal("0.05"))
    market.algos.start(option_parent(Side.BUY), TwapAlgo(), AlgoParams(slice_interval=timedelta(seconds=10)))
    market.run(START + 300 * SECOND)
    assert not hedger.hedge_ids and not hedger.positions()


# ---- default scenario ----------------------------------------------------------------------------------------
def test_risk_reversal_on_the_default_scenario_legged_and_hedged_on_the_perp() -> None:
    """The default scenario's Deribit-like venue and bybit-perp: a 30-day risk reversal legged
    within an imbalance limit while a hedger keeps the delta within its band on the perp."""
    sim = build_market(load_scenario("default"))
    algos = AlgoEngine(sim.engine, take_slippage_units=50)
    sim.run(sim.start_ns + 30 * SECOND)  # warm up: every book quoted
    options = [i for (venue, _), i in sorted(sim.instruments.items()) if venue == "deribit"]
    far = max(o.expiry_ts_ns for o in options)  # type: ignore[attr-defined]
    pick = {(int(o.strike), o.option_kind): o for o in options if o.expiry_ts_ns == far}  # type: ignore[attr-defined]
    deltas = BlackDeltas(algos.market, "BTC/USDT:USDT")
    legs = MultiLegEngine(algos, deltas)
    hedger = DeltaHedger(algos, deltas, hedge_symbol="BTC/USDT:USDT", band=Decimal("0.25"), account="desk",
                         horizon=timedelta(seconds=5))
    now = sim.engine.now_ns
    spec = risk_reversal("RR", "desk", pick[(65_000, OptionKind.PUT)], pick[(71_000, OptionKind.CALL)], Decimal(4),
                         LeggingLimit(max_imbalance=Decimal("0.1")), start_ts_ns=now, end_ts_ns=now + 600 * SECOND)
    imbalances: list[float] = []
    legs.start(spec, params=AlgoParams(slice_interval=timedelta(seconds=30)))
    for k in range(2):
        hedger.watch(spec.leg_id(k))
    sim.engine.loop.subscribe(OrderFilled, lambda _: imbalances.append(legs.status("RR").imbalance))
    sim.run(now + 1_200 * SECOND)
    status = legs.status("RR")
    assert status.state is StrategyState.DONE
    assert [leg.filled for leg in status.legs] == [Decimal(4), Decimal(4)]
    assert imbalances and max(imbalances) <= 0.1
    events = [e for _, e in sim.engine.journal.events() if isinstance(e, HedgeOrdered | HedgeCompleted)]
    ordered = {e.parent_id: e for e in events if isinstance(e, HedgeOrdered)}
    assert ordered and hedger.hedge_position < 0  # long delta (long call, short put) sold on the perp
    for i, event in enumerate(events):
        if not isinstance(event, HedgeCompleted) or event.in_flight:
            continue
        if event.filled == ordered[event.parent_id].quantity:
            # filled in full: within the band, up to the underlying's move while it was in flight
            assert abs(event.net_delta) <= hedger.band + Decimal("0.01")
        elif abs(event.net_delta) > hedger.band:
            # the perp moved away from an IOC: the rest is hedged again at once
            top_up = events[i + 1]
            assert isinstance(top_up, HedgeOrdered) and top_up.ts_ns == event.ts_ns
