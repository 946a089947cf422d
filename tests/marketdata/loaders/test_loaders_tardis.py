"""Tardis CSV and Tardis Machine JSON loaders against the real samples in shared/data/nautilus
(nautechsystems/nautilus_trader test data; see shared/data/nautilus/README.md)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.errors import DataError
from slipstream.marketdata.loaders import tardis, tardis_machine
from slipstream.model.enums import OptionKind, Side
from slipstream.model.market import BookAction, BookSide, BookSnapshot, DerivativeTicker

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus"
if not DATA.is_dir():
    pytest.skip(f"shared data not found at {DATA}", allow_module_level=True)
HISTORY = DATA / "_history" / "8a2858d0e72516aeae89cf0b32a257f18f06ddd5" / "tests" / "test_data"
HEADER_L2 = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n"


def test_deribit_incremental_l2_snapshot() -> None:
    deltas = list(tardis.iter_incremental_book_l2(
        DATA / "tests/test_data/tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv"))
    assert len(deltas) == 16  # CLEAR + 15 rows
    assert deltas[0].action is BookAction.CLEAR and deltas[0].side is None
    first, last = deltas[1], deltas[-1]
    assert (first.side, first.action, first.price, first.size) == (
        BookSide.ASK, BookAction.ADD, Decimal("6421.5"), Decimal("18640"))
    assert (last.price, last.size, last.is_last) == (Decimal("6428.5"), Decimal("39950"), True)
    assert first.venue_ts_ns == 1585699200245000000
    assert first.receive_ts_ns == 1585699200355684000
    assert all(d.is_snapshot for d in deltas) and sum(d.is_last for d in deltas) == 1
    assert (first.venue, first.instrument) == ("deribit", "BTC-PERPETUAL")


def test_ns_timestamps_detected() -> None:
    deltas = list(tardis.iter_incremental_book_l2(
        DATA / "crates/adapters/tardis/test_data/csv/deltas_1.csv"))
    assert len(deltas) == 3
    assert deltas[1].venue_ts_ns == 1585699200245000000  # same instant as the µs file
    assert (deltas[2].side, deltas[2].price) == (BookSide.BID, Decimal("6421.0"))


def test_deltas_with_two_snapshots() -> None:
    deltas = list(tardis.iter_incremental_book_l2(
        DATA / "crates/adapters/tardis/test_data/csv/deltas_with_snapshot.csv"))
    assert len(deltas) == 11
    assert [i for i, d in enumerate(deltas) if d.action is BookAction.CLEAR] == [0, 6]
    delete = deltas[5]
    assert (delete.action, delete.price, delete.size) == (
        BookAction.DELETE, Decimal("49998.0"), Decimal("0.0"))
    assert [d.is_snapshot for d in deltas] == [True] * 3 + [False] * 3 + [True] * 3 + [False] * 2


@pytest.mark.parametrize(("name", "depth"), [("25", 25), ("5", 5)])
def test_book_snapshots(name: str, depth: int) -> None:
    snaps = list(tardis.iter_book_snapshots(
        DATA / f"tests/test_data/tardis/binance-futures_book_snapshot_{name}_BTCUSDT.csv"))
    assert len(snaps) == 10
    assert all(isinstance(s, BookSnapshot) for s in snaps)
    assert all(len(s.bids) == depth and len(s.asks) == depth for s in snaps)
    first = snaps[0]
    assert (first.bids[0].price, first.bids[0].size) == (Decimal("11657.07"), Decimal("10.896"))
    assert (first.asks[0].price, first.asks[0].size) == (Decimal("11657.08"), Decimal("1.714"))
    assert first.venue_ts_ns == 1598918403696000000
    assert all(s.bids[i].price > s.bids[i + 1].price for s in snaps for i in range(depth - 1))
    if depth == 5:
        assert (snaps[-1].asks[-1].price, snaps[-1].asks[-1].size) == (
            Decimal("11657.92"), Decimal("0.918"))
    else:
        assert (snaps[-1].asks[-1].price, snaps[-1].asks[-1].size) == (
            Decimal("11659.28"), Decimal("0.06"))


def test_trades_history_file() -> None:
    trades = list(tardis.iter_trades(HISTORY / "tardis/trades.csv"))
    assert len(trades) == 9999
    first, last = trades[0], trades[-1]
    assert (first.trade_id, first.aggressor, first.price, first.size) == (
        "42377944", Side.BUY, Decimal("9682"), Decimal("0.132"))
    assert (first.venue_ts_ns, first.receive_ts_ns) == (1582329602111000000, 1582329602418379000)
    assert (last.trade_id, last.aggressor, last.price, last.size) == (
        "42387942", Side.SELL, Decimal("9666.84"), Decimal("0.07"))


def test_quotes_history_file() -> None:
    quotes = list(tardis.iter_quotes(HISTORY / "tardis/quotes.csv"))
    assert len(quotes) == 9999
    q = quotes[0]
    assert (q.ask_size, q.ask_price, q.bid_price, q.bid_size) == (
        Decimal("0.84"), Decimal("9682"), Decimal("9681.92"), Decimal("0.67"))
    q = quotes[-1]
    assert (q.ask_size, q.ask_price, q.bid_price, q.bid_size) == (
        Decimal("0.031"), Decimal("9672.09"), Decimal("9671.19"), Decimal("0.012"))


def test_small_trades_and_quotes() -> None:
    bitmex = list(tardis.iter_trades(DATA / "tests/test_data/tardis/bitmex_trades_XBTUSD.csv"))
    assert len(bitmex) == 10
    assert bitmex[0].trade_id == "ccc3c1fa-212c-e8b0-1706-9b9c4f3d5ecf"
    assert (bitmex[0].price, bitmex[0].size) == (Decimal("8531.5"), Decimal("2152"))
    assert bitmex[-1].trade_id == "7cae8d7b-b69d-025b-cc3c-84b911f37a8a"
    ns = list(tardis.iter_trades(DATA / "crates/adapters/tardis/test_data/csv/trades_1.csv"))
    assert [t.aggressor for t in ns] == [Side.SELL, Side.BUY]
    assert ns[1].venue_ts_ns == 1583020803145000000 and ns[1].price == Decimal("8531.0")
    huobi = list(tardis.iter_quotes(
        DATA / "tests/test_data/tardis/huobi-dm-swap_quotes_BTC-USD.csv"))
    assert len(huobi) == 10
    assert (huobi[0].ask_size, huobi[0].bid_size) == (Decimal("5494"), Decimal("806"))
    assert (huobi[-1].ask_size, huobi[-1].bid_size) == (Decimal("5411"), Decimal("847"))


def test_derivative_ticker_csv() -> None:
    tickers = list(tardis.iter_derivative_tickers(
        DATA / "crates/adapters/tardis/test_data/csv/derivative_ticker_1.csv"))
    assert len(tickers) == 2
    t = tickers[0]
    assert (t.funding_rate, t.predicted_funding_rate, t.open_interest) == (
        Decimal("0.0001"), Decimal("0.00012"), Decimal("1000000"))
    assert (t.last_price, t.index_price, t.mark_price) == (
        Decimal("9500.5"), Decimal("9500.0"), Decimal("9500.25"))
    assert t.next_funding_ts_ns == 1583020800000000000
    assert tickers[1].mark_price == Decimal("9500.75")


def test_options_chain() -> None:
    rows = list(tardis.iter_options_chain(
        DATA / "crates/adapters/tardis/test_data/options_chain.csv"))
    assert len(rows) == 7
    r = rows[0]
    assert (r.instrument, r.kind, r.strike) == ("BTC-9JUN20-9875-P", OptionKind.PUT, Decimal(9875))
    assert r.expiry_ts_ns == 1591689600000000000
    assert (r.bid_price, r.bid_size, r.bid_iv) == (Decimal("0.0205"), Decimal("15.1"),
                                                   Decimal("55.91"))
    assert (r.mark_price, r.underlying, r.underlying_price) == (
        Decimal("0.02210436"), "SYN.BTC-9JUN20", Decimal("9756.36"))
    assert (r.delta, r.rho) == (Decimal("-0.61752"), Decimal("-0.22796"))
    sparse = rows[3]  # hand-edited row with empty quote and greeks
    assert sparse.bid_price is None and sparse.delta is None and sparse.open_interest is None
    assert sparse.mark_price == Decimal("0.0316")
    assert rows[4].bid_size == Decimal("0.123456")  # odd precision kept exactly
    assert rows[5].ask_price is None and rows[5].ask_size == Decimal("2.5")


def test_tardis_machine_json() -> None:
    base = DATA / "crates/adapters/tardis/test_data"
    change = list(tardis_machine.iter_messages(base / "book_change.json"))
    assert len(change) == 1
    assert (change[0].side, change[0].price, change[0].size) == (
        BookSide.ASK, Decimal("7985"), Decimal("283318"))
    assert change[0].venue_ts_ns == 1571830193469000000
    (snap,) = tardis_machine.iter_messages(base / "book_snapshot.json")
    assert isinstance(snap, BookSnapshot)
    assert snap.bids[0].price == Decimal("7633.5") and snap.asks[1].size == Decimal("67939")
    assert snap.receive_ts_ns - snap.venue_ts_ns == 11_000_000
    (ticker,) = tardis_machine.iter_messages(base / "derivative_ticker.json")
    assert isinstance(ticker, DerivativeTicker)
    assert ticker.funding_rate == Decimal("-0.00001568")
    assert ticker.open_interest == Decimal("84129491")
    (summary,) = tardis_machine.iter_messages(base / "option_summary.json")
    assert (summary.kind, summary.strike, summary.mark_iv) == (
        OptionKind.CALL, Decimal(70000), Decimal("0.565"))
    assert summary.expiry_ts_ns == 1719561600000000000
    (option_snap,) = tardis_machine.iter_messages(base / "option_book_snapshot.json")
    assert option_snap.bids[0].price == Decimal("0.035")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,true,ask,6421.5", "columns"),
        ("deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,true,ask,6421.x,5", "decimal"),
        ("deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,true,ask,6421.5,-5", "bad level"),
        ("deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,true,buy,6421.5,5", "side"),
        ("deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,yes,ask,6421.5,5", "is_snapshot"),
        ("deribit,BTC-PERPETUAL,2020-04-01,1585699200355684,true,ask,6421.5,5", "integer"),
        ("deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,true,ask,NaN,5", "decimal"),
    ],
)
def test_bad_l2_row_names_file_and_line(tmp_path: Path, row: str, reason: str) -> None:
    good = "deribit,BTC-PERPETUAL,1585699200245000,1585699200355684,true,ask,6421.5,18640\n"
    path = tmp_path / "l2.csv"
    path.write_text(HEADER_L2 + good + good + row + "\n")
    with pytest.raises(DataError) as info:
        list(tardis.iter_incremental_book_l2(path))
    assert info.value.line == 4 and info.value.path == str(path)
    assert f"{path}:4:" in str(info.value) and reason in str(info.value)


def test_bad_header_and_bad_trade_side(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("exchange,symbol,timestamp\n")
    with pytest.raises(DataError, match=r"t\.csv:1: unexpected header"):
        list(tardis.iter_trades(path))
    path.write_text(",".join(tardis.TRADES_HEADER) + "\nbitmex,XBTUSD,1,2,id,long,1,1\n")
    with pytest.raises(DataError, match=r"t\.csv:2: unknown side 'long'"):
        list(tardis.iter_trades(path))
    path.write_text(",".join(tardis.TRADES_HEADER) + "\nbitmex,XBTUSD,1,2,id,buy,1,-1\n")
    with pytest.raises(DataError, match=r"t\.csv:2: negative trade size"):
        list(tardis.iter_trades(path))
