"""Uniswap v2 constant-product pair: ``UniswapV2Pair.swap`` with its K check, and the router's
``UniswapV2Library.getAmountOut``/``getAmountIn`` quoting.

The pair itself only enforces (x*1000 - in*3)(y*1000 - in'*3) >= x*y*1000^2 on uint112 reserves;
what a trader receives is what the router computed with ``getAmountOut`` (floor) or pays with
``getAmountIn`` (floor + 1), so the Pool methods quote with those and then run the K check.
Simplifications: no LP token, ``kLast``/protocol-fee mint, or price accumulators (none affects a
swap's amounts).
"""

from __future__ import annotations

from fractions import Fraction

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.base import AmmRevert, SwapResult, check_pair, check_positive

__all__ = ["UniswapV2Pair", "get_amount_in", "get_amount_out", "quote"]

_MAX_UINT112 = (1 << 112) - 1
_FEE_PIPS = 3000  # 0.3%, hard-coded in the pair's K check


def quote(amount_a: int, reserve_a: int, reserve_b: int) -> int:
    """``UniswapV2Library.quote``: amount_a * reserve_b / reserve_a (no fee), floor.

    Raises:
        AmmRevert: zero amount or reserves.
    """
    if amount_a <= 0:
        raise AmmRevert("UniswapV2Library: INSUFFICIENT_AMOUNT")
    if reserve_a <= 0 or reserve_b <= 0:
        raise AmmRevert("UniswapV2Library: INSUFFICIENT_LIQUIDITY")
    return amount_a * reserve_b // reserve_a


def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """``UniswapV2Library.getAmountOut``: max output for ``amount_in`` after the 0.3% fee.

    Raises:
        AmmRevert: zero input or reserves.
    """
    if amount_in <= 0:
        raise AmmRevert("UniswapV2Library: INSUFFICIENT_INPUT_AMOUNT")
    if reserve_in <= 0 or reserve_out <= 0:
        raise AmmRevert("UniswapV2Library: INSUFFICIENT_LIQUIDITY")
    with_fee = amount_in * 997
    return with_fee * reserve_out // (reserve_in * 1000 + with_fee)


def get_amount_in(amount_out: int, reserve_in: int, reserve_out: int) -> int:
    """``UniswapV2Library.getAmountIn``: min input buying ``amount_out`` (floor + 1).

    Raises:
        AmmRevert: zero output or reserves, or output >= reserve (SafeMath underflow/div 0).
    """
    if amount_out <= 0:
        raise AmmRevert("UniswapV2Library: INSUFFICIENT_OUTPUT_AMOUNT")
    if reserve_in <= 0 or reserve_out <= 0:
        raise AmmRevert("UniswapV2Library: INSUFFICIENT_LIQUIDITY")
    if amount_out >= reserve_out:
        raise AmmRevert("ds-math-sub-underflow")
    return reserve_in * amount_out * 1000 // ((reserve_out - amount_out) * 997) + 1


