"""Venue health with hysteresis, the venue circuit breaker, and fail-over of a down venue.

:class:`VenueHealthMonitor` is fed observations (market-data arrivals, order acknowledgement
latency, requests, rejects, errors, rate-limit usage) and, when asked at a given time, combines
them into :class:`~slipstream.venues.base.VenueHealth`:

- each signal has an *enter* and a lower *exit* threshold per level (degraded, down);
- a worse level is entered at once (fail fast); a better one only after every signal has been
  below its exit threshold for ``min_dwell`` and the current level has lasted ``min_dwell``;
- so noise between a level's exit and enter thresholds never flips the state.

Time is always passed in (engine clock), so the same observations give the same states.
:class:`CircuitBreaker` stops routing to a venue that is down (or tripped by hand); the router
asks :meth:`CircuitBreaker.is_open` and :func:`fail_over` deals with the venue's working orders.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.events import Event, OrderPendingCancel, OrderStatusUnknown
from slipstream.model.risk_events import CircuitBreakerClosed, CircuitBreakerOpened, VenueHealthChanged
from slipstream.oms.manager import OrderManager
from slipstream.oms.state import TRANSITIONS
from slipstream.venues.base import VenueHealth

__all__ = [
    "CircuitBreaker",
    "DurationBand",
    "HealthConfig",
    "RatioBand",
    "VenueHealthMonitor",
    "fail_over",
]

_RANK = {VenueHealth.HEALTHY: 0, VenueHealth.DEGRADED: 1, VenueHealth.DOWN: 2}
_BY_RANK = (VenueHealth.HEALTHY, VenueHealth.DEGRADED, VenueHealth.DOWN)


def _ns(value: timedelta) -> int:
    return ((value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds) * 1_000


def _check_band(name: str, degraded: Decimal, degraded_exit: Decimal, down: Decimal, down_exit: Decimal) -> None:
    if not (0 <= degraded_exit <= degraded <= down and degraded_exit <= down_exit <= down):
        raise ValidationError(
            f"{name}: need 0 <= degraded_exit <= degraded <= down and degraded_exit <= down_exit <= down"
        )


class DurationBand(msgspec.Struct, frozen=True, kw_only=True):
    """Thresholds of a time signal (staleness, latency): enter at ``degraded``/``down``, leave
    below ``degraded_exit``/``down_exit``."""

    degraded: timedelta
    degraded_exit: timedelta
    down: timedelta
    down_exit: timedelta

    def __post_init__(self) -> None:
        _check_band("duration band", *(Decimal(v) for v in self.levels()))

    def levels(self) -> tuple[int, int, int, int]:
        return (_ns(self.degraded), _ns(self.degraded_exit), _ns(self.down), _ns(self.down_exit))


class RatioBand(msgspec.Struct, frozen=True, kw_only=True):
    """Thresholds of a ratio signal (rejects, errors, rate-limit use) as fractions."""

    degraded: Decimal
    degraded_exit: Decimal
    down: Decimal
    down_exit: Decimal

    def __post_init__(self) -> None:
        _check_band("ratio band", *self.levels())

    def levels(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return (self.degraded, self.degraded_exit, self.down, self.down_exit)


def _ms(n: int) -> timedelta:
    return timedelta(milliseconds=n)


class HealthConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Thresholds and windows. Ratios need ``min_requests`` requests in ``window`` to count."""

    staleness: DurationBand = DurationBand(degraded=_ms(2_000), degraded_exit=_ms(1_000), down=_ms(10_000),
                                           down_exit=_ms(5_000))
    ack_latency: DurationBand = DurationBand(degraded=_ms(500), degraded_exit=_ms(250), down=_ms(5_000),
                                             down_exit=_ms(2_000))
    reject_ratio: RatioBand = RatioBand(degraded=Decimal("0.2"), degraded_exit=Decimal("0.1"), down=Decimal("0.5"),
                                        down_exit=Decimal("0.3"))
    error_ratio: RatioBand = RatioBand(degraded=Decimal("0.05"), degraded_exit=Decimal("0.02"), down=Decimal("0.2"),
                                       down_exit=Decimal("0.1"))
    rate_limit_used: RatioBand = RatioBand(degraded=Decimal("0.8"), degraded_exit=Decimal("0.6"), down=Decimal(1),
                                           down_exit=Decimal("0.9"))
    window: timedelta = timedelta(seconds=10)
    min_requests: int = 10
    min_dwell: timedelta = timedelta(seconds=5)

    def __post_init__(self) -> None:
        if self.window <= timedelta(0) or self.min_dwell < timedelta(0) or self.min_requests <= 0:
            raise ValidationError("health config: window > 0, min_dwell >= 0 and min_requests > 0 required")


