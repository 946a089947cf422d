"""Bybit loaders on the real samples in shared/data/nautilus (nautechsystems/nautilus_trader
tests/test_data/bybit/xrpusdt-ob500.data.zip and crates/adapters/bybit/test_data)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.errors import DataError
from slipstream.marketdata.loaders import bybit
from slipstream.model.enums import OptionKind
from slipstream.model.market import BookAction, BookSide

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus"
if not DATA.is_dir():
    pytest.skip(f"shared data not found at {DATA}", allow_module_level=True)
FIXTURES = DATA / "crates/adapters/bybit/test_data"


def test_ob500_one_snapshot_and_49_deltas() -> None:
    deltas = list(bybit.iter_orderbook(DATA / "tests/test_data/bybit/xrpusdt-ob500.data.zip"))
    snapshot = [d for d in deltas if d.is_snapshot]
    assert snapshot[0].action is BookAction.CLEAR and len(snapshot) == 1001
    assert sum(d.side is BookSide.BID for d in snapshot) == 500
    assert sum(d.side is BookSide.ASK for d in snapshot) == 500
    updates = [d for d in deltas if not d.is_snapshot]
    assert sum(d.is_last for d in updates) == 49
    assert len(deltas) == 3967
    first = snapshot[1]
    assert (first.price, first.size, first.sequence) == (Decimal("1.9531"), Decimal("6203"),
                                                         20254869)
    assert (first.venue_ts_ns, first.receive_ts_ns) == (1733011200589000000, 1733011200691000000)
    last = deltas[-1]
    assert (last.side, last.action, last.price, last.sequence) == (
        BookSide.ASK, BookAction.DELETE, Decimal("2.0038"), 20254918)
    assert [d.sequence for d in updates if d.is_last] == list(range(20254870, 20254919))
    assert not any(d.gap for d in deltas)


def test_ws_snapshot_and_delta_files() -> None:
    snap = list(bybit.iter_orderbook(FIXTURES / "ws_orderbook_snapshot.json"))
    assert [(d.side, d.price, d.size) for d in snap[1:]] == [
        (BookSide.BID, Decimal("27450.00"), Decimal("0.500")),
        (BookSide.BID, Decimal("27449.50"), Decimal("1.000")),
        (BookSide.ASK, Decimal("27451.00"), Decimal("0.750")),
        (BookSide.ASK, Decimal("27451.50"), Decimal("0.900")),
    ]
    delta = list(bybit.iter_orderbook(FIXTURES / "ws_orderbook_delta.json"))
    assert [(d.action, d.size) for d in delta] == [
        (BookAction.UPDATE, Decimal("0.400")), (BookAction.DELETE, Decimal("0"))]
    assert delta[0].sequence == 123456790 and delta[0].venue_ts_ns == 1709891679500000000


def _message(kind: str, u: int, seq: int, bids: list[list[str]]) -> str:
    return json.dumps({"topic": "orderbook.50.X", "type": kind, "ts": 1,
                       "data": {"s": "X", "b": bids, "a": [], "u": u, "seq": seq}})


def test_update_id_gap(tmp_path: Path) -> None:
    path = tmp_path / "ob.jsonl"
    path.write_text("\n".join([
        _message("snapshot", 10, 100, [["1.0", "5"]]),
        _message("delta", 11, 101, [["1.0", "4"]]),
        _message("delta", 13, 102, [["1.0", "3"]]),
    ]) + "\n")
    with pytest.raises(DataError, match=r"ob\.jsonl:3: sequence gap: u=13 but previous u=11"):
        list(bybit.iter_orderbook(path))
    marked = list(bybit.iter_orderbook(path, on_gap="mark"))
    assert [d.gap for d in marked] == [False, False, False, True]


def test_cross_sequence_must_increase(tmp_path: Path) -> None:
    path = tmp_path / "ob.jsonl"
    path.write_text("\n".join([
        _message("snapshot", 10, 100, []), _message("delta", 11, 100, [])]))
    with pytest.raises(DataError, match=r":2: sequence gap: seq=100"):
        list(bybit.iter_orderbook(path))


def test_bad_messages(tmp_path: Path) -> None:
    path = tmp_path / "ob.jsonl"
    for bad, reason in [
        (_message("snapshot", 1, 1, [["1.0", "-5"]]), "negative size"),
        (_message("snapshot", 1, 1, [["abc", "5"]]), "not a decimal"),
        (_message("partial", 1, 1, []), "unknown type"),
        ('{"topic": "orderbook.50.X", "type": "delta", "ts": 1, "data": {', "bad JSON"),
    ]:
        path.write_text(_message("snapshot", 1, 1, []) + "\n\n" + bad + "\n")
        with pytest.raises(DataError, match=rf"ob\.jsonl:3: .*{reason}"):
            list(bybit.iter_orderbook(path))


def test_option_ticker() -> None:
    (quote,) = bybit.iter_option_tickers(FIXTURES / "ws_ticker_option.json")
    assert (quote.instrument, quote.kind, quote.strike) == (
        "BTC-6JAN23-17500-C", OptionKind.CALL, Decimal(17500))
    assert quote.expiry_ts_ns == 1672992000000000000  # 2023-01-06 08:00 UTC
    assert quote.bid_price is None and quote.bid_iv is None  # "0" bid = empty side
    assert (quote.ask_price, quote.ask_size, quote.ask_iv) == (
        Decimal("10"), Decimal("5.1"), Decimal("0.514"))
    assert (quote.mark_price, quote.delta, quote.theta) == (
        Decimal("7.86976724"), Decimal("0.047831"), Decimal("-19.9115368"))


def test_funding_history() -> None:
    rows = list(bybit.iter_funding_history(FIXTURES / "http_get_funding_history.json"))
    assert [(r.instrument, r.funding_rate, r.venue_ts_ns) for r in rows] == [
        ("BTCUSDT", Decimal("0.0001"), 1709884800000000000),
        ("BTCUSDT", Decimal("0.00015"), 1709856000000000000),
    ]
