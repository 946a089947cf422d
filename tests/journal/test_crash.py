"""Crash test: a process writing orders is killed with SIGKILL at random points; after restart
every acknowledged command is in the journal and the hash chain verifies."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from slipstream.engine.execution import ExecutionEngine
from slipstream.journal import SqliteJournal
from slipstream.model.enums import OrderStatus
from slipstream.testing.stubs import btc_usdt
from slipstream.venues.sim.quote import QuoteVenue

WRITER = Path(__file__).with_name("crash_writer.py")


def test_sigkill_loses_nothing_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    rng = random.Random(1234)
    acked: set[str] = set()
    start = 0
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(path), str(start)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert proc.stdout is not None
        target = rng.randint(5, 60)
        seen = 0
        deadline = time.monotonic() + 60
        while seen < target and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked.add(line.split()[1])
            seen += 1
        time.sleep(rng.random() * 0.02)  # kill somewhere inside the next write
        proc.send_signal(signal.SIGKILL)
        for line in proc.stdout:  # acks printed before the kill landed
            acked.add(line.split()[1])
        proc.wait()
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        journal = SqliteJournal(path, readonly=True)
        result = journal.verify()
        assert result.ok, result
        engine = ExecutionEngine.recover(journal, [QuoteVenue("sim", [btc_usdt()])])
        missing = acked - set(engine.oms.orders)
        assert not missing, f"acknowledged but lost: {sorted(missing)[:5]}"
        journal.close()
        start = max(int(c[1:]) for c in engine.oms.orders) + 1 if engine.oms.orders else 0
    assert len(acked) >= 30
    final = ExecutionEngine.recover(SqliteJournal(path, readonly=True), [QuoteVenue("sim", [btc_usdt()])])
    statuses = {s.status for s in final.oms.orders.values()}
    assert statuses <= {OrderStatus.FILLED, OrderStatus.PENDING_NEW, OrderStatus.NEW, OrderStatus.ACCEPTED}
