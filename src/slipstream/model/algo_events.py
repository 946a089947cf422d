"""Journaled facts about running execution algorithms: which algo works a parent, and every
control command (pause, resume, amend) applied to it while it runs.

They sit next to the OMS events in the same journal, so a replay sees the desk's commands in
the order they took effect. Algorithm parameters are stored as their canonical JSON text:
``model`` is below ``algos`` and cannot name their types.
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.model.events import Event
from slipstream.model.orders import ParentOrder

__all__ = [
    "AlgoFinished",
    "AlgoStarted",
    "ParentOrderAmended",
    "ParentOrderPaused",
    "ParentOrderResumed",
]


class AlgoStarted(Event, frozen=True, kw_only=True):
    """An algorithm took charge of a parent order; ``params`` is the canonical JSON of its
    :class:`~slipstream.algos.params.AlgoParams`."""

    parent_id: str
    algo: str
    params: str


class ParentOrderPaused(Event, frozen=True, kw_only=True):
    """No new children until resumed; working children were asked to cancel."""

    parent_id: str
    reason: str = ""


class ParentOrderResumed(Event, frozen=True, kw_only=True):
    parent_id: str


class ParentOrderAmended(Event, frozen=True, kw_only=True):
    """The parent's spec changed while running (quantity, limit or end time); ``parent`` is the
    new spec, ``previous_quantity`` what it replaced."""

    parent: ParentOrder
    previous_quantity: Decimal
    reason: str = ""


class AlgoFinished(Event, frozen=True, kw_only=True):
    """The algorithm stopped working the parent: ``state`` is ``done`` (filled or horizon
    over) or ``cancelled``; quantities are in the parent's integer units."""

    parent_id: str
    state: str
    filled_units: int
    remaining_units: int
