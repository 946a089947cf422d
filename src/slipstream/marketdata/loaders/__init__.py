"""Loaders for recorded market data: one module per format family, one generator per dataset.

Every loader streams (memory grows with the book, never with the file), parses prices and sizes
to ``Decimal`` from the file's text, stamps venue and receive time in integer ns, and raises
:class:`~slipstream.errors.DataError` naming the file and 1-based line (or row/record) of the
first bad row. Feeds with sequence numbers take ``on_gap="raise"`` (default) or ``"mark"``.

:func:`load` picks the loader from the file name, header or first message::

    for event in load("xrpusdt-ob500.data.zip"):  # Bybit snapshot + deltas
        book.apply(event)

========================= =====================================================================
format                    loader
========================= =====================================================================
tardis.incremental_l2     :func:`tardis.iter_incremental_book_l2` → BookDelta
tardis.book_snapshot      :func:`tardis.iter_book_snapshots` → BookSnapshot
tardis.trades             :func:`tardis.iter_trades` → TradeTick
tardis.quotes             :func:`tardis.iter_quotes` → QuoteTick
tardis.derivative_ticker  :func:`tardis.iter_derivative_tickers` → DerivativeTicker
tardis.options_chain      :func:`tardis.iter_options_chain` → OptionChainQuote
tardis.machine            :func:`tardis_machine.iter_messages` → (normalized Tardis JSON)
binance.depth_csv         :func:`binance.iter_depth_csv` → BookDelta
binance.trades_parquet    :func:`binance.iter_trades_parquet` → TradeTick
binance.quotes_parquet    :func:`binance.iter_quotes_parquet` → QuoteTick
binance.futures_stream    :func:`binance.iter_futures_stream` → deltas, trades, quotes, tickers
binance.klines            :func:`bars.iter_binance_klines` → Bar
bars.csv                  :func:`bars.iter_bars_csv` → Bar
bybit.orderbook           :func:`bybit.iter_orderbook` → BookDelta
bybit.option_tickers      :func:`bybit.iter_option_tickers` → OptionChainQuote
bybit.funding_history     :func:`bybit.iter_funding_history` → DerivativeTicker
deribit.json              :func:`deribit.iter_messages` → deltas, snapshots, trades, tickers,
                          IndexTick (DVOL, price index)
okx.json                  :func:`okx.iter_messages` → deltas, snapshots, tickers, options
bitfinex.raw_book         :func:`bitfinex.iter_raw_book` → L3Order
hyperliquid.json          :func:`hyperliquid.iter_messages` → snapshots, trades, quotes, funding
dydx.json                 :func:`dydx.iter_messages` → deltas, snapshots, trades, funding
lighter.json              :func:`lighter.iter_messages` → deltas, L3Order snapshots, trades,
                          funding
derive.tickers            :func:`derive.iter_tickers` → OptionChainQuote; perps: quote + ticker
chain.swaps               :func:`chain_swaps.iter_swaps` → PoolSwap (Uniswap/PancakeSwap v3)
========================= =====================================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from os import PathLike
from pathlib import Path
from typing import Any

from slipstream.errors import DataError
from slipstream.marketdata.loaders import (
    bars,
    binance,
    bitfinex,
    bybit,
    chain_swaps,
    deribit,
    derive,
    dydx,
    hyperliquid,
    lighter,
    okx,
    tardis,
    tardis_machine,
)
from slipstream.marketdata.loaders._common import GapPolicy, open_text, parse_decimal
from slipstream.model.market import MarketEvent

__all__ = ["FORMATS", "GapPolicy", "load", "parse_decimal", "sniff_format"]

StrPath = str | PathLike[str]

FORMATS: dict[str, Callable[..., Iterator[Any]]] = {
    "tardis.incremental_l2": tardis.iter_incremental_book_l2,
    "tardis.book_snapshot": tardis.iter_book_snapshots,
    "tardis.trades": tardis.iter_trades,
    "tardis.quotes": tardis.iter_quotes,
    "tardis.derivative_ticker": tardis.iter_derivative_tickers,
    "tardis.options_chain": tardis.iter_options_chain,
    "tardis.machine": tardis_machine.iter_messages,
    "binance.depth_csv": binance.iter_depth_csv,
    "binance.trades_parquet": binance.iter_trades_parquet,
    "binance.quotes_parquet": binance.iter_quotes_parquet,
    "binance.futures_stream": binance.iter_futures_stream,
    "binance.klines": bars.iter_binance_klines,
    "bars.csv": bars.iter_bars_csv,
    "bybit.orderbook": bybit.iter_orderbook,
    "bybit.option_tickers": bybit.iter_option_tickers,
    "bybit.funding_history": bybit.iter_funding_history,
    "deribit.json": deribit.iter_messages,
    "okx.json": okx.iter_messages,
    "bitfinex.raw_book": bitfinex.iter_raw_book,
    "hyperliquid.json": hyperliquid.iter_messages,
    "dydx.json": dydx.iter_messages,
    "lighter.json": lighter.iter_messages,
    "derive.tickers": derive.iter_tickers,
    "chain.swaps": chain_swaps.iter_swaps,
}
"""Format name → loader generator (each takes the path plus its keyword options)."""

_CSV_HEADERS = {
    ",".join(tardis.INCREMENTAL_BOOK_L2_HEADER): "tardis.incremental_l2",
    ",".join(tardis.TRADES_HEADER): "tardis.trades",
    ",".join(tardis.QUOTES_HEADER): "tardis.quotes",
    ",".join(tardis.DERIVATIVE_TICKER_HEADER): "tardis.derivative_ticker",
    ",".join(tardis.OPTIONS_CHAIN_HEADER): "tardis.options_chain",
    ",".join(binance.DEPTH_CSV_HEADER): "binance.depth_csv",
    ",".join(bars.BAR_CSV_HEADER): "bars.csv",
}
_KLINE = re.compile(r"open_time,.*|\d+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,\d+(,[^,]*){5}")
# markers searched in the first 64 KiB with all whitespace removed; first match wins
_JSON_MARKERS = (
    ('"topics":["0x', "chain.swaps"),
    ('"instrument_ticker"', "derive.tickers"),
    ('"option_pricing"', "derive.tickers"),
    ('"perp_details":{', "derive.tickers"),
    ('"topic":"orderbook.', "bybit.orderbook"),
    ('"topic":"tickers.', "bybit.option_tickers"),
    ('"fundingRateTimestamp"', "bybit.funding_history"),
    ('"jsonrpc":"2.0"', "deribit.json"),
    ('"localTimestamp"', "tardis.machine"),
    ('"prec":"R0"', "bitfinex.raw_book"),
    ('"event":"info"', "bitfinex.raw_book"),
    ('"instId"', "okx.json"),
    ('"e":"', "binance.futures_stream"),
    ('"channel":"order_book:', "lighter.json"),
    ('"channel":"trade:', "lighter.json"),
    ('"remaining_base_amount"', "lighter.json"),
    ('"is_maker_ask"', "lighter.json"),
    ('"fundings":[', "lighter.json"),
    ('"channel":"v4_', "dydx.json"),
    ('"historicalFunding"', "dydx.json"),
    ('"createdAtHeight"', "dydx.json"),
    ('"bids":[{"price":', "dydx.json"),
    ('"coin":"', "hyperliquid.json"),
)
_SNIFF_CHARS = 1 << 16


def sniff_format(path: StrPath) -> str:
    """Name the format of a recorded file from its suffix, CSV header or first JSON message.

    Raises:
        DataError: unreadable or unrecognised file (line 1).
    """
    file = Path(path)
    if file.suffix == ".parquet":
        try:
            import pyarrow.parquet as pq

            names = set(pq.ParquetFile(file).schema_arrow.names)
        except (ImportError, OSError) as exc:
            raise DataError(str(file), 0, f"cannot read parquet schema: {exc}") from exc
        if {"trade_id", "price", "quantity"} <= names:
            return "binance.trades_parquet"
        if {"bid", "ask", "bid_size", "ask_size"} <= names:
            return "binance.quotes_parquet"
        raise DataError(str(file), 0, f"unknown parquet columns: {sorted(names)}")
    with open_text(file) as text:
        sample = text.read(_SNIFF_CHARS)
    stripped = sample.lstrip()
    if stripped[:1] in ("{", "["):
        compact = re.sub(r"\s+", "", sample)
        for marker, name in _JSON_MARKERS:
            if marker in compact:
                return name
        raise DataError(str(file), 1, "unrecognised JSON market-data messages")
    header = stripped.split("\n", 1)[0].rstrip("\r")
    if header in _CSV_HEADERS:
        return _CSV_HEADERS[header]
    if header.startswith("exchange,symbol,timestamp,local_timestamp,asks[0].price"):
        return "tardis.book_snapshot"
    if _KLINE.fullmatch(header):
        return "binance.klines"
    raise DataError(str(file), 1, f"unrecognised header: {header[:120]!r}")


def load(path: StrPath, format: str | None = None, **options: Any) -> Iterator[MarketEvent]:
    """Stream the market events of a recorded file.

    Args:
        path: the file (``.zip``/``.gz`` are read through).
        format: one of :data:`FORMATS`; sniffed from the file when ``None``.
        options: passed to the loader (e.g. ``on_gap="mark"``, ``price_precision=2``).

    Raises:
        DataError: unknown format or unrecognised file (at once); bad rows (while iterating).
    """
    name = format or sniff_format(path)
    loader = FORMATS.get(name)
    if loader is None:
        raise DataError(str(path), 0, f"unknown format {name!r}; known: {sorted(FORMATS)}")
    iterator: Iterator[MarketEvent] = loader(path, **options)
    return iterator
