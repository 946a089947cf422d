"""Uniswap v3 concentrated-liquidity pool: the state and swap loop of ``UniswapV3Pool.sol``.

The swap walks the tick bitmap exactly as the contract does — one :func:`compute_swap_step` per
(initialised tick | word edge | price limit) — so amounts, final price, tick, in-range liquidity
and the global fee growth match the chain bit for bit (pinned by the v3-core swap snapshots).

Simplifications (none changes a swap's amounts or price):
    * No positions or per-tick ``feeGrowthOutside``/oracle/seconds accounting: ``mint``/``burn``
      change ticks and liquidity only, without owners, so fees earned by a range are not tracked.
      ``fee_growth_global{0,1}_x128`` *is* tracked (it is cheap and pinned by the snapshots).
    * The protocol fee is supported as ``fee_protocol`` (the 4-bit denominator, 0 = off, as in
      ``slot0.feeProtocol % 16`` / ``>> 4``); accrued amounts go to ``protocol_fees{0,1}``.
    * No reentrancy lock, callbacks or flash loans; the trader always pays what the pool asks.
    * An exact-in swap that runs out of liquidity stops at the price limit and takes only part of
      the input (so does the contract); ``SwapResult.amount_in`` reports what was taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.base import AmmRevert, SwapResult, check_pair, check_positive
from slipstream.venues.sim.amm.full_math import MAX_UINT128, MAX_UINT256, Q128, mul_div
from slipstream.venues.sim.amm.sqrt_price_math import (
    get_amount0_delta_signed,
    get_amount1_delta_signed,
)
from slipstream.venues.sim.amm.swap_math import compute_swap_step
from slipstream.venues.sim.amm.tick_bitmap import TickBitmap
from slipstream.venues.sim.amm.tick_math import (
    MAX_SQRT_RATIO,
    MAX_TICK,
    MIN_SQRT_RATIO,
    MIN_TICK,
    get_sqrt_ratio_at_tick,
    get_tick_at_sqrt_ratio,
)

__all__ = ["FEE_TIER_TICK_SPACING", "TickInfo", "UniswapV3Pool", "V3SwapOutcome"]

# Factory-enabled fee tiers (pips) and their tick spacing (UniswapV3Factory constructor).
FEE_TIER_TICK_SPACING: dict[int, int] = {500: 10, 3000: 60, 10000: 200}

_MAX_INT256 = (1 << 255) - 1


@dataclass(frozen=True, slots=True)
class TickInfo:
    """Liquidity bookkeeping of one initialised tick."""

    liquidity_gross: int  # total liquidity referencing this tick (decides "initialised")
    liquidity_net: int  # liquidity added when crossed left-to-right (removed right-to-left)


@dataclass(frozen=True, slots=True)
class V3SwapOutcome:
    """The contract's view of a swap: signed deltas from the pool's side, and the new state."""

    amount0: int  # > 0: pool received token0; < 0: pool paid token0
    amount1: int
    sqrt_price_x96: int
    tick: int
    liquidity: int
    ticks_crossed: int  # initialised ticks crossed
    fee_amount: int  # total fee in the input token, protocol share included


def _max_liquidity_per_tick(tick_spacing: int) -> int:
    min_tick = -(-MIN_TICK // tick_spacing) * tick_spacing  # Solidity division truncates
    max_tick = (MAX_TICK // tick_spacing) * tick_spacing
    return MAX_UINT128 // ((max_tick - min_tick) // tick_spacing + 1)


def _add_delta(x: int, y: int) -> int:
    z = x + y
    if z < 0:
        raise AmmRevert("LS")
    if z > MAX_UINT128:
        raise AmmRevert("LA")
    return z


class UniswapV3Pool:
    """Simulated v3 pool; token indices 0/1 are the pool's token0/token1.

    Args:
        pool_id: identifier used by routing and reports.
        tokens: (token0, token1) symbols.
        decimals: their decimals.
        fee_pips: swap fee in hundredths of a bip (500, 3000, 10000 on the canonical factory).
        tick_spacing: defaults to the factory's spacing for ``fee_pips``.
        sqrt_price_x96: initial price (as ``initialize``).
        fee_protocol: protocol-fee denominator 4..10, or 0 for off.

    Raises:
        ValidationError: bad fee, spacing or protocol fee.
        AmmRevert: 'R' if the price is out of range.
    """

    __slots__ = (
        "_bitmap",
        "_max_liquidity_per_tick",
        "balance0",
        "balance1",
        "decimals",
        "fee_growth_global0_x128",
        "fee_growth_global1_x128",
        "fee_pips",
        "fee_protocol",
        "liquidity",
        "pool_id",
        "protocol_fees0",
        "protocol_fees1",
        "sqrt_price_x96",
        "tick",
        "tick_spacing",
        "ticks",
        "tokens",
    )

    def __init__(
        self,
        pool_id: str,
        tokens: tuple[str, str],
        decimals: tuple[int, int],
        fee_pips: int,
        sqrt_price_x96: int,
        tick_spacing: int | None = None,
        fee_protocol: int = 0,
    ) -> None:
        if not 0 <= fee_pips < 1_000_000:
            raise ValidationError(f"fee_pips must be in [0, 1e6), got {fee_pips}")
        if tick_spacing is None:
            if fee_pips not in FEE_TIER_TICK_SPACING:
                raise ValidationError(f"no default tick spacing for fee {fee_pips}")
            tick_spacing = FEE_TIER_TICK_SPACING[fee_pips]
        if not 0 < tick_spacing < 16384:
            raise ValidationError(f"tick_spacing must be in (0, 16384), got {tick_spacing}")
        if fee_protocol != 0 and not 4 <= fee_protocol <= 10:
            raise ValidationError("fee_protocol must be 0 or in [4, 10]")
        if len(tokens) != 2 or len(decimals) != 2:
            raise ValidationError("a v3 pool has exactly two tokens")
        self.pool_id = pool_id
        self.tokens = tuple(tokens)
        self.decimals = tuple(decimals)
        self.fee_pips = fee_pips
        self.tick_spacing = tick_spacing
        self.fee_protocol = fee_protocol
        self.tick = get_tick_at_sqrt_ratio(sqrt_price_x96)
        self.sqrt_price_x96 = sqrt_price_x96
        self.liquidity = 0
        self.ticks: dict[int, TickInfo] = {}
        self._bitmap = TickBitmap(tick_spacing)
        self._max_liquidity_per_tick = _max_liquidity_per_tick(tick_spacing)
        self.fee_growth_global0_x128 = 0
        self.fee_growth_global1_x128 = 0
        self.protocol_fees0 = 0
        self.protocol_fees1 = 0
        self.balance0 = 0
        self.balance1 = 0

    # ------------------------------------------------------------------ liquidity
    def mint(self, tick_lower: int, tick_upper: int, amount: int) -> tuple[int, int]:
        """Add ``amount`` liquidity on [tick_lower, tick_upper); return tokens paid in.

        Raises:
            AmmRevert: 'TLU'/'TLM'/'TUM' bad range, 'LO' too much liquidity on a tick, or a
                tick that is not a multiple of the spacing.
            ValidationError: amount is not positive.
        """
        check_positive("amount", amount)
        if amount > MAX_UINT128 >> 1:
            raise AmmRevert("SafeCast: int128 overflow")
        amount0, amount1 = self._modify_position(tick_lower, tick_upper, amount)
        return amount0, amount1

    def burn(self, tick_lower: int, tick_upper: int, amount: int) -> tuple[int, int]:
        """Remove ``amount`` liquidity; return tokens released (no owner check: see module doc).

        Raises:
            AmmRevert: 'LS' if the ticks do not hold that much liquidity, or a bad range.
            ValidationError: amount is not positive.
        """
        check_positive("amount", amount)
        amount0, amount1 = self._modify_position(tick_lower, tick_upper, -amount)
        return -amount0, -amount1

    def _modify_position(self, lower: int, upper: int, delta: int) -> tuple[int, int]:
        if lower >= upper:
            raise AmmRevert("TLU")
        if lower < MIN_TICK:
            raise AmmRevert("TLM")
        if upper > MAX_TICK:
            raise AmmRevert("TUM")
        spacing = self.tick_spacing
        if lower % spacing or upper % spacing:
            raise AmmRevert("tick not a multiple of tick spacing")
        new_lower = self._updated_tick(lower, delta, upper=False)
        new_upper = self._updated_tick(upper, delta, upper=True)
        sqrt_lower = get_sqrt_ratio_at_tick(lower)
        sqrt_upper = get_sqrt_ratio_at_tick(upper)
        amount0 = amount1 = 0
        new_liquidity = self.liquidity
        if self.tick < lower:
            amount0 = get_amount0_delta_signed(sqrt_lower, sqrt_upper, delta)
        elif self.tick < upper:
            amount0 = get_amount0_delta_signed(self.sqrt_price_x96, sqrt_upper, delta)
            amount1 = get_amount1_delta_signed(sqrt_lower, self.sqrt_price_x96, delta)
            new_liquidity = _add_delta(self.liquidity, delta)
        else:
            amount1 = get_amount1_delta_signed(sqrt_lower, sqrt_upper, delta)
        if self.balance0 + amount0 < 0 or self.balance1 + amount1 < 0:
            raise AmmRevert("TF")
        # All checks passed: commit.
        for tick, info in ((lower, new_lower), (upper, new_upper)):
            was = tick in self.ticks
            if info.liquidity_gross:
                self.ticks[tick] = info
                if not was:
                    self._bitmap.flip_tick(tick)
            elif was:
                del self.ticks[tick]
                self._bitmap.flip_tick(tick)
        self.liquidity = new_liquidity
        self.balance0 += amount0
        self.balance1 += amount1
        return amount0, amount1

    def _updated_tick(self, tick: int, delta: int, upper: bool) -> TickInfo:
        info = self.ticks.get(tick)
        gross = info.liquidity_gross if info else 0
        net = info.liquidity_net if info else 0
        gross_after = _add_delta(gross, delta)
        if gross_after > self._max_liquidity_per_tick:
            raise AmmRevert("LO")
        net_after = net - delta if upper else net + delta
        if not -(1 << 127) <= net_after < 1 << 127:
            raise AmmRevert("SafeCast: int128 overflow")
        return TickInfo(gross_after, net_after)

    def next_initialized_tick(self, tick: int, lte: bool) -> tuple[int, bool]:
        """The swap loop's next step boundary from ``tick`` (``TickBitmap``'s
        ``nextInitializedTickWithinOneWord``): (tick, initialised); a word edge when none is set."""
        return self._bitmap.next_initialized_tick_within_one_word(tick, lte)

    # ------------------------------------------------------------------ swap
    def swap(self, zero_for_one: bool, amount_specified: int,
             sqrt_price_limit_x96: int) -> V3SwapOutcome:
        """``UniswapV3Pool.swap``: positive amount = exact input, negative = exact output.

        Raises:
            AmmRevert: 'AS' zero amount, 'SPL' bad limit, 'TF' pool cannot pay, math reverts.
        """
        outcome, fee_growth, protocol_fee = self._simulate(
            zero_for_one, amount_specified, sqrt_price_limit_x96
        )
        self.sqrt_price_x96 = outcome.sqrt_price_x96
        self.tick = outcome.tick
        self.liquidity = outcome.liquidity
        if zero_for_one:
            self.fee_growth_global0_x128 = fee_growth
            self.protocol_fees0 += protocol_fee
        else:
            self.fee_growth_global1_x128 = fee_growth
            self.protocol_fees1 += protocol_fee
        self.balance0 += outcome.amount0
        self.balance1 += outcome.amount1
        return outcome

    def quote(self, zero_for_one: bool, amount_specified: int,
              sqrt_price_limit_x96: int) -> V3SwapOutcome:
        """What :meth:`swap` would return, without changing state.

        Raises:
            AmmRevert: as :meth:`swap`.
        """
        return self._simulate(zero_for_one, amount_specified, sqrt_price_limit_x96)[0]

    def _simulate(self, zero_for_one: bool, amount_specified: int,
                  limit: int) -> tuple[V3SwapOutcome, int, int]:
        if amount_specified == 0:
            raise AmmRevert("AS")
        if not -_MAX_INT256 <= amount_specified <= _MAX_INT256:
            raise AmmRevert("amountSpecified out of int256 range")
        sqrt_p = self.sqrt_price_x96
        if zero_for_one:
            if not (limit < sqrt_p and limit > MIN_SQRT_RATIO):
                raise AmmRevert("SPL")
            fee_growth = self.fee_growth_global0_x128
        else:
            if not (limit > sqrt_p and limit < MAX_SQRT_RATIO):
                raise AmmRevert("SPL")
            fee_growth = self.fee_growth_global1_x128
        exact_in = amount_specified > 0
        remaining = amount_specified
        calculated = 0
        tick = self.tick
        liquidity = self.liquidity
        fee_pips = self.fee_pips
        fee_protocol = self.fee_protocol
        protocol_fee = 0
        fee_total = 0
        crossed = 0
        ticks = self.ticks
        next_tick = self._bitmap.next_initialized_tick_within_one_word
        step = compute_swap_step
        sqrt_at = get_sqrt_ratio_at_tick

        while remaining and sqrt_p != limit:
            start = sqrt_p
            tick_next, initialized = next_tick(tick, zero_for_one)
            if tick_next < MIN_TICK:
                tick_next = MIN_TICK
            elif tick_next > MAX_TICK:
                tick_next = MAX_TICK
            sqrt_next = sqrt_at(tick_next)
            if zero_for_one:
                target = limit if sqrt_next < limit else sqrt_next
            else:
                target = limit if sqrt_next > limit else sqrt_next
            sqrt_p, a_in, a_out, fee = step(sqrt_p, target, liquidity, remaining, fee_pips)
            if exact_in:
                remaining -= a_in + fee
                calculated -= a_out
            else:
                remaining += a_out
                calculated += a_in + fee
            fee_total += fee
            if fee_protocol:
                delta = fee // fee_protocol
                fee -= delta
                protocol_fee += delta
            if liquidity:
                fee_growth = (fee_growth + mul_div(fee, Q128, liquidity)) & MAX_UINT256
            if sqrt_p == sqrt_next:
                if initialized:
                    net = ticks[tick_next].liquidity_net
                    liquidity = _add_delta(liquidity, -net if zero_for_one else net)
                    crossed += 1
                tick = tick_next - 1 if zero_for_one else tick_next
            elif sqrt_p != start:
                tick = get_tick_at_sqrt_ratio(sqrt_p)

        if zero_for_one == exact_in:
            amount0, amount1 = amount_specified - remaining, calculated
        else:
            amount0, amount1 = calculated, amount_specified - remaining
        if self.balance0 + amount0 < 0 or self.balance1 + amount1 < 0:
            raise AmmRevert("TF")
        outcome = V3SwapOutcome(amount0, amount1, sqrt_p, tick, liquidity, crossed, fee_total)
        return outcome, fee_growth, protocol_fee

    # ------------------------------------------------------------------ Pool protocol
    def _signed(self, token_in: int, token_out: int, amount: int,
                exact_in: bool, commit: bool) -> SwapResult:
        check_pair(token_in, token_out, 2)
        check_positive("amount", amount)
        zero_for_one = token_in == 0
        limit = MIN_SQRT_RATIO + 1 if zero_for_one else MAX_SQRT_RATIO - 1
        specified = amount if exact_in else -amount
        run = self.swap if commit else self.quote
        out = run(zero_for_one, specified, limit)
        paid_in, paid_out = (out.amount0, -out.amount1) if zero_for_one else (
            out.amount1, -out.amount0)
        return SwapResult(paid_in, paid_out, out.fee_amount, out.ticks_crossed,
                          out.sqrt_price_x96)

    def quote_exact_in(self, token_in: int, token_out: int, amount_in: int) -> SwapResult:
        """Sell ``amount_in`` with no price limit (MIN/MAX_SQRT_RATIO -+ 1); no state change.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the contract would revert (e.g. 'SPL' with the price at the limit).
        """
        return self._signed(token_in, token_out, amount_in, True, False)

    def quote_exact_out(self, token_in: int, token_out: int, amount_out: int) -> SwapResult:
        """Buy ``amount_out`` (less if liquidity runs out); no state change.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the contract would revert.
        """
        return self._signed(token_in, token_out, amount_out, False, False)

    def swap_exact_in(self, token_in: int, token_out: int, amount_in: int) -> SwapResult:
        """As :meth:`quote_exact_in`, and apply it.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the contract would revert; state unchanged.
        """
        return self._signed(token_in, token_out, amount_in, True, True)

    def swap_exact_out(self, token_in: int, token_out: int, amount_out: int) -> SwapResult:
        """As :meth:`quote_exact_out`, and apply it.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the contract would revert; state unchanged.
        """
        return self._signed(token_in, token_out, amount_out, False, True)

    def mid_price(self, token_in: int, token_out: int) -> Fraction:
        """Marginal price out-per-in in base units: sqrtP^2 / 2^192 for token0 -> token1.

        Raises:
            ValidationError: bad indices.
        """
        check_pair(token_in, token_out, 2)
        p = Fraction(self.sqrt_price_x96 * self.sqrt_price_x96, 1 << 192)
        return p if token_in == 0 else 1 / p

    def copy(self) -> UniswapV3Pool:
        """Independent copy; tick infos are immutable so shallow dict copies suffice."""
        new = object.__new__(UniswapV3Pool)
        for name in UniswapV3Pool.__slots__:
            setattr(new, name, getattr(self, name))
        new.ticks = dict(self.ticks)
        new._bitmap = self._bitmap.copy()
        return new
