"""Pre-trade risk: limits as configuration, checks with stable reason codes, the kill switch.

Importing this package also registers the risk/venue-health journal events
(:mod:`slipstream.model.risk_events`) with the journal codec.
"""

from slipstream.model import risk_events as _risk_events  # noqa: F401  (registers journal events)
from slipstream.risk.base import CompositeRisk, MaxOrderNotional, NoRisk, PreTradeCheck, RiskDenial
from slipstream.risk.checks import OrderRequest, RiskContext
from slipstream.risk.commands import (
    EnforceMaxLoss,
    EngageKillSwitch,
    ReleaseKillSwitch,
    RiskCommand,
    SetRiskLimits,
    apply_risk_command,
    cancel_all_working,
)
from slipstream.risk.engine import KillSwitch, RiskEngine
from slipstream.risk.limits import (
    ExposureLimits,
    InstrumentLimits,
    Rate,
    ReferenceKind,
    RiskLimits,
    TradingSession,
    VenueLimits,
)
from slipstream.risk.limits_io import limits_from_dict, limits_from_toml, limits_to_dict
from slipstream.risk.reasons import RiskReason
from slipstream.risk.references import ReferencePrices, ReferencePriceTable
from slipstream.risk.venue_checks import VenueGate

__all__ = [
    "CompositeRisk",
    "EnforceMaxLoss",
    "EngageKillSwitch",
    "ExposureLimits",
    "InstrumentLimits",
    "KillSwitch",
    "MaxOrderNotional",
    "NoRisk",
    "OrderRequest",
    "PreTradeCheck",
    "Rate",
    "ReferenceKind",
    "ReferencePriceTable",
    "ReferencePrices",
    "ReleaseKillSwitch",
    "RiskCommand",
    "RiskContext",
    "RiskDenial",
    "RiskEngine",
    "RiskLimits",
    "RiskReason",
    "SetRiskLimits",
    "TradingSession",
    "VenueGate",
    "VenueLimits",
    "apply_risk_command",
    "cancel_all_working",
    "limits_from_dict",
    "limits_from_toml",
    "limits_to_dict",
]
