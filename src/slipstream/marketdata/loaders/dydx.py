"""dYdX v4 indexer recordings: WebSocket ``v4_orderbook``/``v4_trades`` messages and the REST
``/v4/orderbooks``, ``/v4/trades`` and ``/v4/historicalFunding`` responses (bare, or inside the
``{"requestId", "isoTimestamp", "result"}`` envelope Nautilus's fixtures use).

Sequencing (https://docs.dydx.exchange, indexer WebSocket): every message of a connection carries
``message_id``, counting up by one from 0 (``connected``) across all channels. A recording of
the whole connection must therefore show ``previous + 1`` per ``connection_id``; anything else
is a gap (see ``GapPolicy``) — a file that keeps only some channels of a shared connection
should be loaded with ``on_gap="mark"``. ``subscribed`` book contents are a snapshot (levels as
``{"price", "size"}``), ``channel_data`` updates set levels (``[price, size]``, size 0 deletes),
``channel_batch_data`` is a list of such updates.

Times: trades carry ``createdAt``; historical funding ``effectiveAt``; book messages carry no
time at all, so their ``venue_ts_ns``/``receive_ts_ns`` are the envelope's ``isoTimestamp`` when
there is one and 0 otherwise. REST book and trade responses do not name the market: pass
``instrument=``. ``v4_markets``, ``v4_candles`` and account channels are skipped.
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
    delta_batch,
    int_field,
    iso_to_ns,
    iter_json_values,
    level_action,
    on_sequence_gap,
)
from slipstream.model.enums import Side
from slipstream.model.market import (
    BookDelta,
    BookLevel,
    BookSide,
    BookSnapshot,
    DerivativeTicker,
    MarketEvent,
    TradeTick,
)

__all__ = ["iter_messages"]

StrPath = str | PathLike[str]
VENUE = "dydx"
_SIDES = {"BUY": Side.BUY, "SELL": Side.SELL}
_CONTROL = frozenset({"connected", "unsubscribed", "pong"})


class _State:
    """Per-file parsing state: last ``message_id`` per connection (one entry per connection)."""

    def __init__(self, file: Path, on_gap: GapPolicy, instrument: str) -> None:
        self.file = file
        self.on_gap = on_gap
        self.instrument = instrument
        self.message_ids: dict[str, int] = {}
        self.gap_pending = False  # a lost message may have been a book update: flag the next batch


def iter_messages(
    path: StrPath, *, on_gap: GapPolicy = "raise", instrument: str = ""
) -> Iterator[MarketEvent]:
    """Stream dYdX indexer messages as market events.

    WebSocket ``v4_orderbook`` → deltas (``sequence`` = ``message_id``; the subscription
    snapshot starts with ``CLEAR``); ``v4_trades`` → :class:`TradeTick` (``side`` is the
    taker's); REST order book → :class:`BookSnapshot`; REST trades → trades; historical funding
    → :class:`DerivativeTicker` (``funding_rate`` = ``rate``, ``index_price`` = the oracle
    ``price`` it was computed at).

    Args:
        path: the recording.
        on_gap: what a ``message_id`` break does.
        instrument: market name for REST responses that do not carry one (``BTC-USD``).

    Raises:
        DataError: malformed message or a gap with ``on_gap="raise"`` (file, line).
        ValidationError: unknown ``on_gap``.
    """
    check_gap_policy(on_gap)
    state = _State(Path(path), on_gap, instrument)
    for line, record, message in iter_json_values(state.file):
        try:
            events = list(_events(state, line, message))
        except (RowError, ValidationError) as exc:
            raise DataError(str(state.file), line, f"record {record}: {exc}") from None
        yield from events


def _events(state: _State, line: int, message: Any) -> Iterator[MarketEvent]:
    if not isinstance(message, dict):
        raise RowError("message is not a JSON object")
    kind = message.get("type")
    if kind is None:  # REST response, maybe inside the fixture envelope
        ts = iso_to_ns(message["isoTimestamp"], "isoTimestamp") if "isoTimestamp" in message else 0
        body = message.get("result", message)
        if not isinstance(body, dict):
            raise RowError("response body is not an object")
        yield from _rest(state, body, ts)
        return
    if "message_id" in message and _check_sequence(state, line, message):
        state.gap_pending = True
    if kind in _CONTROL:
        return
    if kind == "error":
        raise RowError(f"error message: {message.get('message')!r}")
    if kind not in ("subscribed", "channel_data", "channel_batch_data"):
        raise RowError(f"unknown message type {kind!r}")
    channel = message.get("channel")
    market = str(message.get("id", state.instrument))
    contents = message.get("contents")
    batch = contents if kind == "channel_batch_data" else [contents]
    if not isinstance(batch, list):
        raise RowError("channel_batch_data contents is not a list")
    sequence = int_field(message.get("message_id", 0), "message_id")
    for part in batch:
        if not isinstance(part, dict):
            raise RowError("contents is not an object")
        if channel == "v4_orderbook":
            deltas = _book_update(market, part, kind == "subscribed", sequence, state.gap_pending)
            if deltas:
                state.gap_pending = False
            yield from deltas
        elif channel == "v4_trades":
            yield from _trades(market, part.get("trades"))


def _check_sequence(state: _State, line: int, message: dict[str, Any]) -> bool:
    connection = str(message.get("connection_id", ""))
    message_id = int_field(message["message_id"], "message_id")
    previous = state.message_ids.get(connection)
    state.message_ids[connection] = message_id
    if previous is not None and message_id != previous + 1:
        return on_sequence_gap(
            state.file, line, state.on_gap,
            f"message_id={message_id} after {previous} on connection {connection!r}",
        )
    return False


def _level(raw: Any, name: str) -> tuple[Decimal, Decimal]:
    if isinstance(raw, dict):
        price, size = raw.get("price"), raw.get("size")
    elif isinstance(raw, list) and len(raw) == 2:
        price, size = raw
    else:
        raise RowError(f"{name}: bad level {raw!r}")
    size_value = decimal_field(size, f"{name} size")
    if size_value < 0:
        raise RowError(f"{name}: negative size {size_value}")
    return decimal_field(price, f"{name} price"), size_value


def _book_update(
    market: str, contents: dict[str, Any], is_snapshot: bool, sequence: int, gap: bool
) -> list[BookDelta]:
    levels = []
    for side, key in ((BookSide.BID, "bids"), (BookSide.ASK, "asks")):
        raw = contents.get(key, [])
        if not isinstance(raw, list):
            raise RowError(f"{key}: expected a list")
        for level in raw:
            price, size = _level(level, key)
            levels.append((side, level_action(size, is_snapshot), price, size))
    if not levels and not is_snapshot:
        return []
    return delta_batch(
        levels, venue=VENUE, instrument=market, sequence=sequence, venue_ts_ns=0,
        receive_ts_ns=0, is_snapshot=is_snapshot, gap=gap,
    )


def _trades(market: str, trades: Any) -> Iterator[TradeTick]:
    if not isinstance(trades, list):
        raise RowError("trades: expected a list")
    for trade in trades:
        if not isinstance(trade, dict):
            raise RowError("trade is not an object")
        side = trade.get("side")
        if side not in _SIDES:
            raise RowError(f"unknown trade side {side!r}")
        ts = iso_to_ns(str(trade.get("createdAt")), "createdAt")
        yield TradeTick(
            VENUE, market, decimal_field(trade.get("price"), "price"),
            decimal_field(trade.get("size"), "size"), _SIDES[side], str(trade.get("id", "")), ts, ts,
        )


def _rest(state: _State, body: dict[str, Any], ts: int) -> Iterator[MarketEvent]:
    if "historicalFunding" in body:
        rows = body["historicalFunding"]
        if not isinstance(rows, list):
            raise RowError("historicalFunding: expected a list")
        for row in rows:
            if not isinstance(row, dict):
                raise RowError("funding row is not an object")
            at = iso_to_ns(str(row.get("effectiveAt")), "effectiveAt")
            yield DerivativeTicker(
                VENUE, str(row.get("ticker", state.instrument)), at, at,
                index_price=decimal_field(row.get("price"), "price"),
                funding_rate=decimal_field(row.get("rate"), "rate"),
            )
    elif "bids" in body and "asks" in body:
        sides = []
        for key in ("bids", "asks"):
            raw = body[key]
            if not isinstance(raw, list):
                raise RowError(f"{key}: expected a list")
            sides.append(tuple(BookLevel(*_level(level, key)) for level in raw))
        yield BookSnapshot(VENUE, state.instrument, sides[0], sides[1], 0, ts, ts)
    elif "trades" in body:
        yield from _trades(state.instrument, body["trades"])
    else:
        raise RowError("unknown REST response (expected orderbook, trades or historicalFunding)")
