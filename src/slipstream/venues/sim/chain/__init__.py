"""Simulated blockchain for on-chain venues: blocks, EIP-1559 gas, mempool and MEV, pool dynamics.

:class:`Chain` produces blocks at a preset interval and includes transactions by tip; public
swaps can be sandwiched, private-relay swaps cannot (but land later or not at all); arbitrageurs
and noise traders move pools between our trades. :class:`AmmVenue` is the Venue on top.
"""

from slipstream.venues.sim.chain.amm_venue import (
    AmmMarket,
    AmmVenue,
    AmmVenueConfig,
    ChainTick,
    GasCharge,
)
from slipstream.venues.sim.chain.chain import Account, Chain, ChainStats
from slipstream.venues.sim.chain.dynamics import Arbitrageur, NoiseTraders, StepPricePath
from slipstream.venues.sim.chain.gas import effective_gas_price, next_base_fee
from slipstream.venues.sim.chain.mev import SandwichPlan, SandwichRecord, plan_sandwich
from slipstream.venues.sim.chain.presets import ARBITRUM, BASE, ETHEREUM, PRESETS, ChainPreset
from slipstream.venues.sim.chain.transactions import Block, Receipt, Transaction, TxKind, TxStatus

__all__ = [
    "ARBITRUM",
    "BASE",
    "ETHEREUM",
    "PRESETS",
    "Account",
    "AmmMarket",
    "AmmVenue",
    "AmmVenueConfig",
    "Arbitrageur",
    "Block",
    "Chain",
    "ChainPreset",
    "ChainStats",
    "ChainTick",
    "GasCharge",
    "NoiseTraders",
    "Receipt",
    "SandwichPlan",
    "SandwichRecord",
    "StepPricePath",
    "Transaction",
    "TxKind",
    "TxStatus",
    "effective_gas_price",
    "next_base_fee",
    "plan_sandwich",
]