class _Venue:
    """Observations and state of one venue."""

    __slots__ = ("acks", "better_since", "errors", "health", "last_data_ns", "rate_used", "rejects", "requests",
                 "since_ns")

    def __init__(self, now_ns: int) -> None:
        self.health = VenueHealth.HEALTHY
        self.since_ns = now_ns
        self.better_since: int | None = None
        self.last_data_ns = now_ns
        self.acks: deque[tuple[int, int]] = deque()  # (ts, latency ns)
        self.requests: deque[int] = deque()
        self.rejects: deque[int] = deque()
        self.errors: deque[int] = deque()
        self.rate_used: Decimal | None = None


def _prune(samples: deque[int], start: int) -> None:
    while samples and samples[0] < start:
        samples.popleft()


class VenueHealthMonitor:
    """Combined health per venue, with hysteresis; deterministic (time passed in).

    Args:
        config: thresholds, window and dwell.
    """

    def __init__(self, config: HealthConfig | None = None) -> None:
        self.config = config if config is not None else HealthConfig()
        self._venues: dict[str, _Venue] = {}

    def _venue(self, venue: str, ts_ns: int) -> _Venue:
        state = self._venues.get(venue)
        if state is None:
            state = self._venues[venue] = _Venue(ts_ns)
        return state

    # ---- observations ------------------------------------------------------------------------------
    def add_venue(self, venue: str, ts_ns: int) -> None:
        """Start watching ``venue``; its market data counts as fresh at ``ts_ns``."""
        self._venue(venue, ts_ns)

    def on_market_data(self, venue: str, ts_ns: int) -> None:
        state = self._venue(venue, ts_ns)
        state.last_data_ns = max(state.last_data_ns, ts_ns)

    def on_request(self, venue: str, ts_ns: int) -> None:
        self._venue(venue, ts_ns).requests.append(ts_ns)

    def on_ack(self, venue: str, latency_ns: int, ts_ns: int) -> None:
        self._venue(venue, ts_ns).acks.append((ts_ns, latency_ns))

    def on_reject(self, venue: str, ts_ns: int) -> None:
        self._venue(venue, ts_ns).rejects.append(ts_ns)

    def on_error(self, venue: str, ts_ns: int) -> None:
        self._venue(venue, ts_ns).errors.append(ts_ns)

    def on_rate_limit(self, venue: str, used: int, capacity: int, ts_ns: int) -> None:
        """Rate-limit usage: ``used`` of ``capacity`` tokens (or weight) taken.

        Raises:
            ValidationError: capacity not positive or used outside 0..capacity.
        """
        if capacity <= 0 or not 0 <= used <= capacity:
            raise ValidationError(f"rate limit usage {used}/{capacity} is not valid")
        self._venue(venue, ts_ns).rate_used = Decimal(used) / Decimal(capacity)

    # ---- decisions ---------------------------------------------------------------------------------
    def health(self, venue: str) -> VenueHealth:
        state = self._venues.get(venue)
        return VenueHealth.HEALTHY if state is None else state.health

    def signals(self, venue: str, now_ns: int) -> dict[str, Decimal | None]:
        """Each signal's current value (``None``: not enough data); durations in ns."""
        state = self._venue(venue, now_ns)
        config = self.config
        start = now_ns - _ns(config.window)
        while state.acks and state.acks[0][0] < start:
            state.acks.popleft()
        for samples in (state.requests, state.rejects, state.errors):
            _prune(samples, start)
        requests = len(state.requests)
        enough = requests >= config.min_requests
        latency = Decimal(sum(lat for _, lat in state.acks)) / len(state.acks) if state.acks else None
        return {
            "staleness_ns": Decimal(max(0, now_ns - state.last_data_ns)),
            "ack_latency_ns": latency,
            "reject_ratio": Decimal(len(state.rejects)) / requests if enough else None,
            "error_ratio": Decimal(len(state.errors)) / requests if enough else None,
            "rate_limit_used": state.rate_used,
        }

    def _levels(self, values: dict[str, Decimal | None]) -> tuple[int, int]:
        """(rank by enter thresholds, rank by exit thresholds), worst signal wins."""
        config = self.config
        bands: dict[str, tuple[Decimal | int, ...]] = {
            "staleness_ns": config.staleness.levels(),
            "ack_latency_ns": config.ack_latency.levels(),
            "reject_ratio": config.reject_ratio.levels(),
            "error_ratio": config.error_ratio.levels(),
            "rate_limit_used": config.rate_limit_used.levels(),
        }
        enter = exit_ = 0
        for name, value in values.items():
            if value is None:
                continue
            degraded, degraded_exit, down, down_exit = bands[name]
            enter = max(enter, 2 if value >= down else 1 if value >= degraded else 0)
            exit_ = max(exit_, 2 if value >= down_exit else 1 if value >= degraded_exit else 0)
        return enter, exit_

    def evaluate(self, now_ns: int) -> list[Event]:
        """Decide every venue's health at ``now_ns`` (venues in name order).

        Returns:
            A :class:`VenueHealthChanged` for each venue whose state moved.
        """
        dwell = _ns(self.config.min_dwell)
        out: list[Event] = []
        for venue in sorted(self._venues):
            state = self._venues[venue]
            values = self.signals(venue, now_ns)
            enter, exit_ = self._levels(values)
            current = _RANK[state.health]
            target = current
            if enter > current:
                target = enter
            elif exit_ < current:
                if state.better_since is None:
                    state.better_since = now_ns
                if now_ns - state.better_since >= dwell and now_ns - state.since_ns >= dwell:
                    target = exit_
            else:
                state.better_since = None
            if target != current:
                previous = state.health
                state.health = _BY_RANK[target]
                state.since_ns = now_ns
                state.better_since = None
                signals = tuple((k, "none" if v is None else str(v)) for k, v in values.items())
                out.append(VenueHealthChanged(ts_ns=now_ns, venue=venue, previous=previous.value,
                                              current=state.health.value, signals=signals))
        return out


