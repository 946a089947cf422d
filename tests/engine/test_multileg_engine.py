"""Multi-leg strategies worked leg by leg on the algo engine: the legging limit holds at every
fill, ratios at completion, desk control, combos, validation, journal and determinism."""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from options_market import OPTIONS, SECOND, START, OptionsMarket

from slipstream.algos import AlgoParams
from slipstream.algos.multileg import (
    ExecutionStyle,
    Leg,
    LeggingLimit,
    StrategySpec,
    call_spread,
    risk_reversal,
)
from slipstream.engine.executor import AlgoState
from slipstream.engine.multileg import MultiLegEngine, StrategyState, StrategyStatus
from slipstream.errors import ValidationError
from slipstream.journal.codec import decode_event, encode_event
from slipstream.model.enums import OptionKind, Side
from slipstream.model.events import OrderFilled
from slipstream.model.strategy_events import (
    LegPaused,
    LegResumed,
    StrategyCancelled,
    StrategyFinished,
    StrategyPaused,
    StrategyResumed,
    StrategyStarted,
)

ATM_CALL = OPTIONS[(100_000, OptionKind.CALL)]
OTM_CALL = OPTIONS[(110_000, OptionKind.CALL)]
OTM_PUT = OPTIONS[(90_000, OptionKind.PUT)]
TEN_MIN = START + 600 * SECOND
SLICES = AlgoParams(slice_interval=timedelta(seconds=20))


class Watch:
    """Samples the strategy's status at every fill of any order (after the engines reacted)."""

    def __init__(self, market: OptionsMarket, legs: MultiLegEngine, strategy_id: str) -> None:
        self.samples: list[StrategyStatus] = []
        market.engine.loop.subscribe(OrderFilled, lambda _: self.samples.append(legs.status(strategy_id)))


def journal_types(market: OptionsMarket) -> list[type]:
    return [type(e) for _, e in market.engine.journal.events()]


def run_spread(limit: LeggingLimit, thin_lots: int = 1) -> tuple[OptionsMarket, MultiLegEngine, Watch]:
    market = OptionsMarket(lots={OTM_CALL.symbol: thin_lots})
    legs = MultiLegEngine(market.algos, market.deltas)
    watch = Watch(market, legs, "S")
    spec = call_spread("S", "desk", ATM_CALL, OTM_CALL, Decimal(10), limit, start_ts_ns=START,
                       end_ts_ns=TEN_MIN)
    legs.start(spec, params=SLICES)
    market.run(TEN_MIN + 600 * SECOND)
    return market, legs, watch


@pytest.mark.parametrize("limit, thin_lots", [
    (LeggingLimit(max_imbalance=Decimal("0.05")), 1),
    (LeggingLimit(max_imbalance=Decimal("0.02"), max_net_delta=Decimal("0.5")), 2),
    (LeggingLimit(max_net_delta=Decimal("0.15")), 1),
])
def test_call_spread_legged_within_the_limit_at_every_fill(limit: LeggingLimit, thin_lots: int) -> None:
    market, legs, watch = run_spread(limit, thin_lots)
    assert len(watch.samples) > 20
    for status in watch.samples:
        if limit.max_imbalance is not None:
            assert status.imbalance <= float(limit.max_imbalance) + 1e-12
        if limit.max_net_delta is not None:
            assert status.legging_delta is not None
            # deltas drift with time (a 30-day option over 20 minutes): 0.1% slack
            assert abs(status.legging_delta) <= float(limit.max_net_delta) * 1.001
    # the thin short leg lagged, so the long leg was held back at least once, then released
    types = journal_types(market)
    assert LegPaused in types and LegResumed in types
    final = legs.status("S")
    assert final.state is StrategyState.DONE
    assert [leg.filled for leg in final.legs] == [Decimal(10), Decimal(10)]
    assert [leg.state for leg in final.legs] == ["done", "done"]
    finished = [e for _, e in market.engine.journal.events() if isinstance(e, StrategyFinished)]
    assert len(finished) == 1 and finished[0].state == "done"
    assert finished[0].filled_units == finished[0].quantity_units


def test_without_the_gate_the_same_spread_legs_far_apart() -> None:
    """Control: with a limit of 100% the thin leg lags well beyond the 5% the gate allows."""
    _, _, watch = run_spread(LeggingLimit(max_imbalance=Decimal(1)))
    assert max(s.imbalance for s in watch.samples) > 0.075


