"""Bitfinex raw (``prec=R0``) order-book WebSocket capture: a market-by-order (L3) feed.

The file is a JSON array (or JSON Lines) of raw messages: an ``info`` event, the ``subscribed``
ack (``channel=book``, ``symbol``, ``prec=R0``), a snapshot ``[chanId, [[id, price, amount],
...]]`` and updates ``[chanId, [id, price, amount]]``; ``amount > 0`` is a bid, ``< 0`` an ask,
``price == 0`` removes the order. Heartbeats (``"hb"``) and checksums (``"cs"``) are skipped.
https://docs.bitfinex.com/reference/ws-public-raw-books

The capture has **no timestamps**. Times are synthesized deterministically from the record
number: ``start_ns + record * step_ns`` for both venue and receive time (defaults: 0 and 1 ms),
so a replay orders events exactly as recorded. ``sequence`` is the record number.

The loader keeps the live orders (id → side, price) to tell ``ADD`` from ``UPDATE`` and to give a
``DELETE`` its side and price: memory grows with the book, not the file.
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
    int_field,
    iter_json_values,
)
from slipstream.model.market import BookAction, BookSide, L3Order

__all__ = ["iter_raw_book"]

StrPath = str | PathLike[str]
VENUE = "bitfinex"
_ZERO = Decimal(0)


def _order(raw: Any) -> tuple[int, Decimal, Decimal]:
    if not isinstance(raw, list) or len(raw) != 3:
        raise RowError(f"expected [id, price, amount], got {raw!r}")
    return (
        int_field(raw[0], "order id"),
        decimal_field(raw[1], "price"),
        decimal_field(raw[2], "amount"),
    )


def iter_raw_book(
    path: StrPath, *, start_ns: int = 0, step_ns: int = 1_000_000
) -> Iterator[L3Order]:
    """Stream a raw-book capture as L3 order events.

    A snapshot becomes ``CLEAR`` + one ``ADD`` per order (``is_snapshot``; the last has
    ``is_last``). An update is ``ADD`` (new id), ``UPDATE`` (known id, new price/amount) or
    ``DELETE`` (price 0; side and price from the live order, size 0).

    Raises:
        DataError: malformed message, zero amount, delete of an unknown order, or an update
            before the snapshot (file, line, record).
        ValidationError: ``step_ns`` not positive.
    """
    if step_ns <= 0:
        raise ValidationError(f"step_ns must be positive, got {step_ns}")
    file = Path(path)
    instrument = ""
    live: dict[int, tuple[BookSide, Decimal]] | None = None
    for line, record, message in iter_json_values(file):
        ts = start_ns + record * step_ns
        try:
            if isinstance(message, dict):
                if message.get("event") == "subscribed":
                    if message.get("prec") != "R0":
                        raise RowError(f"not a raw book subscription: {message!r}")
                    instrument = str(message.get("symbol", ""))
                continue
            if not isinstance(message, list) or len(message) < 2:
                raise RowError("expected [chanId, payload]")
            payload = message[1]
            if payload in ("hb", "cs"):
                continue
            if not isinstance(payload, list):
                raise RowError(f"unexpected payload {payload!r}")
            if payload and isinstance(payload[0], list):  # snapshot
                live = {}
                events = [L3Order(VENUE, instrument, 0, None, BookAction.CLEAR, _ZERO, _ZERO,
                                  record, ts, ts, True, not payload)]
                for index, raw in enumerate(payload):
                    order_id, price, amount = _order(raw)
                    if price == 0 or amount == 0:
                        raise RowError(f"snapshot order {order_id} has zero price or amount")
                    side = BookSide.BID if amount > 0 else BookSide.ASK
                    live[order_id] = (side, price)
                    events.append(L3Order(VENUE, instrument, order_id, side, BookAction.ADD,
                                          price, abs(amount), record, ts, ts, True,
                                          index == len(payload) - 1))
                yield from events
                continue
            if live is None:
                raise RowError("order update before the book snapshot")
            order_id, price, amount = _order(payload)
            if price == 0:
                known = live.pop(order_id, None)
                if known is None:
                    raise RowError(f"delete of unknown order {order_id}")
                event = L3Order(VENUE, instrument, order_id, known[0], BookAction.DELETE,
                                known[1], _ZERO, record, ts, ts)
            else:
                if amount == 0:
                    raise RowError(f"order {order_id} has zero amount")
                side = BookSide.BID if amount > 0 else BookSide.ASK
                action = BookAction.UPDATE if order_id in live else BookAction.ADD
                live[order_id] = (side, price)
                event = L3Order(VENUE, instrument, order_id, side, action, price, abs(amount),
                                record, ts, ts)
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        yield event
