"""One-minute (or any fixed-interval) OHLCV bars: a headed CSV
``timestamp,open,high,low,close,volume`` (the FTX BTC-PERP export, ``timestamp`` as
``YYYY-mm-dd HH:MM:SS[.ffffff]`` UTC, the bar's open) and Binance kline CSVs (data.binance.vision,
no header: ``open_time,open,high,low,close,volume,close_time,quote_volume,trades,
taker_buy_base,taker_buy_quote,ignore``, times in ms, or µs from 2025 on).

A bar becomes known at its close, so ``venue_ts_ns = receive_ts_ns = open + interval``.
"""

from __future__ import annotations

from collections.abc import Iterator
from os import PathLike
from pathlib import Path

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import (
    CsvTable,
    RowError,
    decimal_field,
    epoch_to_ns,
    int_field,
    iso_to_ns,
)
from slipstream.model.market import Bar

__all__ = ["BAR_CSV_HEADER", "iter_bars_csv", "iter_binance_klines"]

StrPath = str | PathLike[str]
BAR_CSV_HEADER = ("timestamp", "open", "high", "low", "close", "volume")
_MINUTE_NS = 60_000_000_000


def _check_interval(interval_ns: int) -> None:
    if interval_ns <= 0:
        raise ValidationError(f"interval_ns must be positive, got {interval_ns}")


def iter_bars_csv(
    path: StrPath, *, venue: str = "ftx", instrument: str | None = None,
    interval_ns: int = _MINUTE_NS,
) -> Iterator[Bar]:
    """Stream a headed OHLCV CSV; bars must be in strictly increasing time order.

    Args:
        instrument: symbol for the bars; default: the file name's first ``-``-joined two parts
            upper-cased (``btc-perp-2021...`` → ``BTC-PERP``).

    Raises:
        DataError: bad header or row, inconsistent OHLC, or time not increasing (file, line).
        ValidationError: non-positive ``interval_ns``.
    """
    _check_interval(interval_ns)
    file = Path(path)
    symbol = instrument or "-".join(file.stem.split("-")[:2]).upper()
    previous = -1
    for line, fields in CsvTable(file, BAR_CSV_HEADER):
        try:
            open_ns = iso_to_ns(fields[0], "timestamp")
            if open_ns <= previous:
                raise RowError(f"timestamp {fields[0]} not after the previous bar")
            previous = open_ns
            close_ns = open_ns + interval_ns
            bar = Bar(
                venue, symbol, open_ns, interval_ns, decimal_field(fields[1], "open"),
                decimal_field(fields[2], "high"), decimal_field(fields[3], "low"),
                decimal_field(fields[4], "close"), decimal_field(fields[5], "volume"),
                close_ns, close_ns,
            )
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, str(exc)) from None
        yield bar


def iter_binance_klines(
    path: StrPath, *, instrument: str | None = None, interval_ns: int = _MINUTE_NS
) -> Iterator[Bar]:
    """Stream a Binance kline CSV (12 columns; an optional header line is skipped).

    ``close_time`` must be ``open_time + interval - 1 unit``; volume is in base currency,
    ``quote_volume`` in quote currency.

    Args:
        instrument: default: the file name's first ``-`` part (``ADABTC-1m-...`` → ``ADABTC``).

    Raises:
        DataError: bad row, inconsistent OHLC or close time (file, line).
        ValidationError: non-positive ``interval_ns``.
    """
    _check_interval(interval_ns)
    file = Path(path)
    symbol = instrument or file.stem.split("-")[0].upper()
    for line, fields in CsvTable(file, None):
        if line == 1 and fields[0] == "open_time":
            continue
        try:
            if len(fields) != 12:
                raise RowError(f"expected 12 columns, found {len(fields)}")
            open_ns = epoch_to_ns(int_field(fields[0], "open_time"), "open_time")
            close_ns = epoch_to_ns(int_field(fields[6], "close_time"), "close_time")
            if not open_ns + interval_ns - 1_000_000 <= close_ns < open_ns + interval_ns:
                raise RowError(f"close_time {fields[6]} does not match the interval")
            end_ns = open_ns + interval_ns
            bar = Bar(
                "binance", symbol, open_ns, interval_ns, decimal_field(fields[1], "open"),
                decimal_field(fields[2], "high"), decimal_field(fields[3], "low"),
                decimal_field(fields[4], "close"), decimal_field(fields[5], "volume"),
                end_ns, end_ns, quote_volume=decimal_field(fields[7], "quote_volume"),
                trade_count=int_field(fields[8], "trades"),
            )
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, str(exc)) from None
        yield bar
