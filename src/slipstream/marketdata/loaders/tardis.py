"""Tardis.dev CSV datasets: incremental_book_L2, book_snapshot_N, trades, quotes,
derivative_ticker, options_chain (https://docs.tardis.dev/downloadable-csv-files).

Columns ``timestamp`` (venue) and ``local_timestamp`` (Tardis capture) become ``venue_ts_ns`` and
``receive_ts_ns``. Tardis writes µs; ns files (Nautilus exports) are recognised by magnitude
(:func:`~slipstream.marketdata.loaders._common.epoch_to_ns`). Tardis files carry no sequence
numbers, so ``sequence`` is 0 and nothing can be gap-checked. Empty fields mean "not available"
and become ``None`` where the value type allows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from os import PathLike
from pathlib import Path

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import (
    CsvTable,
    RowError,
    decimal_field,
    decimal_or_none,
    delta_batch,
    epoch_to_ns,
    int_field,
    level_action,
    read_header,
)
from slipstream.model.enums import OptionKind, Side
from slipstream.model.market import (
    BookAction,
    BookDelta,
    BookLevel,
    BookSide,
    BookSnapshot,
    DerivativeTicker,
    OptionChainQuote,
    QuoteTick,
    TradeTick,
)

__all__ = [
    "DERIVATIVE_TICKER_HEADER",
    "INCREMENTAL_BOOK_L2_HEADER",
    "OPTIONS_CHAIN_HEADER",
    "QUOTES_HEADER",
    "TRADES_HEADER",
    "iter_book_snapshots",
    "iter_derivative_tickers",
    "iter_incremental_book_l2",
    "iter_options_chain",
    "iter_quotes",
    "iter_trades",
]

_KEYS = ("exchange", "symbol", "timestamp", "local_timestamp")
INCREMENTAL_BOOK_L2_HEADER = (*_KEYS, "is_snapshot", "side", "price", "amount")
TRADES_HEADER = (*_KEYS, "id", "side", "price", "amount")
QUOTES_HEADER = (*_KEYS, "ask_amount", "ask_price", "bid_price", "bid_amount")
DERIVATIVE_TICKER_HEADER = (
    *_KEYS, "funding_timestamp", "funding_rate", "predicted_funding_rate", "open_interest",
    "last_price", "index_price", "mark_price",
)
OPTIONS_CHAIN_HEADER = (
    *_KEYS, "type", "strike_price", "expiration", "open_interest", "last_price", "bid_price",
    "bid_amount", "bid_iv", "ask_price", "ask_amount", "ask_iv", "mark_price", "mark_iv",
    "underlying_index", "underlying_price", "delta", "gamma", "vega", "theta", "rho",
)
_BOOK_SIDES = {"bid": BookSide.BID, "ask": BookSide.ASK}
_AGGRESSORS: dict[str, Side | None] = {
    "buy": Side.BUY, "sell": Side.SELL, "unknown": None, "": None,
}
_BOOLS = {"true": True, "false": False}
_SNAPSHOT_COLUMN = re.compile(r"(asks|bids)\[(\d+)\]\.(price|amount)")

StrPath = str | PathLike[str]


def _times(fields: list[str]) -> tuple[int, int]:
    return (
        epoch_to_ns(int_field(fields[2], "timestamp"), "timestamp"),
        epoch_to_ns(int_field(fields[3], "local_timestamp"), "local_timestamp"),
    )


def _fail(path: Path, line: int, exc: Exception) -> DataError:
    return DataError(str(path), line, str(exc))


def iter_incremental_book_l2(path: StrPath) -> Iterator[BookDelta]:
    """Stream ``incremental_book_L2`` rows as book deltas.

    Rows sharing (exchange, symbol, timestamp, local_timestamp, is_snapshot) form one batch; its
    last delta has ``is_last``. A new snapshot (``is_snapshot`` turning true, or a snapshot row
    with a new timestamp) is preceded by a ``CLEAR`` delta, as Tardis asks consumers to reset the
    book then. Amount 0 deletes a level.

    Raises:
        DataError: bad header, column count, number, side, flag or negative amount (file, line).
    """
    file = Path(path)
    batch: list[tuple[BookSide, BookAction, Decimal, Decimal]] = []
    key: tuple[str, str, int, int, bool] | None = None
    clears = False  # the current batch starts a new snapshot
    for line, fields in CsvTable(file, INCREMENTAL_BOOK_L2_HEADER):
        try:
            venue_ts, receive_ts = _times(fields)
            is_snapshot = _BOOLS.get(fields[4])
            if is_snapshot is None:
                raise RowError(f"is_snapshot must be true/false, got {fields[4]!r}")
            side = _BOOK_SIDES.get(fields[5])
            if side is None:
                raise RowError(f"unknown side {fields[5]!r}")
            price = decimal_field(fields[6], "price")
            size = decimal_field(fields[7], "amount")
            if size < 0 or price <= 0:
                raise RowError(f"bad level: price={price} amount={size}")
        except RowError as exc:
            raise _fail(file, line, exc) from None
        row_key = (fields[0], fields[1], venue_ts, receive_ts, is_snapshot)
        if row_key != key:
            if key is not None:
                yield from _flush(batch, key, clears)
            clears = is_snapshot and (key is None or not key[4] or key[2] != venue_ts)
            key = row_key
            batch = []
        batch.append((side, level_action(size, is_snapshot), price, size))
    if key is not None:
        yield from _flush(batch, key, clears)


def _flush(
    batch: list[tuple[BookSide, BookAction, Decimal, Decimal]],
    key: tuple[str, str, int, int, bool],
    clears: bool,
) -> list[BookDelta]:
    if clears:
        return delta_batch(
            batch, venue=key[0], instrument=key[1], sequence=0, venue_ts_ns=key[2],
            receive_ts_ns=key[3], is_snapshot=True, gap=False,
        )
    return _plain(batch, key)


def _plain(
    batch: list[tuple[BookSide, BookAction, Decimal, Decimal]],
    key: tuple[str, str, int, int, bool],
) -> list[BookDelta]:
    """A batch without a leading CLEAR: deltas, or the continuation of a snapshot (flagged)."""
    last = len(batch) - 1
    return [
        BookDelta(key[0], key[1], side, action, price, size, 0, key[2], key[3], key[4],
                  index == last)
        for index, (side, action, price, size) in enumerate(batch)
    ]


def iter_book_snapshots(path: StrPath) -> Iterator[BookSnapshot]:
    """Stream ``book_snapshot_N`` rows (any N, read from the header) as top-N snapshots.

    Empty level cells (a book thinner than N) are skipped.

    Raises:
        DataError: header not of the book_snapshot layout, or a bad row (file, line).
    """
    file = Path(path)
    columns = tuple(read_header(file).split(","))
    slots: list[tuple[str, int, int, int]] = []  # (side, level, price column, amount column)
    for index, name in enumerate(columns[4:], 4):
        match = _SNAPSHOT_COLUMN.fullmatch(name)
        if match is None:
            raise DataError(str(file), 1, f"not a book_snapshot column: {name!r}")
        if match.group(3) == "price":
            slots.append((match.group(1), int(match.group(2)), index, index + 1))
    if columns[:4] != _KEYS or not slots:
        raise DataError(str(file), 1, "not a Tardis book_snapshot_N header")
    bid_slots = sorted((s for s in slots if s[0] == "bids"), key=lambda s: s[1])
    ask_slots = sorted((s for s in slots if s[0] == "asks"), key=lambda s: s[1])
    for line, fields in CsvTable(file, columns):
        try:
            venue_ts, receive_ts = _times(fields)
            snapshot = BookSnapshot(
                fields[0], fields[1], _levels(fields, bid_slots), _levels(fields, ask_slots), 0,
                venue_ts, receive_ts,
            )
        except (RowError, ValidationError) as exc:
            raise _fail(file, line, exc) from None
        yield snapshot


def _levels(fields: list[str], slots: list[tuple[str, int, int, int]]) -> tuple[BookLevel, ...]:
    levels = []
    for side, level, price_at, amount_at in slots:
        if fields[price_at] == "" and fields[amount_at] == "":
            continue
        levels.append(
            BookLevel(
                decimal_field(fields[price_at], f"{side}[{level}].price"),
                decimal_field(fields[amount_at], f"{side}[{level}].amount"),
            )
        )
    return tuple(levels)


def iter_trades(path: StrPath) -> Iterator[TradeTick]:
    """Stream ``trades`` rows; ``side`` is the aggressor (``unknown`` → ``None``).

    Raises:
        DataError: bad header or row (file, line).
    """
    file = Path(path)
    for line, fields in CsvTable(file, TRADES_HEADER):
        try:
            if fields[5] not in _AGGRESSORS:
                raise RowError(f"unknown side {fields[5]!r}")
            venue_ts, receive_ts = _times(fields)
            trade = TradeTick(
                fields[0], fields[1], decimal_field(fields[6], "price"),
                decimal_field(fields[7], "amount"), _AGGRESSORS[fields[5]], fields[4],
                venue_ts, receive_ts,
            )
        except (RowError, ValidationError) as exc:
            raise _fail(file, line, exc) from None
        yield trade


def iter_quotes(path: StrPath) -> Iterator[QuoteTick]:
    """Stream ``quotes`` rows (best bid/ask); an empty side becomes ``None``.

    Raises:
        DataError: bad header or row (file, line).
    """
    file = Path(path)
    for line, fields in CsvTable(file, QUOTES_HEADER):
        try:
            venue_ts, receive_ts = _times(fields)
            quote = QuoteTick(
                fields[0], fields[1], decimal_or_none(fields[6], "bid_price"),
                decimal_or_none(fields[7], "bid_amount"), decimal_or_none(fields[5], "ask_price"),
                decimal_or_none(fields[4], "ask_amount"), venue_ts, receive_ts,
            )
        except (RowError, ValidationError) as exc:
            raise _fail(file, line, exc) from None
        yield quote


def iter_derivative_tickers(path: StrPath) -> Iterator[DerivativeTicker]:
    """Stream ``derivative_ticker`` rows (funding, mark, index, open interest).

    Raises:
        DataError: bad header or row (file, line).
    """
    file = Path(path)
    for line, fields in CsvTable(file, DERIVATIVE_TICKER_HEADER):
        try:
            venue_ts, receive_ts = _times(fields)
            funding_ts = (
                epoch_to_ns(int_field(fields[4], "funding_timestamp"), "funding_timestamp")
                if fields[4] else None
            )
            ticker = DerivativeTicker(
                fields[0], fields[1], venue_ts, receive_ts,
                mark_price=decimal_or_none(fields[10], "mark_price"),
                index_price=decimal_or_none(fields[9], "index_price"),
                last_price=decimal_or_none(fields[8], "last_price"),
                funding_rate=decimal_or_none(fields[5], "funding_rate"),
                predicted_funding_rate=decimal_or_none(fields[6], "predicted_funding_rate"),
                next_funding_ts_ns=funding_ts,
                open_interest=decimal_or_none(fields[7], "open_interest"),
            )
        except (RowError, ValidationError) as exc:
            raise _fail(file, line, exc) from None
        yield ticker


_OPTION_KINDS = {"call": OptionKind.CALL, "put": OptionKind.PUT}


def iter_options_chain(path: StrPath) -> Iterator[OptionChainQuote]:
    """Stream ``options_chain`` rows: quote, IVs (percent, as Tardis writes them) and greeks.

    Raises:
        DataError: bad header or row, unknown option type (file, line).
    """
    file = Path(path)
    for line, fields in CsvTable(file, OPTIONS_CHAIN_HEADER):
        try:
            kind = _OPTION_KINDS.get(fields[4])
            if kind is None:
                raise RowError(f"unknown option type {fields[4]!r}")
            venue_ts, receive_ts = _times(fields)
            def col(index: int, fields: list[str] = fields) -> Decimal | None:
                return decimal_or_none(fields[index], OPTIONS_CHAIN_HEADER[index])

            quote = OptionChainQuote(
                fields[0], fields[1], kind, decimal_field(fields[5], "strike_price"),
                epoch_to_ns(int_field(fields[6], "expiration"), "expiration"), venue_ts,
                receive_ts,
                open_interest=col(7), last_price=col(8), bid_price=col(9), bid_size=col(10),
                bid_iv=col(11), ask_price=col(12), ask_size=col(13), ask_iv=col(14),
                mark_price=col(15), mark_iv=col(16), underlying=fields[17] or None,
                underlying_price=col(18), delta=col(19), gamma=col(20), vega=col(21),
                theta=col(22), rho=col(23),
            )
        except (RowError, ValidationError) as exc:
            raise _fail(file, line, exc) from None
        yield quote
