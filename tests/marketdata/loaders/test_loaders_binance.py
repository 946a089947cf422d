"""Binance depth CSV, parquet and futures-stream loaders on the real samples in
shared/data/nautilus (nautechsystems/nautilus_trader tests/test_data/binance and
crates/adapters/binance/test_data)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders import binance
from slipstream.model.enums import Side
from slipstream.model.market import (
    BookAction,
    BookDelta,
    BookSide,
    DerivativeTicker,
    QuoteTick,
    TradeTick,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus"
if not DATA.is_dir():
    pytest.skip(f"shared data not found at {DATA}", allow_module_level=True)
BINANCE = DATA / "tests/test_data/binance"
STREAMS = DATA / "crates/adapters/binance/test_data/futures/market_data_json"
HEADER = ",".join(binance.DEPTH_CSV_HEADER) + "\n"


def test_depth_snapshot_csv() -> None:
    deltas = list(binance.iter_depth_csv(BINANCE / "btcusdt-depth-snap.csv"))
    assert len(deltas) == 101 and deltas[0].action is BookAction.CLEAR
    levels = deltas[1:]
    assert all(d.side is BookSide.BID and d.is_snapshot for d in levels)
    assert (levels[0].price, levels[0].size) == (Decimal("20377.00"), Decimal("1.770"))
    assert (levels[-1].price, levels[-1].size, levels[-1].is_last) == (
        Decimal("20365.90"), Decimal("0.207"), True)
    assert levels[0].sequence == 2098021528332
    assert levels[0].venue_ts_ns == 1667346579146000000


def test_depth_update_csv() -> None:
    deltas = list(binance.iter_depth_csv(BINANCE / "btcusdt-depth-update.csv"))
    assert len(deltas) == 100
    assert sum(d.side is BookSide.ASK for d in deltas) == 77
    assert sum(d.side is BookSide.BID for d in deltas) == 23
    assert (deltas[0].action, deltas[0].price) == (BookAction.DELETE, Decimal("20472.80"))
    assert (deltas[-1].action, deltas[-1].size) == (BookAction.UPDATE, Decimal("10.249"))
    assert {d.sequence for d in deltas} == {2098041696700}
    assert [d.is_last for d in deltas].count(True) == 1


def _depth_csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "depth.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


SNAP = "BTCUSDT,1,100,100,b,snap,10.0,1,-1"


def test_depth_chain_accepted_and_stale_dropped(tmp_path: Path) -> None:
    path = _depth_csv(tmp_path, [
        SNAP,
        "BTCUSDT,2,90,99,a,set,11.0,1,89",  # stale: u < lastUpdateId, dropped
        "BTCUSDT,3,95,105,a,set,11.0,2,94",  # first applied: U <= 100 <= u
        "BTCUSDT,4,106,110,b,set,10.0,0,105",
    ])
    deltas = list(binance.iter_depth_csv(path))
    assert [d.sequence for d in deltas] == [100, 100, 105, 110]
    assert deltas[-1].action is BookAction.DELETE


def test_depth_gap_raises_with_line(tmp_path: Path) -> None:
    path = _depth_csv(tmp_path, [
        SNAP, "BTCUSDT,3,95,105,a,set,11.0,2,94", "BTCUSDT,4,107,110,b,set,10.0,1,106"])
    with pytest.raises(DataError, match=r"depth\.csv:4: sequence gap: pu=106 but previous u=105"):
        list(binance.iter_depth_csv(path))
    marked = list(binance.iter_depth_csv(path, on_gap="mark"))
    assert [d.gap for d in marked] == [False, False, False, True]


def test_depth_bad_rows(tmp_path: Path) -> None:
    for row, reason in [
        ("BTCUSDT,1,100,100,x,snap,10.0,1,-1", "unknown side 'x'"),
        ("BTCUSDT,1,100,100,b,snap,10.0,-1,-1", "bad level"),
        ("BTCUSDT,1,100,100,b,snap,1e,1,-1", "not a decimal"),
        ("BTCUSDT,1,100,100,b,snap,10.0,1", "expected 9 columns"),
    ]:
        path = _depth_csv(tmp_path, [SNAP, row])
        with pytest.raises(DataError, match=rf"depth\.csv:3: .*{reason}"):
            list(binance.iter_depth_csv(path))
    with pytest.raises(ValidationError):
        list(binance.iter_depth_csv(path, on_gap="ignore"))  # type: ignore[arg-type]


def test_trades_parquet() -> None:
    trades = list(binance.iter_trades_parquet(BINANCE / "btcusdt-trades.parquet"))
    assert len(trades) == 2001
    first, last = trades[0], trades[-1]
    assert (first.trade_id, first.price, first.size, first.aggressor) == (
        "553287559", Decimal("39432.48"), Decimal("0.000263"), Side.SELL)
    assert first.venue_ts_ns == 1610064000278000000 == first.receive_ts_ns
    assert trades[1].aggressor is Side.BUY  # buyer_maker False: the buyer took
    assert last.size == Decimal("0.014596000000000001")  # repr of the stored double
    assert last.venue_ts_ns == 1610064046355000000
    exact = list(binance.iter_trades_parquet(
        BINANCE / "btcusdt-trades.parquet", price_precision=2, size_precision=6))
    assert exact[-1].size == Decimal("0.014596") and exact[-1].price == Decimal("39491.76")


def test_quotes_parquet() -> None:
    quotes = list(binance.iter_quotes_parquet(BINANCE / "btcusdt-quotes.parquet"))
    assert len(quotes) == 451
    q = quotes[0]
    assert (q.instrument, q.bid_price, q.bid_size, q.ask_price, q.ask_size) == (
        "BTC/USDT", Decimal("39432.99"), Decimal("0.0031"), Decimal("39433.62"),
        Decimal("0.066851"))
    assert q.venue_ts_ns == 1610064001076000000
    q = quotes[-1]
    assert (q.bid_price, q.ask_price, q.ask_size) == (
        Decimal("39490.97"), Decimal("39490.98"), Decimal("0.884984"))


def test_parquet_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing columns"):
        list(binance.iter_trades_parquet(BINANCE / "btcusdt-quotes.parquet"))


def test_futures_streams() -> None:
    (trade,) = binance.iter_futures_stream(STREAMS / "agg_trade_stream.json")
    assert isinstance(trade, TradeTick)
    assert (trade.price, trade.size, trade.aggressor, trade.trade_id) == (
        Decimal("0.001"), Decimal("100"), Side.SELL, "5933014")
    assert (trade.venue_ts_ns, trade.receive_ts_ns) == (123456785000000, 123456789000000)
    (quote,) = binance.iter_futures_stream(STREAMS / "book_ticker_stream.json")
    assert isinstance(quote, QuoteTick)
    assert (quote.bid_price, quote.bid_size, quote.ask_price, quote.ask_size) == (
        Decimal("25.35190000"), Decimal("31.21000000"), Decimal("25.36520000"),
        Decimal("40.66000000"))
    bid, ask = binance.iter_futures_stream(STREAMS / "depth_update_stream.json")
    assert isinstance(bid, BookDelta) and isinstance(ask, BookDelta)
    assert (bid.side, bid.price, bid.size, bid.sequence) == (
        BookSide.BID, Decimal("0.0024"), Decimal("10"), 160)
    assert (ask.price, ask.size, ask.is_last) == (Decimal("0.0026"), Decimal("100"), True)
    (mark,) = binance.iter_futures_stream(STREAMS / "mark_price_stream.json")
    assert isinstance(mark, DerivativeTicker)
    assert (mark.mark_price, mark.index_price, mark.funding_rate) == (
        Decimal("11794.15000000"), Decimal("11784.62659091"), Decimal("0.00038167"))
    assert mark.next_funding_ts_ns == 1562306400000000000
    assert mark.venue_ts_ns == 1562305380000000000


def test_futures_stream_pu_chain(tmp_path: Path) -> None:
    def msg(first: int, last: int, previous: int) -> str:
        return json.dumps({"e": "depthUpdate", "E": 1, "T": 1, "s": "BTCUSDT", "U": first,
                           "u": last, "pu": previous, "b": [["1.0", "2"]], "a": []})

    path = tmp_path / "depth.jsonl"
    path.write_text("\n".join([msg(157, 160, 149), msg(161, 165, 160), msg(170, 171, 166)]))
    with pytest.raises(DataError, match=r"depth\.jsonl:3: sequence gap: pu=166"):
        list(binance.iter_futures_stream(path))
    assert [d.gap for d in binance.iter_futures_stream(path, on_gap="mark")] == [
        False, False, True]
