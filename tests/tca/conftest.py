"""Builders and the hand-worked crypto examples shared by the TCA tests (fixtures only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from slipstream.tca import MarketPrint, MidSample, TcaFill, TcaOrder

S = 1_000_000_000  # one second in ns

FillFactory = Callable[..., TcaFill]


def build_fill(**overrides: Any) -> TcaFill:
    """A taker buy of 1 @ 100 with no fees, with ``overrides`` applied."""
    values: dict[str, Any] = {
        "ts_ns": 0,
        "venue": "cex",
        "side": "buy",
        "quantity": Decimal(1),
        "price": Decimal(100),
        "fee": Decimal(0),
        "fee_asset": "USDT",
        "fee_in_quote": Decimal(0),
        "gas_in_quote": Decimal(0),
        "liquidity": "taker",
        "order_type": "market",
        "child_id": "c1",
    }
    values.update(overrides)
    return TcaFill(**values)


def build_order(**overrides: Any) -> TcaOrder:
    """A buy of 1 decided and arriving at 100 over [0, 60 s], with ``overrides`` applied."""
    values: dict[str, Any] = {
        "side": "buy",
        "quantity": Decimal(1),
        "decision_ts_ns": 0,
        "decision_price": Decimal(100),
        "arrival_ts_ns": 0,
        "arrival_price": Decimal(100),
        "start_ts_ns": 0,
        "end_ts_ns": 60 * S,
        "symbol": "TEST",
        "quote_asset": "USD",
    }
    values.update(overrides)
    return TcaOrder(**values)


@dataclass(frozen=True)
class Example:
    """One complete TCA input set."""

    order: TcaOrder
    fills: tuple[TcaFill, ...]
    prints: tuple[MarketPrint, ...]
    mids: tuple[MidSample, ...]


def btc_buy_example() -> Example:
    """Crypto example A: buy 10 BTC on binance, okx and a Uniswap v3 pool; 2 BTC left unfilled.

    Decision at 59,900, arrival 60,000 (t = 0), interval [0, 60 s]. Fills:
      t=10 s binance    taker market 3 @ 60,030, fee 0.10 % = 180.09 USDT, router expected 250
      t=20 s okx        maker limit  4 @ 59,990, rebate 0.01 % = -23.996 USDT, waited 2.5 s,
                                                                                expected -50
      t=40 s uniswap-v3 taker swap   1 @ 60,120 (pool fee in price), gas 0.002 ETH x 3,000 =
                                     6 USDT, expected 100
    Market tape (others): 40 @ 60,000 at 5 s, 32 @ 60,050 at 35 s; our binance print flagged.
    Mids: 60,000 from 0; 60,100 from 30 s; 60,200 from 60 s; 60,150 from 315 s; 60,150 at 400 s.
    """
    order = build_order(
        quantity=Decimal(10),
        decision_price=Decimal(59900),
        arrival_price=Decimal(60000),
        symbol="BTC-USDT",
        quote_asset="USDT",
        schedule=tuple((i * 10 * S, Decimal(10) * i / 6) for i in range(7)),
    )
    fills = (
        build_fill(
            ts_ns=10 * S,
            venue="binance",
            quantity=Decimal(3),
            price=Decimal(60030),
            fee=Decimal("180.09"),
            fee_in_quote=Decimal("180.09"),
            child_id="c1",
            expected_cost_in_quote=Decimal(250),
        ),
        build_fill(
            ts_ns=20 * S,
            venue="okx",
            quantity=Decimal(4),
            price=Decimal(59990),
            fee=Decimal("-23.996"),
            fee_in_quote=Decimal("-23.996"),
            liquidity="maker",
            order_type="limit",
            child_id="c2",
            queue_wait_ns=2_500_000_000,
            expected_cost_in_quote=Decimal(-50),
        ),
        build_fill(
            ts_ns=40 * S,
            venue="uniswap-v3",
            quantity=Decimal(1),
            price=Decimal(60120),
            fee_asset="WBTC",
            gas_in_quote=Decimal("0.002") * Decimal(3000),
            order_type="swap",
            child_id="c3",
            expected_cost_in_quote=Decimal(100),
        ),
    )
    prints = (
        MarketPrint(5 * S, Decimal(60000), Decimal(40)),
        MarketPrint(10 * S, Decimal(60030), Decimal(3), is_ours=True),
        MarketPrint(35 * S, Decimal(60050), Decimal(32)),
        MarketPrint(90 * S, Decimal(61000), Decimal(500)),  # after the interval: ignored
    )
    mids = (
        MidSample(0, Decimal(60000)),
        MidSample(30 * S, Decimal(60100)),
        MidSample(60 * S, Decimal(60200)),
        MidSample(315 * S, Decimal(60150)),
        MidSample(400 * S, Decimal(60150)),
    )
    return Example(order, fills, prints, mids)


def eth_sell_example() -> Example:
    """Crypto example B: sell 50 ETH for USDC, fully filled on a CEX and a DEX.

    Decision 3,000.00, arrival 2,995.00 (t = 1 s), interval [1 s, 31 s]. Fills:
      t=11 s coinbase taker 30 @ 2,993.50, fee 0.05 % of 89,805 = 44.9025 USDC
      t=21 s curve    taker 20 @ 2,990.00, fee 0.3 % charged in ETH: 0.06 ETH x 2,990 = 179.4 USDC,
                      gas 0.0004 ETH x 2,990 = 1.196 USDC
    Mids: 2,995 from 1 s, 2,990 from 16 s, 2,985 from 26 s, 2,980 at 400 s.
    """
    order = build_order(
        side="sell",
        quantity=Decimal(50),
        decision_ts_ns=0,
        decision_price=Decimal("3000.00"),
        arrival_ts_ns=1 * S,
        arrival_price=Decimal("2995.00"),
        start_ts_ns=1 * S,
        end_ts_ns=31 * S,
        symbol="ETH-USDC",
        quote_asset="USDC",
    )
    fills = (
        build_fill(
            ts_ns=11 * S,
            venue="coinbase",
            side="sell",
            quantity=Decimal(30),
            price=Decimal("2993.50"),
            fee=Decimal("44.9025"),
            fee_asset="USDC",
            fee_in_quote=Decimal("44.9025"),
            child_id="s1",
        ),
        build_fill(
            ts_ns=21 * S,
            venue="curve",
            side="sell",
            quantity=Decimal(20),
            price=Decimal("2990.00"),
            fee=Decimal("0.06"),
            fee_asset="ETH",
            fee_in_quote=Decimal("0.06") * Decimal("2990.00"),
            gas_in_quote=Decimal("0.0004") * Decimal("2990.00"),
            order_type="swap",
            child_id="s2",
        ),
    )
    prints = (
        MarketPrint(6 * S, Decimal("2994.00"), Decimal(150)),
        MarketPrint(16 * S, Decimal("2991.00"), Decimal(200)),
    )
    mids = (
        MidSample(1 * S, Decimal("2995")),
        MidSample(16 * S, Decimal("2990")),
        MidSample(26 * S, Decimal("2985")),
        MidSample(400 * S, Decimal("2980")),
    )
    return Example(order, fills, prints, mids)


@pytest.fixture
def make_fill() -> FillFactory:
    """Factory for fills (see :func:`build_fill`)."""
    return build_fill


@pytest.fixture
def make_order() -> Callable[..., TcaOrder]:
    """Factory for orders (see :func:`build_order`)."""
    return build_order


@pytest.fixture
def btc_buy() -> Example:
    """Crypto example A."""
    return btc_buy_example()


@pytest.fixture
def eth_sell() -> Example:
    """Crypto example B."""
    return eth_sell_example()
