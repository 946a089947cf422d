"""Binance recordings: USDⓈ-M depth CSV (data.binance.vision ``bookDepth``/T_DEPTH), spot
trades/quotes parquet, and USDⓈ-M futures WebSocket JSON streams (``depthUpdate``, ``aggTrade``,
``bookTicker``, ``markPriceUpdate``).

Sequencing (futures rule, https://binance-docs.github.io "How to manage a local order book"):
a depth update carries first/last update ids ``U``/``u`` and ``pu``, the previous update's ``u``.
After a snapshot with ``lastUpdateId = L``, updates with ``u < L`` are stale and dropped, the first
applied one must have ``U <= L <= u``, and each later one must have ``pu`` equal to the previous
``u``. A break is a gap (see :data:`~slipstream.marketdata.loaders._common.GapPolicy`).

Parquet files store prices and sizes as doubles; each is converted with ``Decimal(repr(x))`` —
the shortest text that round-trips the double, i.e. what the recorder most likely wrote — and,
if the caller gives the instrument's precision, quantized to it (half-even), which removes
artefacts such as ``0.014596000000000001``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from os import PathLike
from pathlib import Path
from typing import Any

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import (
    CsvTable,
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
    BookDelta,
    BookSide,
    DerivativeTicker,
    MarketEvent,
    QuoteTick,
    TradeTick,
)

__all__ = [
    "DEPTH_CSV_HEADER",
    "iter_depth_csv",
    "iter_futures_stream",
    "iter_quotes_parquet",
    "iter_trades_parquet",
]

StrPath = str | PathLike[str]
VENUE = "binance"
DEPTH_CSV_HEADER = (
    "symbol", "timestamp", "first_update_id", "last_update_id", "side", "update_type", "price",
    "qty", "pu",
)
_SIDES = {"b": BookSide.BID, "a": BookSide.ASK}
_MS = 1_000_000


class _DepthSequence:
    """Binance futures depth sequencing state for one symbol (see module docstring)."""

    def __init__(self, path: Path, on_gap: GapPolicy) -> None:
        self._path = path
        self._on_gap = on_gap
        self._snapshot_id: int | None = None
        self._last: int | None = None

    def snapshot(self, last_update_id: int) -> None:
        self._snapshot_id = last_update_id
        self._last = last_update_id

    def update(self, line: int, first: int, last: int, previous: int | None) -> bool | None:
        """Check one update; ``None`` = stale (drop it), else the gap flag."""
        if self._snapshot_id is not None:
            snapshot_id, self._snapshot_id = self._snapshot_id, None
            if last < snapshot_id:
                self._snapshot_id = snapshot_id
                return None
            self._last = last
            if first > snapshot_id + 1:
                return on_sequence_gap(
                    self._path, line, self._on_gap,
                    f"first update U={first} is after snapshot lastUpdateId={snapshot_id} + 1",
                )
            return False
        expected, self._last = self._last, last
        if expected is None:
            return False
        if previous is not None and previous != expected:
            return on_sequence_gap(
                self._path, line, self._on_gap, f"pu={previous} but previous u={expected}"
            )
        if previous is None and first != expected + 1:
            return on_sequence_gap(
                self._path, line, self._on_gap, f"U={first} but previous u={expected}"
            )
        return False


def iter_depth_csv(path: StrPath, *, on_gap: GapPolicy = "raise") -> Iterator[BookDelta]:
    """Stream a Binance depth CSV (``update_type`` ``snap`` or ``set``; qty 0 deletes a level).

    Consecutive rows with the same (update_type, last_update_id) are one batch; a ``snap``
    batch starts with ``CLEAR``. ``sequence`` is the batch's ``last_update_id``.

    Raises:
        DataError: bad header or row, or a sequence gap with ``on_gap="raise"`` (file, line).
        ValidationError: unknown ``on_gap``.
    """
    check_gap_policy(on_gap)
    file = Path(path)
    sequence = _DepthSequence(file, on_gap)
    batch: list[tuple[BookSide, BookAction, Decimal, Decimal]] = []
    key: tuple[str, str, int, int] | None = None  # symbol, update_type, last id, timestamp
    flags = (False, False)  # (is_snapshot, gap) of the current batch
    keep = True
    for line, fields in CsvTable(file, DEPTH_CSV_HEADER):
        try:
            update_type = fields[5]
            if update_type not in ("snap", "set"):
                raise RowError(f"unknown update_type {update_type!r}")
            side = _SIDES.get(fields[4])
            if side is None:
                raise RowError(f"unknown side {fields[4]!r}")
            timestamp = int_field(fields[1], "timestamp") * _MS
            first = int_field(fields[2], "first_update_id")
            last = int_field(fields[3], "last_update_id")
            previous = int_field(fields[8], "pu")
            price, size = decimal_field(fields[6], "price"), decimal_field(fields[7], "qty")
            if size < 0 or price <= 0:
                raise RowError(f"bad level: price={price} qty={size}")
        except RowError as exc:
            raise DataError(str(file), line, str(exc)) from None
        row_key = (fields[0], update_type, last, timestamp)
        if row_key != key:
            if key is not None and keep:
                yield from _emit(batch, key, flags)
            key, batch = row_key, []
            is_snapshot = update_type == "snap"
            if is_snapshot:
                sequence.snapshot(last)
                flags, keep = (True, False), True
            else:
                marked = sequence.update(line, first, last, previous if previous >= 0 else None)
                keep = marked is not None
                flags = (False, bool(marked))
        batch.append((side, level_action(size, flags[0]), price, size))
    if key is not None and keep:
        yield from _emit(batch, key, flags)


def _emit(
    batch: list[tuple[BookSide, BookAction, Decimal, Decimal]],
    key: tuple[str, str, int, int],
    flags: tuple[bool, bool],
) -> list[BookDelta]:
    return delta_batch(
        batch, venue=VENUE, instrument=key[0], sequence=key[2], venue_ts_ns=key[3],
        receive_ts_ns=key[3], is_snapshot=flags[0], gap=flags[1],
    )


def _float_decimal(value: float, precision: int | None) -> Decimal:
    number = Decimal(repr(value))
    if precision is None:
        return number
    return number.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_EVEN)


_UNIT_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _column(array: Any) -> list[Any]:
    """Python values of an arrow column; timestamps become integer epoch ns (exact)."""
    import pyarrow as pa

    if pa.types.is_timestamp(array.type):
        factor = _UNIT_NS[array.type.unit]
        return [None if v is None else v * factor for v in array.cast(pa.int64()).to_pylist()]
    return list(array.to_pylist())


def _parquet_batches(file: Path, columns: list[str]) -> Iterator[dict[str, list[Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is in the test extra
        reason = "parquet needs pyarrow: pip install slipstream[data]"
        raise DataError(str(file), 0, reason) from exc
    try:
        parquet = pq.ParquetFile(file)
        missing = set(columns) - set(parquet.schema_arrow.names)
        if missing:
            raise DataError(str(file), 0, f"missing columns: {sorted(missing)}")
        for batch in parquet.iter_batches(batch_size=4096, columns=columns):
            yield {name: _column(batch.column(name)) for name in columns}
    except OSError as exc:
        raise DataError(str(file), 0, f"cannot read parquet: {exc}") from exc


def _timestamp_ns(value: Any) -> int:
    if not isinstance(value, int):
        raise RowError(f"missing or bad timestamp {value!r}")
    return value


def _parquet_rows(file: Path, columns: list[str]) -> Iterator[tuple[int, list[Any]]]:
    """Yield (1-based row number, values in ``columns`` order)."""
    row = 0
    for batch in _parquet_batches(file, columns):
        for values in zip(*(batch[name] for name in columns), strict=True):
            row += 1
            yield row, list(values)


def iter_trades_parquet(
    path: StrPath,
    *,
    instrument: str = "BTCUSDT",
    price_precision: int | None = None,
    size_precision: int | None = None,
) -> Iterator[TradeTick]:
    """Stream a trades parquet (``timestamp, trade_id, price, quantity, buyer_maker``).

    ``buyer_maker`` true means the buyer rested, so the seller was the aggressor. The "line" in
    errors is the 1-based row number.

    Raises:
        DataError: missing columns or a bad row (file, row).
    """
    file = Path(path)
    columns = ["timestamp", "trade_id", "price", "quantity", "buyer_maker"]
    for row, (timestamp, trade_id, price, quantity, buyer_maker) in _parquet_rows(file, columns):
        try:
            maker = {"True": True, "False": False, True: True, False: False}.get(buyer_maker)
            if maker is None:
                raise RowError(f"buyer_maker must be True/False, got {buyer_maker!r}")
            if price is None or quantity is None or trade_id is None:
                raise RowError("missing price, quantity or trade_id")
            ts = _timestamp_ns(timestamp)
            trade = TradeTick(
                VENUE, instrument, _float_decimal(price, price_precision),
                _float_decimal(quantity, size_precision), Side.SELL if maker else Side.BUY,
                str(trade_id), ts, ts,
            )
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), row, str(exc)) from None
        yield trade


def iter_quotes_parquet(
    path: StrPath,
    *,
    price_precision: int | None = None,
    size_precision: int | None = None,
) -> Iterator[QuoteTick]:
    """Stream a quotes parquet (``timestamp, symbol, ask_size, ask, bid_size, bid``).

    Raises:
        DataError: missing columns or a bad row (file, row).
    """
    file = Path(path)
    columns = ["timestamp", "symbol", "bid", "bid_size", "ask", "ask_size"]
    for row, (timestamp, symbol, bid, bid_size, ask, ask_size) in _parquet_rows(file, columns):
        try:
            ts = _timestamp_ns(timestamp)
            quote = QuoteTick(
                VENUE, str(symbol),
                None if bid is None else _float_decimal(bid, price_precision),
                None if bid_size is None else _float_decimal(bid_size, size_precision),
                None if ask is None else _float_decimal(ask, price_precision),
                None if ask_size is None else _float_decimal(ask_size, size_precision),
                ts, ts,
            )
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), row, str(exc)) from None
        yield quote


def iter_futures_stream(path: StrPath, *, on_gap: GapPolicy = "raise") -> Iterator[MarketEvent]:
    """Stream USDⓈ-M WebSocket messages (JSON Lines or one document; combined-stream
    ``{"stream", "data"}`` wrappers accepted): ``depthUpdate`` → deltas (``pu`` chain checked per
    symbol), ``aggTrade`` → trade (``m`` true = seller aggressed), ``bookTicker`` → quote,
    ``markPriceUpdate`` → derivative ticker. Other event types are skipped.

    Venue time is the transaction time ``T`` where present, else the event time ``E``; receive
    time is ``E`` (the recording has no local clock).

    Raises:
        DataError: malformed message or a gap with ``on_gap="raise"`` (file, line).
        ValidationError: unknown ``on_gap``.
    """
    check_gap_policy(on_gap)
    file = Path(path)
    books: dict[str, _DepthSequence] = {}
    for line, record, message in iter_json_values(file):
        if isinstance(message, dict) and "stream" in message and "data" in message:
            message = message["data"]
        try:
            if not isinstance(message, dict):
                raise RowError("message is not a JSON object")
            yield from _stream_event(file, line, message, books, on_gap)
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None


def _stream_event(
    file: Path, line: int, message: dict[str, Any], books: dict[str, _DepthSequence],
    on_gap: GapPolicy,
) -> Iterator[MarketEvent]:
    kind = message.get("e")
    event_ns = int_field(message.get("E"), "E") * _MS
    # T is the transaction time, except in markPriceUpdate where it is the next funding time
    has_time = "T" in message and kind != "markPriceUpdate"
    venue_ns = int_field(message["T"], "T") * _MS if has_time else event_ns
    symbol = str(message.get("s", ""))
    if kind == "depthUpdate":
        sequence = books.setdefault(symbol, _DepthSequence(file, on_gap))
        last = int_field(message.get("u"), "u")
        previous = int_field(message["pu"], "pu") if "pu" in message else None
        marked = sequence.update(line, int_field(message.get("U"), "U"), last, previous)
        if marked is None:
            return
        levels = [
            (side, level_action(size, False), price, size)
            for side, key in ((BookSide.BID, "b"), (BookSide.ASK, "a"))
            for price, size in _levels(message.get(key), key)
        ]
        yield from delta_batch(
            levels, venue=VENUE, instrument=symbol, sequence=last, venue_ts_ns=venue_ns,
            receive_ts_ns=event_ns, is_snapshot=False, gap=marked,
        )
    elif kind == "aggTrade":
        maker = message.get("m")
        if not isinstance(maker, bool):
            raise RowError(f"m must be a boolean, got {maker!r}")
        yield TradeTick(
            VENUE, symbol, decimal_field(message.get("p"), "p"),
            decimal_field(message.get("q"), "q"), Side.SELL if maker else Side.BUY,
            str(int_field(message.get("a"), "a")), venue_ns, event_ns,
        )
    elif kind == "bookTicker":
        yield QuoteTick(
            VENUE, symbol, decimal_field(message.get("b"), "b"),
            decimal_field(message.get("B"), "B"), decimal_field(message.get("a"), "a"),
            decimal_field(message.get("A"), "A"), venue_ns, event_ns,
        )
    elif kind == "markPriceUpdate":
        yield DerivativeTicker(
            VENUE, symbol, venue_ns, event_ns,
            mark_price=decimal_field(message.get("p"), "p"),
            index_price=decimal_field(message.get("i"), "i"),
            funding_rate=decimal_field(message["r"], "r") if message.get("r") else None,
            next_funding_ts_ns=int_field(message["T"], "T") * _MS if message.get("T") else None,
        )


def _levels(raw: Any, name: str) -> Iterator[tuple[Decimal, Decimal]]:
    if not isinstance(raw, list):
        raise RowError(f"{name}: expected a list of [price, qty]")
    for level in raw:
        if not isinstance(level, list) or len(level) < 2:
            raise RowError(f"{name}: bad level {level!r}")
        price = decimal_field(level[0], f"{name} price")
        size = decimal_field(level[1], f"{name} qty")
        if size < 0:
            raise RowError(f"{name}: negative qty {size}")
        yield price, size
