"""SQLite (WAL) event store: the zero-setup default journal.

One table of entries keyed by sequence; a ``meta`` table holds the schema version. Writes are
buffered and committed together by :meth:`SqliteJournal.flush` (group commit) with
``synchronous=FULL``, so a flushed event survives a process kill or power loss.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

import msgspec

from slipstream.errors import JournalCorrupt, JournalError
from slipstream.journal.codec import decode_event, encode_event
from slipstream.journal.store import (
    GENESIS_HASH,
    SCHEMA_VERSION,
    JournalEntry,
    VerifyResult,
    chain_hash,
)
from slipstream.model.events import Event

__all__ = ["SqliteJournal"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    ts_ns INTEGER NOT NULL,
    type TEXT NOT NULL,
    body BLOB NOT NULL,
    hash BLOB NOT NULL
);
"""

_COLUMNS = 5
_CHUNK = 50  # rows per INSERT: 250 parameters, well under SQLite's oldest limit of 999
_encode = encode_event
_sha256 = hashlib.sha256
_seq_bytes = struct.Struct(">Q").pack  # 8 big-endian bytes, as in store.chain_hash


@functools.lru_cache(maxsize=_CHUNK + 1)
def _insert_sql(rows: int) -> str:
    return "INSERT INTO events(seq, ts_ns, type, body, hash) VALUES " + ",".join(["(?,?,?,?,?)"] * rows)


_CHUNK_SQL = _insert_sql(_CHUNK)


class SqliteJournal:
    """Append-only, hash-chained event store in one SQLite file.

    Args:
        path: database file (created if missing).
        readonly: open without writing (for ``journal verify``/``show``).

    Raises:
        JournalError: the file is not a slipstream journal, has a newer schema, or cannot be opened.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly and not self.path.exists():
            raise JournalError(f"no journal at {self.path}")
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(_SCHEMA)
                row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                    )
            version = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path}: not a readable journal ({exc})") from None
        if version is None or int(version[0]) > SCHEMA_VERSION:
            raise JournalError(f"{self.path}: unsupported journal schema version {version and version[0]}")
        self.schema_version = int(version[0])
        self._pending: list[int | str | bytes] = []  # flat: seq, ts_ns, type, body, hash per entry
        last = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        self._seq: int = last[0] if last else 0
        self._hash: bytes = bytes(last[1]) if last else GENESIS_HASH

    @property
    def head_sequence(self) -> int:
        return self._seq

    @property
    def head_hash(self) -> bytes:
        return self._hash

    def append(self, event: Event) -> int:
        body = _encode(event)
        seq = self._seq + 1
        digest = _sha256(self._hash + _seq_bytes(seq) + body).digest()  # == store.chain_hash
        self._pending += (seq, event.ts_ns, type(event).__name__, body, digest)
        self._seq = seq
        self._hash = digest
        return seq

    def flush(self) -> None:
        """Write every pending entry in one transaction (fsync'd: ``synchronous=FULL``).

        Rows go in multi-row INSERTs of up to ``_CHUNK`` rows: far fewer statement steps than
        one per row, the same rows.
        """
        params = self._pending
        if not params:
            return
        self._pending = []
        db = self._db
        step = _CHUNK * _COLUMNS
        full = len(params) - len(params) % step
        try:
            db.execute("BEGIN IMMEDIATE")
            for i in range(0, full, step):
                db.execute(_CHUNK_SQL, params[i : i + step])
            if full < len(params):
                rest = params[full:]
                db.execute(_insert_sql(len(rest) // _COLUMNS), rest)
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path}: write failed ({exc})") from None

    def entries(self, start: int = 1) -> Iterator[JournalEntry]:
        try:
            cursor = self._db.execute(
                "SELECT seq, ts_ns, type, body, hash FROM events WHERE seq >= ? ORDER BY seq", (start,)
            )
            for seq, ts, kind, body, digest in cursor:
                yield JournalEntry(seq, ts, str(kind), _as_bytes(body), _as_bytes(digest))
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path}: read failed ({exc})") from None

    def events(self, start: int = 1) -> Iterator[tuple[int, Event]]:
        """Decoded events in sequence order, checking the chain as it goes.

        Raises:
            JournalCorrupt: at the first entry whose hash, sequence or body is wrong.
        """
        previous = GENESIS_HASH
        expected = 1
        for entry in self.entries(1):
            _check_entry(entry, expected, previous)
            previous = entry.hash
            expected += 1
            if entry.sequence >= start:
                yield entry.sequence, decode_event(entry.body)

    def verify(self) -> VerifyResult:
        """Walk the whole chain; report the first bad sequence number if any."""
        previous = GENESIS_HASH
        expected = 1
        try:
            for entry in self.entries(1):
                _check_entry(entry, expected, previous)
                previous = entry.hash
                expected += 1
        except JournalCorrupt as exc:
            return VerifyResult(False, expected - 1, previous.hex(), exc.sequence, exc.reason)
        except JournalError as exc:
            return VerifyResult(False, expected - 1, previous.hex(), expected, str(exc))
        return VerifyResult(True, expected - 1, previous.hex())

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._db.close()


def _as_bytes(value: object) -> bytes:
    """Column value as bytes; an edited row may come back as text or a number."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def _check_entry(entry: JournalEntry, expected: int, previous: bytes) -> None:
    if entry.sequence != expected:
        raise JournalCorrupt(expected, f"missing entry (next present is {entry.sequence})")
    if chain_hash(previous, entry.sequence, entry.body) != entry.hash:
        raise JournalCorrupt(entry.sequence, "hash mismatch (entry altered or torn)")
    try:
        event = decode_event(entry.body)
    except msgspec.DecodeError as exc:
        raise JournalCorrupt(entry.sequence, f"undecodable event ({exc})") from None
    if type(event).__name__ != entry.type or event.ts_ns != entry.ts_ns:
        raise JournalCorrupt(entry.sequence, "index columns disagree with the event body")
