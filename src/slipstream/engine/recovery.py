"""Reconciliation with the venues, and the restart path of a crashed engine.

:class:`Reconciler` asks one venue for its open orders and its fills since a checkpoint and
makes the OMS agree with it, journaling every correction (:mod:`slipstream.model.recon_events`):

1. open orders the journal does not know are *orphans*: adopted (an OMS order is created from a
   description the caller supplies — a venue's STATUS report carries neither symbol nor side)
   or cancelled, by policy;
2. fills we never received are applied (late fills after a cancel included, never dropped);
3. an order the venue shows open while we still wait for its ack is accepted;
4. an order we believe working that the venue has neither open nor filled is closed
   (``CANCELED`` if the venue ever knew it, else ``REJECTED``: its request never arrived), so
   its quantity returns to the parent — but only once its last request is ``min_age_ns`` old,
   so a request still on the wire is not mistaken for a lost one.

:func:`recover_execution` is the restart: replay the journal (OMS, risk, breaker, algo
records), reconcile every venue, then resume each parent's algo from where it truly is
(:meth:`~slipstream.engine.executor.AlgoEngine.restore`). Nothing is sent twice: the write-ahead
outbox means the journal knows every order a venue may have, and restored runs number new
children after every id already used.

Assumptions: the venue answers ``open_orders``/``fills_since`` consistently at one moment;
fills carry unique trade ids; a cancel resent for an orphan or an unanswered cancel is sent
straight to the venue after the journal is flushed (a cancel is idempotent at the venue).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from slipstream.algos.params import AlgoParams
from slipstream.algos.registry import make_algo
from slipstream.engine.executor import AlgoEngine, AlgoState
from slipstream.errors import ValidationError
from slipstream.model.algo_events import (
    AlgoFinished,
    AlgoStarted,
    ParentOrderAmended,
    ParentOrderPaused,
    ParentOrderResumed,
)
from slipstream.model.enums import OrderStatus
from slipstream.model.events import (
    Event,
    OrderCreated,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderStatusUnknown,
    OrderSubmitted,
    ParentOrderCanceled,
    ReportIgnored,
)
from slipstream.model.orders import ChildOrder
from slipstream.model.recon_events import (
    DiscrepancyRecorded,
    OrphanOrderFound,
    ReconciliationCompleted,
    ReconciliationStarted,
)
from slipstream.model.reports import ExecutionReport, ReportKind

if TYPE_CHECKING:
    from slipstream.algos.base import ExecutionAlgo
    from slipstream.engine.execution import ExecutionEngine

__all__ = ["AlgoRecord", "OrphanPolicy", "Reconciler", "RecoveryReport", "recover_execution"]

_S = OrderStatus
_AWAITING_ACK = (_S.NEW, _S.PENDING_NEW, _S.UNKNOWN)
DescribeOrphan = Callable[[str, ExecutionReport], ChildOrder | None]
"""``(venue, STATUS report) -> the order to adopt`` (``None``: cannot describe it; cancel)."""


class OrphanPolicy(str, Enum):
    ADOPT = "adopt"
    CANCEL = "cancel"


class Reconciler:
    """Makes the OMS agree with what each venue says (see the module docstring).

    Args:
        engine: the execution engine (its venues are asked; corrections are journaled through it).
        orphan_policy: what to do with open orders the journal does not know.
        describe_orphan: builds the order to adopt from the venue's report (ADOPT only).
        min_age_ns: default age a request must reach before its order may be closed as absent.
    """

    def __init__(
        self,
        engine: ExecutionEngine,
        *,
        orphan_policy: OrphanPolicy = OrphanPolicy.CANCEL,
        describe_orphan: DescribeOrphan | None = None,
        min_age_ns: int = 0,
    ) -> None:
        self.engine = engine
        self.orphan_policy = orphan_policy
        self.describe_orphan = describe_orphan
        self.min_age_ns = min_age_ns
        self.checkpoints: dict[str, int] = {}
        self._last_request: dict[str, int] = {}
        self._created: dict[str, int] = {}
        self._orphans_seen: set[tuple[str, str]] = set()
        engine.on_replay(self.observe)
        engine.on_journaled(self.observe)

    def observe(self, event: Event) -> None:
        """Track request times and checkpoints: on replay, and live as each event is journaled
        (not when the loop dispatches it, which may be after a same-time reconciliation)."""
        if isinstance(event, OrderCreated):
            coid = event.order.client_order_id
            self._created[coid] = self._last_request[coid] = event.ts_ns
        elif isinstance(event, OrderSubmitted | OrderPendingCancel | OrderPendingReplace | OrderStatusUnknown):
            self._last_request[event.client_order_id] = event.ts_ns
        elif isinstance(event, ReconciliationCompleted):
            self.checkpoints[event.venue] = event.checkpoint_ns

    def request_age_ns(self, client_order_id: str) -> int | None:
        """How long ago the order's last request was made (``None``: not tracked)."""
        last = self._last_request.get(client_order_id)
        return None if last is None else self.engine.now_ns - last

    # ---- reconciliation -----------------------------------------------------------------------------
    def reconcile_all(self, reason: str, min_age_ns: int | None = None) -> list[ReconciliationCompleted]:
        return [self.reconcile(venue, reason, min_age_ns) for venue in sorted(self.engine.venues)]

    def reconcile(self, venue_id: str, reason: str, min_age_ns: int | None = None) -> ReconciliationCompleted:
        """Reconcile one venue; every correction is journaled (durable on return outside the loop).

        Raises:
            ValidationError: unknown venue.
        """
        venue = self.engine.venues.get(venue_id)
        if venue is None:
            raise ValidationError(f"unknown venue {venue_id}")
        min_age = self.min_age_ns if min_age_ns is None else min_age_ns
        engine, oms, now = self.engine, self.engine.oms, self.engine.now_ns
        since = self.checkpoints.get(venue_id, 0)
        engine.record((ReconciliationStarted(ts_ns=now, venue=venue_id, reason=reason, since_ns=since),))
        open_reports = sorted(venue.open_orders(), key=lambda r: r.client_order_id)
        fills = sorted((r for r in venue.fills_since(since) if r.fill is not None),
                       key=lambda r: (r.venue_ts_ns, r.fill.trade_id if r.fill else ""))
        counts = {"fills": 0, "closed": 0, "orphans": 0, "discrepancies": 0}
        cancels: list[str] = []

        def note(coid: str, kind: str, detail: str) -> None:
            counts["discrepancies"] += 1
            engine.record((DiscrepancyRecorded(ts_ns=now, venue=venue_id, client_order_id=coid, kind=kind,
                                               detail=detail),))

        open_ids: set[str] = set()
        for report in open_reports:  # 1. orphans
            coid = report.client_order_id
            open_ids.add(coid)
            state = oms.orders.get(coid)
            if state is None or state.order.venue != venue_id:
                counts["orphans"] += 1
                if not self._adopt(venue_id, report):
                    cancels.append(coid)
                    if self.orphan_policy is OrphanPolicy.ADOPT:
                        note(coid, "orphan_not_adopted", "no description of the order; cancelled")
        for report in fills:  # 2. fills we missed
            fill = report.fill
            assert fill is not None
            coid = report.client_order_id
            state = oms.orders.get(coid)
            if state is None or state.order.venue != venue_id:
                if (coid, fill.trade_id) not in self._orphans_seen:
                    self._orphans_seen.add((coid, fill.trade_id))
                    note(coid, "orphan_fill", f"trade {fill.trade_id}: {fill.lots} lots at {fill.price_units}")
                continue
            if fill.trade_id in state.trade_ids:
                continue
            engine.record(oms.on_report(report, now))
            counts["fills"] += 1
            note(coid, "missing_fill", f"trade {fill.trade_id}: {fill.lots} lots at {fill.price_units}")
        for report in open_reports:  # 3. acks we missed, cancels that went unanswered
            state = oms.orders.get(report.client_order_id)
            if state is None or state.order.venue != venue_id:
                continue
            coid = report.client_order_id
            if state.status in _AWAITING_ACK:
                before = state.status
                events = oms.on_report(report, now)
                engine.record(events)
                if events and not isinstance(events[0], ReportIgnored):
                    note(coid, "status", f"ours {before.value}, venue {report.status.value if report.status else '?'}")
            elif state.status is _S.PENDING_CANCEL and self._old(coid, min_age):
                cancels.append(coid)
                note(coid, "cancel_resent", "venue still has the order open")
        for state in oms.working_orders(venue_id):  # 4. working here, absent there
            coid = state.order.client_order_id
            if coid in open_ids or not self._old(coid, min_age):
                continue
            known = bool(state.venue_order_id) or state.filled_lots > 0 or state.status not in _AWAITING_ACK
            status = _S.CANCELED if known else _S.REJECTED
            report = ExecutionReport(venue=venue_id, client_order_id=coid, kind=ReportKind.STATUS,
                                     venue_ts_ns=now, receive_ts_ns=now, status=status,
                                     reason="reconciliation: not open at the venue")
            before = state.status
            events = oms.on_report(report, now)
            engine.record(events)
            if state.status.is_terminal:
                counts["closed"] += 1
                note(coid, "closed_at_venue", f"ours {before.value}; closed as {state.status.value}")
        working = [self._created.get(s.order.client_order_id, since) for s in oms.working_orders(venue_id)]
        checkpoint = min([now, *working])
        done = ReconciliationCompleted(ts_ns=now, venue=venue_id, fills_applied=counts["fills"],
                                       orders_closed=counts["closed"], orphans=counts["orphans"],
                                       discrepancies=counts["discrepancies"], checkpoint_ns=checkpoint)
        engine.record((done,))
        self.checkpoints[venue_id] = checkpoint
        engine.commit()  # journal first, then the cancels it explains
        for coid in cancels:
            venue.cancel(coid)
        return done

    def _old(self, client_order_id: str, min_age_ns: int) -> bool:
        age = self.request_age_ns(client_order_id)
        return age is not None and age >= min_age_ns

    def _adopt(self, venue_id: str, report: ExecutionReport) -> bool:
        """Adopt an orphan as an OMS order (policy and description permitting); journals the
        :class:`OrphanOrderFound` either way. Returns whether it was adopted."""
        engine, oms, now = self.engine, self.engine.oms, self.engine.now_ns
        order = None
        if self.orphan_policy is OrphanPolicy.ADOPT and self.describe_orphan is not None:
            order = self.describe_orphan(venue_id, report)
        events: list[Event] = []
        if order is not None and order.client_order_id == report.client_order_id and order.venue == venue_id:
            try:
                events = oms.create_order(order, now)
            except ValidationError:
                events = []
        adopted = bool(events)
        engine.record((OrphanOrderFound(ts_ns=now, venue=venue_id, client_order_id=report.client_order_id,
                                        venue_order_id=report.venue_order_id, leaves_lots=report.leaves_lots,
                                        policy=(OrphanPolicy.ADOPT if adopted else OrphanPolicy.CANCEL).value),))
        if adopted:
            engine.record(events)
            engine.record(oms.mark_submitted(report.client_order_id, now))
            engine.record(oms.on_report(report, now))
        return adopted


