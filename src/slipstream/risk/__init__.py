"""Pre-trade risk checks."""

from slipstream.risk.base import CompositeRisk, MaxOrderNotional, NoRisk, PreTradeCheck, RiskDenial

__all__ = ["CompositeRisk", "MaxOrderNotional", "NoRisk", "PreTradeCheck", "RiskDenial"]
