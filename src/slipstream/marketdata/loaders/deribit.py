"""Deribit JSON-RPC recordings: WebSocket ``book.*`` (snapshot/change and grouped snapshots),
``trades.*``, ``ticker.*``, ``deribit_volatility_index.*`` (DVOL) and ``deribit_price_index.*``
notifications, and ``public/get_order_book`` /
``public/get_last_trades_by_instrument`` responses.

Book sequencing (https://docs.deribit.com, ``book.{instrument}.{interval}``): each ``change``
carries ``prev_change_id``, which must equal the previous message's ``change_id``; a snapshot
resets. A break is a gap (see ``GapPolicy``). Deribit has only its own timestamp (ms), used as
both venue and receive time. JSON numbers are decoded from their text, so ``42500.0`` stays
``Decimal("42500.0")``.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    on_sequence_gap,
)
from slipstream.model.enums import Side
from slipstream.model.market import (
    BookAction,
    BookLevel,
    BookSide,
    BookSnapshot,
    DerivativeTicker,
    IndexTick,
    MarketEvent,
    QuoteTick,
    TradeTick,
)

__all__ = ["iter_messages"]

StrPath = str | PathLike[str]
VENUE = "deribit"
_MS = 1_000_000
_ACTIONS = {"new": BookAction.ADD, "change": BookAction.UPDATE, "delete": BookAction.DELETE}
_DIRECTIONS = {"buy": Side.BUY, "sell": Side.SELL}


def iter_messages(path: StrPath, *, on_gap: GapPolicy = "raise") -> Iterator[MarketEvent]:
    """Stream Deribit messages (JSON Lines or single documents) as market events.

    ``book.*`` snapshot/change → deltas (``sequence`` = ``change_id``); grouped ``book.*`` and
    ``get_order_book`` → :class:`BookSnapshot`; trades → :class:`TradeTick` (``direction`` is the
    taker's side); ``ticker.*`` → a :class:`QuoteTick` and a :class:`DerivativeTicker`
    (``funding_rate`` = ``funding_8h``); ``deribit_volatility_index.*`` (DVOL, percent) and
    ``deribit_price_index.*`` → :class:`IndexTick`. Other channels are skipped.

    Raises:
        DataError: malformed message or a gap with ``on_gap="raise"`` (file, line).
        ValidationError: unknown ``on_gap``.
    """
    check_gap_policy(on_gap)
    file = Path(path)
    change_ids: dict[str, int] = {}
    for line, record, message in iter_json_values(file):
        try:
            if not isinstance(message, dict):
                raise RowError("message is not a JSON object")
            events = list(_events(file, line, message, change_ids, on_gap))
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        yield from events


def _events(
    file: Path, line: int, message: dict[str, Any], change_ids: dict[str, int], on_gap: GapPolicy
) -> Iterator[MarketEvent]:
    if "result" in message:  # a REST response; instrument lists and the like are skipped
        result = message["result"]
        if isinstance(result, dict) and "bids" in result and "asks" in result:
            yield _snapshot(result)
        elif isinstance(result, dict) and isinstance(result.get("trades"), list):
            yield from (_trade(trade) for trade in result["trades"])
        return
    params = message.get("params")
    if not isinstance(params, dict):
        raise RowError("neither a subscription notification nor a result")
    channel = str(params.get("channel", ""))
    data = params.get("data")
    if channel.startswith("book."):
        if not isinstance(data, dict):
            raise RowError("book data is not an object")
        if "type" not in data:
            yield _snapshot(data)
        else:
            yield from _book(file, line, data, change_ids, on_gap)
    elif channel.startswith("trades."):
        if not isinstance(data, list):
            raise RowError("trades data is not a list")
        yield from (_trade(trade) for trade in data)
    elif channel.startswith("ticker."):
        if not isinstance(data, dict):
            raise RowError("ticker data is not an object")
        yield from _ticker(data)
    elif channel.startswith(("deribit_volatility_index.", "deribit_price_index.")):
        if not isinstance(data, dict):
            raise RowError("index data is not an object")
        key = "volatility" if channel.startswith("deribit_volatility_index.") else "price"
        ts = int_field(data.get("timestamp"), "timestamp") * _MS
        yield IndexTick(
            VENUE, str(data.get("index_name", channel.partition(".")[2])),
            decimal_field(data.get(key), key), ts, ts,
        )


def _book(
    file: Path, line: int, data: dict[str, Any], change_ids: dict[str, int], on_gap: GapPolicy
) -> Iterator[MarketEvent]:
    kind = data["type"]
    if kind not in ("snapshot", "change"):
        raise RowError(f"unknown book message type {kind!r}")
    instrument = str(data.get("instrument_name", ""))
    change_id = int_field(data.get("change_id"), "change_id")
    ts = int_field(data.get("timestamp"), "timestamp") * _MS
    levels = []
    for side, key in ((BookSide.BID, "bids"), (BookSide.ASK, "asks")):
        raw = data.get(key)
        if not isinstance(raw, list):
            raise RowError(f"{key}: expected a list")
        for level in raw:
            if not isinstance(level, list) or len(level) != 3 or level[0] not in _ACTIONS:
                raise RowError(f"{key}: bad level {level!r}")
            size = decimal_field(level[2], f"{key} amount")
            if size < 0:
                raise RowError(f"{key}: negative amount {size}")
            action = _ACTIONS[level[0]]
            levels.append(
                (side, action, decimal_field(level[1], f"{key} price"),
                 Decimal(0) if action is BookAction.DELETE else size)
            )
    marked = False
    previous = change_ids.get(instrument)
    if kind == "change" and previous is not None:
        expected = data.get("prev_change_id")
        if expected != previous:
            marked = on_sequence_gap(
                file, line, on_gap, f"prev_change_id={expected} but previous change_id={previous}"
            )
    change_ids[instrument] = change_id
    yield from delta_batch(
        levels, venue=VENUE, instrument=instrument, sequence=change_id, venue_ts_ns=ts,
        receive_ts_ns=ts, is_snapshot=kind == "snapshot", gap=marked,
    )


def _snapshot(data: dict[str, Any]) -> BookSnapshot:
    ts = int_field(data.get("timestamp"), "timestamp") * _MS
    sides = []
    for key in ("bids", "asks"):
        raw = data.get(key)
        if not isinstance(raw, list):
            raise RowError(f"{key}: expected a list")
        levels = []
        for level in raw:
            if not isinstance(level, list) or len(level) != 2:
                raise RowError(f"{key}: bad level {level!r}")
            levels.append(
                BookLevel(decimal_field(level[0], f"{key} price"),
                          decimal_field(level[1], f"{key} amount"))
            )
        sides.append(tuple(levels))
    change_id = int_field(data.get("change_id", 0), "change_id")
    return BookSnapshot(
        VENUE, str(data.get("instrument_name", "")), sides[0], sides[1], change_id, ts, ts
    )


def _trade(trade: Any) -> TradeTick:
    if not isinstance(trade, dict):
        raise RowError("trade is not an object")
    direction = trade.get("direction")
    if direction not in _DIRECTIONS:
        raise RowError(f"unknown direction {direction!r}")
    ts = int_field(trade.get("timestamp"), "timestamp") * _MS
    return TradeTick(
        VENUE, str(trade.get("instrument_name", "")), decimal_field(trade.get("price"), "price"),
        decimal_field(trade.get("amount"), "amount"), _DIRECTIONS[direction],
        str(trade.get("trade_id", "")), ts, ts,
    )


def _ticker(data: dict[str, Any]) -> Iterator[MarketEvent]:
    instrument = str(data.get("instrument_name", ""))
    ts = int_field(data.get("timestamp"), "timestamp") * _MS
    bid = decimal_or_none(data.get("best_bid_price"), "best_bid_price")
    ask = decimal_or_none(data.get("best_ask_price"), "best_ask_price")
    # Deribit sends price 0 / amount 0 for an empty side
    bid_size = decimal_or_none(data.get("best_bid_amount"), "best_bid_amount") if bid else None
    ask_size = decimal_or_none(data.get("best_ask_amount"), "best_ask_amount") if ask else None
    yield QuoteTick(VENUE, instrument, bid or None, bid_size, ask or None, ask_size, ts, ts)
    yield DerivativeTicker(
        VENUE, instrument, ts, ts,
        mark_price=decimal_or_none(data.get("mark_price"), "mark_price"),
        index_price=decimal_or_none(data.get("index_price"), "index_price"),
        last_price=decimal_or_none(data.get("last_price"), "last_price"),
        funding_rate=decimal_or_none(data.get("funding_8h"), "funding_8h"),
        open_interest=decimal_or_none(data.get("open_interest"), "open_interest"),
    )
