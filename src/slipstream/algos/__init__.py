"""Execution algorithms: WHEN and HOW MUCH. TWAP, VWAP, POV, Implementation Shortfall and
Iceberg on one scheduling framework, with typed, validated parent-order parameters.

Importing this package also registers the algo control events with the journal codec.
"""

from slipstream.algos.base import AlgoContext, ExecutionAlgo, NullAlgo, ScheduleAlgo, WorkingChild
from slipstream.algos.iceberg import IcebergAlgo
from slipstream.algos.implementation_shortfall import ImpactModel, IsAlgo, risk_aversion_for_urgency
from slipstream.algos.params import AlgoParams, base_quantity_for_quote, resolve_end_ns, to_ns, validate
from slipstream.algos.pov import PovAlgo
from slipstream.algos.registry import ALGO_NAMES, make_algo
from slipstream.algos.twap import TwapAlgo
from slipstream.algos.vwap import VwapAlgo
from slipstream.model import algo_events as _algo_events  # noqa: F401  (registers the events)

__all__ = [
    "ALGO_NAMES",
    "AlgoContext",
    "AlgoParams",
    "ExecutionAlgo",
    "IcebergAlgo",
    "ImpactModel",
    "IsAlgo",
    "NullAlgo",
    "PovAlgo",
    "ScheduleAlgo",
    "TwapAlgo",
    "VwapAlgo",
    "WorkingChild",
    "base_quantity_for_quote",
    "make_algo",
    "resolve_end_ns",
    "risk_aversion_for_urgency",
    "to_ns",
    "validate",
]
