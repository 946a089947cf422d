"""Shared plumbing for the loaders: streaming readers, exact number parsing, time units, gaps.

Readers never hold more than one record (or one read chunk) of the file in memory; the caller's
per-format state (a set of live order ids, the last sequence number) is the only thing that grows,
and it grows with the book, not the file.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from slipstream.errors import DataError, ValidationError
from slipstream.model.market import BookAction, BookDelta, BookSide

__all__ = [
    "CsvTable",
    "GapPolicy",
    "RowError",
    "check_gap_policy",
    "decimal_field",
    "decimal_or_none",
    "delta_batch",
    "epoch_to_ns",
    "int_field",
    "iso_to_ns",
    "iter_json_values",
    "iter_lines",
    "level_action",
    "on_sequence_gap",
    "open_text",
    "parse_decimal",
    "read_header",
]

GapPolicy = Literal["raise", "mark"]
"""``"raise"``: a sequence gap raises :class:`DataError` (default: fail closed — a book built
across a gap is wrong). ``"mark"``: yield the events anyway with ``gap=True`` on the first batch
after the gap, so a replay can resynchronise (e.g. wait for the next snapshot) and count gaps."""

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CHUNK = 1 << 16


class RowError(ValueError):
    """A field of the current row is bad; the loop that knows file and line re-raises DataError."""


def parse_decimal(text: str) -> Decimal:
    """Parse a plain decimal literal exactly (no float on the way, no NaN/Infinity/underscores).

    Raises:
        RowError: ``text`` is not a finite decimal literal.
    """
    if _DECIMAL.fullmatch(text) is None:
        raise RowError(f"not a decimal number: {text!r}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise RowError(f"not a decimal number: {text!r}") from exc


def decimal_field(value: Any, name: str) -> Decimal:
    """Exact Decimal from a CSV string or a JSON value (string, int, or Decimal from the decoder).

    Raises:
        RowError: the value is missing, boolean, or not a finite decimal.
    """
    if isinstance(value, str):
        if not value:
            raise RowError(f"empty {name}")
        try:
            return parse_decimal(value)
        except RowError as exc:
            raise RowError(f"{name}: {exc}") from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise RowError(f"{name}: not finite: {value}")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise RowError(f"{name}: expected a number, got {value!r}")


def decimal_or_none(value: Any, name: str) -> Decimal | None:
    """Like :func:`decimal_field`, but empty/absent is ``None`` (one-sided quote, no IV)."""
    if value is None or value == "":
        return None
    return decimal_field(value, name)


def int_field(value: Any, name: str) -> int:
    """An integer field (timestamps, ids, sequence numbers) from text or JSON.

    Raises:
        RowError: not an integer.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit() and text.isascii():
            return int(text)
    raise RowError(f"{name}: expected an integer, got {value!r}")


def epoch_to_ns(value: int, name: str) -> int:
    """Epoch timestamp in s, ms, µs or ns → ns, chosen by magnitude.

    Valid for instants between 1973 and 2286: ns values are ≥ 1e17, µs ≥ 1e14, ms ≥ 1e11, seconds
    below that. Tardis writes µs but some of its fixtures (and Nautilus exports) write ns.

    Raises:
        RowError: negative timestamp.
    """
    if value < 0:
        raise RowError(f"{name}: negative timestamp {value}")
    if value >= 10**17:
        return value
    if value >= 10**14:
        return value * 1_000
    if value >= 10**11:
        return value * 1_000_000
    return value * 1_000_000_000


def check_gap_policy(on_gap: str) -> None:
    """Raises: ValidationError: ``on_gap`` is not ``"raise"`` or ``"mark"``."""
    if on_gap not in ("raise", "mark"):
        raise ValidationError(f"on_gap must be 'raise' or 'mark', got {on_gap!r}")


def on_sequence_gap(path: Path, line: int, on_gap: GapPolicy, reason: str) -> bool:
    """Apply the gap policy: raise DataError, or return ``True`` to mark the batch."""
    if on_gap == "raise":
        raise DataError(str(path), line, f"sequence gap: {reason}")
    return True


