"""Deribit, OKX and Bitfinex loaders on the real samples in shared/data/nautilus
(nautechsystems/nautilus_trader crates/adapters/{deribit,okx}/test_data and, for Bitfinex,
_history/517bb552.../tests/test_data/bitmex/L3_feed.json)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.errors import DataError
from slipstream.marketdata.loaders import bitfinex, deribit, okx
from slipstream.model.enums import OptionKind, Side
from slipstream.model.market import (
    BookAction,
    BookDelta,
    BookSide,
    BookSnapshot,
    DerivativeTicker,
    QuoteTick,
    TradeTick,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus"
if not DATA.is_dir():
    pytest.skip(f"shared data not found at {DATA}", allow_module_level=True)
DERIBIT = DATA / "crates/adapters/deribit/test_data"
OKX = DATA / "crates/adapters/okx/test_data"
L3 = DATA / "_history/517bb552ca64a6a884e93bb1085fe41ee4f11f0f/tests/test_data/bitmex/L3_feed.json"


def test_deribit_book_messages() -> None:
    snap = list(deribit.iter_messages(DERIBIT / "ws_book_snapshot.json"))
    assert len(snap) == 11 and snap[0].action is BookAction.CLEAR
    assert isinstance(snap[1], BookDelta)
    assert (snap[1].price, snap[1].size, snap[1].sequence) == (
        Decimal("42500.0"), Decimal("1000.0"), 123456789)
    delta = list(deribit.iter_messages(DERIBIT / "ws_book_delta.json"))
    assert [(d.side, d.action, d.price, d.size) for d in delta] == [
        (BookSide.BID, BookAction.UPDATE, Decimal("42500.0"), Decimal("950.0")),
        (BookSide.BID, BookAction.ADD, Decimal("42498.5"), Decimal("300.0")),
        (BookSide.ASK, BookAction.DELETE, Decimal("42501.0"), Decimal("0")),
        (BookSide.ASK, BookAction.UPDATE, Decimal("42501.5"), Decimal("700.0")),
    ]
    assert delta[0].venue_ts_ns == 1699999999500000000


def test_deribit_snapshots_trades_ticker() -> None:
    (grouped,) = deribit.iter_messages(DERIBIT / "ws_book_grouped_snapshot.json")
    assert isinstance(grouped, BookSnapshot)
    assert len(grouped.bids) == len(grouped.asks) == 10
    assert grouped.bids[0].size == Decimal("254900.0") and grouped.sequence == 136725664747
    (book,) = deribit.iter_messages(DERIBIT / "http_get_order_book.json")
    assert isinstance(book, BookSnapshot) and len(book.bids) == len(book.asks) == 20
    assert (book.bids[0].price, book.asks[0].price) == (Decimal("87002.5"), Decimal("87003.0"))
    assert book.asks[-1].size == Decimal("32930.0") and book.venue_ts_ns == 1766554855140000000
    trades = list(deribit.iter_messages(DERIBIT / "ws_trades.json"))
    assert [(t.trade_id, t.price, t.size, t.aggressor) for t in trades] == [
        ("403691824", Decimal("92294.5"), Decimal("10.0"), Side.SELL),
        ("403691825", Decimal("92288.5"), Decimal("750.0"), Side.SELL),
    ]
    rest = list(deribit.iter_messages(DERIBIT / "http_get_last_trades.json"))
    assert len(rest) == 10 and all(isinstance(t, TradeTick) for t in rest)
    assert (rest[-1].trade_id, rest[-1].size, rest[-1].aggressor) == (
        "ETH-284830854", Decimal("106.0"), Side.BUY)
    quote, ticker = deribit.iter_messages(DERIBIT / "ws_ticker.json")
    assert isinstance(quote, QuoteTick) and isinstance(ticker, DerivativeTicker)
    assert (quote.bid_price, quote.ask_size) == (Decimal("92283.5"), Decimal("186520.0"))
    assert (ticker.mark_price, ticker.index_price, ticker.funding_rate) == (
        Decimal("92281.78"), Decimal("92263.55"), Decimal("0.00001742"))
    # DVOL is covered in test_loaders_more_venues.py
    assert len(list(deribit.iter_messages(DERIBIT / "ws_volatility_index.json"))) == 1


def _deribit_change(change_id: int, prev: int) -> str:
    return json.dumps({"method": "subscription", "params": {
        "channel": "book.BTC-PERPETUAL.100ms", "data": {
            "type": "change", "instrument_name": "BTC-PERPETUAL", "timestamp": 1,
            "change_id": change_id, "prev_change_id": prev, "bids": [["new", 1.5, 2.0]],
            "asks": []}}})


def test_deribit_change_id_gap(tmp_path: Path) -> None:
    path = tmp_path / "deribit.jsonl"
    path.write_text("\n".join([_deribit_change(2, 1), _deribit_change(3, 2),
                               _deribit_change(5, 4)]))
    with pytest.raises(DataError, match=r"deribit\.jsonl:3: sequence gap: prev_change_id=4"):
        list(deribit.iter_messages(path))
    assert [d.gap for d in deribit.iter_messages(path, on_gap="mark")] == [False, False, True]


def test_okx_books() -> None:
    snap = list(okx.iter_messages(OKX / "ws_books_snapshot.json"))
    assert len(snap) == 17 and snap[0].action is BookAction.CLEAR
    assert (snap[1].side, snap[1].price, snap[1].size, snap[1].sequence) == (
        BookSide.BID, Decimal("8476.97"), Decimal("256"), 123456)
    assert (snap[-1].side, snap[-1].price, snap[-1].size) == (
        BookSide.ASK, Decimal("8506.96"), Decimal("100"))
    update = list(okx.iter_messages(OKX / "ws_books_update.json"))
    assert len(update) == 16 and update[0].sequence == 123457
    assert all(d.action is BookAction.UPDATE for d in update)
    assert update[0].venue_ts_ns == 1597026383085000000


def test_okx_seq_gap(tmp_path: Path) -> None:
    def msg(action: str, seq: int, prev: int) -> str:
        return json.dumps({"arg": {"channel": "books", "instId": "BTC-USDT"}, "action": action,
                           "data": [{"asks": [["1.5", "1", "0", "1"]], "bids": [], "ts": "1",
                                     "seqId": seq, "prevSeqId": prev}]})

    path = tmp_path / "okx.jsonl"
    path.write_text("\n".join([msg("snapshot", 10, -1), msg("update", 11, 10),
                               msg("update", 11, 11), msg("update", 13, 12)]))
    with pytest.raises(DataError, match=r"okx\.jsonl:4: sequence gap: prevSeqId=12"):
        list(okx.iter_messages(path))
    marked = [d.gap for d in okx.iter_messages(path, on_gap="mark") if d.is_last]
    assert marked == [False, False, False, True]


def test_okx_funding_and_options() -> None:
    (push,) = okx.iter_messages(OKX / "ws_funding_rate.json")
    assert isinstance(push, DerivativeTicker)
    assert (push.funding_rate, push.predicted_funding_rate, push.next_funding_ts_ns) == (
        Decimal("0.0001"), Decimal("0.0002"), 1744590349506000000)
    history = list(okx.iter_messages(OKX / "http_get_funding_rate_history.json"))
    assert [(h.funding_rate, h.venue_ts_ns) for h in history] == [
        (Decimal("0.00015"), 1704067200000000000), (Decimal("-0.00002"), 1704038400000000000)]
    ws = list(okx.iter_messages(OKX / "ws_opt_summary.json"))
    assert [(o.kind, o.delta) for o in ws] == [
        (OptionKind.CALL, Decimal("0.5234")), (OptionKind.PUT, Decimal("-0.4766"))]
    assert ws[0].strike == Decimal(92000) and ws[0].expiry_ts_ns == 1743148800000000000
    assert ws[0].underlying_price == Decimal("92150.50")
    rest = list(okx.iter_messages(OKX / "http_get_option_summary.json"))
    assert len(rest) == 4 and rest[0].mark_iv == Decimal("0.455")


def test_bitfinex_l3_feed() -> None:
    events = list(bitfinex.iter_raw_book(L3))
    assert len(events) == 100049  # CLEAR + 50 snapshot orders + 99,998 updates
    counts = Counter(e.action for e in events)
    assert counts == {BookAction.CLEAR: 1, BookAction.ADD: 37059, BookAction.DELETE: 37021,
                      BookAction.UPDATE: 25968}
    snapshot = [e for e in events if e.is_snapshot][1:]
    assert len(snapshot) == 50 and sum(e.side is BookSide.BID for e in snapshot) == 25
    first = snapshot[0]
    assert (first.instrument, first.order_id, first.price, first.size) == (
        "tBTCUSD", 60504777678, Decimal("60945"), Decimal("0.246386"))
    ask = events[26]
    assert (ask.side, ask.order_id, ask.price, ask.size) == (
        BookSide.ASK, 60504778260, Decimal("60955.6633598"), Decimal("0.00239148"))
    last = events[-1]
    assert (last.order_id, last.price, last.size, last.action, last.sequence) == (
        60506066942, Decimal("61381"), Decimal("0.21248014"), BookAction.UPDATE, 100001)
    assert last.venue_ts_ns == 100001 * 1_000_000 == last.receive_ts_ns
    times = [e.venue_ts_ns for e in events]
    assert times == sorted(times)


def test_bitfinex_synthetic_times_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "l3.json"
    header = '[{"event": "subscribed", "channel": "book", "symbol": "tX", "prec": "R0"}'
    path.write_text(header + ', [1, [[7, 10.5, 2]]], [1, "hb"], [1, [7, 0, 1]]]')
    _clear, add, delete = bitfinex.iter_raw_book(path, start_ns=1_000, step_ns=10)
    assert (add.venue_ts_ns, delete.venue_ts_ns) == (1_020, 1_040)
    assert (delete.action, delete.side, delete.price, delete.size) == (
        BookAction.DELETE, BookSide.BID, Decimal("10.5"), Decimal(0))
    path.write_text(header + ', [1, [[7, 10.5, 2]]], [1, [8, 0, 1]]]')
    with pytest.raises(DataError, match=r"l3\.json:1: record 3: delete of unknown order 8"):
        list(bitfinex.iter_raw_book(path))
    path.write_text(header + ', [1, [8, 10, 1]]]')
    with pytest.raises(DataError, match="before the book snapshot"):
        list(bitfinex.iter_raw_book(path))
