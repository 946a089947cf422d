"""The execution engine: one loop, one OMS, one journal, pre-trade risk and the venues.

Write-ahead rule: every state change is journaled, and requests to venues wait in an outbox
until the journal has flushed (group commit at each idle point of the loop), so after a crash
the journal always knows about every order a venue may have. Commands from outside the loop
(``submit_parent``, ``submit_order``…) return only once their events are durable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from slipstream.engine.clock import Clock, SimulatedClock
from slipstream.engine.loop import EventLoop
from slipstream.errors import ValidationError
from slipstream.journal.memory import MemoryJournal
from slipstream.journal.store import EventStore
from slipstream.model.events import Event
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.model.reports import ExecutionReport, FundingPayment, GasCharge
from slipstream.oms.manager import OrderManager
from slipstream.oms.orders import OrderState, ParentState
from slipstream.risk.base import NoRisk, PreTradeCheck
from slipstream.venues.base import Venue

__all__ = ["ExecutionEngine"]


class _Context:
    """The :class:`VenueContext` the engine lends each venue."""

    __slots__ = ("_loop", "_name")

    def __init__(self, loop: EventLoop, name: str) -> None:
        self._loop = loop
        self._name = name

    def now_ns(self) -> int:
        return self._loop.clock.now_ns()

    def deliver(self, ts_ns: int, message: Any) -> None:
        self._loop.schedule(ts_ns, message)

    def rng(self, name: str) -> np.random.Generator:
        return self._loop.rng_for(f"venue:{self._name}:{name}")


class ExecutionEngine:
    """Wires loop, OMS, journal, risk and venues.

    Args:
        venues: the venues to trade on; their instruments are registered with the OMS.
        journal: event store (default: in-memory, hash-chained).
        clock: default a simulated clock at 0.
        seed: seed of every random stream.
        risk: pre-trade check for child orders (default: approve all).
        publish_events: also publish every journaled event on the loop (for algos, TCA...).
    """

    def __init__(
        self,
        venues: Sequence[Venue] = (),
        *,
        journal: EventStore | None = None,
        clock: Clock | None = None,
        seed: int = 0,
        risk: PreTradeCheck | None = None,
        publish_events: bool = True,
    ) -> None:
        self.loop = EventLoop(clock if clock is not None else SimulatedClock(), seed)
        self.journal: EventStore = journal if journal is not None else MemoryJournal()
        self.oms = OrderManager()
        self.risk: PreTradeCheck = risk if risk is not None else NoRisk()
        self.venues: dict[str, Venue] = {}
        self.publish_events = publish_events
        self._outbox: list[tuple[str, Any]] = []
        self._in_loop = False
        self._unlisted = False
        self._replayers: list[Callable[[Event], None]] = []
        self._journaled: list[Callable[[Event], None]] = []
        for venue in venues:
            self.add_venue(venue)
        self.loop.subscribe(ExecutionReport, self._on_report)
        self.loop.subscribe(GasCharge, self._on_gas)
        self.loop.subscribe(FundingPayment, self._on_funding)
        self.loop.on_idle(self.commit)

    def add_venue(self, venue: Venue) -> None:
        self.venues[venue.venue_id] = venue
        for instrument in venue.instruments:
            self.oms.add_instrument(instrument)
        self._unlisted = True
        venue.attach(_Context(self.loop, venue.venue_id))
        subscriptions = getattr(venue, "loop_subscriptions", None)  # optional for third-party venues
        for message_type, handler in subscriptions() if subscriptions is not None else ():
            self.loop.subscribe(message_type, handler)

    def on_journaled(self, handler: Callable[[Event], None]) -> None:
        """Show every event to ``handler`` synchronously as it is journaled (before the loop
        dispatches it): for state that later decisions in the same handler must already see."""
        self._journaled.append(handler)

    def on_replay(self, handler: Callable[[Event], None]) -> None:
        """Also give every replayed journal event to ``handler`` (risk limits, algo state...)."""
        self._replayers.append(handler)

    def record(self, events: Iterable[Event]) -> None:
        """Journal events produced by a component (risk, algos, recorders); durable at the next
        commit, which happens before this returns when called from outside the loop."""
        self._record(events)
        self._done()

    @property
    def now_ns(self) -> int:
        return self.loop.clock.now_ns()

    # ---- journaling --------------------------------------------------------------------------------
    def _record(self, events: Iterable[Event]) -> None:
        if self._unlisted:  # instruments first, so every later event can be read on its own
            self._unlisted = False
            self._record(self.oms.list_instruments(self.now_ns))
        append = self.journal.append
        if self._journaled:  # observers that must see each event as it is written, not when dispatched
            observers = self._journaled
            for event in events:
                for observe in observers:
                    observe(event)
                append(event)
                if self.publish_events:
                    self.loop.publish(event)
        elif self.publish_events:
            publish = self.loop.publish
            for event in events:
                append(event)
                publish(event)
        else:
            for event in events:
                append(event)

    def commit(self) -> None:
        """Flush the journal, then release the venue requests that waited for it."""
        if self._unlisted:
            self._record(())
        self.journal.flush()
        if self._outbox:
            outbox, self._outbox = self._outbox, []
            for action, args in outbox:
                venue = self.venues[args[0]]
                if action == "submit":
                    venue.submit(args[1])
                elif action == "cancel":
                    venue.cancel(args[1])
                else:
                    venue.replace(args[1], args[2], args[3])

    def _done(self) -> None:
        if not self._in_loop:
            self.commit()

    # ---- commands ------------------------------------------------------------------------------------
    def deposit(self, venue: str, asset: str, amount: Decimal) -> None:
        self._record(self.oms.deposit(venue, asset, amount, self.now_ns))
        self._done()

    def submit_parent(self, parent: ParentOrder) -> ParentState:
        """Register a parent order (idempotent); durable when this returns."""
        self._record(self.oms.submit_parent(parent, self.now_ns))
        self._done()
        return self.oms.parents[parent.parent_id]

    def cancel_parent(self, parent_id: str, reason: str = "") -> None:
        """Stop a parent and cancel its working children."""
        self._record(self.oms.cancel_parent(parent_id, self.now_ns, reason))
        for coid in self.oms.parents[parent_id].children:
            if not self.oms.orders[coid].status.is_terminal:
                self._cancel(coid)
        self._done()

    def submit_order(self, order: ChildOrder) -> OrderState:
        """Create, risk-check and send a child order. Same client order id ⇒ same order, sent once.

        Raises:
            ValidationError: the OMS refused the order (nothing recorded).
        """
        oms = self.oms
        coid = order.client_order_id
        existing = oms.orders.get(coid)
        if existing is not None:
            self._record(oms.create_order(order, self.loop.clock.now_ns()))  # raises if a different order
            self._done()
            return existing
        now = self.loop.clock.now_ns()
        created = oms.create_order(order, now)
        fast = not (self._unlisted or self.publish_events)  # journal only: what _record does, inlined
        if fast:
            append = self.journal.append
            for event in created:
                append(event)
        else:
            self._record(created)
        # journaled before risk runs (a risk check may record events of its own)
        state = oms.orders[coid]
        denial = self.risk.check(order, state.instrument)
        if denial is not None:
            self._record(oms.deny(coid, denial.code, denial.detail, now))
        else:
            submitted = oms.mark_submitted(coid, now)
            if fast:
                for event in submitted:
                    append(event)
            else:
                self._record(submitted)
            self._outbox.append(("submit", (order.venue, order)))
        if not self._in_loop:
            self.commit()
        return state

    def cancel_order(self, client_order_id: str) -> None:
        self._cancel(client_order_id)
        self._done()

    def _cancel(self, client_order_id: str) -> None:
        events = self.oms.request_cancel(client_order_id, self.now_ns)
        if events:
            self._record(events)
            self._outbox.append(("cancel", (self.oms.orders[client_order_id].order.venue, client_order_id)))

    def replace_order(self, client_order_id: str, price_units: int | None, lots: int) -> None:
        self._record(self.oms.request_replace(client_order_id, price_units, lots, self.now_ns))
        venue = self.oms.orders[client_order_id].order.venue
        self._outbox.append(("replace", (venue, client_order_id, price_units, lots)))
        self._done()

    # ---- reports ------------------------------------------------------------------------------------
    def _on_report(self, report: ExecutionReport) -> None:
        events = self.oms.on_report(report, self.loop.clock.now_ns())
        if self._unlisted or self.publish_events:
            self._record(events)
        else:  # hot path with the journal only: what _record does
            append = self.journal.append
            for event in events:
                append(event)

    def _on_gas(self, charge: GasCharge) -> None:
        self._record(self.oms.on_gas_charge(charge, self.now_ns))

    def _on_funding(self, payment: FundingPayment) -> None:
        self._record(self.oms.on_funding(payment, self.now_ns))

    # ---- running ------------------------------------------------------------------------------------
    def run(self, until_ns: int | None = None) -> None:
        """Process messages (simulated time) until idle or ``until_ns``."""
        self._in_loop = True
        try:
            self.loop.run(until_ns)
        finally:
            self._in_loop = False
            self.commit()

    # ---- recovery -------------------------------------------------------------------------------------
    @classmethod
    def recover(cls, journal: EventStore, venues: Sequence[Venue] = (), **kwargs: Any) -> ExecutionEngine:
        """Rebuild state by replaying ``journal`` (chain-checked), then keep journaling to it.

        Raises:
            JournalCorrupt: the chain is broken; nothing is rebuilt from a bad journal.
        """
        engine = cls(venues, journal=journal, **kwargs)
        engine.replay()
        return engine

    def replay(self) -> int:
        """Apply every event already in the journal to the OMS and the replay handlers; returns
        how many. Call once, on an engine whose state is empty, before new commands.

        Raises:
            JournalCorrupt: the chain is broken; nothing is rebuilt past the bad entry.
        """
        last_ts = 0
        count = 0
        replayers = self._replayers
        for _, event in self.journal.events():
            self.oms.apply(event)
            for handler in replayers:
                handler(event)
            last_ts = event.ts_ns
            count += 1
        clock = self.loop.clock
        if isinstance(clock, SimulatedClock) and clock.now_ns() < last_ts:
            clock.advance_to(last_ts)
        return count

    def reconcile(self) -> list[Event]:
        """Ask every venue for open orders and fills and apply what the journal lacks."""
        recorded: list[Event] = []
        for venue_id, venue in sorted(self.venues.items()):
            reports = venue.fills_since(0) + venue.open_orders()
            for report in reports:
                state = self.oms.orders.get(report.client_order_id)
                if state is None or state.order.venue != venue_id:
                    continue
                if report.fill is not None and report.fill.trade_id in state.trade_ids:
                    continue
                events = self.oms.on_report(report, self.now_ns)
                self._record(events)
                recorded.extend(events)
        self._done()
        return recorded

    def parent(self, parent_id: str) -> ParentState:
        state = self.oms.parents.get(parent_id)
        if state is None:
            raise ValidationError(f"unknown parent order {parent_id}")
        return state
