"""TWAP: an even schedule over the horizon — the same quantity in every equal slice of time.

Catch-up, randomised slice sizes and times, child sizes and the participation cap come from
the shared framework (:class:`~slipstream.algos.base.ScheduleAlgo`).
"""

from __future__ import annotations

from slipstream.algos.base import AlgoContext, ScheduleAlgo

__all__ = ["TwapAlgo"]


class TwapAlgo(ScheduleAlgo):
    """Time-weighted average price: target grows linearly from start to end."""

    name = "twap"

    def fraction(self, ctx: AlgoContext, plan_start_ns: int, end_ns: int, ts_ns: int) -> float:
        return (ts_ns - plan_start_ns) / (end_ns - plan_start_ns)
