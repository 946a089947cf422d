"""Bybit v5 recordings: the ``orderbook.<depth>.<symbol>`` snapshot+delta stream (public
history-data ``ob500`` JSONL files, zipped or not, and single WebSocket messages), option
``tickers`` messages and ``/market/funding/history`` responses.

Book sequencing (https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook): a snapshot
resets the book; each delta's update id ``u`` must be the previous ``u`` + 1, and the cross
sequence ``seq`` must increase. A break is a gap (see ``GapPolicy``).

Times: ``cts`` (matching engine) is the venue time and ``ts`` (Bybit's send time) the receive time,
since the recordings carry no local clock; without ``cts`` both are ``ts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import (
    GapPolicy,
    RowError,
    check_gap_policy,
    decimal_field,
    decimal_or_none,
    delta_batch,
    int_field,
    iter_json_values,
    level_action,
    on_sequence_gap,
)
from slipstream.model.enums import OptionKind
from slipstream.model.market import BookDelta, BookSide, DerivativeTicker, OptionChainQuote

__all__ = ["iter_funding_history", "iter_option_tickers", "iter_orderbook", "parse_option_symbol"]

StrPath = str | PathLike[str]
VENUE = "bybit"
_MS = 1_000_000
_OPTION = re.compile(r"([A-Z]+)-(\d{1,2})([A-Z]{3})(\d{2})-(\d+(?:\.\d+)?)-([CP])(?:-[A-Z]+)?")
_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}


def iter_orderbook(path: StrPath, *, on_gap: GapPolicy = "raise") -> Iterator[BookDelta]:
    """Stream order-book messages as deltas: a snapshot becomes ``CLEAR`` + one ``ADD`` per
    level (``is_snapshot``), a delta one ``UPDATE``/``DELETE`` (size 0) per level.
    ``sequence`` is the message's ``u``.

    Raises:
        DataError: malformed message, negative size, or a gap with ``on_gap="raise"``.
        ValidationError: unknown ``on_gap``.
    """
    check_gap_policy(on_gap)
    file = Path(path)
    last: dict[str, tuple[int, int]] = {}  # symbol -> (u, seq)
    for line, record, message in iter_json_values(file):
        try:
            if not isinstance(message, dict) or not isinstance(message.get("data"), dict):
                raise RowError("not an order-book message")
            kind = message.get("type")
            if kind not in ("snapshot", "delta"):
                raise RowError(f"unknown type {kind!r}")
            data = message["data"]
            symbol = str(data.get("s", ""))
            update_id = int_field(data.get("u"), "u")
            cross_seq = int_field(data.get("seq"), "seq")
            receive_ns = int_field(message.get("ts"), "ts") * _MS
            venue_ns = int_field(message["cts"], "cts") * _MS if "cts" in message else receive_ns
            is_snapshot = kind == "snapshot"
            levels = [
                (side, level_action(size, is_snapshot), price, size)
                for side, key in ((BookSide.BID, "b"), (BookSide.ASK, "a"))
                for price, size in _levels(data.get(key), key)
            ]
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        marked = False
        previous = last.get(symbol)
        if not is_snapshot and previous is not None:
            if update_id != previous[0] + 1:
                marked = on_sequence_gap(
                    file, line, on_gap, f"u={update_id} but previous u={previous[0]}"
                )
            elif cross_seq <= previous[1]:
                marked = on_sequence_gap(
                    file, line, on_gap, f"seq={cross_seq} not after previous seq={previous[1]}"
                )
        last[symbol] = (update_id, cross_seq)
        yield from delta_batch(
            levels, venue=VENUE, instrument=symbol, sequence=update_id, venue_ts_ns=venue_ns,
            receive_ts_ns=receive_ns, is_snapshot=is_snapshot, gap=marked,
        )


def _levels(raw: Any, name: str) -> Iterator[tuple[Decimal, Decimal]]:
    if not isinstance(raw, list):
        raise RowError(f"{name}: expected a list of [price, size]")
    for level in raw:
        if not isinstance(level, list) or len(level) != 2:
            raise RowError(f"{name}: bad level {level!r}")
        price = decimal_field(level[0], f"{name} price")
        size = decimal_field(level[1], f"{name} size")
        if size < 0:
            raise RowError(f"{name}: negative size {size}")
        yield price, size


def parse_option_symbol(symbol: str) -> tuple[str, int, Decimal, OptionKind]:
    """``BTC-6JAN23-17500-C`` → (underlying, expiry ns at 08:00 UTC, strike, kind).

    Raises:
        RowError: not an option symbol.
    """
    match = _OPTION.fullmatch(symbol)
    if match is None or match.group(3) not in _MONTHS:
        raise RowError(f"not an option symbol: {symbol!r}")
    base, day, month, year, strike, kind = match.groups()
    expiry = datetime(2000 + int(year), _MONTHS[month], int(day), 8, tzinfo=UTC)
    kind_value = OptionKind.CALL if kind == "C" else OptionKind.PUT
    return base, int(expiry.timestamp()) * 1_000_000_000, Decimal(strike), kind_value


def iter_option_tickers(path: StrPath) -> Iterator[OptionChainQuote]:
    """Stream option ``tickers`` messages. A zero bid/ask (price and size "0") means that side
    is empty (``None``). IVs are fractions, as Bybit sends them.

    Raises:
        DataError: malformed message or symbol.
    """
    file = Path(path)
    for line, record, message in iter_json_values(file):
        try:
            data = message.get("data") if isinstance(message, dict) else None
            if not isinstance(data, dict):
                raise RowError("not a tickers message")
            symbol = str(data.get("symbol", ""))
            underlying, expiry_ns, strike, kind = parse_option_symbol(symbol)
            ts = int_field(message.get("ts"), "ts") * _MS
            bid = _side(data, "bid")
            ask = _side(data, "ask")
            quote = OptionChainQuote(
                VENUE, symbol, kind, strike, expiry_ns, ts, ts,
                bid_price=bid[0], bid_size=bid[1], bid_iv=bid[2],
                ask_price=ask[0], ask_size=ask[1], ask_iv=ask[2],
                mark_price=decimal_or_none(data.get("markPrice"), "markPrice"),
                mark_iv=decimal_or_none(data.get("markPriceIv"), "markPriceIv"),
                last_price=decimal_or_none(data.get("lastPrice"), "lastPrice"),
                open_interest=decimal_or_none(data.get("openInterest"), "openInterest"),
                underlying=underlying,
                underlying_price=decimal_or_none(data.get("underlyingPrice"), "underlyingPrice"),
                delta=decimal_or_none(data.get("delta"), "delta"),
                gamma=decimal_or_none(data.get("gamma"), "gamma"),
                vega=decimal_or_none(data.get("vega"), "vega"),
                theta=decimal_or_none(data.get("theta"), "theta"),
            )
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        yield quote


def _side(data: dict[str, Any], name: str) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    price = decimal_or_none(data.get(f"{name}Price"), f"{name}Price")
    size = decimal_or_none(data.get(f"{name}Size"), f"{name}Size")
    if not price or not size:  # None or zero: Bybit sends "0" for an empty side
        return None, None, None
    return price, size, decimal_or_none(data.get(f"{name}Iv"), f"{name}Iv")


def iter_funding_history(path: StrPath) -> Iterator[DerivativeTicker]:
    """Stream ``/v5/market/funding/history`` responses: one ticker per settled funding, with
    ``funding_rate`` and both times at the settlement (``fundingRateTimestamp``), in file order
    (Bybit lists newest first).

    Raises:
        DataError: malformed response.
    """
    file = Path(path)
    for line, record, message in iter_json_values(file):
        try:
            result = message.get("result") if isinstance(message, dict) else None
            entries = result.get("list") if isinstance(result, dict) else None
            if not isinstance(entries, list):
                raise RowError("not a funding-history response")
            tickers = []
            for entry in entries:
                ts = int_field(entry.get("fundingRateTimestamp"), "fundingRateTimestamp") * _MS
                tickers.append(
                    DerivativeTicker(
                        VENUE, str(entry.get("symbol", "")), ts, ts,
                        funding_rate=decimal_field(entry.get("fundingRate"), "fundingRate"),
                    )
                )
        except (RowError, ValidationError, AttributeError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        yield from tickers
