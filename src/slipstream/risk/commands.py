"""Risk commands from outside the loop (operator, API, monitors), journaled then applied.

:func:`apply_risk_command` is the one way a running engine's limits or kill switch change: the
risk engine decides and applies the events, the execution engine journals them (and publishes
them), and a kill switch then cancels every working order. Replay rebuilds the same state by
feeding the journal to :meth:`RiskEngine.apply <slipstream.risk.engine.RiskEngine.apply>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.events import Event, OrderPendingCancel
from slipstream.model.risk_events import KillSwitchEngaged
from slipstream.oms.manager import OrderManager
from slipstream.oms.state import TRANSITIONS
from slipstream.risk.engine import RiskEngine
from slipstream.risk.limits import RiskLimits

__all__ = [
    "EnforceMaxLoss",
    "EngageKillSwitch",
    "ReleaseKillSwitch",
    "RiskCommand",
    "SetRiskLimits",
    "apply_risk_command",
    "cancel_all_working",
]


class SetRiskLimits(msgspec.Struct, frozen=True, kw_only=True):
    limits: RiskLimits
    reason: str = ""


class EngageKillSwitch(msgspec.Struct, frozen=True, kw_only=True):
    """Refuse new orders and cancel every working one (and, if asked, stop every parent)."""

    reason: str
    cancel_parents: bool = False


class ReleaseKillSwitch(msgspec.Struct, frozen=True, kw_only=True):
    reason: str = ""


class EnforceMaxLoss(msgspec.Struct, frozen=True, kw_only=True):
    """Engage the kill switch if the loss limit is reached (run it on a timer or after fills)."""


RiskCommand = SetRiskLimits | EngageKillSwitch | ReleaseKillSwitch | EnforceMaxLoss


class _Engine(Protocol):
    """What a command needs from the execution engine (its public commands and journal hook)."""

    oms: OrderManager
    risk: object

    @property
    def now_ns(self) -> int: ...

    def _record(self, events: Iterable[Event]) -> None: ...

    def commit(self) -> None: ...

    def cancel_order(self, client_order_id: str) -> None: ...

    def cancel_parent(self, parent_id: str, reason: str = "") -> None: ...


def cancel_all_working(engine: _Engine, venue: str | None = None) -> list[str]:
    """Request a cancel of every working order (of ``venue`` if given) that can take one.

    Returns:
        The client order ids a cancel was requested for, in creation order.
    """
    cancelled = []
    for state in engine.oms.working_orders(venue):
        if state.status.is_working and OrderPendingCancel in TRANSITIONS[state.status]:
            engine.cancel_order(state.order.client_order_id)
            cancelled.append(state.order.client_order_id)
    return cancelled


def apply_risk_command(engine: _Engine, command: RiskCommand) -> list[Event]:
    """Decide, journal and apply a risk command on ``engine`` (whose ``risk`` is a RiskEngine).

    Returns:
        The risk events journaled (empty when the command changed nothing).

    Raises:
        ValidationError: ``engine.risk`` is not a :class:`RiskEngine`, or the command is invalid.
    """
    risk = engine.risk
    if not isinstance(risk, RiskEngine):
        raise ValidationError("engine.risk is not a RiskEngine; install one with RiskEngine.install(engine)")
    now = engine.now_ns
    if isinstance(command, SetRiskLimits):
        events = risk.set_limits(command.limits, now, command.reason)
    elif isinstance(command, EngageKillSwitch):
        events = risk.engage_kill_switch(command.reason, now)
    elif isinstance(command, ReleaseKillSwitch):
        events = risk.release_kill_switch(command.reason, now)
    elif isinstance(command, EnforceMaxLoss):
        events = risk.check_loss(now)
    else:  # pragma: no cover - exhaustive over RiskCommand
        raise ValidationError(f"unknown risk command {type(command).__name__}")
    engine.record(events)
    if isinstance(command, EngageKillSwitch) or any(isinstance(e, KillSwitchEngaged) for e in events):
        if isinstance(command, EngageKillSwitch) and command.cancel_parents:
            for parent_id, parent in list(engine.oms.parents.items()):
                if not parent.canceled:
                    engine.cancel_parent(parent_id, f"kill switch: {command.reason}")
        cancel_all_working(engine)
    engine.commit()
    return events
