"""Schedules the execution algos follow: Almgren–Chriss (IS) and intraday volume curves (VWAP).

Schedules are models, so they work in floats; the algo turns a target into lots at the edge.
"""

from slipstream.algos.schedules.almgren_chriss import (
    AlmgrenChrissParams,
    AlmgrenChrissSchedule,
    FrontierPoint,
    TrajectoryCost,
    efficient_frontier,
    optimal_schedule,
    trajectory_cost,
)
from slipstream.algos.schedules.volume_curve import DAY_NS, VolumeCurve

__all__ = [
    "DAY_NS",
    "AlmgrenChrissParams",
    "AlmgrenChrissSchedule",
    "FrontierPoint",
    "TrajectoryCost",
    "VolumeCurve",
    "efficient_frontier",
    "optimal_schedule",
    "trajectory_cost",
]
