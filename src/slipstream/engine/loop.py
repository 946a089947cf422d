"""The deterministic single-threaded event loop.

Messages are dispatched one at a time to the handlers subscribed to their exact class, in
subscription order. Messages published now are handled before any later-timed message; timed
messages are ordered by (time, publication sequence), so ties break by a fixed rule, never by
hash or set order. Randomness comes from :meth:`EventLoop.rng_for`, seeded from the loop's
seed and a component name, so adding a component never shifts another's random stream.
"""

from __future__ import annotations

import heapq
import zlib
from collections import deque
from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np

from slipstream.engine.clock import Clock, SimulatedClock

__all__ = ["EventLoop", "TimerFired"]

Handler = Callable[[Any], None]


class TimerFired(msgspec.Struct, frozen=True):
    """A named timer reached its time."""

    name: str
    ts_ns: int


class EventLoop:
    """Dispatches messages to subscribers; owns the clock, timers and seeded randomness.

    Args:
        clock: a :class:`SimulatedClock` (the loop advances it) or a live clock.
        seed: base seed for every component's random stream.
    """

    def __init__(self, clock: Clock | None = None, seed: int = 0) -> None:
        self.clock: Clock = clock if clock is not None else SimulatedClock()
        self.seed = seed
        self._handlers: dict[type, list[Handler]] = {}
        self._ready: deque[Any] = deque()
        self._timed: list[tuple[int, int, Any]] = []
        self._seq = 0
        self._idle: list[Callable[[], None]] = []
        self._timers: dict[str, int | None] = {}
        self.dispatched = 0

    # ---- wiring --------------------------------------------------------------------------------
    def subscribe(self, message_type: type, handler: Handler) -> None:
        """Call ``handler`` for every message whose class is exactly ``message_type``."""
        self._handlers.setdefault(message_type, []).append(handler)

    def on_idle(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` whenever no message is ready at the current time (group-commit point)."""
        self._idle.append(hook)

    def rng_for(self, component: str) -> np.random.Generator:
        """An independent, reproducible random stream for one named component."""
        return np.random.default_rng([self.seed, zlib.crc32(component.encode())])

    def now_ns(self) -> int:
        return self.clock.now_ns()

    # ---- publishing ----------------------------------------------------------------------------
    def publish(self, message: Any) -> None:
        """Handle ``message`` now, after the messages already waiting."""
        self._ready.append(message)

    def schedule(self, ts_ns: int, message: Any) -> None:
        """Handle ``message`` at simulated time ``ts_ns`` (now if it is not in the future)."""
        if ts_ns <= self.clock.now_ns():
            self._ready.append(message)
            return
        self._seq += 1
        heapq.heappush(self._timed, (ts_ns, self._seq, message))

    def set_timer(self, name: str, at_ns: int, interval_ns: int | None = None) -> None:
        """Publish :class:`TimerFired` at ``at_ns`` and then every ``interval_ns`` if given."""
        self._timers[name] = interval_ns
        self._seq += 1
        heapq.heappush(self._timed, (at_ns, self._seq, TimerFired(name, at_ns)))

    def cancel_timer(self, name: str) -> None:
        self._timers.pop(name, None)

    # ---- running ---------------------------------------------------------------------------------
    def drain(self) -> int:
        """Dispatch every ready message (and those they publish); returns how many."""
        ready = self._ready
        pop = ready.popleft
        handlers = self._handlers
        empty: tuple[Handler, ...] = ()
        n = 0
        while ready:
            message = pop()
            for handler in handlers.get(message.__class__, empty):
                handler(message)
            n += 1
        self.dispatched += n
        return n

    def run(self, until_ns: int | None = None) -> None:
        """Run until nothing is left, or until the next message is later than ``until_ns``."""
        clock = self.clock
        while True:
            self.drain()
            for hook in self._idle:
                hook()
            if self._ready:
                continue
            if not self._timed or (until_ns is not None and self._timed[0][0] > until_ns):
                break
            ts = self._timed[0][0]
            if isinstance(clock, SimulatedClock):
                clock.advance_to(max(ts, clock.now_ns()))
            while self._timed and self._timed[0][0] == ts:
                message = heapq.heappop(self._timed)[2]
                if isinstance(message, TimerFired):
                    if message.name not in self._timers:
                        continue  # cancelled
                    interval = self._timers[message.name]
                    if interval:
                        self._seq += 1
                        nxt = TimerFired(message.name, ts + interval)
                        heapq.heappush(self._timed, (ts + interval, self._seq, nxt))
                    else:
                        del self._timers[message.name]
                self._ready.append(message)
        if until_ns is not None and isinstance(clock, SimulatedClock) and clock.now_ns() < until_ns:
            clock.advance_to(until_ns)

    @property
    def pending(self) -> int:
        return len(self._ready) + len(self._timed)
