"""Market scenarios: seeded multi-venue markets around one shared fair-value process.

A scenario is a TOML file (:mod:`.schema`, documented in docs/scenarios.md): an asset whose fair
value follows a regime-switching jump diffusion (:mod:`.fair_value`), order-book, perpetual and
options venues quoting around it (:mod:`.liquidity`, :mod:`.options`) with depth, trade sizes and
an intraday volume curve calibrated from recorded data (:mod:`.calibration`), AMM pools on a
simulated chain kept near the books by arbitrageurs (:mod:`.amm`), or recorded samples replayed
(:mod:`.replay`). :func:`build_market` turns one into a running :class:`SimMarket`::

    market = build_market(load_scenario("default"))
    market.run()
"""

from slipstream.scenarios.build import SimMarket, build_market
from slipstream.scenarios.fair_value import FairValuePath, simulate_fair_value
from slipstream.scenarios.schema import Scenario, available_scenarios, load_scenario, parse_scenario

__all__ = [
    "FairValuePath",
    "Scenario",
    "SimMarket",
    "available_scenarios",
    "build_market",
    "load_scenario",
    "parse_scenario",
    "simulate_fair_value",
]
