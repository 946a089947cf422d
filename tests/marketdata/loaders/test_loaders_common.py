"""Shared loader plumbing: exact decimal parsing, streaming JSON, zip/gz reading, memory bound,
and the ``load`` dispatcher over every market-data sample in shared/data/nautilus."""

from __future__ import annotations

import gzip
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.errors import DataError
from slipstream.marketdata.loaders import _common, load, sniff_format, tardis
from slipstream.marketdata.loaders._common import RowError, epoch_to_ns, iter_json_values

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus"


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_round_trips_any_decimal_string(value: Decimal) -> None:
    text = str(value)
    parsed = _common.parse_decimal(text)
    assert str(parsed) == text and parsed.as_tuple() == value.as_tuple()


@given(st.integers(min_value=-(10**30), max_value=10**30), st.integers(1, 20))
def test_plain_notation_is_exact(units: int, places: int) -> None:
    whole, fraction = divmod(abs(units), 10**places)
    text = f"{'-' if units < 0 else ''}{whole}.{fraction:0{places}d}"
    expected = Decimal((units < 0, Decimal(abs(units)).as_tuple().digits, -places))
    parsed = _common.parse_decimal(text)
    assert parsed.as_tuple() == expected.as_tuple() and str(parsed) == str(expected)


@pytest.mark.parametrize("text", ["", "NaN", "inf", "1_000", " 1", "1.2.3", "0x10", "--1", "1e"])
def test_non_decimals_rejected(text: str) -> None:
    with pytest.raises(RowError):
        _common.parse_decimal(text)


def test_epoch_units() -> None:
    instant_ns = 1585699200245000000
    assert {epoch_to_ns(v, "t") for v in (1585699200245, 1585699200245000, instant_ns)} == {
        instant_ns}
    assert epoch_to_ns(1585699200, "t") == 1585699200 * 10**9
    with pytest.raises(RowError):
        epoch_to_ns(-1, "t")


@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_json_stream_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(_common, "_CHUNK", chunk)
    lines = tmp_path / "a.jsonl"
    lines.write_text('{"a": 1.50}\n\n{"b": [1, 2]}\n12345\n')
    assert list(iter_json_values(lines)) == [
        (1, 1, {"a": Decimal("1.50")}), (3, 2, {"b": [1, 2]}), (4, 3, 12345)]
    array = tmp_path / "b.json"
    array.write_text('[\n {"x": 0.1},\n [1, 2.25]\n]\n')
    assert list(iter_json_values(array)) == [(2, 1, {"x": Decimal("0.1")}),
                                             (3, 2, [1, Decimal("2.25")])]
    single = tmp_path / "c.json"
    single.write_text("[8047, [1, 2.5, -0.1]]")  # one message that is itself an array
    assert list(iter_json_values(single)) == [(1, 1, [8047, [1, Decimal("2.5"), Decimal("-0.1")]])]
    bad = tmp_path / "d.jsonl"
    bad.write_text('{"a": 1}\n{"a": }\n')
    with pytest.raises(DataError, match=r"d\.jsonl:2: record 2: bad JSON"):
        list(iter_json_values(bad))


def test_zip_and_gzip_streams(tmp_path: Path) -> None:
    text = ",".join(tardis.TRADES_HEADER) + "\nbitmex,XBTUSD,1583020803145000,1,a,buy,1.5,2\n"
    archive = tmp_path / "t.csv.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("t.csv", text)
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    for path in (archive, gz):
        (trade,) = tardis.iter_trades(path)
        assert trade.price == Decimal("1.5")
    with pytest.raises(DataError, match="cannot read"):
        list(tardis.iter_trades(tmp_path / "missing.csv"))


def test_streaming_memory_is_bounded(tmp_path: Path) -> None:
    """200k rows (~17 MB of CSV): the loader's peak allocation stays far below the file size."""
    path = tmp_path / "big.csv"
    row = "binance-futures,BTCUSDT,{t},{t},{i},buy,9682.{f:02d},0.{f:03d}\n"
    with open(path, "w") as out:
        out.write(",".join(tardis.TRADES_HEADER) + "\n")
        for i in range(200_000):
            out.write(row.format(t=1582329602111000 + i, i=i, f=i % 100))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = 0
        for trade in tardis.iter_trades(path):
            count += 1
            last = trade
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000 and last.trade_id == "199999"
    assert peak < 1_000_000 < size // 10, (peak, size)


def test_unknown_format_and_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(DataError, match=r"x\.csv:1: unrecognised header"):
        load(path)
    with pytest.raises(DataError, match="unknown format 'nope'"):
        load(path, format="nope")
    path.write_text('{"hello": "world"}')
    with pytest.raises(DataError, match="unrecognised JSON"):
        load(path)


