"""Chain presets: block interval, gas limit, fee-market and MEV defaults per network.

A preset is plain configuration; every field can be overridden with ``dataclasses.replace``.
Figures are representative of each network in 2024–25, not a promise about any one block:

* Ethereum: 12 s slots, 30M gas limit (the London-era limit; raised to 36M in 2025), public
  mempool with active sandwich bots, Flashbots-Protect-style private relay that reaches only
  part of the builders (so a private tx lands in a given block with probability < 1 and is
  dropped after 25 blocks, the Protect default).
* Arbitrum One: 0.25 s blocks from a first-come-first-served sequencer with no public mempool,
  so no sandwiches; 0.01 gwei minimum base fee; priority fees are ignored by the sequencer.
* Base (OP Stack): 2 s blocks from a sequencer with a private mempool; no sandwiches by default.

Simplification: every preset uses the mainnet EIP-1559 constants (elasticity 2, denominator 8,
i.e. ±12.5% per block). OP Stack chains use other values (elasticity 6, denominator 250 since
Canyon); pass them with ``replace`` when that matters.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.errors import ValidationError

__all__ = ["ARBITRUM", "BASE", "ETHEREUM", "PRESETS", "ChainPreset"]

GWEI = 10**9


@dataclass(frozen=True, slots=True)
class ChainPreset:
    """Parameters of one simulated chain.

    Args:
        name: short network name.
        block_time_ns: interval between blocks.
        gas_limit: block gas limit; the EIP-1559 target is ``gas_limit // elasticity``.
        initial_base_fee_wei: base fee of the first simulated block.
        default_priority_fee_wei: tip a wallet attaches by default.
        native_asset: the gas asset (what ``Fill.gas`` is denominated in).
        wrapped_native: the ERC-20 wrapper of the native asset used by pools.
        elasticity: EIP-1559 ``ELASTICITY_MULTIPLIER``.
        change_denominator: EIP-1559 ``BASE_FEE_MAX_CHANGE_DENOMINATOR``.
        min_base_fee_wei: floor under the base fee (0 on Ethereum).
        background_utilisation: mean share of the gas limit that other users fill per block.
        background_sd: its standard deviation (seeded normal, clipped to [0, 1]).
        sandwich_probability: chance a profitable public swap is sandwiched.
        relay_inclusion_probability: chance per block that a private-relay tx is included.
        relay_max_blocks: a private tx not included within this many blocks is dropped.
    """

    name: str
    block_time_ns: int
    gas_limit: int
    initial_base_fee_wei: int
    default_priority_fee_wei: int
    native_asset: str = "ETH"
    wrapped_native: str = "WETH"
    elasticity: int = 2
    change_denominator: int = 8
    min_base_fee_wei: int = 0
    background_utilisation: float = 0.5
    background_sd: float = 0.1
    sandwich_probability: float = 0.0
    relay_inclusion_probability: float = 1.0
    relay_max_blocks: int = 25

    def __post_init__(self) -> None:
        if self.block_time_ns <= 0 or self.gas_limit <= 0:
            raise ValidationError("block time and gas limit must be positive")
        if self.elasticity < 1 or self.change_denominator < 1:
            raise ValidationError("EIP-1559 elasticity and denominator must be >= 1")
        if self.initial_base_fee_wei < self.min_base_fee_wei or self.min_base_fee_wei < 0:
            raise ValidationError("initial base fee must be >= the minimum base fee >= 0")
        if self.default_priority_fee_wei < 0:
            raise ValidationError("priority fee must be >= 0")
        for name in ("background_utilisation", "sandwich_probability", "relay_inclusion_probability"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValidationError(f"{name} must be in [0, 1], got {value}")
        if self.background_sd < 0 or self.relay_max_blocks < 1:
            raise ValidationError("background_sd must be >= 0 and relay_max_blocks >= 1")

    @property
    def gas_target(self) -> int:
        return self.gas_limit // self.elasticity


ETHEREUM = ChainPreset(
    name="ethereum",
    block_time_ns=12_000_000_000,
    gas_limit=30_000_000,
    initial_base_fee_wei=10 * GWEI,
    default_priority_fee_wei=GWEI,
    sandwich_probability=0.8,
    relay_inclusion_probability=0.7,
)
ARBITRUM = ChainPreset(
    name="arbitrum",
    block_time_ns=250_000_000,
    gas_limit=32_000_000,
    initial_base_fee_wei=GWEI // 100,
    default_priority_fee_wei=0,
    min_base_fee_wei=GWEI // 100,
    background_utilisation=0.3,
)
BASE = ChainPreset(
    name="base",
    block_time_ns=2_000_000_000,
    gas_limit=60_000_000,
    initial_base_fee_wei=GWEI // 100,
    default_priority_fee_wei=GWEI // 1000,
)
PRESETS: dict[str, ChainPreset] = {p.name: p for p in (ETHEREUM, ARBITRUM, BASE)}
