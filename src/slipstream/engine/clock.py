"""Clocks: simulated (a backtest moves it) and live (wall time). Engine code asks a Clock,
never the operating system, so the same code runs both ways."""

from __future__ import annotations

import time
from typing import Protocol

from slipstream.errors import ValidationError

__all__ = ["Clock", "LiveClock", "SimulatedClock"]


class Clock(Protocol):
    def now_ns(self) -> int:
        """Current time, integer nanoseconds since the Unix epoch (UTC)."""
        ...


class SimulatedClock:
    """A clock that only moves when the event loop advances it (never backwards)."""

    __slots__ = ("_now",)

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns

    def now_ns(self) -> int:
        return self._now

    def advance_to(self, ts_ns: int) -> None:
        """Move to ``ts_ns``.

        Raises:
            ValidationError: ``ts_ns`` is before the current time.
        """
        if ts_ns < self._now:
            raise ValidationError(f"simulated clock cannot go back from {self._now} to {ts_ns}")
        self._now = ts_ns


class LiveClock:
    """Wall-clock time, for the paper and live service only."""

    __slots__ = ()

    def now_ns(self) -> int:
        return time.time_ns()
