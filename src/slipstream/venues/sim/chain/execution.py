"""Run one swap against a pool as a router transaction would: quote, check the trader's limit,
apply, and count the gas the contracts' snapshots say it burns.

Simplifications (documented, deliberate):
    * A swap that reverts still burns the gas of the swap it attempted (the v3 router checks
      the minimum output after swapping; the v2 router checks before transferring, so real v2
      reverts are somewhat cheaper). A pool-level revert burns the no-tick-crossing swap gas.
    * A swap the pool can fill only in part (v3 liquidity running out) reverts: the routers'
      exact-output path requires the full amount, and a partial exact input would leave the
      order's quantity off its lot grid.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.base import AmmRevert, Pool, SwapResult
from slipstream.venues.sim.amm.gas import STABLESWAP_EXCHANGE_GAS, v2_swap_gas, v3_swap_gas
from slipstream.venues.sim.amm.stableswap import StableSwapPool

__all__ = ["SwapOutcome", "run_swap", "swap_gas_units"]

TOO_LITTLE_RECEIVED = "Too little received"  # v3 SwapRouter's revert strings
TOO_MUCH_REQUESTED = "Too much requested"
PARTIAL_FILL = "insufficient liquidity"


def swap_gas_units(pool: Pool, result: SwapResult | None) -> int:
    """Gas units of a one-hop router swap on ``pool`` (``result`` None: the base cost).

    v3 pools (a result with a sqrt price) pay per initialised tick crossed; Curve pools a
    fixed exchange cost; anything else is priced as a v2 pair.
    """
    if isinstance(pool, StableSwapPool):
        return STABLESWAP_EXCHANGE_GAS
    if result is not None and result.sqrt_price_after_x96 is not None:
        return v3_swap_gas(result.ticks_crossed)
    if result is None and hasattr(pool, "sqrt_price_x96"):
        return v3_swap_gas(0)
    return v2_swap_gas()


@dataclass(frozen=True, slots=True)
class SwapOutcome:
    """A swap attempt: ``result`` on success, else ``revert_reason``; gas either way."""

    result: SwapResult | None
    gas_units: int
    revert_reason: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None


def run_swap(pool: Pool, exact_in: bool, token_in: int, token_out: int, amount: int, limit: int,
             commit: bool = True) -> SwapOutcome:
    """Try a swap with the trader's limit; apply it to ``pool`` only if it succeeds and ``commit``.

    Args:
        pool: the pool (mutated on success when ``commit``).
        exact_in: sell exactly ``amount`` (``limit`` = minimum output), else buy exactly
            ``amount`` (``limit`` = maximum input).
        token_in, token_out: pool token indices.
        amount, limit: base units.
        commit: False to only evaluate.

    Returns:
        The outcome; a revert leaves the pool unchanged.
    """
    try:
        if exact_in:
            result = pool.quote_exact_in(token_in, token_out, amount)
        else:
            result = pool.quote_exact_out(token_in, token_out, amount)
    except (AmmRevert, ValidationError) as exc:
        reason = exc.reason if isinstance(exc, AmmRevert) else str(exc)
        return SwapOutcome(None, swap_gas_units(pool, None), reason)
    gas = swap_gas_units(pool, result)
    if (exact_in and result.amount_in != amount) or (not exact_in and result.amount_out != amount):
        return SwapOutcome(None, gas, PARTIAL_FILL)
    if exact_in and result.amount_out < limit:
        return SwapOutcome(None, gas, TOO_LITTLE_RECEIVED)
    if not exact_in and result.amount_in > limit:
        return SwapOutcome(None, gas, TOO_MUCH_REQUESTED)
    if commit:
        applied = (pool.swap_exact_in(token_in, token_out, amount) if exact_in
                   else pool.swap_exact_out(token_in, token_out, amount))
        return SwapOutcome(applied, gas)
    return SwapOutcome(result, gas)
