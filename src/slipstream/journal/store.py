"""The event store interface and its hash chain.

Every entry has a sequence number (assigned by the writer, from 1) and
``hash = SHA-256(previous hash ‖ sequence as 8 big-endian bytes ‖ canonical event bytes)``,
starting from 32 zero bytes. Appends are buffered; :meth:`EventStore.flush` makes them durable
(group commit), and only then may a command be acknowledged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Protocol

import msgspec

from slipstream.model.events import Event

__all__ = ["GENESIS_HASH", "SCHEMA_VERSION", "EventStore", "JournalEntry", "VerifyResult", "chain_hash"]

SCHEMA_VERSION = 1
GENESIS_HASH = bytes(32)


def chain_hash(previous: bytes, sequence: int, body: bytes) -> bytes:
    """The hash of one entry, linking it to the one before."""
    return hashlib.sha256(previous + sequence.to_bytes(8, "big") + body).digest()


class JournalEntry(msgspec.Struct, frozen=True):
    sequence: int
    ts_ns: int
    type: str
    body: bytes
    hash: bytes


class VerifyResult(msgspec.Struct, frozen=True):
    """Outcome of a chain check; ``first_bad_sequence`` is None when the chain is intact."""

    ok: bool
    entries: int
    head_hash: str
    first_bad_sequence: int | None = None
    reason: str = ""


class EventStore(Protocol):
    """What the engine needs from a journal; SQLite is the embedded default."""

    @property
    def head_sequence(self) -> int: ...

    @property
    def head_hash(self) -> bytes: ...

    def append(self, event: Event) -> int:
        """Buffer ``event``; returns its sequence number. Not durable until :meth:`flush`."""
        ...

    def flush(self) -> None:
        """Make every appended event durable."""
        ...

    def entries(self, start: int = 1) -> Iterator[JournalEntry]: ...

    def events(self, start: int = 1) -> Iterator[tuple[int, Event]]: ...

    def verify(self) -> VerifyResult: ...

    def close(self) -> None: ...
