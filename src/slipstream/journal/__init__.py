"""Append-only, hash-chained event journal: the source of truth; state is its projection."""

from slipstream.journal.codec import decode_event, encode_event
from slipstream.journal.memory import MemoryJournal, NullJournal
from slipstream.journal.sqlite import SqliteJournal
from slipstream.journal.store import (
    SCHEMA_VERSION,
    EventStore,
    JournalEntry,
    VerifyResult,
    chain_hash,
)

__all__ = [
    "SCHEMA_VERSION",
    "EventStore",
    "JournalEntry",
    "MemoryJournal",
    "NullJournal",
    "SqliteJournal",
    "VerifyResult",
    "chain_hash",
    "decode_event",
    "encode_event",
]
