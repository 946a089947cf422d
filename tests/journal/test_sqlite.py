"""SQLite journal: chain, durability boundary, tamper/torn detection with the first bad sequence,
schema version, and replay reproducing state."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import JournalCorrupt, JournalError
from slipstream.journal import SqliteJournal
from slipstream.journal.store import GENESIS_HASH, chain_hash
from slipstream.model.events import BalanceAdjusted
from slipstream.testing.stubs import btc_usdt, child, parent
from slipstream.venues.sim.quote import QuoteVenue


def write(path: Path, n: int) -> SqliteJournal:
    journal = SqliteJournal(path)
    for i in range(n):
        journal.append(BalanceAdjusted(ts_ns=i, venue="v", asset="USDT", amount=Decimal(i)))
    journal.flush()
    return journal


def test_chain_links_every_entry(tmp_path: Path) -> None:
    journal = write(tmp_path / "j.db", 5)
    previous = GENESIS_HASH
    for entry in journal.entries():
        assert entry.hash == chain_hash(previous, entry.sequence, entry.body)
        previous = entry.hash
    assert journal.verify().ok and journal.verify().entries == 5
    journal.close()


def test_unflushed_events_are_not_durable(tmp_path: Path) -> None:
    journal = SqliteJournal(tmp_path / "j.db")
    journal.append(BalanceAdjusted(ts_ns=1, venue="v", asset="USDT", amount=Decimal(1)))
    other = SqliteJournal(tmp_path / "j.db", readonly=True)
    assert other.verify().entries == 0
    journal.flush()
    assert other.verify().entries == 1
    other.close()
    journal.close()


def test_reopen_continues_the_chain(tmp_path: Path) -> None:
    write(tmp_path / "j.db", 3).close()
    journal = SqliteJournal(tmp_path / "j.db")
    assert journal.head_sequence == 3
    journal.append(BalanceAdjusted(ts_ns=9, venue="v", asset="USDT", amount=Decimal(9)))
    journal.flush()
    assert journal.verify().ok and journal.verify().entries == 4
    journal.close()


@pytest.mark.parametrize("target", [1, 4, 7])
def test_tampered_body_is_reported_with_first_bad_sequence(tmp_path: Path, target: int) -> None:
    write(tmp_path / "j.db", 8).close()
    db = sqlite3.connect(tmp_path / "j.db")
    body = db.execute("SELECT body FROM events WHERE seq=?", (target,)).fetchone()[0]
    db.execute("UPDATE events SET body=? WHERE seq=?", (bytes(body).replace(b'"USDT"', b'"USDC"'), target))
    db.commit()
    db.close()
    result = SqliteJournal(tmp_path / "j.db", readonly=True).verify()
    assert not result.ok and result.first_bad_sequence == target and result.entries == target - 1
    with pytest.raises(JournalCorrupt) as info:
        list(SqliteJournal(tmp_path / "j.db", readonly=True).events())
    assert info.value.sequence == target


def test_missing_entry_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "j.db", 6).close()
    db = sqlite3.connect(tmp_path / "j.db")
    db.execute("DELETE FROM events WHERE seq=3")
    db.commit()
    db.close()
    result = SqliteJournal(tmp_path / "j.db", readonly=True).verify()
    assert result.first_bad_sequence == 3 and "missing" in result.reason


def test_torn_file_is_reported_not_crashed(tmp_path: Path) -> None:
    write(tmp_path / "j.db", 200).close()
    data = (tmp_path / "j.db").read_bytes()
    (tmp_path / "t.db").write_bytes(data[: len(data) // 2] + b"\x00garbage" * 100)
    try:
        result = SqliteJournal(tmp_path / "t.db", readonly=True).verify()
    except JournalError as exc:
        assert "t.db" in str(exc)
    else:
        assert not result.ok and result.first_bad_sequence is not None


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "j.db", 1).close()
    db = sqlite3.connect(tmp_path / "j.db")
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="schema version 99"):
        SqliteJournal(tmp_path / "j.db")


def test_not_a_journal(tmp_path: Path) -> None:
    (tmp_path / "x.db").write_text("hello")
    with pytest.raises(JournalError):
        SqliteJournal(tmp_path / "x.db", readonly=True)


def test_restart_rebuilds_state_by_replay(tmp_path: Path) -> None:
    venue = QuoteVenue("sim", [btc_usdt()], latency_ns=1000)
    engine = ExecutionEngine([venue], journal=SqliteJournal(tmp_path / "j.db"))
    venue.set_quote("BTC/USDT", 5_999_990, 6_000_000)
    engine.deposit("sim", "USDT", Decimal(100_000))
    engine.submit_parent(parent(quantity="1"))
    engine.submit_order(child("a", lots=30_000))
    engine.submit_order(child("b", lots=30_000, price_units=5_990_000))  # rests
    engine.run()
    engine.journal.close()
    rebuilt = ExecutionEngine.recover(SqliteJournal(tmp_path / "j.db"), [QuoteVenue("sim", [btc_usdt()])])
    assert rebuilt.oms.snapshot() == engine.oms.snapshot()
    assert rebuilt.parent("P1").working_units == 30_000


def test_journal_alone_rebuilds_state_without_venue_configuration(tmp_path: Path) -> None:
    venue = QuoteVenue("sim", [btc_usdt()], latency_ns=1000)
    engine = ExecutionEngine([venue], journal=SqliteJournal(tmp_path / "j.db"))
    venue.set_quote("BTC/USDT", 5_999_990, 6_000_000)
    engine.submit_parent(parent(quantity="1"))
    engine.submit_order(child("a", lots=30_000))
    engine.run()
    engine.journal.close()
    rebuilt = ExecutionEngine.recover(SqliteJournal(tmp_path / "j.db", readonly=True))
    assert rebuilt.oms.snapshot() == engine.oms.snapshot()
    assert rebuilt.oms.instruments[("sim", "BTC/USDT")].lot_size == Decimal("0.00001")
