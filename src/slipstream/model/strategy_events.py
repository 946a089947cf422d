"""Journaled facts about multi-leg strategies and delta hedging.

A strategy's legs are ordinary parents worked by the algo engine (their own
:mod:`~slipstream.model.algo_events` and OMS events); these events record the decisions above
them — why a leg was held back or released, the desk's commands on the whole strategy, and each
delta hedge with the exposure that caused it. The strategy spec and algo parameters travel as
canonical JSON text (``model`` is below ``algos`` and cannot name their types); deltas are model
floats written as ``Decimal`` with eight places so the journal stays byte-stable.
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.model.enums import Side
from slipstream.model.events import Event

__all__ = [
    "HedgeCompleted",
    "HedgeFailed",
    "HedgeOrdered",
    "LegPaused",
    "LegResumed",
    "StrategyCancelled",
    "StrategyFinished",
    "StrategyPaused",
    "StrategyResumed",
    "StrategyStarted",
    "model_decimal",
]


def model_decimal(value: float) -> Decimal:
    """A model float (delta, price) as the fixed eight-place ``Decimal`` events carry."""
    return Decimal(f"{value:.8f}")


class StrategyStarted(Event, frozen=True, kw_only=True):
    """A multi-leg strategy began; ``mode`` is how it is worked (``legged``/``combo``) and
    ``note`` why (e.g. no venue lists the combination)."""

    strategy_id: str
    name: str
    mode: str
    spec: str
    params: str
    note: str = ""


class LegPaused(Event, frozen=True, kw_only=True):
    """A leg was held back: it is as far ahead as the legging limit allows."""

    strategy_id: str
    parent_id: str
    reason: str
    imbalance: Decimal
    legging_delta: Decimal | None = None


class LegResumed(Event, frozen=True, kw_only=True):
    """A held leg was released: the other legs caught up."""

    strategy_id: str
    parent_id: str
    imbalance: Decimal
    legging_delta: Decimal | None = None


class StrategyPaused(Event, frozen=True, kw_only=True):
    strategy_id: str
    reason: str = ""


class StrategyResumed(Event, frozen=True, kw_only=True):
    strategy_id: str


class StrategyCancelled(Event, frozen=True, kw_only=True):
    strategy_id: str
    reason: str = ""


class StrategyFinished(Event, frozen=True, kw_only=True):
    """Every leg stopped: ``state`` is ``done`` (all in ratio), ``incomplete`` or ``cancelled``;
    quantities per leg in their parents' integer units."""

    strategy_id: str
    state: str
    filled_units: tuple[int, ...]
    quantity_units: tuple[int, ...]


class HedgeOrdered(Event, frozen=True, kw_only=True):
    """The hedger sent ``quantity`` of ``symbol`` (parent ``parent_id``) because the net delta,
    counting hedges still in flight, was ``net_delta`` (outside the band) at ``forward``."""

    hedger_id: str
    parent_id: str
    symbol: str
    side: Side
    quantity: Decimal
    option_delta: Decimal
    net_delta: Decimal
    forward: Decimal


class HedgeFailed(Event, frozen=True, kw_only=True):
    """A hedge the hedger wanted could not start (the algo engine refused it)."""

    hedger_id: str
    parent_id: str
    reason: str


class HedgeCompleted(Event, frozen=True, kw_only=True):
    """A hedge parent stopped; ``net_delta`` is the position's delta after it (filled quantities
    only) and ``in_flight`` how many other hedges are still working."""

    hedger_id: str
    parent_id: str
    filled: Decimal
    net_delta: Decimal
    in_flight: int