def test_ratio_spread_completes_in_ratio() -> None:
    market = OptionsMarket(lots={OTM_CALL.symbol: 2})
    legs = MultiLegEngine(market.algos, market.deltas)
    watch = Watch(market, legs, "R")
    spec = StrategySpec(strategy_id="R", account="desk", name="1x2 call ratio", quantity=Decimal(3),
                        legs=(Leg(symbol=ATM_CALL.symbol, side=Side.BUY),
                              Leg(symbol=OTM_CALL.symbol, side=Side.SELL, ratio=2)),
                        limit=LeggingLimit(max_imbalance=Decimal("0.1")), start_ts_ns=START, end_ts_ns=TEN_MIN)
    legs.start(spec, params=SLICES)
    market.run(TEN_MIN + 600 * SECOND)
    final = legs.status("R")
    assert final.state is StrategyState.DONE
    assert [leg.filled for leg in final.legs] == [Decimal(3), Decimal(6)]
    assert max(s.imbalance for s in watch.samples) <= 0.1


def test_risk_reversal_within_a_delta_limit() -> None:
    market = OptionsMarket(lots={OTM_PUT.symbol: 1})
    legs = MultiLegEngine(market.algos, market.deltas)
    watch = Watch(market, legs, "RR")
    spec = risk_reversal("RR", "desk", OTM_PUT, OTM_CALL, Decimal(12), LeggingLimit(max_net_delta=Decimal("0.2")),
                         start_ts_ns=START, end_ts_ns=TEN_MIN)
    assert [(leg.symbol, leg.side) for leg in spec.legs] == [(OTM_CALL.symbol, Side.BUY), (OTM_PUT.symbol, Side.SELL)]
    legs.start(spec, params=SLICES)
    market.run(TEN_MIN + 600 * SECOND)
    exposure = [s.legging_delta for s in watch.samples]
    assert all(d is not None and abs(d) <= 0.2 * 1.001 for d in exposure)
    assert max(abs(d or 0.0) for d in exposure) > 0.1  # the limit was used
    final = legs.status("RR")
    assert final.state is StrategyState.DONE and [leg.filled for leg in final.legs] == [Decimal(12), Decimal(12)]
    # both legs add delta: bought call and sold put are both long the underlying
    assert market.deltas.delta(OTM_CALL, market.engine.now_ns) > 0 > market.deltas.delta(OTM_PUT, START)


def test_pause_resume_and_cancel_apply_to_every_leg() -> None:
    market = OptionsMarket(lots={OTM_CALL.symbol: 1})
    legs = MultiLegEngine(market.algos, market.deltas)
    spec = call_spread("S", "desk", ATM_CALL, OTM_CALL, Decimal(10), LeggingLimit(max_imbalance=Decimal("0.1")),
                       start_ts_ns=START, end_ts_ns=TEN_MIN)
    legs.start(spec, params=SLICES)
    market.run(START + 120 * SECOND)
    paused = legs.pause("S", reason="desk")
    assert paused.state is StrategyState.PAUSED
    assert all(leg.state == AlgoState.PAUSED.value for leg in paused.legs)
    market.run(START + 180 * SECOND)
    before = legs.status("S")
    assert all(leg.working == 0 for leg in before.legs)
    market.run(START + 240 * SECOND)
    assert [leg.filled for leg in legs.status("S").legs] == [leg.filled for leg in before.legs]
    with pytest.raises(ValidationError, match="is paused"):
        legs.pause("S")
    resumed = legs.resume("S")
    assert resumed.state is StrategyState.RUNNING
    market.run(START + 300 * SECOND)
    assert legs.status("S").legs[1].filled > before.legs[1].filled
    cancelled = legs.cancel("S", reason="done for the day")
    assert cancelled.state is StrategyState.CANCELLED
    assert all(leg.state == AlgoState.CANCELLED.value for leg in cancelled.legs)
    market.run(START + 320 * SECOND)
    assert not [o for o in market.engine.oms.orders.values() if not o.status.is_terminal]
    types = journal_types(market)
    for kind in (StrategyPaused, StrategyResumed, StrategyCancelled, StrategyFinished):
        assert kind in types
    assert [e.state for _, e in market.engine.journal.events() if isinstance(e, StrategyFinished)] == ["cancelled"]
    with pytest.raises(ValidationError, match="is cancelled"):
        legs.resume("S")


