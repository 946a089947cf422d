"""Smart order routing: one optimiser for the all-in cost across order books and AMM pools.

Sources (books, pools) → exact cost curves → split optimiser (water-filling + branch and bound
over fixed-charge venues) → :class:`Route` (legs, limits, cost breakdown, alternatives).
Layering: depends on ``model``, ``marketdata`` and ``venues`` only.
"""

from slipstream.routing.build_info import compiled_modules
from slipstream.routing.costs import Units
from slipstream.routing.render import render_route
from slipstream.routing.route import Alternative, CostBreakdown, Exclusion, Route, RouteLeg, SourceStatus
from slipstream.routing.router import RouterConfig, SmartRouter
from slipstream.routing.sources import AmmSource, BookSource, GasModel, MevModel, VenueConditions
from slipstream.routing.view import ConsolidatedView, MarketView

__all__ = [
    "Alternative",
    "AmmSource",
    "BookSource",
    "ConsolidatedView",
    "CostBreakdown",
    "Exclusion",
    "GasModel",
    "MarketView",
    "MevModel",
    "Route",
    "RouteLeg",
    "RouterConfig",
    "SmartRouter",
    "SourceStatus",
    "Units",
    "VenueConditions",
    "compiled_modules",
    "render_route",
]