SAMPLES = {
    "_history/517bb552ca64a6a884e93bb1085fe41ee4f11f0f/tests/test_data/bitmex/L3_feed.json":
        ("bitfinex.raw_book", 100049),
    "_history/8a2858d0e72516aeae89cf0b32a257f18f06ddd5/tests/test_data/tardis/quotes.csv":
        ("tardis.quotes", 9999),
    "_history/8a2858d0e72516aeae89cf0b32a257f18f06ddd5/tests/test_data/tardis/trades.csv":
        ("tardis.trades", 9999),
    "crates/adapters/binance/test_data/futures/market_data_json/agg_trade_stream.json":
        ("binance.futures_stream", 1),
    "crates/adapters/binance/test_data/futures/market_data_json/book_ticker_stream.json":
        ("binance.futures_stream", 1),
    "crates/adapters/binance/test_data/futures/market_data_json/depth_update_stream.json":
        ("binance.futures_stream", 2),
    "crates/adapters/binance/test_data/futures/market_data_json/mark_price_stream.json":
        ("binance.futures_stream", 1),
    "crates/adapters/bybit/test_data/http_get_funding_history.json": ("bybit.funding_history", 2),
    "crates/adapters/bybit/test_data/ws_orderbook_delta.json": ("bybit.orderbook", 2),
    "crates/adapters/bybit/test_data/ws_orderbook_snapshot.json": ("bybit.orderbook", 5),
    "crates/adapters/bybit/test_data/ws_ticker_option.json": ("bybit.option_tickers", 1),
    "crates/adapters/deribit/test_data/http_get_last_trades.json": ("deribit.json", 10),
    "crates/adapters/deribit/test_data/http_get_order_book.json": ("deribit.json", 1),
    "crates/adapters/deribit/test_data/ws_book_delta.json": ("deribit.json", 4),
    "crates/adapters/deribit/test_data/ws_book_grouped_snapshot.json": ("deribit.json", 1),
    "crates/adapters/deribit/test_data/ws_book_snapshot.json": ("deribit.json", 11),
    "crates/adapters/deribit/test_data/ws_ticker.json": ("deribit.json", 2),
    "crates/adapters/deribit/test_data/ws_trades.json": ("deribit.json", 2),
    "crates/adapters/okx/test_data/http_get_funding_rate_history.json": ("okx.json", 2),
    "crates/adapters/okx/test_data/http_get_option_summary.json": ("okx.json", 4),
    "crates/adapters/okx/test_data/ws_books_snapshot.json": ("okx.json", 17),
    "crates/adapters/okx/test_data/ws_books_update.json": ("okx.json", 16),
    "crates/adapters/okx/test_data/ws_funding_rate.json": ("okx.json", 1),
    "crates/adapters/okx/test_data/ws_opt_summary.json": ("okx.json", 2),
    "crates/adapters/tardis/test_data/book_change.json": ("tardis.machine", 1),
    "crates/adapters/tardis/test_data/book_snapshot.json": ("tardis.machine", 1),
    "crates/adapters/tardis/test_data/csv/deltas_1.csv": ("tardis.incremental_l2", 3),
    "crates/adapters/tardis/test_data/csv/deltas_with_snapshot.csv": ("tardis.incremental_l2", 11),
    "crates/adapters/tardis/test_data/csv/derivative_ticker_1.csv": ("tardis.derivative_ticker", 2),
    "crates/adapters/tardis/test_data/csv/trades_1.csv": ("tardis.trades", 2),
    "crates/adapters/tardis/test_data/derivative_ticker.json": ("tardis.machine", 1),
    "crates/adapters/tardis/test_data/option_book_snapshot.json": ("tardis.machine", 1),
    "crates/adapters/tardis/test_data/option_summary.json": ("tardis.machine", 1),
    "crates/adapters/tardis/test_data/options_chain.csv": ("tardis.options_chain", 7),
    "tests/test_data/ADABTC-1m-2021-11-27.csv": ("binance.klines", 10),
    "tests/test_data/ADABTC-1m-2021-11-28.csv": ("binance.klines", 11),
    "tests/test_data/binance/btcusdt-depth-snap.csv": ("binance.depth_csv", 101),
    "tests/test_data/binance/btcusdt-depth-update.csv": ("binance.depth_csv", 100),
    "tests/test_data/binance/btcusdt-quotes.parquet": ("binance.quotes_parquet", 451),
    "tests/test_data/binance/btcusdt-trades.parquet": ("binance.trades_parquet", 2001),
    "tests/test_data/btc-perp-20211231-20220201_1m.csv": ("bars.csv", 45031),
    "tests/test_data/bybit/xrpusdt-ob500.data.zip": ("bybit.orderbook", 3967),
    "tests/test_data/tardis/binance-futures_book_snapshot_25_BTCUSDT.csv":
        ("tardis.book_snapshot", 10),
    "tests/test_data/tardis/binance-futures_book_snapshot_5_BTCUSDT.csv":
        ("tardis.book_snapshot", 10),
    "tests/test_data/tardis/bitmex_trades_XBTUSD.csv": ("tardis.trades", 10),
    "tests/test_data/tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv":
        ("tardis.incremental_l2", 16),
    "tests/test_data/tardis/huobi-dm-swap_quotes_BTC-USD.csv": ("tardis.quotes", 10),
}


@pytest.mark.parametrize("relative", sorted(SAMPLES))
def test_load_sniffs_and_parses_every_market_data_sample(relative: str) -> None:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    expected_format, expected_count = SAMPLES[relative]
    assert sniff_format(path) == expected_format
    events = list(load(path))
    assert len(events) == expected_count
    assert all(e.venue_ts_ns >= 0 and e.receive_ts_ns >= 0 for e in events)


def test_bench_loaders_measure_smoke() -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_loaders.py"
    spec = importlib.util.spec_from_file_location("bench_loaders", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = DATA / "tests/test_data/tardis/bitmex_trades_XBTUSD.csv"
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    count, seconds = module.measure(path, repeats=1)
    assert count == 10 and seconds > 0