def test_combo_mode_is_refused_and_auto_legs_with_a_note() -> None:
    market = OptionsMarket()
    legs = MultiLegEngine(market.algos, market.deltas)
    limit = LeggingLimit(max_imbalance=Decimal("0.2"))
    combo = call_spread("C", "desk", ATM_CALL, OTM_CALL, Decimal(6), limit, start_ts_ns=START, end_ts_ns=TEN_MIN,
                        execution=ExecutionStyle.COMBO)
    assert legs.combo_venue(combo) is None
    with pytest.raises(ValidationError, match="no venue supports combo"):
        legs.start(combo, params=SLICES)
    market.options_venue.supports_combos = True  # type: ignore[attr-defined]
    assert legs.combo_venue(combo) == "deribit"
    with pytest.raises(ValidationError, match="no combo order type"):
        legs.start(combo, params=SLICES)
    auto = msgspec_replace(combo, execution=ExecutionStyle.AUTO)
    status = legs.start(auto, params=SLICES)
    assert status.mode == "legged"
    started = [e for _, e in market.engine.journal.events() if isinstance(e, StrategyStarted)]
    assert len(started) == 1 and "deribit lists combos" in started[0].note
    assert StrategySpec.decode(started[0].spec) == auto


def msgspec_replace(spec: StrategySpec, **changes: object) -> StrategySpec:
    import msgspec

    return msgspec.structs.replace(spec, **changes)


def test_bad_strategies_are_refused_and_record_nothing() -> None:
    market = OptionsMarket()
    legs = MultiLegEngine(market.algos)
    before = len(list(market.engine.journal.events()))
    limit = LeggingLimit(max_imbalance=Decimal("0.2"))
    unknown = StrategySpec(strategy_id="U", account="desk", name="x", quantity=Decimal(6), limit=limit,
                           legs=(Leg(symbol="NOPE", side=Side.BUY), Leg(symbol=OTM_CALL.symbol, side=Side.SELL)),
                           start_ts_ns=START, end_ts_ns=TEN_MIN)
    with pytest.raises(ValidationError, match="no venue lists NOPE"):
        legs.start(unknown, params=SLICES)
    delta_limited = call_spread("D", "desk", ATM_CALL, OTM_CALL, Decimal(6), LeggingLimit(max_net_delta=Decimal(1)),
                                start_ts_ns=START, end_ts_ns=TEN_MIN)
    with pytest.raises(ValidationError, match="needs a delta model"):
        legs.start(delta_limited, params=SLICES)
    too_tight = call_spread("T", "desk", ATM_CALL, OTM_CALL, Decimal(6), LeggingLimit(max_imbalance=Decimal("0.01")),
                            start_ts_ns=START, end_ts_ns=TEN_MIN)  # 1% of 6 contracts is below one 0.1 lot
    with pytest.raises(ValidationError, match="below its smallest order"):
        legs.start(too_tight, params=SLICES)
    past = call_spread("P", "desk", ATM_CALL, OTM_CALL, Decimal(6), limit, start_ts_ns=START - 20 * SECOND,
                       end_ts_ns=START - 10 * SECOND)
    with pytest.raises(ValidationError, match="already passed"):
        legs.start(past, params=SLICES)
    assert len(list(market.engine.journal.events())) == before
    assert not legs.strategies and not market.algos.runs
    with pytest.raises(ValidationError, match="unknown strategy"):
        legs.status("T")


def test_strategy_events_round_trip_and_runs_are_deterministic() -> None:
    limit = LeggingLimit(max_imbalance=Decimal("0.05"), max_net_delta=Decimal("0.5"))
    first, _, _ = run_spread(limit)
    second, _, _ = run_spread(limit)
    a = [encode_event(e) for _, e in first.engine.journal.events()]
    b = [encode_event(e) for _, e in second.engine.journal.events()]
    assert a == b
    for _, event in first.engine.journal.events():
        assert decode_event(encode_event(event)) == event
    paused = [e for _, e in first.engine.journal.events() if isinstance(e, LegPaused)]
    assert paused and paused[0].parent_id == "S-leg0" and paused[0].legging_delta is not None
