"""Fast exact quotes on a Uniswap v3 pool *snapshot*: the contract's swap loop, precomputed.

A v3 swap walks steps (to the next initialised tick or bitmap word edge). A step that reaches its
target moves amounts that depend only on (start price, target, liquidity, fee) — not on the
amount still to swap — so for one snapshot and direction the sequence of full steps, with
the contract's own rounding (:func:`compute_swap_step` with an unbounded amount), is computed once.
A quote then skips the full steps by integer comparisons (the same ``reached`` test the contract
makes) and runs the contract's step function once for the final, partial step.

Exactness: every number comes from the contract math in the same order; where the shortcut's
assumptions do not hold (the final step lands exactly on its target, the path reaches the price
limit, the pool could not pay, or any revert) :meth:`V3Path.quote` returns None and the caller uses
the pool's own quote. A property test compares it with :meth:`UniswapV3Pool.quote_exact_in` /
``quote_exact_out`` bit for bit.

The snapshot must not change while a path is in use (router sources are immutable copies).
"""

from __future__ import annotations

from slipstream.venues.sim.amm.base import AmmRevert, SwapResult
from slipstream.venues.sim.amm.swap_math import compute_swap_step
from slipstream.venues.sim.amm.tick_math import (
    MAX_SQRT_RATIO,
    MAX_TICK,
    MIN_SQRT_RATIO,
    MIN_TICK,
    get_sqrt_ratio_at_tick,
)
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = ["V3Path"]

_PIPS = 1_000_000
_UNBOUNDED = 1 << 200  # an amount no step can exhaust: every step reaches its target
_MAX_STEPS = 4_096


class V3Path:
    """The full steps of a swap from the snapshot's price in one direction (built lazily).

    Args:
        pool: the snapshot (not mutated afterwards).
        zero_for_one: direction (token0 in, token1 out).
    """

    __slots__ = (
        "_end",
        "_liq",
        "_sqrt",
        "_tick",
        "fee",
        "fees",
        "inits",
        "ins",
        "liqs",
        "outs",
        "pool",
        "starts",
        "targets",
        "zfo",
    )

    def __init__(self, pool: UniswapV3Pool, zero_for_one: bool) -> None:
        self.pool = pool
        self.zfo = zero_for_one
        self.fee = pool.fee_pips
        self.starts: list[int] = []
        self.targets: list[int] = []
        self.liqs: list[int] = []
        self.ins: list[int] = []  # amount in without fee
        self.fees: list[int] = []
        self.outs: list[int] = []
        self.inits: list[int] = []  # 1 when the step ends by crossing an initialised tick
        self._sqrt = pool.sqrt_price_x96
        self._tick = pool.tick
        self._liq = pool.liquidity
        self._end = False

    def _extend(self) -> bool:
        """Append the next full step as the contract's loop would take it; False at the end."""
        if self._end or len(self.starts) >= _MAX_STEPS:
            return False
        zfo = self.zfo
        limit = MIN_SQRT_RATIO + 1 if zfo else MAX_SQRT_RATIO - 1
        start = self._sqrt
        if start == limit:
            self._end = True
            return False
        tick_next, initialized = self.pool.next_initialized_tick(self._tick, zfo)
        tick_next = min(max(tick_next, MIN_TICK), MAX_TICK)
        sqrt_next = get_sqrt_ratio_at_tick(tick_next)
        target = (limit if sqrt_next < limit else sqrt_next) if zfo else (limit if sqrt_next > limit else sqrt_next)
        if target != sqrt_next:  # the path meets the price limit: leave that to the contract path
            self._end = True
            return False
        liq = self._liq
        try:
            sqrt_p, a_in, a_out, fee = compute_swap_step(start, target, liq, _UNBOUNDED, self.fee)
            if sqrt_p != target:
                self._end = True
                return False
            if initialized:
                net = self.pool.ticks[tick_next].liquidity_net
                new_liq = liq + (-net if zfo else net)
                if new_liq < 0 or new_liq >> 128:
                    raise AmmRevert("LS" if new_liq < 0 else "LA")
                self._liq = new_liq
        except AmmRevert:
            self._end = True
            return False
        self.starts.append(start)
        self.targets.append(target)
        self.liqs.append(liq)
        self.ins.append(a_in)
        self.fees.append(fee)
        self.outs.append(a_out)
        self.inits.append(1 if initialized else 0)
        self._sqrt = target
        self._tick = tick_next - 1 if zfo else tick_next
        return True

    def extend(self, steps: int) -> None:
        """Precompute up to ``steps`` full steps now (at market-data update time, not decision time)."""
        while len(self.starts) < steps and self._extend():
            pass

    def quote(self, amount: int, exact_in: bool) -> SwapResult | None:
        """The contract's result of swapping ``amount`` (input if ``exact_in`` else output), or
        None when the caller must use the pool's own quote (see the module docstring)."""
        if amount <= 0:
            return None
        pool, fee_pips = self.pool, self.fee
        ins, outs, fees = self.ins, self.outs, self.fees
        keep = _PIPS - fee_pips
        rest = amount
        paid = got = fee_total = crossed = 0
        i = 0
        sqrt_after = self._sqrt if not self.starts else self.starts[0]
        while True:
            if i == len(ins) and not self._extend():
                return None
            if (rest * keep // _PIPS >= ins[i]) if exact_in else (rest >= outs[i]):  # the step is full
                step_in = ins[i] + fees[i]
                rest -= step_in if exact_in else outs[i]
                paid += step_in
                got += outs[i]
                fee_total += fees[i]
                crossed += self.inits[i]
                sqrt_after = self.targets[i]
                i += 1
                if rest == 0:
                    break
                continue
            try:
                sqrt_p, a_in, a_out, fee = compute_swap_step(
                    self.starts[i], self.targets[i], self.liqs[i], rest if exact_in else -rest, fee_pips)
            except AmmRevert:
                return None
            if sqrt_p == self.targets[i]:  # lands on the boundary: crossing rules apply, use the contract
                return None
            paid += a_in + fee
            got += a_out
            fee_total += fee
            sqrt_after = sqrt_p
            break
        bal_in, bal_out = (pool.balance0, pool.balance1) if self.zfo else (pool.balance1, pool.balance0)
        if bal_out - got < 0 or bal_in + paid < 0:
            return None
        return SwapResult(paid, got, fee_total, crossed, sqrt_after)
