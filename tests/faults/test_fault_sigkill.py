"""Crash recovery under SIGKILL: the engine process is killed at seeded random moments while it
works a TWAP parent, restarted on the same SQLite journal, and must finish the parent exactly.

Honesty of the set-up: the engine runs in its own OS process (``sigkill_engine.py``) and is
killed with a real ``SIGKILL`` (no handler, no flush, no atexit). The simulated venue lives in
this test process and is reached over a loopback socket, so it survives every kill with its
orders and fills, as an exchange would; reports in flight to a killed engine are lost. The kill
lands right after the venue received the N-th message (or the N-th order), while the engine keeps running (the
message is either fire-and-forget or already answered), so it can fall anywhere in the engine's
processing: between journal writes, inside a commit, between a commit and a send.

Checked after the last run: the journal's chain verifies; every command the engine acknowledged
(``acked``) is journaled; every client order id reached the venue at most once and only after it
was journaled (write-ahead); the OMS rebuilt from the journal agrees with the venue's fills order
by order; filled + working + remaining == quantity; and the parent completed.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections import Counter
from multiprocessing.connection import Connection, Listener
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.recovery import recover_execution
from slipstream.journal.sqlite import SqliteJournal
from slipstream.model.algo_events import AlgoFinished, AlgoStarted
from slipstream.model.events import OrderCreated
from slipstream.testing.stubs import btc_usdt
from slipstream.venues.sim.quote import QuoteVenue

HERE = Path(__file__).resolve().parent
ENGINE = HERE / "sigkill_engine.py"
SECOND = 1_000_000_000
START = 1_767_225_600 * SECOND
SYMBOL = "BTC/USDT"


class _HostContext:
    """The venue's context in the host: its own clock, and an outbox of timed messages."""

    def __init__(self) -> None:
        self.now = START
        self.out: list[tuple[int, Any]] = []

    def now_ns(self) -> int:
        return self.now

    def deliver(self, ts_ns: int, message: Any) -> None:
        self.out.append((ts_ns, message))

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng(0)


class VenueHost:
    """A :class:`QuoteVenue` that outlives engine processes; a seeded random-walk quote per second."""

    def __init__(self, seed: int) -> None:
        self.ctx = _HostContext()
        self.venue = QuoteVenue("sim", [btc_usdt("sim")], latency_ns=1_000_000)
        self.venue.attach(self.ctx)
        self.seed = seed
        self.second = START // SECOND
        self.bid = 6_000_000
        self.venue.set_quote(SYMBOL, self.bid, self.bid + 10)
        self.submitted: list[str] = []
        self.acked: list[str] = []
        self.done: tuple[str, ...] | None = None

    def _advance(self, now: int) -> None:
        while (self.second + 1) * SECOND <= now:
            self.second += 1
            self.ctx.now = max(self.ctx.now, self.second * SECOND)
            step = int(np.random.default_rng([self.seed, self.second]).integers(-3, 4))
            self.bid += step
            self.venue.set_quote(SYMBOL, self.bid, self.bid + 10)
        self.ctx.now = max(self.ctx.now, now)

    def handle(self, message: tuple[Any, ...], conn: Connection) -> None:
        kind = message[0]
        if kind in ("submit", "cancel", "replace"):
            self._advance(message[1])
            if kind == "submit":
                self.submitted.append(message[2].client_order_id)
                self.venue.submit(message[2])
            elif kind == "cancel":
                self.venue.cancel(message[2])
            else:
                self.venue.replace(*message[2:])
        elif kind == "poll":
            self._advance(message[1])
            out, self.ctx.out = self.ctx.out, []
            conn.send(out)
        elif kind == "open_orders":
            conn.send(self.venue.open_orders())
        elif kind == "fills_since":
            conn.send(self.venue.fills_since(message[1]))
        elif kind == "acked":
            self.acked.append(message[1])
        elif kind == "done":
            self.done = message[1:]

    def serve(self, journal: Path, kill_after: int | None, counting: str = "any") -> int:
        """Run one engine process; SIGKILL it once ``kill_after`` messages of kind ``counting``
        (``any`` or e.g. ``submit``) arrived. Returns its exit code."""
        authkey = secrets.token_bytes(16)
        with Listener(("127.0.0.1", 0), authkey=authkey) as listener:
            port = listener.address[1]
            proc = subprocess.Popen([sys.executable, str(ENGINE), str(journal), str(port), authkey.hex()])
            # never wait forever for a child that died before connecting
            listener._listener._socket.settimeout(120)  # type: ignore[attr-defined]
            try:
                with listener.accept() as conn:
                    received = 0
                    while True:
                        if not conn.poll(0.05):
                            if proc.poll() is not None:
                                break
                            continue
                        try:
                            message = conn.recv()
                        except EOFError:
                            break
                        received += counting in ("any", message[0])
                        self.handle(message, conn)
                        if kill_after is not None and received >= kill_after:
                            os.kill(proc.pid, signal.SIGKILL)
                            break
            finally:
                code = proc.wait(timeout=60)
        self.ctx.out.clear()  # reports in flight to a dead engine are lost
        return code


@pytest.mark.parametrize("seed", [3, 29])
def test_engine_killed_mid_parent_recovers_and_completes_exactly(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    host = VenueHost(seed)
    journal = tmp_path / "engine.db"
    kills = [(int(n), "any") for n in rng.integers(2, 600, size=2)]
    kills += [(int(n), "submit") for n in rng.integers(1, 20, size=2)]  # right after an order went out
    for kill_after, counting in kills:
        assert host.serve(journal, kill_after, counting) == -signal.SIGKILL
    assert host.serve(journal, None) == 0
    assert host.done is not None and host.done[0] == "done", host.done

    reader = SqliteJournal(journal, readonly=True)
    try:
        assert reader.verify().ok
        events = [e for _, e in reader.events()]
    finally:
        reader.close()
    started = {e.parent_id for e in events if isinstance(e, AlgoStarted)}
    assert set(host.acked) <= started  # every acknowledged command is durable
    created = [e.order.client_order_id for e in events if isinstance(e, OrderCreated)]
    assert len(created) == len(set(created))
    duplicates = [c for c, n in Counter(host.submitted).items() if n > 1]
    assert duplicates == []  # no client order id reached the venue twice
    assert set(host.submitted) <= set(created)  # nothing reached the venue before the journal had it
    assert any(isinstance(e, AlgoFinished) and e.state == "done" for e in events)

    engine = ExecutionEngine(journal=_Replay(events))
    recover_execution(engine)
    parent = engine.parent("P1")
    assert parent.filled_units + parent.working_units + parent.remaining_units == parent.quantity_units
    assert parent.filled_units == parent.quantity_units and parent.working_units == 0
    venue_lots = Counter()
    for report in host.venue.fills_since(0):
        assert report.fill is not None
        venue_lots[report.client_order_id] += report.fill.lots
    oms_lots = Counter({c: engine.oms.orders[c].filled_lots for c in parent.children
                        if engine.oms.orders[c].filled_lots})
    assert oms_lots == venue_lots  # nothing lost, nothing invented
    per_lot = engine.oms.orders[parent.children[0]].units_per_lot
    assert sum(venue_lots.values()) * per_lot == parent.filled_units + parent.excess_units


class _Replay:
    """A read-only in-memory journal of already-decoded events (for the final audit)."""

    def __init__(self, events: list[Any]) -> None:
        from slipstream.journal.memory import MemoryJournal

        self._journal = MemoryJournal()
        for event in events:
            self._journal.append(event)
        self._journal.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._journal, name)
