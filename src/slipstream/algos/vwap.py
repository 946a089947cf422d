"""VWAP: follows an intraday volume curve, so more is done when the market usually trades more.

The curve (:class:`~slipstream.algos.schedules.VolumeCurve`) is estimated from recorded bars or
given by a scenario. Its share of the window ``[plan start, end)`` is re-normalised at every
re-plan (start and each amendment), so after a change the rest of the order re-spreads over
the rest of the curve; being behind is caught up by the framework.
"""

from __future__ import annotations

from slipstream.algos.base import AlgoContext, ScheduleAlgo
from slipstream.algos.schedules import VolumeCurve

__all__ = ["VwapAlgo"]


class VwapAlgo(ScheduleAlgo):
    """Volume-weighted average price along ``curve`` (default: flat, i.e. TWAP).

    Args:
        curve: expected share of daily volume per time-of-day bucket (UTC).
    """

    name = "vwap"

    def __init__(self, curve: VolumeCurve | None = None) -> None:
        super().__init__()
        self.curve = curve if curve is not None else VolumeCurve.uniform(60)

    def fraction(self, ctx: AlgoContext, plan_start_ns: int, end_ns: int, ts_ns: int) -> float:
        return self.curve.target_cumulative(plan_start_ns, end_ns, ts_ns)
