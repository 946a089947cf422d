"""The one interface every venue implements, simulated or live.

Nothing above ``venues/`` knows which kind it talks to. A venue receives requests
(submit / cancel / replace) and answers *later* with :class:`ExecutionReport` messages that it
hands to its :class:`VenueContext` (the engine puts them on the event loop at the time they
arrive). Requests never raise for business reasons: a refusal is a REJECTED report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

import numpy as np

from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder
from slipstream.model.reports import ExecutionReport

__all__ = ["Venue", "VenueContext", "VenueHealth"]


class VenueHealth(str, Enum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    DOWN = "down"


class VenueContext(Protocol):
    """What the engine lends a venue: time, a random stream and a way to deliver messages."""

    def now_ns(self) -> int: ...

    def deliver(self, ts_ns: int, message: Any) -> None:
        """Put ``message`` (a report or market data) on the engine loop at ``ts_ns``."""
        ...

    def rng(self, name: str) -> np.random.Generator: ...


class Venue(Protocol):
    """A trading venue: order entry, reports and market data out, health, balances."""

    @property
    def venue_id(self) -> str: ...

    @property
    def instruments(self) -> Sequence[Instrument]: ...

    def attach(self, context: VenueContext) -> None:
        """Connect to the engine (called once, before any request)."""
        ...

    def loop_subscriptions(self) -> Sequence[tuple[type, Callable[[Any], None]]]:
        """Messages the venue must receive from the engine loop (its own wake-ups, block ticks),
        as (message class, handler) pairs; the engine subscribes them when the venue is added."""
        ...

    def submit(self, order: ChildOrder) -> None: ...

    def cancel(self, client_order_id: str) -> None: ...

    def replace(self, client_order_id: str, price_units: int | None, lots: int) -> None: ...

    def open_orders(self) -> list[ExecutionReport]:
        """STATUS reports for every order the venue holds open (reconciliation)."""
        ...

    def fills_since(self, ts_ns: int) -> list[ExecutionReport]:
        """FILL reports for executions at or after ``ts_ns`` (reconciliation)."""
        ...

    def health(self) -> VenueHealth: ...

    def balances(self) -> dict[str, Decimal]: ...
