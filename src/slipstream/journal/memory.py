"""In-memory event stores: a hash-chained one for tests and backtests that need no file, and a
null one for measuring the engine with the journal off."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator

from slipstream.journal.codec import decode_event, encode_event
from slipstream.journal.store import GENESIS_HASH, JournalEntry, VerifyResult, chain_hash
from slipstream.model.events import Event

__all__ = ["MemoryJournal", "NullJournal"]

_encode = encode_event
_sha256 = hashlib.sha256
_seq_bytes = struct.Struct(">Q").pack  # 8 big-endian bytes, as in store.chain_hash


class MemoryJournal:
    """Hash-chained journal held in a list; same chain as :class:`SqliteJournal`."""

    def __init__(self) -> None:
        self._entries: list[JournalEntry] = []
        self._hash = GENESIS_HASH

    @property
    def head_sequence(self) -> int:
        return len(self._entries)

    @property
    def head_hash(self) -> bytes:
        return self._hash

    def append(self, event: Event) -> int:
        body = _encode(event)
        entries = self._entries
        seq = len(entries) + 1
        digest = self._hash = _sha256(self._hash + _seq_bytes(seq) + body).digest()  # == chain_hash
        entries.append(JournalEntry(seq, event.ts_ns, type(event).__name__, body, digest))
        return seq

    def flush(self) -> None:
        return None

    def entries(self, start: int = 1) -> Iterator[JournalEntry]:
        yield from self._entries[start - 1 :]

    def events(self, start: int = 1) -> Iterator[tuple[int, Event]]:
        for entry in self._entries[start - 1 :]:
            yield entry.sequence, decode_event(entry.body)

    def verify(self) -> VerifyResult:
        previous = GENESIS_HASH
        for entry in self._entries:
            if chain_hash(previous, entry.sequence, entry.body) != entry.hash:
                return VerifyResult(False, entry.sequence - 1, previous.hex(), entry.sequence, "hash mismatch")
            previous = entry.hash
        return VerifyResult(True, len(self._entries), previous.hex())

    def close(self) -> None:
        return None


class NullJournal:
    """Counts events and stores nothing: the engine with its journal switched off."""

    def __init__(self) -> None:
        self._seq = 0

    @property
    def head_sequence(self) -> int:
        return self._seq

    @property
    def head_hash(self) -> bytes:
        return GENESIS_HASH

    def append(self, event: Event) -> int:
        self._seq += 1
        return self._seq

    def flush(self) -> None:
        return None

    def entries(self, start: int = 1) -> Iterator[JournalEntry]:
        return iter(())

    def events(self, start: int = 1) -> Iterator[tuple[int, Event]]:
        return iter(())

    def verify(self) -> VerifyResult:
        return VerifyResult(True, 0, GENESIS_HASH.hex())

    def close(self) -> None:
        return None
