"""Queue position of our resting orders inside a price level we only see aggregated (L2).

A resting order remembers the quantity *ahead* of it when it arrived. Trades at its price
advance it by their full size; level decreases that no trade explains are cancellations, and
where they come from in the queue is unknown. The models answer that one question:

* :class:`RiskAverseQueue` (default, conservative): cancellations come from behind us; we only
  move up when the level shrinks below our ``ahead`` (hftbacktest's ``RiskAdverseQueueModel``).
* :class:`ProbabilisticQueue`: a cancellation of ``d`` lots comes from ahead of us with
  probability ``f(back) / (f(back) + f(front))``, ``f(x) = x**power`` (hftbacktest's
  ``PowerProbQueueFunc``); we move up by that expected share. Floats are fine here: the result
  is rounded down to whole lots, so we never jump further than the expectation.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["ProbabilisticQueue", "QueueModel", "QueuePosition", "RiskAverseQueue"]


class QueuePosition:
    """Lots ahead of one resting order, and trade volume seen at its level since the last
    level update (so that a later level decrease is not counted twice)."""

    __slots__ = ("ahead", "traded")

    def __init__(self, ahead: int) -> None:
        self.ahead = ahead
        self.traded = 0

    def __repr__(self) -> str:
        return f"QueuePosition(ahead={self.ahead}, traded={self.traded})"


class QueueModel(Protocol):
    """How a resting order's position moves (three events, all in integer lots)."""

    def on_arrival(self, level_lots: int) -> QueuePosition:
        """Position of an order joining the back of a level of ``level_lots``."""
        ...

    def on_trade(self, position: QueuePosition, lots: int) -> int:
        """A trade of ``lots`` at our price; returns the lots that reach *us* (beyond ahead)."""
        ...

    def on_level_change(self, position: QueuePosition, before: int, after: int) -> None:
        """The level's displayed size went from ``before`` to ``after`` lots."""
        ...


class RiskAverseQueue:
    """Trades advance us; cancellations only when the level shrinks below what is ahead."""

    def on_arrival(self, level_lots: int) -> QueuePosition:
        return QueuePosition(max(level_lots, 0))

    def on_trade(self, position: QueuePosition, lots: int) -> int:
        return _trade(position, lots)

    def on_level_change(self, position: QueuePosition, before: int, after: int) -> None:
        position.ahead = min(position.ahead, max(after, 0))
        position.traded = 0


class ProbabilisticQueue:
    """Cancellations advance us by their expected share from ahead of us.

    Args:
        power: exponent ``n`` of ``f(x) = x**n``; higher means cancellations are likelier to come
            from the back of the queue (closer to the risk-averse model).
    """

    def __init__(self, power: float = 2.0) -> None:
        self.power = power

    def on_arrival(self, level_lots: int) -> QueuePosition:
        return QueuePosition(max(level_lots, 0))

    def on_trade(self, position: QueuePosition, lots: int) -> int:
        return _trade(position, lots)

    def on_level_change(self, position: QueuePosition, before: int, after: int) -> None:
        cancelled = before - after - position.traded  # the part of the decrease no trade explains
        position.traded = 0
        if cancelled > 0 and position.ahead > 0:
            front = float(position.ahead)
            back = float(max(before - position.ahead, 0))
            f_front, f_back = front**self.power, back**self.power
            share = f_back / (f_back + f_front) if f_back + f_front > 0 else 1.0
            position.ahead -= min(position.ahead, int(cancelled * share))
        position.ahead = min(position.ahead, max(after, 0))


def _trade(position: QueuePosition, lots: int) -> int:
    position.traded += lots
    reach = lots - position.ahead
    position.ahead = max(position.ahead - lots, 0)
    return max(reach, 0)