class UniswapV2Pair:
    """Simulated v2 pair holding ``reserves`` (token0, token1) in base units.

    Raises:
        ValidationError: reserves negative or above uint112, or not two tokens.
    """

    __slots__ = ("decimals", "fee_pips", "pool_id", "reserve0", "reserve1", "tokens")

    def __init__(self, pool_id: str, tokens: tuple[str, str], decimals: tuple[int, int],
                 reserve0: int, reserve1: int) -> None:
        if len(tokens) != 2 or len(decimals) != 2:
            raise ValidationError("a v2 pair has exactly two tokens")
        for r in (reserve0, reserve1):
            if type(r) is not int or not 0 <= r <= _MAX_UINT112:
                raise ValidationError(f"reserve must be an int in [0, 2^112), got {r!r}")
        self.pool_id = pool_id
        self.tokens = tuple(tokens)
        self.decimals = tuple(decimals)
        self.fee_pips = _FEE_PIPS
        self.reserve0 = reserve0
        self.reserve1 = reserve1

    @property
    def k(self) -> int:
        """reserve0 * reserve1 (never decreases across swaps)."""
        return self.reserve0 * self.reserve1

    def swap(self, amount0_out: int, amount1_out: int, amount0_in: int = 0,
             amount1_in: int = 0) -> None:
        """``UniswapV2Pair.swap`` after the trader transferred ``amount{0,1}_in`` to the pair.

        Flash swaps (paying back in the token taken out) are allowed, as on chain.

        Raises:
            AmmRevert: 'UniswapV2: INSUFFICIENT_OUTPUT_AMOUNT', '...INSUFFICIENT_LIQUIDITY',
                '...INSUFFICIENT_INPUT_AMOUNT', '...K' or '...OVERFLOW'; state unchanged.
        """
        if amount0_in < 0 or amount1_in < 0 or amount0_out < 0 or amount1_out < 0:
            raise ValidationError("swap amounts must be non-negative")
        self.reserve0, self.reserve1 = self._checked_balances(
            amount0_out, amount1_out, amount0_in, amount1_in
        )

    def _checked_balances(self, amount0_out: int, amount1_out: int, amount0_in: int,
                          amount1_in: int) -> tuple[int, int]:
        if amount0_out <= 0 and amount1_out <= 0:
            raise AmmRevert("UniswapV2: INSUFFICIENT_OUTPUT_AMOUNT")
        r0, r1 = self.reserve0, self.reserve1
        if amount0_out >= r0 or amount1_out >= r1:
            raise AmmRevert("UniswapV2: INSUFFICIENT_LIQUIDITY")
        b0 = r0 + amount0_in - amount0_out
        b1 = r1 + amount1_in - amount1_out
        in0 = b0 - (r0 - amount0_out) if b0 > r0 - amount0_out else 0
        in1 = b1 - (r1 - amount1_out) if b1 > r1 - amount1_out else 0
        if in0 <= 0 and in1 <= 0:
            raise AmmRevert("UniswapV2: INSUFFICIENT_INPUT_AMOUNT")
        if (b0 * 1000 - in0 * 3) * (b1 * 1000 - in1 * 3) < r0 * r1 * 1_000_000:
            raise AmmRevert("UniswapV2: K")
        if b0 > _MAX_UINT112 or b1 > _MAX_UINT112:
            raise AmmRevert("UniswapV2: OVERFLOW")
        return b0, b1

    def _reserves(self, token_in: int) -> tuple[int, int]:
        return (self.reserve0, self.reserve1) if token_in == 0 else (self.reserve1, self.reserve0)

    def _trade(self, token_in: int, token_out: int, amount: int, exact_in: bool,
               commit: bool) -> SwapResult:
        check_pair(token_in, token_out, 2)
        check_positive("amount", amount)
        r_in, r_out = self._reserves(token_in)
        if exact_in:
            amount_in, amount_out = amount, get_amount_out(amount, r_in, r_out)
        else:
            amount_in, amount_out = get_amount_in(amount, r_in, r_out), amount
        ins = (amount_in, 0) if token_in == 0 else (0, amount_in)
        outs = (0, amount_out) if token_in == 0 else (amount_out, 0)
        b0, b1 = self._checked_balances(outs[0], outs[1], ins[0], ins[1])
        if commit:
            self.reserve0, self.reserve1 = b0, b1
        fee = (amount_in * _FEE_PIPS + 999_999) // 1_000_000  # 0.3% of input, rounded up
        return SwapResult(amount_in, amount_out, fee, 0, None)

    def quote_exact_in(self, token_in: int, token_out: int, amount_in: int) -> SwapResult:
        """``getAmountOut`` for ``amount_in``; no state change. ``fee_paid`` = ceil(0.3% in).

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the router or pair would revert (e.g. output rounds to 0).
        """
        return self._trade(token_in, token_out, amount_in, True, False)

    def quote_exact_out(self, token_in: int, token_out: int, amount_out: int) -> SwapResult:
        """``getAmountIn`` for ``amount_out``; no state change.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the output is not below the reserve.
        """
        return self._trade(token_in, token_out, amount_out, False, False)

    def swap_exact_in(self, token_in: int, token_out: int, amount_in: int) -> SwapResult:
        """As :meth:`quote_exact_in`, and apply it.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: as the quote; state unchanged.
        """
        return self._trade(token_in, token_out, amount_in, True, True)

    def swap_exact_out(self, token_in: int, token_out: int, amount_out: int) -> SwapResult:
        """As :meth:`quote_exact_out`, and apply it.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: as the quote; state unchanged.
        """
        return self._trade(token_in, token_out, amount_out, False, True)

    def mid_price(self, token_in: int, token_out: int) -> Fraction:
        """reserve_out / reserve_in, before fee.

        Raises:
            ValidationError: bad indices or an empty reserve.
        """
        check_pair(token_in, token_out, 2)
        r_in, r_out = self._reserves(token_in)
        if r_in == 0:
            raise ValidationError("pair has no reserve of the input token")
        return Fraction(r_out, r_in)

    def copy(self) -> UniswapV2Pair:
        """Independent copy (two ints of state)."""
        new = object.__new__(UniswapV2Pair)
        for name in UniswapV2Pair.__slots__:
            setattr(new, name, getattr(self, name))
        return new
