"""Prometheus metrics of one engine, on a private registry (never the process-global one).

:func:`instrument_engine` subscribes to the journaled events an ``ExecutionEngine`` publishes on
its loop (``publish_events=True``) and keeps counts of orders by state, fills, rejects by reason,
venue health, the kill switch and parent progress. Latencies that the engine cannot see as events
(route decisions, loop lag, journal writes) are observed through :class:`Metrics` methods,
:class:`TimedJournal` and :class:`LoopLagProbe`. Metrics observe; they never change engine state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from slipstream.engine.loop import TimerFired
from slipstream.journal.codec import event_types
from slipstream.journal.store import EventStore, JournalEntry, VerifyResult
from slipstream.model import risk_events as _risk_events  # noqa: F401  (so their types subscribe)
from slipstream.model.events import (
    Event,
    OrderDenied,
    OrderFilled,
    OrderRejected,
    ParentOrderSubmitted,
)
from slipstream.model.risk_events import KillSwitchEngaged, KillSwitchReleased, VenueHealthChanged

__all__ = ["HEALTH_VALUE", "LoopLagProbe", "Metrics", "TimedJournal", "instrument_engine"]

HEALTH_VALUE = {"healthy": 0, "degraded": 1, "down": 2}
"""Gauge value of each venue health state."""

_LATENCY_BUCKETS = (1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1.0)


class Metrics:
    """The metric families, registered on ``registry`` (a fresh one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None, namespace: str = "slipstream") -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r, ns = self.registry, namespace
        self.orders = Gauge("orders", "Child orders by current state.", ["state"], namespace=ns, registry=r)
        self.order_events = Counter("order_events", "Journaled events by type.", ["type"], namespace=ns, registry=r)
        self.fills = Counter("fills", "Fills by venue and liquidity.", ["venue", "liquidity"], namespace=ns,
                             registry=r)
        self.filled_lots = Counter("filled_lots", "Filled lots by venue and symbol.", ["venue", "symbol"],
                                   namespace=ns, registry=r)
        self.rejects = Counter("rejects", "Refused orders by source (risk, venue) and reason.",
                               ["source", "reason"], namespace=ns, registry=r)
        self.route_decision = Histogram("route_decision_seconds", "Time to decide one route.", namespace=ns,
                                        registry=r, buckets=_LATENCY_BUCKETS)
        self.loop_lag = Histogram("event_loop_lag_seconds", "Timer dispatch delay behind its due time.",
                                  namespace=ns, registry=r, buckets=_LATENCY_BUCKETS)
        self.journal_write = Histogram("journal_write_seconds", "Journal append and flush time.", ["operation"],
                                       namespace=ns, registry=r, buckets=_LATENCY_BUCKETS)
        self.venue_health = Gauge("venue_health", "Venue health: 0 healthy, 1 degraded, 2 down.", ["venue"],
                                  namespace=ns, registry=r)
        self.kill_switch = Gauge("kill_switch_engaged", "1 while the kill switch is engaged.", namespace=ns,
                                 registry=r)
        self.parent_progress = Gauge("parent_progress_ratio", "Filled share of each parent order.", ["parent_id"],
                                     namespace=ns, registry=r)

    def observe_route_decision(self, seconds: float) -> None:
        self.route_decision.observe(seconds)

    def observe_loop_lag(self, seconds: float) -> None:
        self.loop_lag.observe(seconds)

    def exposition(self) -> bytes:
        """The Prometheus text exposition of this registry."""
        return generate_latest(self.registry)


