"""Bar loaders on the real samples in shared/data/nautilus (nautechsystems/nautilus_trader
tests/test_data/btc-perp-20211231-20220201_1m.csv and ADABTC-1m-2021-11-2{7,8}.csv)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.errors import DataError
from slipstream.marketdata.loaders import bars

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus"
if not DATA.is_dir():
    pytest.skip(f"shared data not found at {DATA}", allow_module_level=True)


def test_ftx_minute_bars() -> None:
    rows = list(bars.iter_bars_csv(DATA / "tests/test_data/btc-perp-20211231-20220201_1m.csv"))
    assert len(rows) == 45031
    first, last = rows[0], rows[-1]
    assert first.instrument == "BTC-PERP"
    assert first.open_ts_ns == 1640991660000000000  # 2021-12-31 23:01 UTC
    assert first.venue_ts_ns == first.open_ts_ns + 60_000_000_000
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        Decimal("46319.0"), Decimal("46385.0"), Decimal("46319.0"), Decimal("46377.0"),
        Decimal("2300413.7295"))
    assert last.open_ts_ns == 1643693460000000000  # 2022-02-01 05:31 UTC
    assert (last.close, last.volume) == (Decimal("38544.0"), Decimal("685906.9735"))


@pytest.mark.parametrize(("day", "count"), [("27", 10), ("28", 11)])
def test_binance_klines(day: str, count: int) -> None:
    rows = list(bars.iter_binance_klines(DATA / f"tests/test_data/ADABTC-1m-2021-11-{day}.csv"))
    assert len(rows) == count and rows[0].instrument == "ADABTC"
    if day == "27":
        b = rows[0]
        assert (b.open_ts_ns, b.open, b.high, b.low, b.close) == (
            1637971200000000000, Decimal("0.00002853"), Decimal("0.00002854"),
            Decimal("0.00002851"), Decimal("0.00002854"))
        assert (b.volume, b.quote_volume, b.trade_count) == (
            Decimal("36304.20000000"), Decimal("1.03547608"), 79)
    else:
        b = rows[-1]
        assert (b.open_ts_ns, b.close, b.trade_count) == (
            1638058200000000000, Decimal("0.00002814"), 31)


def test_bad_bars(tmp_path: Path) -> None:
    path = tmp_path / "btc-perp.csv"
    header = "timestamp,open,high,low,close,volume\n"
    path.write_text(header + "2022-01-01 00:00:00,10,9,8,9,1\n")
    with pytest.raises(DataError, match=r"btc-perp\.csv:2: inconsistent bar"):
        list(bars.iter_bars_csv(path))
    path.write_text(header + "2022-01-01 00:01:00,10,11,9,10,1\n2022-01-01 00:00:00,10,11,9,10,1\n")
    with pytest.raises(DataError, match=r":3: timestamp .* not after"):
        list(bars.iter_bars_csv(path))
    path.write_text(header + "01/01/2022,10,11,9,10,1\n")
    with pytest.raises(DataError, match=r":2: timestamp: not a UTC timestamp"):
        list(bars.iter_bars_csv(path))
    kline = tmp_path / "ADABTC-1m.csv"
    kline.write_text("1637971200000,1,1,1,1,5,1637971259000,1,1,1,1,0\n")
    with pytest.raises(DataError, match=r":1: close_time"):
        list(bars.iter_binance_klines(kline))
