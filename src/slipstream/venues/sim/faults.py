"""Scheduled venue failures, and the report link that applies them.

A :class:`FaultPlan` holds time windows during which a venue misbehaves; the venue consults it
at *venue* time (a request's arrival, a report's emission, a market-data event). The kinds are
the failures the risk and failover logic must survive:

* ``DISCONNECT`` — requests arriving in the window are lost (never processed, no answer) and
  every report emitted in it is lost. The venue keeps matching resting orders, so fills are
  recoverable through ``fills_since`` once reconnected. Market data stops too.
* ``STOP_ACKING`` — fills still flow; every other report (acks, cancels, rejects...) is lost.
* ``REJECT_ALL`` — every request is rejected (``VENUE_UNAVAILABLE``).
* ``DELAY`` — reports arrive ``delay_ns`` late (on top of the response latency).
* ``DUPLICATE`` — every report is delivered twice.
* ``REORDER`` — reports are swapped pairwise: one is held back and delivered right after the
  next one; a report still held when the window ends goes out at the next venue event.
* ``STALE`` — the venue's market data stops (matching still follows the real data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.reports import ExecutionReport, ReportKind

__all__ = ["Fault", "FaultKind", "FaultPlan", "ReportLink"]


class FaultKind(str, Enum):
    DISCONNECT = "disconnect"
    STOP_ACKING = "stop_acking"
    REJECT_ALL = "reject_all"
    DELAY = "delay"
    DUPLICATE = "duplicate"
    REORDER = "reorder"
    STALE = "stale"


class Fault(msgspec.Struct, frozen=True, kw_only=True):
    """``kind`` is active for venue times in ``[start_ns, end_ns)`` (open-ended if ``end_ns`` is
    ``None``); ``delay_ns`` applies to ``DELAY`` only."""

    kind: FaultKind
    start_ns: int
    end_ns: int | None = None
    delay_ns: int = 0

    def __post_init__(self) -> None:
        if self.end_ns is not None and self.end_ns <= self.start_ns:
            raise ValidationError(f"fault {self.kind.value}: end must be after start")
        if self.delay_ns < 0 or (self.kind is FaultKind.DELAY) != (self.delay_ns > 0):
            raise ValidationError("delay_ns must be positive for DELAY faults and 0 otherwise")

    def active(self, ts_ns: int) -> bool:
        return self.start_ns <= ts_ns and (self.end_ns is None or ts_ns < self.end_ns)


class FaultPlan:
    """The faults scheduled for one venue (empty: a healthy venue).

    Args:
        faults: initial faults; more can be added during a run with :meth:`add`.
    """

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._faults: list[Fault] = list(faults)

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def active(self, kind: FaultKind, ts_ns: int) -> bool:
        return any(f.kind is kind and f.active(ts_ns) for f in self._faults)

    def delay_ns(self, ts_ns: int) -> int:
        """Total extra report delay at ``ts_ns``."""
        return sum(f.delay_ns for f in self._faults if f.kind is FaultKind.DELAY and f.active(ts_ns))

    def any_active(self, ts_ns: int) -> bool:
        return any(f.active(ts_ns) for f in self._faults)

    def __bool__(self) -> bool:
        return bool(self._faults)


_ACK_KINDS = frozenset(ReportKind) - {ReportKind.FILL}

Deliver = Callable[[int, Any], None]


class ReportLink:
    """The path from the venue's matching engine to us, with the plan's faults applied.

    Args:
        plan: the venue's fault plan.
        deliver: ``deliver(receive_ts_ns, report)`` (the engine context's ``deliver``).
    """

    def __init__(self, plan: FaultPlan, deliver: Deliver) -> None:
        self.plan = plan
        self._deliver = deliver
        self._held: tuple[int, ExecutionReport] | None = None
        self.lost: list[ExecutionReport] = []

    def send(self, venue_ts_ns: int, report: ExecutionReport) -> None:
        """Send ``report`` emitted at ``venue_ts_ns``; it carries its no-fault receive time."""
        plan = self.plan
        if not plan:
            self._deliver(report.receive_ts_ns, report)
            return
        if plan.active(FaultKind.DISCONNECT, venue_ts_ns) or (
            report.kind in _ACK_KINDS and plan.active(FaultKind.STOP_ACKING, venue_ts_ns)
        ):
            self.lost.append(report)
            return
        delay = plan.delay_ns(venue_ts_ns)
        if delay:
            report = msgspec.structs.replace(report, receive_ts_ns=report.receive_ts_ns + delay)
        copies = 2 if plan.active(FaultKind.DUPLICATE, venue_ts_ns) else 1
        if plan.active(FaultKind.REORDER, venue_ts_ns):
            if self._held is None:
                self._held = (copies, report)
                return
            held_copies, held = self._held
            self._held = None
            self._out(copies, report)
            late = max(held.receive_ts_ns, report.receive_ts_ns)
            self._out(held_copies, msgspec.structs.replace(held, receive_ts_ns=late))
            return
        self.flush(venue_ts_ns)
        self._out(copies, report)

    def flush(self, venue_ts_ns: int) -> None:
        """Release a report held by ``REORDER`` once that window is over."""
        if self._held is not None and not self.plan.active(FaultKind.REORDER, venue_ts_ns):
            copies, held = self._held
            self._held = None
            self._out(copies, held)

    def _out(self, copies: int, report: ExecutionReport) -> None:
        for _ in range(copies):
            self._deliver(report.receive_ts_ns, report)