def instrument_engine(engine: Any, metrics: Metrics) -> Callable[[Event], None]:
    """Count ``engine``'s journaled events into ``metrics`` (needs ``publish_events=True``).

    Orders by state read the OMS when each event is handled, so the gauge converges to the OMS
    even when several events of one order are handled together.

    Returns:
        The handler (subscribed to every event type known now).
    """
    states: dict[str, str] = {}
    oms = engine.oms

    def track(client_order_id: str) -> None:
        state = oms.orders.get(client_order_id)
        if state is None:
            return
        new = state.status.value
        old = states.get(client_order_id)
        if old == new:
            return
        if old is not None:
            metrics.orders.labels(old).dec()
        metrics.orders.labels(new).inc()
        states[client_order_id] = new

    def progress(parent_id: str | None) -> None:
        parent = oms.parents.get(parent_id) if parent_id is not None else None
        if parent is not None and parent.quantity_units:
            metrics.parent_progress.labels(parent_id).set(parent.filled_units / parent.quantity_units)

    def handle(event: Event) -> None:
        metrics.order_events.labels(type(event).__name__).inc()
        coid = getattr(event, "client_order_id", None)
        if coid is None and hasattr(event, "order"):
            coid = event.order.client_order_id
        if coid is not None:
            track(coid)
        if isinstance(event, OrderFilled):
            order = oms.orders[event.client_order_id].order
            metrics.fills.labels(order.venue, event.fill.liquidity.value).inc()
            metrics.filled_lots.labels(order.venue, order.symbol).inc(event.fill.lots)
            progress(order.parent_id)
        elif isinstance(event, OrderDenied):
            metrics.rejects.labels("risk", event.code).inc()
        elif isinstance(event, OrderRejected):
            metrics.rejects.labels("venue", event.reason.split(":", 1)[0] or "unspecified").inc()
        elif isinstance(event, ParentOrderSubmitted):
            progress(event.parent.parent_id)
        elif isinstance(event, VenueHealthChanged):
            metrics.venue_health.labels(event.venue).set(HEALTH_VALUE.get(event.current, 2))
        elif isinstance(event, KillSwitchEngaged):
            metrics.kill_switch.set(1)
        elif isinstance(event, KillSwitchReleased):
            metrics.kill_switch.set(0)

    for event_type in event_types():
        engine.loop.subscribe(event_type, handle)
    return handle


class LoopLagProbe:
    """Measures how late the loop dispatches a periodic timer (0 under a simulated clock).

    Args:
        engine: anything with a ``loop`` (``set_timer``, ``subscribe``, ``clock``).
        metrics: where the lag goes.
        interval_ns: probe period.
        name: timer name.
    """

    def __init__(self, engine: Any, metrics: Metrics, interval_ns: int, name: str = "metrics:loop-lag") -> None:
        self._loop = engine.loop
        self._metrics = metrics
        self._name = name
        self._loop.subscribe(TimerFired, self._on_timer)
        self._loop.set_timer(name, self._loop.clock.now_ns() + interval_ns, interval_ns)

    def _on_timer(self, timer: TimerFired) -> None:
        if timer.name == self._name:
            lag_ns = max(0, self._loop.clock.now_ns() - timer.ts_ns)
            self._metrics.observe_loop_lag(lag_ns / 1e9)

    def stop(self) -> None:
        self._loop.cancel_timer(self._name)


class TimedJournal:
    """An :class:`EventStore` wrapper timing ``append`` and ``flush`` into ``journal_write_seconds``.

    Args:
        inner: the real journal.
        metrics: where timings go.
        timer: seconds counter (default ``time.perf_counter``; inject one in tests).
    """

    def __init__(self, inner: EventStore, metrics: Metrics, timer: Callable[[], float] = time.perf_counter) -> None:
        self.inner = inner
        self._metrics = metrics
        self._timer = timer

    @property
    def head_sequence(self) -> int:
        return self.inner.head_sequence

    @property
    def head_hash(self) -> bytes:
        return self.inner.head_hash

    def append(self, event: Event) -> int:
        start = self._timer()
        sequence = self.inner.append(event)
        self._metrics.journal_write.labels("append").observe(self._timer() - start)
        return sequence

    def flush(self) -> None:
        start = self._timer()
        self.inner.flush()
        self._metrics.journal_write.labels("flush").observe(self._timer() - start)

    def entries(self, start: int = 1) -> Iterator[JournalEntry]:
        return self.inner.entries(start)

    def events(self, start: int = 1) -> Iterator[tuple[int, Event]]:
        return self.inner.events(start)

    def verify(self) -> VerifyResult:
        return self.inner.verify()

    def close(self) -> None:
        self.inner.close()
