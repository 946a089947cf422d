"""Each pre-trade check, table-driven (STYLE §7): exact reason code and exact context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest

from slipstream.model.enums import OrderStatus, Side
from slipstream.model.events import OrderDenied
from slipstream.model.instruments import DatedFuture
from slipstream.model.orders import ChildOrder
from slipstream.risk import (
    ExposureLimits,
    InstrumentLimits,
    Rate,
    RiskDenial,
    RiskLimits,
    TradingSession,
    VenueLimits,
)
from slipstream.testing.stubs import btc_usdt, child

from .helpers import make_engine

D = Decimal
BTC = "BTC/USDT"
ANY = {"*": InstrumentLimits()}


@dataclass
class Case:
    name: str
    limits: RiskLimits
    orders: list[ChildOrder]  # all but the last must pass; the last is judged
    code: str | None
    context: tuple[tuple[str, str], ...] = ()
    fills: bool = False  # run the loop between orders (resting orders stay, marketable ones fill)
    start_ns: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def inst(**kw: object) -> RiskLimits:
    return RiskLimits(instruments={BTC: InstrumentLimits(**kw)})  # type: ignore[arg-type]


def acct(**kw: object) -> RiskLimits:
    return RiskLimits(accounts={"default": {"BTC": ExposureLimits(**kw)}})  # type: ignore[arg-type]


def port(**kw: object) -> RiskLimits:
    return RiskLimits(portfolio={"*": ExposureLimits(**kw)})  # type: ignore[arg-type]


SELL = Side.SELL
CASES = [
    Case("qty at limit passes", inst(max_order_quantity=D("0.5")), [child("a", lots=50_000)], None),
    Case("qty above limit", inst(max_order_quantity=D("0.5")), [child("a", lots=50_001)], "MAX_ORDER_QTY",
         (("symbol", BTC), ("quantity", "0.50001"), ("limit", "0.5"))),
    Case("notional above limit", inst(max_order_notional=D("30000")), [child("a", lots=50_001)],
         "MAX_ORDER_NOTIONAL", (("symbol", BTC), ("notional", "30000.6000000"), ("limit", "30000"))),
    Case("market order notional at the reference", inst(max_order_notional=D("30000")),
         [child("a", lots=50_001, price_units=None)], "MAX_ORDER_NOTIONAL",
         (("symbol", BTC), ("notional", "30000.60000"), ("limit", "30000"))),
    Case("aggressive buy beyond band", inst(price_band=D("0.01")), [child("a", price_units=6_060_001)], "PRICE_BAND",
         (("symbol", BTC), ("side", "buy"), ("price", "60600.01"), ("reference", "60000"), ("band", "0.01"))),
    Case("aggressive buy at band edge passes", inst(price_band=D("0.01")), [child("a", price_units=6_060_000)], None),
    Case("passive buy far below passes the band", inst(price_band=D("0.01")), [child("a", price_units=3_000_000)],
         None),
    Case("aggressive sell beyond band", inst(price_band=D("0.01")),
         [child("a", price_units=5_939_999, side=SELL, parent_id=None)], "PRICE_BAND",
         (("symbol", BTC), ("side", "sell"), ("price", "59399.99"), ("reference", "60000"), ("band", "0.01"))),
    Case("fat finger either direction", inst(fat_finger=D("0.2")), [child("a", price_units=600_000)], "FAT_FINGER",
         (("symbol", BTC), ("price", "6000.00"), ("reference", "60000"), ("limit", "0.2"))),
    Case("fat finger before band", inst(fat_finger=D("0.2"), price_band=D("0.01")),
         [child("a", price_units=9_000_000)], "FAT_FINGER",
         (("symbol", BTC), ("price", "90000.00"), ("reference", "60000"), ("limit", "0.2"))),
    Case("band uses the configured reference (no mark: falls back to mid)",
         inst(price_band=D("0.01"), reference="mark"), [child("a", price_units=6_100_000)], "PRICE_BAND",
         (("symbol", BTC), ("side", "buy"), ("price", "61000.00"), ("reference", "60000"), ("band", "0.01"))),
    Case("max open orders", RiskLimits(venues={"sim": VenueLimits(max_open_orders=2)}),
         [child("a", price_units=5_000_000), child("b", price_units=5_000_000), child("c", price_units=5_000_000)],
         "MAX_OPEN_ORDERS", (("venue", "sim"), ("open", "2"), ("limit", "2")), fills=True),
    Case("order rate with headroom", RiskLimits(venues={"*": VenueLimits(
         max_order_rate=Rate(5, timedelta(seconds=1)), rate_headroom=D("0.6"))}),
         [child(c, price_units=5_000_000) for c in "abcd"], "ORDER_RATE",
         (("venue", "sim"), ("sent", "3"), ("allowed", "3"), ("window_ns", "1000000000"))),
    Case("account position limit counts working orders", acct(max_position=D("0.3")),
         [child("a", lots=20_000, price_units=5_000_000), child("b", lots=10_001, price_units=5_000_000)],
         "POSITION_LIMIT", (("scope", "account:default"), ("asset", "BTC"), ("side", "buy"),
                            ("position", "0.00000"), ("worst_case", "0.30001"), ("limit", "0.3"))),
    Case("account position limit counts fills", acct(max_position=D("0.3")),
         [child("a", lots=20_000, price_units=6_000_010), child("b", lots=10_001, price_units=5_000_000)],
         "POSITION_LIMIT", (("scope", "account:default"), ("asset", "BTC"), ("side", "buy"),
                            ("position", "0.20000"), ("worst_case", "0.30001"), ("limit", "0.3")), fills=True),
    Case("selling against a long passes a tight short limit", acct(max_position=D("0.3")),
         [child("a", lots=20_000, price_units=6_000_010), child("b", lots=20_000, side=SELL, parent_id=None)],
         None, fills=True),
    Case("short position limit", acct(max_position=D("0.3")),
         [child("b", lots=30_001, side=SELL, parent_id=None, price_units=7_000_000)], "POSITION_LIMIT",
         (("scope", "account:default"), ("asset", "BTC"), ("side", "sell"), ("position", "0.00000"),
          ("worst_case", "-0.30001"), ("limit", "0.3"))),
    Case("portfolio net exposure", port(max_net_notional=D("12000")),
         [child("a", lots=20_000, price_units=5_000_000), child("b", lots=100, price_units=5_000_000)],
         "NET_EXPOSURE", (("scope", "portfolio"), ("asset", "BTC"), ("side", "buy"),
                          ("worst_case", "12060.00000"), ("limit", "12000"))),
    Case("portfolio gross exposure", port(max_gross_notional=D("6000")),
         [child("a", lots=10_000, price_units=5_000_000), child("b", lots=100, side=SELL, parent_id=None,
                                                                   price_units=7_000_000)],
         None),  # a sell against a working buy does not raise worst-case gross
    Case("portfolio gross exposure breached", port(max_gross_notional=D("6000")),
         [child("a", lots=10_000, price_units=5_000_000), child("b", lots=100, price_units=5_000_000)],
         "GROSS_EXPOSURE", (("scope", "portfolio"), ("asset", "BTC"), ("worst_case", "6060.00000"),
                            ("limit", "6000"))),
    Case("trading hours closed", inst(sessions=(TradingSession(start=timedelta(hours=8), end=timedelta(hours=16)),)),
         [child("a")], "TRADING_HOURS", (("symbol", BTC), ("now_ns", "0"))),
    Case("trading hours open", inst(sessions=(TradingSession(start=timedelta(hours=8), end=timedelta(hours=16)),)),
         [child("a")], None, start_ns=9 * 3_600_000_000_000),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check(case: Case) -> None:
    engine, _, _, _ = make_engine(case.limits, start_ns=case.start_ns)
    *before, last = case.orders
    for order in before:
        state = engine.submit_order(order)
        assert state.status is not OrderStatus.REJECTED, f"setup order {order.client_order_id} was refused"
        if case.fills:
            engine.run()
    state = engine.submit_order(last)
    denials = [e for _, e in engine.journal.events() if isinstance(e, OrderDenied)]
    if case.code is None:
        assert not denials
        assert state.status is not OrderStatus.REJECTED
    else:
        assert state.status is OrderStatus.REJECTED
        assert [(d.client_order_id, d.code) for d in denials] == [(last.client_order_id, case.code)]
        assert denials[0].detail == RiskDenial(case.code, case.context).detail


def test_rate_window_slides() -> None:
    limits = RiskLimits(venues={"sim": VenueLimits(max_order_rate=Rate(2, timedelta(seconds=1)))})
    engine, _, _risk, _ = make_engine(limits)
    for coid in "ab":
        assert engine.submit_order(child(coid, price_units=5_000_000)).status is not OrderStatus.REJECTED
    assert engine.submit_order(child("c", price_units=5_000_000)).status is OrderStatus.REJECTED
    engine.run(until_ns=1_000_000_000)  # both earlier orders leave the window at exactly 1 s
    assert engine.submit_order(child("d", price_units=5_000_000)).status is not OrderStatus.REJECTED


def test_expired_instrument() -> None:
    expiry = 10 * 3_600_000_000_000
    future = DatedFuture.create("sim", "BTC", "USDT", "USDT", expiry, D("0.1"), D("0.001"))
    limits = RiskLimits(instruments={"*": InstrumentLimits(expiry_cutoff=timedelta(hours=1))})
    engine, venue, _, _ = make_engine(limits, instruments=[btc_usdt(), future], start_ns=expiry - 3_600_000_000_000)
    venue.set_quote(future.symbol, 599_000, 601_000)
    order = ChildOrder(client_order_id="f", venue="sim", symbol=future.symbol, side=Side.BUY, lots=1,
                       price_units=600_000)
    assert engine.submit_order(order).status is OrderStatus.REJECTED
    (denial,) = [e for _, e in engine.journal.events() if isinstance(e, OrderDenied)]
    assert denial.code == "EXPIRED_INSTRUMENT"
    assert denial.detail == (
        f"symbol={future.symbol} now_ns={expiry - 3_600_000_000_000} expiry_ns={expiry} cutoff_ns=3600000000000"
    )


def test_missing_reference_fails_closed() -> None:
    engine, _, _, refs = make_engine(inst(price_band=D("0.01")))
    refs.instruments = {}
    refs._prices.clear()
    engine.submit_order(child("a"))
    (denial,) = [e for _, e in engine.journal.events() if isinstance(e, OrderDenied)]
    assert (denial.code, denial.detail) == ("NO_REFERENCE_PRICE", "symbol=BTC/USDT venue=sim reference=mid")


def test_default_limits_approve_everything() -> None:
    engine, _, _, _ = make_engine(RiskLimits(instruments=ANY))
    engine.submit_order(child("a", lots=100_000, price_units=6_000_010))
    engine.run()
    assert engine.oms.orders["a"].status is OrderStatus.FILLED
