"""Venue supervision inside the engine loop: health signals in, circuit breaker and fail-over out.

:class:`VenueSupervisor` feeds a :class:`~slipstream.venues.health.VenueHealthMonitor` from what
the loop already carries — market data arrivals (staleness), ``OrderSubmitted`` → ``OrderAccepted``
(acknowledgement latency; a request still unanswered after ``request_timeout`` counts as a
latency sample of its age), venue rejects (``RATE_LIMITED`` also marks the rate limit as used up
for ``rate_limit_memory``) — and on a loop timer it:

1. evaluates health and journals every ``VenueHealthChanged`` and breaker event;
2. when a breaker opens: excludes the venue from routing and calls
   :func:`~slipstream.venues.health.fail_over` (cancel its working orders if the venue is
   reachable, else mark them UNKNOWN); the algos re-route the quantity that comes back;
3. reconciles a venue (:class:`~slipstream.engine.recovery.Reconciler`) when it becomes
   reachable again, when its breaker closes, and when requests there stay unanswered, so lost
   acks, lost cancels and UNKNOWN orders are settled from the venue's own view.

Reachability is the adapter's own connection state (``venue.health() is DOWN`` means we cannot
talk to it); health is *our* judgement from the signals. :meth:`VenueSupervisor.guard` wraps the
algo engine's market view so the default top-of-book router never picks a venue whose breaker
is open, that is excluded, or whose book is older than ``book_max_age``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import msgspec

from slipstream.engine.executor import MarketView
from slipstream.engine.loop import TimerFired
from slipstream.engine.recovery import Reconciler
from slipstream.errors import ValidationError
from slipstream.model.enums import OrderStatus, TimeInForce
from slipstream.model.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
)
from slipstream.model.feed import BookUpdate, TradePrint
from slipstream.model.risk_events import CircuitBreakerClosed, CircuitBreakerOpened, VenueHealthChanged
from slipstream.venues.base import VenueHealth
from slipstream.venues.health import CircuitBreaker, VenueHealthMonitor, fail_over

if TYPE_CHECKING:
    from slipstream.engine.execution import ExecutionEngine

__all__ = ["GuardedMarketView", "SupervisorConfig", "VenueSupervisor"]

HEALTH_REJECTS = ("RATE_LIMITED", "VENUE_UNAVAILABLE")
"""Reject codes that say something about the venue (others are about the order)."""
_AWAITING = (OrderStatus.NEW, OrderStatus.PENDING_NEW, OrderStatus.PENDING_CANCEL, OrderStatus.PENDING_REPLACE,
             OrderStatus.UNKNOWN)


def _ns(value: timedelta) -> int:
    return ((value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds) * 1_000


class SupervisorConfig(msgspec.Struct, frozen=True, kw_only=True):
    """How often to check, how long an exclusion lasts, when a request counts as unanswered,
    how old a book may be to route on, and how long a rate-limit reject keeps the limit full."""

    check_interval: timedelta = timedelta(seconds=1)
    exclusion: timedelta = timedelta(seconds=30)
    request_timeout: timedelta = timedelta(seconds=5)
    book_max_age: timedelta = timedelta(seconds=2)
    rate_limit_memory: timedelta = timedelta(seconds=10)

    def __post_init__(self) -> None:
        if min(self.check_interval, self.request_timeout, self.book_max_age) <= timedelta(0) or min(
            self.exclusion, self.rate_limit_memory
        ) < timedelta(0):
            raise ValidationError("supervisor config: intervals and ages must be positive")


class VenueSupervisor:
    """Health monitor + circuit breaker + fail-over + reconciliation, wired into one engine.

    Args:
        engine: the execution engine (must publish its journaled events on the loop).
        monitor: health monitor (default thresholds if omitted).
        breaker: circuit breaker (a fresh one if omitted).
        reconciler: reconciler (default: one that cancels orphans, closing absent orders only
            once their request is ``request_timeout`` old).
        config: intervals and ages.
        exclude: ``exclude(venue, until_ns)`` of the router in use (e.g. a ``SmartRouter``'s).

    Raises:
        ValidationError: the engine does not publish its events.
    """

    TIMER = "supervisor:venues"

    def __init__(
        self,
        engine: ExecutionEngine,
        *,
        monitor: VenueHealthMonitor | None = None,
        breaker: CircuitBreaker | None = None,
        reconciler: Reconciler | None = None,
        config: SupervisorConfig | None = None,
        exclude: Callable[[str, int], None] | None = None,
    ) -> None:
        if not engine.publish_events:
            raise ValidationError("the venue supervisor needs an ExecutionEngine with publish_events=True")
        self.engine = engine
        self.config = config if config is not None else SupervisorConfig()
        self.monitor = monitor if monitor is not None else VenueHealthMonitor()
        self.breaker = breaker if breaker is not None else CircuitBreaker()
        timeout = _ns(self.config.request_timeout)
        self.reconciler = reconciler if reconciler is not None else Reconciler(engine, min_age_ns=timeout)
        self._exclude_hook = exclude
        self._excluded: dict[str, int] = {}
        self._awaiting_ack: dict[str, tuple[str, int]] = {}
        self._rate_limited: dict[str, int] = {}
        self._reachable: dict[str, bool] = {}
        self._last_reconcile: dict[str, int] = {}
        self._restored_down: set[str] = set()
        self._started_ns = engine.now_ns
        self.failovers: list[tuple[str, list[str], list[str]]] = []
        now = engine.now_ns
        for venue in sorted(engine.venues):
            self.monitor.add_venue(venue, now)
        loop = engine.loop
        loop.subscribe(TimerFired, self._on_timer)
        loop.subscribe(BookUpdate, self._on_market)
        loop.subscribe(TradePrint, self._on_market)
        loop.subscribe(OrderSubmitted, self._on_submitted)
        loop.subscribe(OrderAccepted, self._on_accepted)
        loop.subscribe(OrderRejected, self._on_rejected)
        for answer in (OrderFilled, OrderCanceled, OrderExpired):
            loop.subscribe(answer, self._on_answer)
        engine.on_replay(self.apply)

    # ---- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Check every ``check_interval`` from now on (a loop timer: run the engine with an end time)."""
        interval = _ns(self.config.check_interval)
        self._started_ns = self.engine.now_ns
        for venue in sorted(self.engine.venues):
            self.monitor.on_market_data(venue, self._started_ns)  # a restart is not staleness
        self.engine.loop.set_timer(self.TIMER, self.engine.now_ns + interval, interval)

    def stop(self) -> None:
        self.engine.loop.cancel_timer(self.TIMER)

    def apply(self, event: Event) -> None:
        """Replay handler: breaker state and the last journaled health of each venue."""
        if isinstance(event, CircuitBreakerOpened | CircuitBreakerClosed):
            self.breaker.apply(event)
        if isinstance(event, VenueHealthChanged):
            if event.current == VenueHealth.DOWN.value:
                self._restored_down.add(event.venue)
            else:
                self._restored_down.discard(event.venue)

    # ---- routing guard ------------------------------------------------------------------------------
    def routable(self, venue: str, book: BookUpdate | None = None) -> bool:
        """May a router send to ``venue`` now (breaker closed, not excluded, book fresh)?"""
        now = self.engine.now_ns
        if self.breaker.is_open(venue) or self._excluded.get(venue, -1) > now:
            return False
        return book is None or now - book.receive_ts_ns <= _ns(self.config.book_max_age)

    def exclude(self, venue: str, until_ns: int) -> None:
        """Keep ``venue`` out of routes until ``until_ns`` (here and in the router's hook)."""
        self._excluded[venue] = max(until_ns, self._excluded.get(venue, until_ns))
        if self._exclude_hook is not None:
            self._exclude_hook(venue, until_ns)

    def guard(self, market: MarketView) -> GuardedMarketView:
        """``market`` as the router should see it: only venues it may route to."""
        return GuardedMarketView(market, self.routable)

    # ---- loop handlers ------------------------------------------------------------------------------
    def _venue_of(self, client_order_id: str) -> str | None:
        state = self.engine.oms.orders.get(client_order_id)
        return None if state is None else state.order.venue

    def _on_market(self, message: BookUpdate | TradePrint) -> None:
        if message.venue in self.engine.venues:
            self.monitor.on_market_data(message.venue, self.engine.now_ns)

    def _on_submitted(self, event: OrderSubmitted) -> None:
        venue = self._venue_of(event.client_order_id)
        if venue is not None:
            self.monitor.on_request(venue, event.ts_ns)
            self._awaiting_ack[event.client_order_id] = (venue, event.ts_ns)

    def _on_accepted(self, event: OrderAccepted) -> None:
        sent = self._awaiting_ack.pop(event.client_order_id, None)
        if sent is not None:
            self.monitor.on_ack(sent[0], event.ts_ns - sent[1], event.ts_ns)

    def _on_rejected(self, event: OrderRejected) -> None:
        sent = self._awaiting_ack.pop(event.client_order_id, None)
        venue = self._venue_of(event.client_order_id)
        if venue is None:
            return
        now = event.ts_ns
        if sent is not None:
            self.monitor.on_ack(venue, now - sent[1], now)
        code = event.reason.split(" ", 1)[0]
        if code in HEALTH_REJECTS:
            self.monitor.on_reject(venue, now)
        if code == "RATE_LIMITED":
            self.monitor.on_rate_limit(venue, 1, 1, now)
            self._rate_limited[venue] = now

    def _on_answer(self, event: OrderFilled | OrderCanceled | OrderExpired) -> None:
        self._awaiting_ack.pop(event.client_order_id, None)  # answered without an ack we saw

    def _on_timer(self, timer: TimerFired) -> None:
        if timer.name == self.TIMER:
            self.check()

    # ---- decisions -----------------------------------------------------------------------------------
    def check(self) -> list[Event]:
        """Evaluate health, trip or close breakers, fail over, reconcile; returns the health and
        breaker events journaled."""
        engine, config, now = self.engine, self.config, self.engine.now_ns
        timeout = _ns(config.request_timeout)
        oldest: dict[str, int] = {}
        for venue, sent in self._awaiting_ack.values():
            oldest[venue] = max(oldest.get(venue, 0), now - sent)
        for venue, age in sorted(oldest.items()):
            if age >= timeout:
                self.monitor.on_ack(venue, age, now)
        memory = _ns(config.rate_limit_memory)
        for venue, last in sorted(self._rate_limited.items()):
            if now - last >= memory:
                self.monitor.on_rate_limit(venue, 0, 1, now)
                del self._rate_limited[venue]
        out: list[Event] = []
        for change in self.monitor.evaluate(now):
            assert isinstance(change, VenueHealthChanged)
            self._restored_down.discard(change.venue)
            out.extend(self._on_health(change))
        out.extend(self._restore_after_restart(now))
        for venue_id in sorted(engine.venues):
            reachable = engine.venues[venue_id].health() is not VenueHealth.DOWN
            was = self._reachable.get(venue_id, True)
            self._reachable[venue_id] = reachable
            if not reachable:
                continue
            if not was:
                self._reconcile(venue_id, "reconnect")
            elif self._due(venue_id, now, timeout) and self._unanswered(venue_id, now, timeout):
                self._reconcile(venue_id, "unanswered")
        return out

    def _on_health(self, change: VenueHealthChanged) -> list[Event]:
        self.engine.record((change,))
        out: list[Event] = [change]
        for event in self.breaker.on_health(change):
            self.engine.record((event,))
            out.append(event)
            if isinstance(event, CircuitBreakerOpened):
                self._fail_over(event.venue, event.reason)
            elif isinstance(event, CircuitBreakerClosed) and (
                self.engine.venues[event.venue].health() is not VenueHealth.DOWN
            ):
                self._reconcile(event.venue, "reconnect")
        return out

    def _restore_after_restart(self, now: int) -> list[Event]:
        """A breaker reopened from the journal closes once the fresh monitor has seen the venue
        outside DOWN for ``min_dwell`` (journaled as a health change, so replay agrees)."""
        out: list[Event] = []
        dwell = _ns(self.monitor.config.min_dwell)
        for venue in sorted(self._restored_down):
            current = self.monitor.health(venue)
            if now - self._started_ns < dwell or current is VenueHealth.DOWN:
                continue
            self._restored_down.discard(venue)
            change = VenueHealthChanged(ts_ns=now, venue=venue, previous=VenueHealth.DOWN.value,
                                        current=current.value, signals=(("restart", "monitor restarted"),))
            out.extend(self._on_health(change))
        return out

    def _fail_over(self, venue: str, reason: str) -> None:
        now = self.engine.now_ns
        self.exclude(venue, now + _ns(self.config.exclusion))
        reachable = self.engine.venues[venue].health() is not VenueHealth.DOWN
        cancelled, unknown = fail_over(self.engine, venue, reason, reachable)
        self.failovers.append((venue, cancelled, unknown))

    def _due(self, venue: str, now: int, timeout: int) -> bool:
        last = self._last_reconcile.get(venue)
        return last is None or now - last >= timeout

    def _unanswered(self, venue: str, now: int, timeout: int) -> bool:
        """Some order at ``venue`` waits for an answer (or a closing report) longer than ``timeout``."""
        for state in self.engine.oms.working_orders(venue):
            age = self.reconciler.request_age_ns(state.order.client_order_id)
            if age is None or age < timeout:
                continue
            if state.status in _AWAITING or state.order.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
                return True
        return False

    def _reconcile(self, venue: str, reason: str) -> None:
        self._last_reconcile[venue] = self.engine.now_ns
        self.reconciler.reconcile(venue, reason)
        if self.breaker.is_open(venue):  # reachable again but still not trusted: take orders out
            cancelled, unknown = fail_over(self.engine, venue, "circuit breaker open", True)
            if cancelled or unknown:
                self.failovers.append((venue, cancelled, unknown))


class _RoutableBooks(dict[str, dict[str, BookUpdate]]):
    """The books of a market view, seen through a routability filter (read side only)."""

    def __init__(self, inner: Mapping[str, dict[str, BookUpdate]], allowed: Callable[[str, BookUpdate], bool]):
        super().__init__()
        self._inner = inner
        self._allowed = allowed

    def get(self, symbol: str, default: Any = None) -> Any:
        books = self._inner.get(symbol)
        if books is None:
            return default
        return {venue: book for venue, book in books.items() if self._allowed(venue, book)}


class GuardedMarketView(MarketView):
    """A market view that hides venues a router must not use; shares the inner view's books and
    volume (the algo engine keeps feeding the inner one)."""

    def __init__(self, inner: MarketView, allowed: Callable[[str, BookUpdate], bool]) -> None:
        super().__init__(inner.instruments)
        self.books = _RoutableBooks(inner.books, allowed)
        self.volume = inner.volume
