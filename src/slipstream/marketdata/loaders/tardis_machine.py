"""Tardis Machine normalized JSON messages (``book_change``, ``book_snapshot``, ``trade``,
``quote``, ``derivative_ticker``, ``option_summary``), one per line or pretty-printed.
https://docs.tardis.dev/api/tardis-machine#normalized-data-types

``timestamp`` (venue) and ``localTimestamp`` (capture) are ISO-8601 UTC strings. Numbers are
decoded from their JSON text. Tardis Machine sends no sequence numbers; other types (e.g.
``disconnect``, ``trade_bar``) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import (
    RowError,
    decimal_field,
    decimal_or_none,
    delta_batch,
    iso_to_ns,
    iter_json_values,
    level_action,
)
from slipstream.model.enums import OptionKind, Side
from slipstream.model.market import (
    BookLevel,
    BookSide,
    BookSnapshot,
    DerivativeTicker,
    MarketEvent,
    OptionChainQuote,
    QuoteTick,
    TradeTick,
)

__all__ = ["iter_messages"]

StrPath = str | PathLike[str]
_KINDS = {"call": OptionKind.CALL, "put": OptionKind.PUT}
_AGGRESSORS = {"buy": Side.BUY, "sell": Side.SELL, "unknown": None}


def iter_messages(path: StrPath) -> Iterator[MarketEvent]:
    """Stream normalized messages: ``book_change`` → deltas (a snapshot one starts with
    ``CLEAR``), ``book_snapshot`` → :class:`BookSnapshot`, ``trade``, ``quote``,
    ``derivative_ticker`` and ``option_summary`` → their event types.

    Raises:
        DataError: malformed message (file, line).
    """
    file = Path(path)
    for line, record, message in iter_json_values(file):
        try:
            if not isinstance(message, dict):
                raise RowError("message is not a JSON object")
            events = list(_events(message))
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        yield from events


def _levels(message: dict[str, Any], key: str) -> list[tuple[Decimal, Decimal]]:
    raw = message.get(key)
    if not isinstance(raw, list):
        raise RowError(f"{key}: expected a list")
    levels = []
    for level in raw:
        if not isinstance(level, dict):
            raise RowError(f"{key}: bad level {level!r}")
        levels.append((decimal_field(level.get("price"), "price"),
                       decimal_field(level.get("amount"), "amount")))
    return levels


def _events(message: dict[str, Any]) -> Iterator[MarketEvent]:
    kind = message.get("type")
    venue = str(message.get("exchange", ""))
    symbol = str(message.get("symbol", ""))
    venue_ns = iso_to_ns(str(message.get("timestamp", "")), "timestamp")
    receive_ns = iso_to_ns(str(message.get("localTimestamp", "")), "localTimestamp")

    def value(name: str) -> Decimal | None:
        return decimal_or_none(message.get(name), name)

    if kind == "book_change":
        is_snapshot = message.get("isSnapshot") is True
        levels = [
            (side, level_action(size, is_snapshot), price, size)
            for side, key in ((BookSide.BID, "bids"), (BookSide.ASK, "asks"))
            for price, size in _levels(message, key)
        ]
        yield from delta_batch(
            levels, venue=venue, instrument=symbol, sequence=0, venue_ts_ns=venue_ns,
            receive_ts_ns=receive_ns, is_snapshot=is_snapshot, gap=False,
        )
    elif kind == "book_snapshot":
        yield BookSnapshot(
            venue, symbol, tuple(BookLevel(p, s) for p, s in _levels(message, "bids")),
            tuple(BookLevel(p, s) for p, s in _levels(message, "asks")), 0, venue_ns, receive_ns,
        )
    elif kind == "trade":
        side = message.get("side")
        if side not in _AGGRESSORS:
            raise RowError(f"unknown side {side!r}")
        yield TradeTick(
            venue, symbol, decimal_field(message.get("price"), "price"),
            decimal_field(message.get("amount"), "amount"), _AGGRESSORS[side],
            str(message.get("id") or ""), venue_ns, receive_ns,
        )
    elif kind == "quote":
        yield QuoteTick(
            venue, symbol, value("bidPrice"), value("bidAmount"), value("askPrice"),
            value("askAmount"), venue_ns, receive_ns,
        )
    elif kind == "derivative_ticker":
        funding_ts = message.get("fundingTimestamp")
        yield DerivativeTicker(
            venue, symbol, venue_ns, receive_ns, mark_price=value("markPrice"),
            index_price=value("indexPrice"), last_price=value("lastPrice"),
            funding_rate=value("fundingRate"), predicted_funding_rate=value("predictedFundingRate"),
            next_funding_ts_ns=iso_to_ns(funding_ts, "fundingTimestamp") if funding_ts else None,
            open_interest=value("openInterest"),
        )
    elif kind == "option_summary":
        option_kind = _KINDS.get(str(message.get("optionType")))
        if option_kind is None:
            raise RowError(f"unknown optionType {message.get('optionType')!r}")
        yield OptionChainQuote(
            venue, symbol, option_kind, decimal_field(message.get("strikePrice"), "strikePrice"),
            iso_to_ns(str(message.get("expirationDate", "")), "expirationDate"), venue_ns,
            receive_ns, bid_price=value("bestBidPrice"), bid_size=value("bestBidAmount"),
            bid_iv=value("bestBidIV"), ask_price=value("bestAskPrice"),
            ask_size=value("bestAskAmount"), ask_iv=value("bestAskIV"),
            mark_price=value("markPrice"), mark_iv=value("markIV"), last_price=value("lastPrice"),
            open_interest=value("openInterest"), underlying=message.get("underlyingIndex"),
            underlying_price=value("underlyingPrice"), delta=value("delta"),
            gamma=value("gamma"), vega=value("vega"), theta=value("theta"), rho=value("rho"),
        )
