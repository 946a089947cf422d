"""Journaled risk and venue-health events: limit changes, the kill switch, venue health and the
circuit breaker. Past tense, frozen, replayed like every other event.

Limits travel as their canonical plain form (``config``: the dict that
``slipstream.risk.limits_io.limits_to_dict`` writes and ``limits_from_dict`` reads) because the
model layer cannot import the risk layer's config types; replay parses them with the same
validator as a config file, so a journal can never carry limits a file could not.
"""

from __future__ import annotations

from typing import Any

from slipstream.model.events import Event

__all__ = [
    "CircuitBreakerClosed",
    "CircuitBreakerOpened",
    "KillSwitchEngaged",
    "KillSwitchReleased",
    "RiskLimitsChanged",
    "VenueHealthChanged",
]


class RiskLimitsChanged(Event, frozen=True, kw_only=True):
    """New pre-trade limits replace the old ones wholesale (``config`` is canonical, sorted)."""

    config: dict[str, Any]
    reason: str = ""


class KillSwitchEngaged(Event, frozen=True, kw_only=True):
    """Every new order is refused and every working order is being cancelled.

    ``source`` is ``manual`` (an operator) or ``max_loss`` (the loss limit tripped it).
    """

    reason: str
    source: str = "manual"


class KillSwitchReleased(Event, frozen=True, kw_only=True):
    reason: str = ""


class VenueHealthChanged(Event, frozen=True, kw_only=True):
    """A venue's combined health moved (``healthy`` / ``degraded`` / ``down``).

    ``signals`` names each signal's value at the decision as key=value pairs, in a fixed order.
    """

    venue: str
    previous: str
    current: str
    signals: tuple[tuple[str, str], ...] = ()


class CircuitBreakerOpened(Event, frozen=True, kw_only=True):
    """Routing to ``venue`` stopped; its working orders are cancelled or marked unknown."""

    venue: str
    reason: str


class CircuitBreakerClosed(Event, frozen=True, kw_only=True):
    """Routing to ``venue`` may resume."""

    venue: str
    reason: str = ""
