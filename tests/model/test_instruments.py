"""Instruments: CCXT symbols, tick/lot conversion at the edge, tiered ticks, minimums."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.errors import InstrumentError, ValidationError
from slipstream.model import (
    DERIBIT_OPTION_TICKS,
    ChildOrder,
    OptionKind,
    OrderType,
    Side,
    TimeInForce,
)
from slipstream.model.instruments import DatedFuture, Option, Perpetual, SpotPair

EXPIRY = 1_798_156_800 * 10**9  # 2026-12-25 00:00 UTC


def test_ccxt_symbols() -> None:
    assert SpotPair.create("x", "BTC", "USDT", D("0.01"), D("0.00001")).symbol == "BTC/USDT"
    assert Perpetual.create("x", "BTC", "USDT", "USDT", D("0.1"), D("0.001")).symbol == "BTC/USDT:USDT"
    assert Perpetual.create("x", "BTC", "USD", "BTC", D("0.5"), D(1)).inverse
    assert DatedFuture.create("x", "BTC", "USDT", "USDT", EXPIRY, D("0.1"), D("0.001")).symbol == "BTC/USDT:USDT-261225"
    option = Option.create(
        "deribit", "BTC", "USD", "BTC", EXPIRY, D(100_000), OptionKind.CALL, DERIBIT_OPTION_TICKS, D("0.1")
    )
    assert option.symbol == "BTC/USD:BTC-261225-100000-C"
    assert option.premium_currency == "BTC"


def test_deribit_tiered_ticks() -> None:
    option = Option.create(
        "deribit", "BTC", "USD", "BTC", EXPIRY, D(100_000), OptionKind.PUT, DERIBIT_OPTION_TICKS, D("0.1")
    )
    assert option.tick_at(D("0.0049")) == D("0.0001")
    assert option.tick_at(D("0.005")) == D("0.0005")
    assert option.round_price(D("0.00337")) == D("0.0034")
    assert option.round_price(D("0.00612")) == D("0.0060")
    assert option.round_price(D("0.00612"), "up") == D("0.0065")
    assert option.is_on_tick(60) and not option.is_on_tick(61)
    assert option.is_on_tick(49)


def test_rounding_and_truncation_are_explicit() -> None:
    pair = SpotPair.create("x", "BTC", "USDT", D("0.01"), D("0.00001"), min_notional=D(5))
    assert pair.price_to_units(D("60000.005")) == 6_000_000  # half-even
    assert pair.price_to_units(D("60000.005"), "up") == 6_000_001
    assert pair.quantity_to_lots(D("1.234567")) == 123_456  # truncated, never rounded up
    assert pair.units_to_price(6_000_000) == D("60000.00")
    with pytest.raises(InstrumentError, match="below one lot"):
        pair.quantity_to_lots(D("0.000001"))
    with pytest.raises(InstrumentError, match="positive"):
        pair.round_price(D("-1"))
    with pytest.raises(InstrumentError, match="rounds to zero"):
        pair.round_price(D("0.001"), "down")
    with pytest.raises(InstrumentError, match="notional"):
        pair.check_order(6_000_000, 5)  # 0.00005 BTC ≈ 3 USDT < 5
    with pytest.raises(InstrumentError, match="Decimal"):
        pair.quantity_to_lots(1.5)  # type: ignore[arg-type]


@given(st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=6))
def test_rounded_price_is_on_tick_and_within_half_a_tick(price: D) -> None:
    pair = SpotPair.create("x", "BTC", "USDT", D("0.01"), D("0.00001"))
    units = pair.price_to_units(price)
    assert pair.is_on_tick(units)
    assert abs(pair.units_to_price(units) - price) <= D("0.005")


@given(st.decimals(min_value=D("0.0001"), max_value=D("5"), places=6))
def test_tiered_rounding_lands_on_the_tier_grid(price: D) -> None:
    option = Option.create(
        "deribit", "BTC", "USD", "BTC", EXPIRY, D(100_000), OptionKind.CALL, DERIBIT_OPTION_TICKS, D("0.1")
    )
    for mode in ("nearest", "down", "up"):
        try:
            units = option.price_to_units(price, mode)  # type: ignore[arg-type]
        except InstrumentError:
            continue
        assert option.is_on_tick(units)


def test_child_order_validation() -> None:
    with pytest.raises(ValidationError, match="needs a price"):
        ChildOrder(client_order_id="a", venue="x", symbol="BTC/USDT", side=Side.BUY, lots=1)
    with pytest.raises(ValidationError, match="GTD"):
        ChildOrder(
            client_order_id="a",
            venue="x",
            symbol="BTC/USDT",
            side=Side.BUY,
            lots=1,
            price_units=1,
            time_in_force=TimeInForce.GTD,
        )
    with pytest.raises(ValidationError, match="post-only"):
        ChildOrder(
            client_order_id="a",
            venue="x",
            symbol="BTC/USDT",
            side=Side.BUY,
            lots=1,
            price_units=1,
            order_type=OrderType.POST_ONLY,
            time_in_force=TimeInForce.IOC,
        )
    with pytest.raises(ValidationError, match="market order"):
        ChildOrder(
            client_order_id="a",
            venue="x",
            symbol="BTC/USDT",
            side=Side.BUY,
            lots=1,
            price_units=1,
            order_type=OrderType.MARKET,
        )
