"""Builders for instruments, orders and reports used across tests, examples and benchmarks."""

from __future__ import annotations

from decimal import Decimal

from slipstream.model.enums import Liquidity, OrderType, Side
from slipstream.model.instruments import SpotPair
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.model.reports import ExecutionReport, Fill, ReportKind

__all__ = ["btc_usdt", "child", "fill_report", "parent", "report"]


def btc_usdt(venue: str = "sim") -> SpotPair:
    """BTC/USDT spot: tick 0.01, lot 0.00001, min notional 5 USDT, 10/2 bps taker/maker."""
    return SpotPair.create(
        venue,
        "BTC",
        "USDT",
        Decimal("0.01"),
        Decimal("0.00001"),
        min_notional=Decimal(5),
        taker_fee=Decimal("0.001"),
        maker_fee=Decimal("0.0002"),
    )


def parent(parent_id: str = "P1", quantity: str = "1", side: Side = Side.BUY) -> ParentOrder:
    return ParentOrder(
        parent_id=parent_id,
        account="desk",
        symbol="BTC/USDT",
        side=side,
        quantity=Decimal(quantity),
        quantity_unit=Decimal("0.00001"),
    )


def child(
    coid: str,
    lots: int = 1000,
    price_units: int | None = 6_000_000,
    venue: str = "sim",
    parent_id: str | None = "P1",
    side: Side = Side.BUY,
) -> ChildOrder:
    order_type = OrderType.LIMIT if price_units is not None else OrderType.MARKET
    return ChildOrder(
        client_order_id=coid,
        venue=venue,
        symbol="BTC/USDT",
        side=side,
        lots=lots,
        order_type=order_type,
        price_units=price_units,
        parent_id=parent_id,
    )


def report(coid: str, kind: ReportKind, ts: int = 0, venue: str = "sim", **kw: object) -> ExecutionReport:
    return ExecutionReport(venue=venue, client_order_id=coid, kind=kind, venue_ts_ns=ts, receive_ts_ns=ts, **kw)  # type: ignore[arg-type]


def fill_report(
    coid: str, trade_id: str, lots: int, price_units: int = 6_000_000, ts: int = 0, venue: str = "sim", fee: str = "0"
) -> ExecutionReport:
    fill = Fill(
        trade_id=trade_id,
        lots=lots,
        price_units=price_units,
        liquidity=Liquidity.TAKER,
        fee=Decimal(fee),
        fee_asset="USDT",
    )
    return report(coid, ReportKind.FILL, ts=ts, venue=venue, fill=fill)
