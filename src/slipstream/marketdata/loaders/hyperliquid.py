"""Hyperliquid recordings: ``l2Book`` books (REST ``info`` response or WebSocket push), WebSocket
``trades`` and ``bbo``, and REST ``fundingHistory``.

Hyperliquid (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api) publishes
every ``l2Book`` as a full image of the top levels, ``levels = [bids, asks]`` best first, with
no sequence number — so there is nothing to gap-check; each message becomes a
:class:`BookSnapshot` (``sequence`` 0). Only one time, ``time`` (ms), is sent; it is both venue
and receive time. A trade's ``side`` is the taker's (``B`` buy, ``A`` sell). Funding history
rows carry the hourly ``fundingRate`` (the ``premium`` has no field in
:class:`DerivativeTicker` and is dropped). Channels without a timestamp (``activeAssetCtx``) and
control messages (``subscriptionResponse``, ``pong``) are skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import (
    RowError,
    decimal_field,
    int_field,
    iter_json_values,
)
from slipstream.model.enums import Side
from slipstream.model.market import (
    BookLevel,
    BookSnapshot,
    DerivativeTicker,
    MarketEvent,
    QuoteTick,
    TradeTick,
)

__all__ = ["iter_messages"]

StrPath = str | PathLike[str]
VENUE = "hyperliquid"
_MS = 1_000_000
_SIDES = {"B": Side.BUY, "A": Side.SELL}
_SKIPPED = frozenset({"subscriptionResponse", "pong", "activeAssetCtx", "error"})


def iter_messages(path: StrPath) -> Iterator[MarketEvent]:
    """Stream Hyperliquid messages: ``l2Book`` → :class:`BookSnapshot`, ``trades`` →
    :class:`TradeTick`, ``bbo`` → :class:`QuoteTick`, ``fundingHistory`` rows →
    :class:`DerivativeTicker` (``funding_rate``). ``instrument`` is the ``coin``.

    Raises:
        DataError: malformed message (file, line).
    """
    file = Path(path)
    for line, record, message in iter_json_values(file):
        try:
            events = list(_events(message))
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        yield from events


def _events(message: Any) -> Iterator[MarketEvent]:
    if not isinstance(message, dict):
        raise RowError("message is not a JSON object")
    channel = message.get("channel")
    if channel is None:  # a REST response: an l2Book or one fundingHistory row
        if "levels" in message:
            yield _book(message)
        elif "fundingRate" in message:
            yield _funding(message)
        else:
            raise RowError("neither an l2Book nor a fundingHistory row")
        return
    if channel in _SKIPPED:
        return
    data = message.get("data")
    if channel == "l2Book":
        yield _book(data)
    elif channel == "trades":
        if not isinstance(data, list):
            raise RowError("trades data is not a list")
        yield from (_trade(trade) for trade in data)
    elif channel == "bbo":
        yield _bbo(data)
    else:
        raise RowError(f"unknown channel {channel!r}")


def _coin(data: dict[str, Any]) -> str:
    coin = data.get("coin")
    if not isinstance(coin, str) or not coin:
        raise RowError(f"coin: expected a name, got {coin!r}")
    return coin


def _level(raw: Any, name: str) -> BookLevel:
    if not isinstance(raw, dict):
        raise RowError(f"{name}: level is not an object: {raw!r}")
    return BookLevel(decimal_field(raw.get("px"), f"{name} px"), decimal_field(raw.get("sz"), f"{name} sz"))


def _book(data: Any) -> BookSnapshot:
    if not isinstance(data, dict):
        raise RowError("l2Book data is not an object")
    levels = data.get("levels")
    if not isinstance(levels, list) or len(levels) != 2 or not all(isinstance(s, list) for s in levels):
        raise RowError("levels: expected [bids, asks]")
    bids = tuple(_level(level, "bid") for level in levels[0])
    asks = tuple(_level(level, "ask") for level in levels[1])
    if any(a.price <= b.price for a, b in itertools.pairwise(bids)):
        raise RowError("bids not in descending price order")
    if any(b.price <= a.price for a, b in itertools.pairwise(asks)):
        raise RowError("asks not in ascending price order")
    ts = int_field(data.get("time"), "time") * _MS
    return BookSnapshot(VENUE, _coin(data), bids, asks, 0, ts, ts)


def _trade(trade: Any) -> TradeTick:
    if not isinstance(trade, dict):
        raise RowError("trade is not an object")
    side = trade.get("side")
    if side not in _SIDES:
        raise RowError(f"unknown trade side {side!r}")
    ts = int_field(trade.get("time"), "time") * _MS
    return TradeTick(
        VENUE, _coin(trade), decimal_field(trade.get("px"), "px"), decimal_field(trade.get("sz"), "sz"),
        _SIDES[side], str(int_field(trade.get("tid"), "tid")), ts, ts,
    )


def _bbo(data: Any) -> QuoteTick:
    if not isinstance(data, dict):
        raise RowError("bbo data is not an object")
    pair = data.get("bbo")
    if not isinstance(pair, list) or len(pair) != 2:
        raise RowError("bbo: expected [bid, ask]")
    bid = _level(pair[0], "bid") if pair[0] is not None else None
    ask = _level(pair[1], "ask") if pair[1] is not None else None
    ts = int_field(data.get("time"), "time") * _MS
    return QuoteTick(
        VENUE, _coin(data),
        bid.price if bid else None, bid.size if bid else None,
        ask.price if ask else None, ask.size if ask else None,
        ts, ts,
    )


def _funding(row: dict[str, Any]) -> DerivativeTicker:
    ts = int_field(row.get("time"), "time") * _MS
    return DerivativeTicker(
        VENUE, _coin(row), ts, ts, funding_rate=decimal_field(row.get("fundingRate"), "fundingRate")
    )
