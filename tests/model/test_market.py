"""Market-data value types: immutability, invariants checked at construction, exact values."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.model.enums import OptionKind, Side
from slipstream.model.market import (
    Bar,
    BookAction,
    BookDelta,
    BookLevel,
    BookSide,
    BookSnapshot,
    DerivativeTicker,
    L3Order,
    OptionChainQuote,
    QuoteTick,
    TradeTick,
)

D = Decimal


def _delta(**overrides: object) -> BookDelta:
    fields: dict[str, object] = dict(
        venue="bybit", instrument="XRPUSDT", side=BookSide.BID, action=BookAction.UPDATE,
        price=D("1.9531"), size=D("6203"), sequence=1, venue_ts_ns=1, receive_ts_ns=2,
    )
    fields.update(overrides)
    return BookDelta(**fields)  # type: ignore[arg-type]


def test_events_are_frozen_and_hashable() -> None:
    delta = _delta()
    with pytest.raises(AttributeError):
        delta.size = D(1)  # type: ignore[misc]
    assert delta == _delta() and hash(delta) == hash(_delta())
    assert (delta.is_snapshot, delta.is_last, delta.gap) == (False, True, False)


def test_delta_invariants() -> None:
    with pytest.raises(ValidationError, match="negative size"):
        _delta(size=D("-1"))
    with pytest.raises(ValidationError, match="non-positive price"):
        _delta(price=D(0))
    with pytest.raises(ValidationError, match="needs a side"):
        _delta(side=None)
    clear = _delta(side=None, action=BookAction.CLEAR, price=D(0), size=D(0))
    assert clear.action is BookAction.CLEAR


def test_trade_quote_bar_invariants() -> None:
    trade = TradeTick("binance", "BTCUSDT", D("39432.48"), D("0.000263"), Side.SELL, "1", 5, 5)
    assert trade.aggressor is Side.SELL
    with pytest.raises(ValidationError):
        TradeTick("binance", "BTCUSDT", D("-1"), D("1"), None, "1", 5, 5)
    one_sided = QuoteTick("x", "y", None, None, D("2"), D("1"), 0, 0)
    assert one_sided.bid_price is None
    with pytest.raises(ValidationError, match="both be present"):
        QuoteTick("x", "y", D("1"), None, D("2"), D("1"), 0, 0)
    bar = Bar("ftx", "BTC-PERP", 0, 60, D(10), D(11), D(9), D(10), D(5), 60, 60)
    assert bar.quote_volume is None
    with pytest.raises(ValidationError, match="inconsistent bar"):
        Bar("ftx", "BTC-PERP", 0, 60, D(10), D(9.5), D(9), D(10), D(5), 60, 60)
    with pytest.raises(ValidationError, match="interval"):
        Bar("ftx", "BTC-PERP", 0, 0, D(10), D(11), D(9), D(10), D(5), 60, 60)


def test_optional_fields_and_snapshot() -> None:
    ticker = DerivativeTicker("bitmex", "XBTUSD", 1, 2, funding_rate=D("-0.0001"))
    assert ticker.mark_price is None and ticker.funding_rate == D("-0.0001")
    with pytest.raises(ValidationError):
        DerivativeTicker("bitmex", "XBTUSD", 1, 2, open_interest=D(-1))
    option = OptionChainQuote("deribit", "BTC-9JUN20-9875-P", OptionKind.PUT, D(9875), 3, 1, 2)
    assert option.delta is None
    with pytest.raises(ValidationError):
        OptionChainQuote("deribit", "X", OptionKind.PUT, D(0), 3, 1, 2)
    snap = BookSnapshot("d", "X", (BookLevel(D(1), D(2)),), (), 0, 1, 1)
    assert snap.bids[0].size == D(2)
    order = L3Order("bitfinex", "tBTCUSD", 7, BookSide.ASK, BookAction.DELETE, D(0), D(0), 3, 3, 3)
    assert order.action is BookAction.DELETE


@given(st.decimals(min_value=D("0.00000001"), max_value=D(10**9), places=8),
       st.decimals(min_value=D(0), max_value=D(10**9), places=8))
def test_msgspec_round_trip_keeps_decimals_exact(price: Decimal, size: Decimal) -> None:
    delta = _delta(price=price, size=size)
    decoded = msgspec.json.decode(msgspec.json.encode(delta), type=BookDelta)
    assert decoded == delta and str(decoded.price) == str(price)
