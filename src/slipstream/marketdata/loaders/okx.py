"""OKX v5 recordings: ``books``-family WebSocket pushes (snapshot/update), ``funding-rate``
pushes and funding-rate history, and option summaries (``opt-summary``), as JSON Lines or single
documents.

Book sequencing (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel):
each update's ``prevSeqId`` must equal the previous message's ``seqId`` for the instrument
(an idle heartbeat repeats it with empty sides); a snapshot (``prevSeqId`` -1) resets. A break is
a gap (see ``GapPolicy``). The CRC32 ``checksum`` needs the built book and is left to the book
builder. OKX sends one time, ``ts`` (ms), used as both venue and receive time.
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
from slipstream.model.market import (
    BookLevel,
    BookSide,
    BookSnapshot,
    DerivativeTicker,
    MarketEvent,
    OptionChainQuote,
)

__all__ = ["iter_messages"]

StrPath = str | PathLike[str]
VENUE = "okx"
_MS = 1_000_000
_OPTION = re.compile(r"([A-Z]+-[A-Z]+)-(\d{2})(\d{2})(\d{2})-(\d+(?:\.\d+)?)-([CP])")


def iter_messages(path: StrPath, *, on_gap: GapPolicy = "raise") -> Iterator[MarketEvent]:
    """Stream OKX messages as market events.

    ``books``/``books-l2-tbt``/``books50-l2-tbt`` → deltas (``sequence`` = ``seqId``);
    ``books5``/``bbo-tbt`` (no ``action``) → :class:`BookSnapshot`; ``funding-rate`` push →
    ticker with the current and next rate and ``fundingTime`` as next funding time; funding
    history (REST, ``realizedRate``) → one ticker per settlement at its ``fundingTime``;
    ``opt-summary`` (push, REST or a bare array) → :class:`OptionChainQuote` with vols, greeks
    and the forward as underlying price (no prices: OKX does not send them there).

    Raises:
        DataError: malformed message or a gap with ``on_gap="raise"`` (file, line).
        ValidationError: unknown ``on_gap``.
    """
    check_gap_policy(on_gap)
    file = Path(path)
    seq_ids: dict[str, int] = {}
    for line, record, message in iter_json_values(file):
        try:
            events = list(_events(file, line, message, seq_ids, on_gap))
        except (RowError, ValidationError, AttributeError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        yield from events


def _events(
    file: Path, line: int, message: Any, seq_ids: dict[str, int], on_gap: GapPolicy
) -> Iterator[MarketEvent]:
    if not isinstance(message, dict):
        raise RowError("message is not a JSON object")
    # a bare entry (e.g. an array of opt-summary objects) stands for itself
    entries = message.get("data") if "data" in message else [message]
    if not isinstance(entries, list):
        raise RowError("message has no data list")
    raw_arg = message.get("arg")
    arg: dict[str, Any] = raw_arg if isinstance(raw_arg, dict) else {}
    channel = str(arg.get("channel", ""))
    for entry in entries:
        if not isinstance(entry, dict):
            raise RowError("data entry is not an object")
        if channel.startswith(("books", "bbo")):
            instrument = str(arg.get("instId", entry.get("instId", "")))
            if "action" in message:
                yield from _book(file, line, message["action"], instrument, entry, seq_ids, on_gap)
            else:
                yield _snapshot(instrument, entry)
        elif channel == "funding-rate" or "nextFundingTime" in entry:
            ts = int_field(entry.get("ts"), "ts") * _MS
            yield DerivativeTicker(
                VENUE, str(entry.get("instId", "")), ts, ts,
                funding_rate=decimal_or_none(entry.get("fundingRate"), "fundingRate"),
                predicted_funding_rate=decimal_or_none(
                    entry.get("nextFundingRate"), "nextFundingRate"
                ),
                next_funding_ts_ns=int_field(entry.get("fundingTime"), "fundingTime") * _MS,
            )
        elif "realizedRate" in entry:
            ts = int_field(entry.get("fundingTime"), "fundingTime") * _MS
            yield DerivativeTicker(
                VENUE, str(entry.get("instId", "")), ts, ts,
                funding_rate=decimal_field(entry.get("realizedRate"), "realizedRate"),
            )
        elif channel == "opt-summary" or "markVol" in entry:
            yield _option(entry)


def _levels(raw: Any, name: str) -> list[tuple[Decimal, Decimal]]:
    if not isinstance(raw, list):
        raise RowError(f"{name}: expected a list of levels")
    levels = []
    for level in raw:
        if not isinstance(level, list) or len(level) < 2:
            raise RowError(f"{name}: bad level {level!r}")
        price = decimal_field(level[0], f"{name} price")
        size = decimal_field(level[1], f"{name} size")
        if size < 0:
            raise RowError(f"{name}: negative size {size}")
        levels.append((price, size))
    return levels


def _book(
    file: Path, line: int, action: Any, instrument: str, entry: dict[str, Any],
    seq_ids: dict[str, int], on_gap: GapPolicy,
) -> Iterator[MarketEvent]:
    if action not in ("snapshot", "update"):
        raise RowError(f"unknown action {action!r}")
    is_snapshot = action == "snapshot"
    seq_id = int_field(entry.get("seqId", 0), "seqId")
    ts = int_field(entry.get("ts"), "ts") * _MS
    levels = [
        (side, level_action(size, is_snapshot), price, size)
        for side, key in ((BookSide.BID, "bids"), (BookSide.ASK, "asks"))
        for price, size in _levels(entry.get(key), key)
    ]
    marked = False
    previous = seq_ids.get(instrument)
    if not is_snapshot and previous is not None and "prevSeqId" in entry:
        prev_seq = int_field(entry["prevSeqId"], "prevSeqId")
        if prev_seq != previous:
            marked = on_sequence_gap(
                file, line, on_gap, f"prevSeqId={prev_seq} but previous seqId={previous}"
            )
    seq_ids[instrument] = seq_id
    yield from delta_batch(
        levels, venue=VENUE, instrument=instrument, sequence=seq_id, venue_ts_ns=ts,
        receive_ts_ns=ts, is_snapshot=is_snapshot, gap=marked,
    )


def _snapshot(instrument: str, entry: dict[str, Any]) -> BookSnapshot:
    ts = int_field(entry.get("ts"), "ts") * _MS
    bids = tuple(BookLevel(p, s) for p, s in _levels(entry.get("bids"), "bids"))
    asks = tuple(BookLevel(p, s) for p, s in _levels(entry.get("asks"), "asks"))
    seq_id = int_field(entry.get("seqId", 0), "seqId")
    return BookSnapshot(VENUE, instrument, bids, asks, seq_id, ts, ts)


def _option(entry: dict[str, Any]) -> OptionChainQuote:
    instrument = str(entry.get("instId", ""))
    match = _OPTION.fullmatch(instrument)
    if match is None:
        raise RowError(f"not an option instrument: {instrument!r}")
    underlying, year, month, day, strike, kind = match.groups()
    try:
        expiry = datetime(2000 + int(year), int(month), int(day), 8, tzinfo=UTC)
    except ValueError as exc:
        raise RowError(f"bad expiry in {instrument!r}") from exc
    ts = int_field(entry.get("ts"), "ts") * _MS

    def value(name: str) -> Decimal | None:
        return decimal_or_none(entry.get(name), name)

    return OptionChainQuote(
        VENUE, instrument, OptionKind.CALL if kind == "C" else OptionKind.PUT, Decimal(strike),
        int(expiry.timestamp()) * 1_000_000_000, ts, ts,
        bid_iv=value("bidVol"), ask_iv=value("askVol"), mark_iv=value("markVol"),
        underlying=str(entry.get("uly", underlying)), underlying_price=value("fwdPx"),
        delta=value("delta"), gamma=value("gamma"), vega=value("vega"), theta=value("theta"),
    )
