"""Lighter (zk-rollup CLOB) recordings: WebSocket ``order_book``/``trade`` channels and the REST
``orderBookOrders``, ``recentTrades`` and ``fundings`` responses.

Book sequencing (https://apidocs.lighter.xyz/docs/websocket-reference, as Nautilus's Lighter
adapter applies it in ``crates/adapters/lighter/src/book/sync.rs``): ``subscribed/order_book``
is a snapshot; each ``update/order_book`` carries ``begin_nonce``, which must equal the previous
message's ``nonce`` for the market. A break is a gap (see ``GapPolicy``). Level size 0 deletes.

REST ``orderBookOrders`` lists resting orders one by one (``order_index``,
``remaining_base_amount``): a market-by-order snapshot, yielded as :class:`L3Order` (``CLEAR``,
then one ``ADD`` per order). It carries no time (``transaction_time`` is 0 for resting orders),
so its events have time 0. Trades: ``is_maker_ask`` true means the seller rested, so the buyer
was the taker. Funding rows carry the rate's magnitude and the paying side (``direction``);
the signed rate is positive when longs pay. REST responses do not name the market: pass
``instrument=``, else the WebSocket ``order_book:<id>`` / trade ``market_id`` number is used.
Other channels (``market_stats``, ``height``, account streams) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any

import msgspec

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import (
    GapPolicy,
    RowError,
    check_gap_policy,
    decimal_field,
    delta_batch,
    int_field,
    iter_json_values,
    level_action,
    on_sequence_gap,
)
from slipstream.model.enums import Side
from slipstream.model.market import (
    BookAction,
    BookSide,
    DerivativeTicker,
    L3Order,
    MarketEvent,
    TradeTick,
)

__all__ = ["iter_messages"]

StrPath = str | PathLike[str]
VENUE = "lighter"
_MS = 1_000_000
_NS = 1_000_000_000
_DIRECTIONS = {"long": 1, "short": -1}


class _State:
    def __init__(self, file: Path, on_gap: GapPolicy, instrument: str) -> None:
        self.file = file
        self.on_gap = on_gap
        self.instrument = instrument
        self.nonces: dict[str, int] = {}  # market -> last book nonce


def iter_messages(
    path: StrPath, *, on_gap: GapPolicy = "raise", instrument: str = ""
) -> Iterator[MarketEvent]:
    """Stream Lighter messages as market events.

    WebSocket ``order_book`` → deltas (``sequence`` = ``nonce``); ``trade`` and REST
    ``recentTrades`` → :class:`TradeTick`; REST ``orderBookOrders`` → :class:`L3Order`
    snapshot (``sequence`` = record number); REST ``fundings`` → :class:`DerivativeTicker`.

    Args:
        path: the recording.
        on_gap: what a ``begin_nonce`` break does.
        instrument: market name for messages that only carry a numeric market id.

    Raises:
        DataError: malformed message or a gap with ``on_gap="raise"`` (file, line).
        ValidationError: unknown ``on_gap``.
    """
    check_gap_policy(on_gap)
    state = _State(Path(path), on_gap, instrument)
    for line, record, message in iter_json_values(state.file):
        try:
            events = list(_events(state, line, record, message))
        except (RowError, ValidationError) as exc:
            raise DataError(str(state.file), line, f"record {record}: {exc}") from None
        yield from events


def _events(state: _State, line: int, record: int, message: Any) -> Iterator[MarketEvent]:
    if not isinstance(message, dict):
        raise RowError("message is not a JSON object")
    if "code" in message and message["code"] != 200:
        raise RowError(f"error response: code {message['code']!r}")
    kind = message.get("type")
    if kind is None:  # REST
        if "fundings" in message:
            yield from _fundings(state, message["fundings"])
        elif "asks" in message and "bids" in message:
            yield from _orders(state, record, message)
        elif "trades" in message:
            yield from _trades(state, message["trades"])
        else:
            raise RowError("unknown REST response (expected fundings, orders or trades)")
        return
    channel = str(message.get("channel", ""))
    market = state.instrument or channel.partition(":")[2]
    if kind in ("subscribed/order_book", "update/order_book"):
        yield from _book(state, line, market, message, kind == "subscribed/order_book")
    elif kind in ("subscribed/trade", "update/trade"):
        yield from _trades(state, message.get("trades"))


def _book(
    state: _State, line: int, market: str, message: dict[str, Any], is_snapshot: bool
) -> list[Any]:
    book = message.get("order_book")
    if not isinstance(book, dict):
        raise RowError("order_book: expected an object")
    nonce = int_field(book.get("nonce"), "nonce")
    levels = []
    for side, key in ((BookSide.BID, "bids"), (BookSide.ASK, "asks")):
        raw = book.get(key)
        if not isinstance(raw, list):
            raise RowError(f"{key}: expected a list")
        for level in raw:
            if not isinstance(level, dict):
                raise RowError(f"{key}: bad level {level!r}")
            price = decimal_field(level.get("price"), f"{key} price")
            size = decimal_field(level.get("size"), f"{key} size")
            if size < 0:
                raise RowError(f"{key}: negative size {size}")
            levels.append((side, level_action(size, is_snapshot), price, size))
    marked = False
    previous = state.nonces.get(market)
    if not is_snapshot:
        begin = int_field(book.get("begin_nonce"), "begin_nonce")
        if previous is None:
            marked = on_sequence_gap(state.file, line, state.on_gap, "update before any snapshot")
        elif begin != previous:
            marked = on_sequence_gap(
                state.file, line, state.on_gap, f"begin_nonce={begin} but previous nonce={previous}"
            )
    state.nonces[market] = nonce
    ts = int_field(message.get("timestamp"), "timestamp") * _MS
    return delta_batch(
        levels, venue=VENUE, instrument=market, sequence=nonce, venue_ts_ns=ts, receive_ts_ns=ts,
        is_snapshot=is_snapshot, gap=marked,
    )


def _trades(state: _State, trades: Any) -> Iterator[TradeTick]:
    if not isinstance(trades, list):
        raise RowError("trades: expected a list")
    for trade in trades:
        if not isinstance(trade, dict):
            raise RowError("trade is not an object")
        maker_ask = trade.get("is_maker_ask")
        if not isinstance(maker_ask, bool):
            raise RowError(f"is_maker_ask: expected true/false, got {maker_ask!r}")
        ts = int_field(trade.get("timestamp"), "timestamp") * _MS
        market = state.instrument or str(int_field(trade.get("market_id"), "market_id"))
        trade_id = trade.get("trade_id_str") or str(int_field(trade.get("trade_id"), "trade_id"))
        yield TradeTick(
            VENUE, market, decimal_field(trade.get("price"), "price"),
            decimal_field(trade.get("size"), "size"), Side.BUY if maker_ask else Side.SELL,
            str(trade_id), ts, ts,
        )


def _orders(state: _State, record: int, message: dict[str, Any]) -> Iterator[L3Order]:
    events: list[L3Order] = []
    for side, key in ((BookSide.BID, "bids"), (BookSide.ASK, "asks")):
        orders = message[key]
        if not isinstance(orders, list):
            raise RowError(f"{key}: expected a list")
        total = message.get(f"total_{key}")
        if total is not None and int_field(total, f"total_{key}") != len(orders):
            raise RowError(f"total_{key}={total} but {len(orders)} orders listed")
        for order in orders:
            if not isinstance(order, dict):
                raise RowError(f"{key}: order is not an object")
            size = decimal_field(order.get("remaining_base_amount"), "remaining_base_amount")
            events.append(L3Order(
                VENUE, state.instrument, int_field(order.get("order_index"), "order_index"), side,
                BookAction.ADD, decimal_field(order.get("price"), "price"), size, record, 0, 0,
                is_snapshot=True, is_last=False,
            ))
    yield L3Order(VENUE, state.instrument, 0, None, BookAction.CLEAR, Decimal(0), Decimal(0),
                  record, 0, 0, is_snapshot=True, is_last=not events)
    if events:
        events[-1] = msgspec.structs.replace(events[-1], is_last=True)
    yield from events


def _fundings(state: _State, rows: Any) -> Iterator[DerivativeTicker]:
    if not isinstance(rows, list):
        raise RowError("fundings: expected a list")
    for row in rows:
        if not isinstance(row, dict):
            raise RowError("funding row is not an object")
        direction = row.get("direction")
        if direction not in _DIRECTIONS:
            raise RowError(f"unknown funding direction {direction!r}")
        ts = int_field(row.get("timestamp"), "timestamp") * _NS
        rate = decimal_field(row.get("rate"), "rate")
        if rate < 0:
            raise RowError(f"rate: expected a magnitude, got {rate}")
        yield DerivativeTicker(VENUE, state.instrument, ts, ts, funding_rate=rate * _DIRECTIONS[direction])
