"""The engine side of the SIGKILL test, run as its own process (``python sigkill_engine.py``).

It works one TWAP parent against a venue that lives in the *test* process and is reached over a
loopback socket (:class:`RemoteVenue`), journaling to SQLite. The test kills this process with
SIGKILL at random moments and starts it again on the same journal: on a non-empty journal it
takes the recovery path (replay, reconcile with the remote venue, resume the algo). The venue
survives every kill, as a real exchange would.

Protocol (pickled tuples over ``multiprocessing.connection``): engine → venue ``("submit", now,
order)``, ``("cancel", now, client_order_id)``, ``("replace", now, ...)``, ``("poll", now)``,
``("open_orders",)``, ``("fills_since", ts)``, ``("acked", parent_id)``, ``("done", status)``;
the venue answers only ``poll`` (timed messages to deliver), ``open_orders`` and ``fills_since``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from decimal import Decimal
from multiprocessing.connection import Client, Connection
from typing import Any

from slipstream.algos import AlgoParams, TwapAlgo
from slipstream.engine.clock import SimulatedClock
from slipstream.engine.execution import ExecutionEngine
from slipstream.engine.executor import AlgoEngine, AlgoState, TopOfBookRouter
from slipstream.engine.loop import TimerFired
from slipstream.engine.recovery import recover_execution
from slipstream.engine.supervisor import SupervisorConfig, VenueSupervisor
from slipstream.journal.sqlite import SqliteJournal
from slipstream.model.enums import Side
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.model.reports import ExecutionReport
from slipstream.testing.stubs import btc_usdt
from slipstream.venues.base import VenueContext, VenueHealth

SECOND = 1_000_000_000
START = 1_767_225_600 * SECOND
POLL_NS = 100_000_000
MINUTES = 5
PARENT = ParentOrder(parent_id="P1", account="desk", symbol="BTC/USDT", side=Side.BUY, quantity=Decimal("1"),
                     quantity_unit=Decimal("0.00001"), start_ts_ns=START + SECOND,
                     end_ts_ns=START + SECOND + MINUTES * 60 * SECOND)
PARAMS = AlgoParams(slice_interval=timedelta(seconds=5))


class RemoteVenue:
    """A :class:`~slipstream.venues.base.Venue` whose matching engine is in another process."""

    def __init__(self, conn: Connection, instrument: Instrument) -> None:
        self._conn = conn
        self._instrument = instrument
        self._ctx: VenueContext | None = None

    @property
    def venue_id(self) -> str:
        return self._instrument.venue

    @property
    def instruments(self) -> Sequence[Instrument]:
        return [self._instrument]

    def attach(self, context: VenueContext) -> None:
        self._ctx = context

    def loop_subscriptions(self) -> Sequence[tuple[type, Callable[[Any], None]]]:
        return [(TimerFired, self._on_timer)]

    def _now(self) -> int:
        assert self._ctx is not None
        return self._ctx.now_ns()

    def submit(self, order: ChildOrder) -> None:
        self._conn.send(("submit", self._now(), order))

    def cancel(self, client_order_id: str) -> None:
        self._conn.send(("cancel", self._now(), client_order_id))

    def replace(self, client_order_id: str, price_units: int | None, lots: int) -> None:
        self._conn.send(("replace", self._now(), client_order_id, price_units, lots))

    def open_orders(self) -> list[ExecutionReport]:
        self._conn.send(("open_orders",))
        reports: list[ExecutionReport] = self._conn.recv()
        return reports

    def fills_since(self, ts_ns: int) -> list[ExecutionReport]:
        self._conn.send(("fills_since", ts_ns))
        reports: list[ExecutionReport] = self._conn.recv()
        return reports

    def health(self) -> VenueHealth:
        return VenueHealth.HEALTHY

    def balances(self) -> dict[str, Decimal]:
        return {}

    def _on_timer(self, timer: TimerFired) -> None:
        if timer.name != "remote:poll":
            return
        assert self._ctx is not None
        self._conn.send(("poll", timer.ts_ns))
        for ts, message in self._conn.recv():
            self._ctx.deliver(ts, message)


def main(journal_path: str, port: int, authkey: bytes) -> None:
    conn = Client(("127.0.0.1", port), authkey=authkey)
    journal = SqliteJournal(journal_path)
    fresh = journal.head_sequence == 0
    venue = RemoteVenue(conn, btc_usdt("sim"))
    engine = ExecutionEngine([venue], journal=journal, clock=SimulatedClock(START), seed=11)
    config = SupervisorConfig(request_timeout=timedelta(seconds=2))
    supervisor = VenueSupervisor(engine, config=config)
    algos = AlgoEngine(engine)
    algos.router = TopOfBookRouter(supervisor.guard(algos.market), slippage_units=20)
    if not fresh:
        recover_execution(engine, algos, reconciler=supervisor.reconciler, min_age_ns=0)
    loop = engine.loop
    loop.set_timer("remote:poll", max(engine.now_ns, START) + POLL_NS, POLL_NS)
    supervisor.start()
    engine.run(max(engine.now_ns, START) + 2 * POLL_NS)  # see the market before (re)starting
    if PARENT.parent_id not in algos.runs:  # never acknowledged before a kill: the client retries
        algos.start(PARENT, TwapAlgo(), PARAMS)
        conn.send(("acked", PARENT.parent_id))
    end = PARENT.end_ts_ns or 0
    while engine.now_ns < end + 60 * SECOND and algos.status("P1").state is AlgoState.RUNNING:
        engine.run(engine.now_ns + SECOND)
    status = algos.status("P1")
    journal.close()
    conn.send(("done", status.state.value, str(status.filled)))
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3]))