class CircuitBreaker:
    """Stops routing to venues that are down. *Open* means no orders may go there.

    Opens when a venue's health becomes DOWN or by hand (:meth:`trip`); closes when health
    leaves DOWN (a hand-tripped breaker only by :meth:`reset`).
    """

    def __init__(self) -> None:
        self._open: dict[str, bool] = {}  # venue -> tripped by hand

    def is_open(self, venue: str) -> bool:
        return venue in self._open

    def open_venues(self) -> tuple[str, ...]:
        return tuple(sorted(self._open))

    def allowed(self, venues: Iterable[str]) -> list[str]:
        """The venues a router may use, in the order given."""
        return [v for v in venues if v not in self._open]

    def on_health(self, event: VenueHealthChanged) -> list[Event]:
        """Open or close on a health change. Returns the applied breaker events."""
        venue = event.venue
        if event.current == VenueHealth.DOWN.value and venue not in self._open:
            out: list[Event] = [CircuitBreakerOpened(ts_ns=event.ts_ns, venue=venue, reason="venue down")]
        elif event.current != VenueHealth.DOWN.value and self._open.get(venue) is False:
            out = [CircuitBreakerClosed(ts_ns=event.ts_ns, venue=venue, reason=f"venue {event.current}")]
        else:
            return []
        for e in out:
            self.apply(e)
        return out

    def trip(self, venue: str, reason: str, ts_ns: int) -> list[Event]:
        """Open by hand (stays open until :meth:`reset`)."""
        event = CircuitBreakerOpened(ts_ns=ts_ns, venue=venue, reason=f"manual: {reason}")
        self.apply(event)
        return [event]

    def reset(self, venue: str, reason: str, ts_ns: int) -> list[Event]:
        if venue not in self._open:
            return []
        event = CircuitBreakerClosed(ts_ns=ts_ns, venue=venue, reason=f"manual: {reason}")
        self.apply(event)
        return [event]

    def apply(self, event: Event) -> None:
        """Apply a journaled breaker event (live and replay); other events are ignored."""
        if isinstance(event, CircuitBreakerOpened):
            self._open[event.venue] = event.reason.startswith("manual:")
        elif isinstance(event, CircuitBreakerClosed):
            self._open.pop(event.venue, None)


class _Engine(Protocol):
    oms: OrderManager

    @property
    def now_ns(self) -> int: ...

    def _record(self, events: Iterable[Event]) -> None: ...

    def cancel_order(self, client_order_id: str) -> None: ...

    def commit(self) -> None: ...


def fail_over(engine: _Engine, venue: str, reason: str, reachable: bool) -> tuple[list[str], list[str]]:
    """Take a venue's working orders out of play after its breaker opened.

    Reachable venue: each order that can take a cancel is asked to cancel (its quantity returns
    to the parent when the venue confirms, and the algo re-routes it). Unreachable venue: each
    order is marked UNKNOWN (never assumed dead); ``engine.reconcile()`` settles it once the venue
    answers, and only then is its quantity re-routed, so nothing is executed twice.

    Returns:
        (client order ids asked to cancel, client order ids marked unknown), creation order.
    """
    cancelled: list[str] = []
    unknown: list[str] = []
    for state in engine.oms.working_orders(venue):
        coid = state.order.client_order_id
        if reachable and OrderPendingCancel in TRANSITIONS[state.status]:
            engine.cancel_order(coid)
            cancelled.append(coid)
        elif not reachable and OrderStatusUnknown in TRANSITIONS[state.status]:
            events = engine.oms.mark_unknown(coid, reason, engine.now_ns)
            if events:
                engine.record(events)
                unknown.append(coid)
    engine.commit()
    return cancelled, unknown
