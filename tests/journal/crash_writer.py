"""Child process for the crash test: submits orders forever, printing each acknowledgement
(after the journal flush) on stdout, until it is killed."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

from slipstream.engine.execution import ExecutionEngine
from slipstream.journal import SqliteJournal
from slipstream.testing.stubs import btc_usdt, child, parent
from slipstream.venues.sim.quote import QuoteVenue


def main(path: str, start: int) -> None:
    journal = SqliteJournal(Path(path))
    venues = [QuoteVenue("sim", [btc_usdt()], latency_ns=1_000)]
    engine = ExecutionEngine.recover(journal, venues)
    venues[0].set_quote("BTC/USDT", 5_999_990, 6_000_000)
    if "P1" not in engine.oms.parents:
        engine.submit_parent(parent(quantity="100000"))
        engine.deposit("sim", "USDT", Decimal(10**9))
    i = start
    while True:
        coid = f"c{i}"
        engine.submit_order(child(coid, lots=1_000))  # returns after the journal flush
        sys.stdout.write(f"ack {coid}\n")
        sys.stdout.flush()
        engine.run()
        i += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
