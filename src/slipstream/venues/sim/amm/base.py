"""The pool protocol every simulated AMM implements, its swap result, and the revert error.

Routing, the sandwich simulator and the venue adapter code against :class:`Pool` only, so a
Uniswap v2 pair, a v3 pool and a Curve stableswap pool are interchangeable to them. All amounts
are integers in token base units (wei for an 18-decimal token); nothing here is a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol, runtime_checkable

from slipstream.errors import ValidationError, VenueError

__all__ = ["AmmRevert", "Pool", "SwapResult", "check_pair", "check_positive"]


class AmmRevert(VenueError):
    """The pool contract would revert; no state was changed.

    Args:
        reason: the contract's revert string where it has one ('SPL', 'UniswapV2: K', ...),
            else a short description of the failed ``require``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"pool reverted: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SwapResult:
    """What one swap moved, in token base units."""

    amount_in: int  # token units actually taken from the trader (incl. fee)
    amount_out: int  # token units paid to the trader
    fee_paid: int  # in the input token
    ticks_crossed: int  # 0 for v2/stableswap; initialised ticks crossed for v3
    sqrt_price_after_x96: int | None  # v3 only


@runtime_checkable
class Pool(Protocol):
    """A simulated on-chain pool whose quotes equal the contract's integer results."""

    pool_id: str
    tokens: tuple[str, ...]  # token symbols in pool order
    decimals: tuple[int, ...]
    fee_pips: int  # fee in hundredths of a bip (3000 = 0.3%)

    def quote_exact_in(self, token_in: int, token_out: int, amount_in: int) -> SwapResult:
        """Result of selling exactly ``amount_in``; no state change."""
        ...

    def quote_exact_out(self, token_in: int, token_out: int, amount_out: int) -> SwapResult:
        """Result of buying ``amount_out``; no state change."""
        ...

    def swap_exact_in(self, token_in: int, token_out: int, amount_in: int) -> SwapResult:
        """Sell exactly ``amount_in`` and apply the swap to the pool state."""
        ...

    def swap_exact_out(self, token_in: int, token_out: int, amount_out: int) -> SwapResult:
        """Buy ``amount_out`` and apply the swap to the pool state."""
        ...

    def mid_price(self, token_in: int, token_out: int) -> Fraction:
        """Marginal price, out per in, before fee, in base units."""
        ...

    def copy(self) -> Pool:
        """Cheap deep copy for what-if analysis (sandwich, routing)."""
        ...


def check_pair(token_in: int, token_out: int, n_tokens: int) -> None:
    """Validate a (token_in, token_out) index pair for a pool of ``n_tokens`` coins.

    Raises:
        ValidationError: an index is out of range or both are the same coin.
    """
    if not (0 <= token_in < n_tokens and 0 <= token_out < n_tokens):
        raise ValidationError(f"token index out of range for {n_tokens}-coin pool")
    if token_in == token_out:
        raise ValidationError("token_in and token_out must differ")


def check_positive(name: str, amount: int) -> None:
    """Reject non-integer or non-positive amounts before they reach contract math.

    Raises:
        ValidationError: ``amount`` is not an ``int`` or is <= 0.
    """
    if type(amount) is not int or amount <= 0:
        raise ValidationError(f"{name} must be a positive int of base units, got {amount!r}")
