"""RiskEngine end to end: runtime limits through the journal, kill switch, parent checks, max loss."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.errors import ValidationError
from slipstream.journal import SqliteJournal
from slipstream.journal.codec import decode_event, encode_event
from slipstream.model.enums import OrderStatus, Side
from slipstream.model.events import OrderDenied
from slipstream.model.orders import ParentOrder
from slipstream.model.risk_events import KillSwitchEngaged, KillSwitchReleased, RiskLimitsChanged
from slipstream.risk import (
    EnforceMaxLoss,
    EngageKillSwitch,
    ExposureLimits,
    InstrumentLimits,
    NoRisk,
    Rate,
    ReferenceKind,
    ReleaseKillSwitch,
    RiskEngine,
    RiskLimits,
    SetRiskLimits,
    TradingSession,
    VenueLimits,
    apply_risk_command,
)
from slipstream.testing.stubs import btc_usdt, child

from .helpers import make_engine

D = Decimal
LIMITS = RiskLimits(
    instruments={
        "BTC/USDT": InstrumentLimits(
            max_order_quantity=D("2"),
            price_band=D("0.02"),
            reference=ReferenceKind.MARK,
            sessions=(TradingSession(start=timedelta(hours=22), end=timedelta(hours=6), weekdays=(0, 4)),),
        ),
        "*": InstrumentLimits(max_order_notional=D("1000000"), expiry_cutoff=timedelta(minutes=10)),
    },
    venues={"sim": VenueLimits(max_open_orders=50, max_order_rate=Rate(20, timedelta(seconds=1)),
                               rate_headroom=D("0.8"))},
    accounts={"desk": {"BTC": ExposureLimits(max_position=D("10")), "*": ExposureLimits(max_net_notional=D("5e5"))}},
    portfolio={"*": ExposureLimits(max_gross_notional=D("2000000"))},
    max_loss=D("50000"),
)


def denials(engine: object) -> list[OrderDenied]:
    return [e for _, e in engine.journal.events() if isinstance(e, OrderDenied)]  # type: ignore[attr-defined]


def test_kill_switch_cancels_every_working_order_and_denies_new_ones() -> None:
    engine, venue, risk, _ = make_engine()
    for i in range(5):
        engine.submit_order(child(f"r{i}", lots=1_000, price_units=5_900_000 - i * 100))
    engine.run()
    assert [s.status for s in engine.oms.working_orders()] == [OrderStatus.ACCEPTED] * 5
    events = apply_risk_command(engine, EngageKillSwitch(reason="desk halt"))
    assert [type(e) for e in events] == [KillSwitchEngaged]
    engine.run()
    assert engine.oms.working_orders() == []
    assert all(engine.oms.orders[f"r{i}"].status is OrderStatus.CANCELED for i in range(5))
    assert venue.open_orders() == []
    late = engine.submit_order(child("late", lots=1_000, price_units=6_000_010))
    assert late.status is OrderStatus.REJECTED
    (denial,) = denials(engine)
    assert (denial.code, denial.detail) == ("KILL_SWITCH", "source=manual reason=desk halt")
    assert risk.check_parent(ParentOrder(parent_id="P2", account="desk", symbol="BTC/USDT", side=Side.BUY,
                                         quantity=D(1))).code == "KILL_SWITCH"  # type: ignore[union-attr]
    # released: orders flow again
    apply_risk_command(engine, ReleaseKillSwitch(reason="resume"))
    assert engine.submit_order(child("again", lots=1_000, price_units=6_000_010)).status is OrderStatus.PENDING_NEW


def test_kill_switch_can_stop_parents_too() -> None:
    engine, _, _, _ = make_engine()
    engine.submit_order(child("r", lots=1_000, price_units=5_900_000))
    engine.run()
    apply_risk_command(engine, EngageKillSwitch(reason="halt", cancel_parents=True))
    engine.run()
    assert engine.parent("P1").canceled
    assert engine.oms.orders["r"].status is OrderStatus.CANCELED


def test_engaging_twice_journals_once() -> None:
    engine, _, _, _ = make_engine()
    assert len(apply_risk_command(engine, EngageKillSwitch(reason="a"))) == 1
    assert apply_risk_command(engine, EngageKillSwitch(reason="b")) == []
    assert apply_risk_command(engine, ReleaseKillSwitch()) != []
    assert apply_risk_command(engine, ReleaseKillSwitch()) == []
    with pytest.raises(ValidationError):
        apply_risk_command(engine, EngageKillSwitch(reason=""))


def test_runtime_limit_change_is_journaled_and_takes_effect() -> None:
    engine, _, risk, _ = make_engine()
    assert engine.submit_order(child("a", lots=60_000, price_units=5_000_000)).status is OrderStatus.PENDING_NEW
    tighter = RiskLimits(instruments={"*": InstrumentLimits(max_order_quantity=D("0.5"))})
    (event,) = apply_risk_command(engine, SetRiskLimits(limits=tighter, reason="vol spike"))
    assert isinstance(event, RiskLimitsChanged) and event.reason == "vol spike"
    assert risk.limits == tighter
    assert engine.submit_order(child("b", lots=60_000, price_units=5_000_000)).status is OrderStatus.REJECTED
    assert [d.code for d in denials(engine)] == ["MAX_ORDER_QTY"]


def test_replay_rebuilds_the_same_limits_and_switch(tmp_path: Path) -> None:
    journal = SqliteJournal(tmp_path / "j.db")
    engine, _, _, _ = make_engine()
    engine.journal = journal
    apply_risk_command(engine, SetRiskLimits(limits=LIMITS, reason="open"))
    apply_risk_command(engine, EngageKillSwitch(reason="halt"))
    apply_risk_command(engine, ReleaseKillSwitch(reason="ok"))
    apply_risk_command(engine, EngageKillSwitch(reason="halt again"))
    journal.close()
    reopened = SqliteJournal(tmp_path / "j.db")
    rebuilt = RiskEngine()
    rebuilt.replay(event for _, event in reopened.events())
    assert rebuilt.limits == LIMITS
    assert rebuilt.kill_switch is not None and rebuilt.kill_switch.reason == "halt again"
    assert [type(e).__name__ for _, e in reopened.events()] == [
        "RiskLimitsChanged", "KillSwitchEngaged", "KillSwitchReleased", "KillSwitchEngaged",
    ]
    reopened.close()


def test_risk_events_round_trip_through_the_codec() -> None:
    for event in (
        RiskLimitsChanged(ts_ns=5, config={"max_loss": "1"}, reason="r"),
        KillSwitchEngaged(ts_ns=6, reason="x", source="max_loss"),
        KillSwitchReleased(ts_ns=7),
    ):
        assert decode_event(encode_event(event)) == event


def test_check_parent() -> None:
    _engine, _, risk, _ = make_engine(RiskLimits(
        instruments={"*": InstrumentLimits(max_order_quantity=D("5"), fat_finger=D("0.1"))},
        accounts={"desk": {"BTC": ExposureLimits(max_position=D("3"))}},
    ))

    def parent(quantity: str, limit: str | None = None, symbol: str = "BTC/USDT") -> ParentOrder:
        return ParentOrder(parent_id="X", account="desk", symbol=symbol, side=Side.BUY, quantity=D(quantity),
                           limit_price=None if limit is None else D(limit))

    assert risk.check_parent(parent("2")) is None
    assert risk.check_parent(parent("6")).code == "MAX_ORDER_QTY"  # type: ignore[union-attr]
    assert risk.check_parent(parent("4")).code == "POSITION_LIMIT"  # type: ignore[union-attr]
    assert risk.check_parent(parent("1", "70000")).code == "FAT_FINGER"  # type: ignore[union-attr]
    assert risk.check_parent(parent("1", symbol="ETH/USDT")).code == "UNKNOWN_INSTRUMENT"  # type: ignore[union-attr]


def test_max_loss_trips_the_kill_switch() -> None:
    engine, _venue, risk, refs = make_engine(RiskLimits(max_loss=D("1000")))
    engine.submit_order(child("a", lots=100_000, price_units=6_000_010))  # buy 1 BTC at 60,000.10
    engine.run()
    engine.submit_order(child("rest", lots=1_000, price_units=5_000_000))
    engine.run()
    assert apply_risk_command(engine, EnforceMaxLoss()) == []
    refs.set("sim", "BTC/USDT", ReferenceKind.MID, D("59000.10"))  # loss exactly 1,000
    denied = engine.submit_order(child("b", lots=1_000, price_units=5_000_000))
    assert denied.status is OrderStatus.REJECTED
    assert denials(engine)[-1].detail == "pnl=-1000.0000000 limit=1000"
    (event,) = apply_risk_command(engine, EnforceMaxLoss())
    assert isinstance(event, KillSwitchEngaged) and event.source == "max_loss"
    engine.run()
    assert engine.oms.orders["rest"].status is OrderStatus.CANCELED
    assert risk.kill_switch is not None


def test_unbound_engine_refuses_to_guess() -> None:
    with pytest.raises(ValidationError, match="not bound"):
        RiskEngine().check(child("a"), btc_usdt())


def test_apply_risk_command_needs_a_risk_engine() -> None:
    engine, _, _, _ = make_engine()
    engine.risk = NoRisk()
    with pytest.raises(ValidationError, match="not a RiskEngine"):
        apply_risk_command(engine, ReleaseKillSwitch())