# ---- restart ----------------------------------------------------------------------------------------
@dataclass(slots=True)
class AlgoRecord:
    """What the journal says about one parent's algo."""

    algo: str
    params: str
    paused: bool = False
    amended: bool = False
    finished: str | None = None
    canceled: bool = False


@dataclass(slots=True)
class _AlgoJournal:
    records: dict[str, AlgoRecord] = field(default_factory=dict)
    canceled: set[str] = field(default_factory=set)

    def observe(self, event: Event) -> None:
        if isinstance(event, AlgoStarted):
            self.records[event.parent_id] = AlgoRecord(event.algo, event.params)
            return
        if isinstance(event, ParentOrderCanceled):
            self.canceled.add(event.parent_id)
            return
        pid = event.parent.parent_id if isinstance(event, ParentOrderAmended) else getattr(event, "parent_id", None)
        record = self.records.get(pid) if isinstance(pid, str) else None
        if record is None:
            return
        if isinstance(event, ParentOrderPaused):
            record.paused = True
        elif isinstance(event, ParentOrderResumed):
            record.paused = False
        elif isinstance(event, ParentOrderAmended):
            record.amended = True
        elif isinstance(event, AlgoFinished):
            record.finished = event.state


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What a restart found and did: events replayed, each venue's reconciliation, and the
    parents resumed, left paused, cancelled (a cancel the crash interrupted) or already finished."""

    events_replayed: int
    reconciliations: tuple[ReconciliationCompleted, ...]
    resumed: tuple[str, ...]
    paused: tuple[str, ...]
    cancelled: tuple[str, ...]
    finished: tuple[str, ...]


def recover_execution(
    engine: ExecutionEngine,
    algos: AlgoEngine | None = None,
    *,
    reconciler: Reconciler | None = None,
    replayers: Iterable[Callable[[Event], None]] = (),
    min_age_ns: int = 0,
    make: Callable[[str], ExecutionAlgo] = make_algo,
) -> RecoveryReport:
    """Restart: replay ``engine``'s journal, reconcile every venue, resume the algos.

    Args:
        engine: a fresh engine on the crashed engine's journal and venues (nothing replayed yet).
        algos: the fresh algo engine whose runs are restored (``None``: OMS only).
        reconciler: the reconciler to use (default: cancel orphans).
        replayers: more replay handlers (risk ``apply``, circuit breaker ``apply``...).
        min_age_ns: orders whose last request is younger are not closed as absent at restart
            (a later reconciliation settles them).
        make: builds an algo from its journaled name.

    Raises:
        JournalCorrupt: the journal's chain is broken (nothing is resumed).
        ValidationError: a journaled algo name or parameter set cannot be rebuilt.
    """
    tracker = _AlgoJournal()
    engine.on_replay(tracker.observe)
    reconciler = reconciler if reconciler is not None else Reconciler(engine)
    for handler in replayers:
        engine.on_replay(handler)
    replayed = engine.replay()
    summaries = tuple(reconciler.reconcile_all("restart", min_age_ns))
    resumed: list[str] = []
    paused: list[str] = []
    cancelled: list[str] = []
    finished: list[str] = []
    if algos is not None:
        for pid, record in sorted(tracker.records.items()):
            if pid in algos.runs or pid not in engine.oms.parents:
                continue
            algo, params = make(record.algo), AlgoParams.decode(record.params)
            if record.finished is not None:
                algos.restore(pid, algo, params, state=AlgoState(record.finished))
                finished.append(pid)
            elif pid in tracker.canceled:  # the crash fell between the parent's cancel and its end
                algos.restore(pid, algo, params, state=AlgoState.PAUSED)
                algos.cancel(pid, "cancel completed after restart")
                cancelled.append(pid)
            elif record.paused:
                algos.restore(pid, algo, params, state=AlgoState.PAUSED)
                paused.append(pid)
            else:
                algos.restore(pid, algo, params, amended=record.amended)
                resumed.append(pid)
    engine.commit()
    return RecoveryReport(replayed, summaries, tuple(resumed), tuple(paused), tuple(cancelled), tuple(finished))