@contextmanager
def open_text(path: Path) -> Iterator[io.TextIOBase]:
    """Open a text file for streaming; ``.zip`` reads its single member, ``.gz`` decompresses.

    Raises:
        DataError: the file is missing, or a zip holds other than one member.
    """
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if not m.endswith("/")]
                if len(members) != 1:
                    raise DataError(str(path), 0, f"zip must hold one file, has {len(members)}")
                with archive.open(members[0]) as raw:
                    yield io.TextIOWrapper(raw, encoding="utf-8", newline="")
        elif path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8", newline="") as text:
                yield text
        else:
            with open(path, encoding="utf-8", newline="") as text:
                yield text
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataError(str(path), 0, f"cannot read: {exc}") from exc


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(1-based line number, line without line ending)``, skipping blank lines."""
    with open_text(path) as text:
        for number, line in enumerate(text, 1):
            stripped = line.rstrip("\r\n")
            if stripped:
                yield number, stripped


class _JsonStream:
    """Incremental reader of a sequence of JSON values (JSON Lines, concatenated or pretty-printed
    documents) or of the elements of one top-level array, via ``JSONDecoder.raw_decode``.

    Floats decode to ``Decimal`` from their text, so no binary rounding reaches a price.
    """

    def __init__(self, text: io.TextIOBase, path: Path) -> None:
        self._text = text
        self._path = path
        self._decoder = json.JSONDecoder(parse_float=Decimal)
        self._buf = ""
        self._pos = 0
        self._line = 1
        self._eof = False

    def _more(self) -> bool:
        if self._eof:
            return False
        chunk = self._text.read(max(_CHUNK, len(self._buf) - self._pos))
        if not chunk:
            self._eof = True
            return False
        self._buf = self._buf[self._pos :] + chunk
        self._pos = 0
        return True

    def peek(self) -> str:
        """Skip whitespace; return the next character, or ``""`` at end of file."""
        while True:
            buf, pos = self._buf, self._pos
            end = len(buf)
            while pos < end and buf[pos] in " \t\r\n":
                if buf[pos] == "\n":
                    self._line += 1
                pos += 1
            self._pos = pos
            if pos < end:
                return buf[pos]
            if not self._more():
                return ""

    def take(self) -> str:
        char = self.peek()
        self._pos += 1
        return char

    @property
    def line(self) -> int:
        return self._line

    def value(self, record: int) -> Any:
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise DataError(
                    str(self._path), self._line, f"record {record}: bad JSON: {exc.msg}"
                ) from None
            if end == len(self._buf) and not isinstance(value, dict | list) and self._more():
                continue  # a number may continue in the next chunk
            self._line += self._buf.count("\n", self._pos, end)
            self._pos = end
            return value


def iter_json_values(path: Path, *, unwrap_array: bool = True) -> Iterator[tuple[int, int, Any]]:
    """Stream JSON values: yield ``(line, record, value)``, 1-based, ``line`` where it starts.

    Accepts JSON Lines, concatenated/pretty-printed documents, and — with ``unwrap_array`` — a
    file that is one array of messages (its first element an object or array), whose elements are
    streamed one at a time (the Bitfinex capture is one 3.7 MB line).

    Raises:
        DataError: malformed JSON (naming line and record).
    """
    with open_text(path) as text:
        stream = _JsonStream(text, path)
        record = 0
        if unwrap_array and stream.peek() == "[":
            stream.take()
            if stream.peek() in ("[", "{", "]"):
                while True:
                    char = stream.peek()
                    if char == "]":
                        stream.take()
                        break
                    record += 1
                    line = stream.line
                    yield line, record, stream.value(record)
                    char = stream.take()
                    if char == "]":
                        break
                    if char != ",":
                        raise DataError(
                            str(path), stream.line, f"record {record}: expected ',' or ']'"
                        )
                if stream.peek() != "":
                    raise DataError(str(path), stream.line, "data after the top-level array")
                return
            # an array that is itself one message: rewind by re-reading from the start
            text.seek(0)
            stream = _JsonStream(text, path)
        while stream.peek() != "":
            record += 1
            line = stream.line
            yield line, record, stream.value(record)


def delta_batch(
    levels: list[tuple[BookSide, BookAction, Decimal, Decimal]],
    *,
    venue: str,
    instrument: str,
    sequence: int,
    venue_ts_ns: int,
    receive_ts_ns: int,
    is_snapshot: bool,
    gap: bool,
) -> list[BookDelta]:
    """Turn one venue message's level changes into deltas; a snapshot starts with ``CLEAR``.

    The last delta has ``is_last=True``; the gap flag goes on every delta of the batch.
    """
    deltas: list[BookDelta] = []
    if is_snapshot:
        deltas.append(
            BookDelta(venue, instrument, None, BookAction.CLEAR, Decimal(0), Decimal(0),
                      sequence, venue_ts_ns, receive_ts_ns, True, not levels, gap)
        )
    last = len(levels) - 1
    for index, (side, action, price, size) in enumerate(levels):
        deltas.append(
            BookDelta(venue, instrument, side, action, price, size, sequence, venue_ts_ns,
                      receive_ts_ns, is_snapshot, index == last, gap)
        )
    return deltas


def level_action(size: Decimal, is_snapshot: bool) -> BookAction:
    """Action for an aggregated-level feed: size 0 deletes, a snapshot adds, else set (UPDATE)."""
    if size == 0:
        return BookAction.DELETE
    return BookAction.ADD if is_snapshot else BookAction.UPDATE


_ISO = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]00:?00)?")


def iso_to_ns(text: str, name: str) -> int:
    """UTC ISO-8601 time (``2019-10-23T11:29:53.469Z``, up to 9 fraction digits) → epoch ns.

    Raises:
        RowError: not a UTC timestamp in that form.
    """
    match = _ISO.fullmatch(text)
    if match is None:
        raise RowError(f"{name}: not a UTC timestamp: {text!r}")
    whole, fraction, _ = match.groups()
    seconds = int(
        datetime.fromisoformat(whole.replace(" ", "T")).replace(tzinfo=UTC).timestamp()
    )
    return seconds * 1_000_000_000 + int((fraction or "").ljust(9, "0"))


class CsvTable:
    """Header-checked, unquoted CSV rows: ``for line, fields in CsvTable(path, header)``.

    The formats loaded here never quote fields, so a plain ``split(",")`` is exact and fast.
    """

    def __init__(self, path: Path, header: tuple[str, ...] | None) -> None:
        self.path = path
        self.header = header

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        lines = iter_lines(self.path)
        width = len(self.header) if self.header is not None else 0
        if self.header is not None:
            first = next(lines, None)
            if first is None:
                raise DataError(str(self.path), 1, "empty file: no header")
            found = tuple(first[1].split(","))
            if found != self.header:
                raise DataError(
                    str(self.path), first[0], f"unexpected header: {first[1][:200]!r}"
                )
        for line, text in lines:
            fields = text.split(",")
            if width == 0:
                width = len(fields)
            if len(fields) != width:
                raise DataError(
                    str(self.path), line, f"expected {width} columns, found {len(fields)}"
                )
            yield line, fields


def read_header(path: Path) -> str:
    """First line of a (possibly zipped) text file, for sniffing; ``""`` if empty."""
    for _, text in iter_lines(path):
        return text
    return ""
