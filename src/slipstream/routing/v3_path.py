"""Fast exact quotes on an AMM pool *snapshot*: the v3 swap loop precomputed, v2 inline.

A v3 swap walks steps (to the next initialised tick or bitmap word edge). A step that reaches its
target moves amounts that depend only on (start price, target, liquidity, fee) — not on the
amount still to swap — so for one snapshot and direction the sequence of full steps, with
the contract's own rounding (:func:`compute_swap_step` with an unbounded amount), is computed once
(:class:`V3Path`) together with prefix sums of what they take in (fee included) and pay out.

A quote then finds the full steps by bisection on those sums: the contract's ``reached`` test for
exact input, ``(rest × (1e6 − fee)) // 1e6 >= amount_in``, is equivalent to ``rest >= amount_in +
fee`` (the step's fee is ``ceil(amount_in × fee / (1e6 − fee))``, so ``amount_in + fee =
ceil(amount_in × 1e6 / (1e6 − fee))``), i.e. to ``amount >= cumulative_in[i + 1]``; for exact output
it is ``amount >= cumulative_out[i + 1]``. Both sums are non-decreasing, so the first step the amount
cannot complete is a ``bisect_right``, and the contract's early stop when nothing remains is the
first index where the sum equals the amount. The final, partial step is the contract's step
function specialised to its case (same integer operations, order and rounding).

Exactness: where the shortcut's assumptions do not hold (the final step lands exactly on its target,
the path reaches the price limit, the pool could not pay, an amount of 2**128 or more, or any revert)
:meth:`V3Path.quote` returns None and the caller uses the pool's own quote. :class:`PoolQuotes` is
that caller for the router (v2 pairs quoted inline with ``getAmountOut``/``getAmountIn`` and the
pair's checks; other pools by their own quote). Property tests compare both with the pools'
``quote_exact_in`` / ``quote_exact_out`` bit for bit.

The snapshot must not change while a path is in use (router sources are immutable copies).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Final

from slipstream.routing.sources import AmmSource
from slipstream.venues.sim.amm.base import AmmRevert, SwapResult
from slipstream.venues.sim.amm.swap_math import compute_swap_step
from slipstream.venues.sim.amm.tick_math import (
    MAX_SQRT_RATIO,
    MAX_TICK,
    MIN_SQRT_RATIO,
    MIN_TICK,
    get_sqrt_ratio_at_tick,
)
from slipstream.venues.sim.amm.v2_pair import UniswapV2Pair
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = ["PoolQuotes", "RawSwap", "V3Path", "v3_path_for"]

RawSwap = tuple[int, int, int, int, int | None]
"""(amount_in, amount_out, fee_paid, ticks_crossed, sqrt_price_after_x96): a :class:`SwapResult`
as a plain tuple (building the frozen dataclass costs more than the arithmetic)."""

_PIPS: Final = 1_000_000
_UNBOUNDED: Final = 1 << 200  # an amount no step can exhaust: every step reaches its target
_MAX_STEPS: Final = 4_096
_MAX_AMOUNT: Final = 1 << 128  # larger amounts take the pool's own (overflow-checked) path
_MAX_UINT160: Final = (1 << 160) - 1
_MAX_UINT256: Final = (1 << 256) - 1
_MAX_UINT112: Final = (1 << 112) - 1
_QUOTE_CACHE: Final = 8_192  # exact pool quotes kept per snapshot and side (cleared when full)
_MISSING: Final = object()


class V3Path:
    """The full steps of a swap from the snapshot's price in one direction (built lazily).

    Args:
        pool: the snapshot (not mutated afterwards).
        zero_for_one: direction (token0 in, token1 out).
    """

    __slots__ = (
        "_bal_in",
        "_bal_out",
        "_ccross",
        "_cfee",
        "_cin",
        "_cout",
        "_end",
        "_liq",
        "_sqrt",
        "_steps",
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
        self._steps: list[tuple[int, int, int]] = []  # (start, target, liquidity) per step
        self._cin = [0]  # prefix sums over the steps: amount in with fee, out, fee, ticks crossed
        self._cout = [0]
        self._cfee = [0]
        self._ccross = [0]
        self._sqrt = pool.sqrt_price_x96
        self._tick = pool.tick
        self._liq = pool.liquidity
        self._end = False
        self._bal_in, self._bal_out = (pool.balance0, pool.balance1) if zero_for_one else \
            (pool.balance1, pool.balance0)

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
        self._steps.append((start, target, liq))
        self._cin.append(self._cin[-1] + a_in + fee)
        self._cout.append(self._cout[-1] + a_out)
        self._cfee.append(self._cfee[-1] + fee)
        self._ccross.append(self._ccross[-1] + (1 if initialized else 0))
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
        r = self.quote_raw(amount, exact_in)
        return None if r is None else SwapResult(*r)

    def quote_raw(self, amount: int, exact_in: bool) -> RawSwap | None:
        """:meth:`quote` as a :data:`RawSwap` tuple."""
        if not 0 < amount < _MAX_AMOUNT:
            return None
        cum = self._cin if exact_in else self._cout
        j = bisect_right(cum, amount, 1)  # cum[1 .. j-1] <= amount < cum[j]
        while j == len(cum) and cum[-1] != amount:  # every known step is full: the path goes on
            if not self._extend():
                return None
            j = bisect_right(cum, amount, j)
        k = j - 1  # steps 0 .. k-1 are full
        done = cum[k]
        if done == amount:  # nothing left after a full step: the contract stops at the first such
            k = bisect_left(cum, amount, 1, k)
            got = self._cout[k]
            paid = self._cin[k]
            fee_total = self._cfee[k]
            sqrt_after = self.targets[k - 1]
        else:
            start, target, liq = self._steps[k]
            try:
                rest = amount - done  # direct calls: a compiled build calls them natively
                if exact_in:
                    step = _partial_in_zfo(start, liq, rest, self.fee) if self.zfo else \
                        _partial_in_ofz(start, liq, rest, self.fee)
                else:
                    step = _partial_out_zfo(start, liq, rest, self.fee) if self.zfo else \
                        _partial_out_ofz(start, liq, rest, self.fee)
            except ZeroDivisionError:  # defensive: the contract math would have reverted first
                return None
            if step is None:
                return None
            sqrt_after, a_in, a_out, fee = step
            if sqrt_after == target:  # lands on the boundary: crossing rules apply, use the contract
                return None
            paid = self._cin[k] + a_in + fee
            got = self._cout[k] + a_out
            fee_total = self._cfee[k] + fee
        if self._bal_out - got < 0 or self._bal_in + paid < 0:
            return None
        return (paid, got, fee_total, self._ccross[k], sqrt_after)


class PoolQuotes:
    """The pool's exact quotes for one snapshot and side, memoised by amount of base (shared by the
    curves of every route on that snapshot, whatever their units): v3 from the precomputed
    :class:`V3Path`, v2 from ``getAmountOut``/``getAmountIn`` inline, else the pool's own quote."""

    __slots__ = ("base_index", "buy", "cache", "path", "pool", "quote_index", "v2")

    def __init__(self, source: AmmSource, buy: bool, path: V3Path | None) -> None:
        """``path``: the snapshot's :class:`V3Path` for this side (v3 pools), else None."""
        self.pool = source.pool
        self.buy = buy
        self.base_index = source.base_index
        self.quote_index = source.quote_index
        self.path = path
        self.v2 = isinstance(source.pool, UniswapV2Pair)
        self.cache: dict[int, RawSwap | None] = {}

    def swap(self, atoms: int) -> RawSwap | None:
        """The exact result of buying/selling ``atoms`` of base, None if the pool cannot fill it."""
        got = self.cache.get(atoms, _MISSING)
        return self.fill(atoms) if got is _MISSING else got  # type: ignore[return-value]

    def fill(self, atoms: int) -> RawSwap | None:
        """:meth:`swap` for an amount not in :attr:`cache` yet (computed and memoised)."""
        buy = self.buy
        path = self.path
        r: RawSwap | None
        if path is not None and (r := path.quote_raw(atoms, not buy)) is not None:
            if (r[1] if buy else r[0]) != atoms:
                r = None
        elif self.v2 and atoms > 0:
            r = _v2_quote(self.pool, self.quote_index if buy else self.base_index, atoms, not buy)  # type: ignore[arg-type]
        else:
            r = self._pool_quote(atoms)
        cache = self.cache
        if len(cache) >= _QUOTE_CACHE:
            cache.clear()
        cache[atoms] = r
        return r

    def _pool_quote(self, atoms: int) -> RawSwap | None:
        """The pool's own quote (the contract loop), None on a revert or a partial fill."""
        try:
            if self.buy:
                s = self.pool.quote_exact_out(self.quote_index, self.base_index, atoms)
                ok = s.amount_out == atoms
            else:
                s = self.pool.quote_exact_in(self.base_index, self.quote_index, atoms)
                ok = s.amount_in == atoms
        except AmmRevert:
            return None
        return (s.amount_in, s.amount_out, s.fee_paid, s.ticks_crossed, s.sqrt_price_after_x96) if ok else None


def _v2_quote(pair: UniswapV2Pair, token_in: int, amount: int, exact_in: bool) -> RawSwap | None:
    """:meth:`UniswapV2Pair.quote_exact_in`/``quote_exact_out`` for ``amount > 0``, None where they
    revert: ``getAmountOut`` (floor) or ``getAmountIn`` (floor + 1), then the pair's balance, K and
    uint112 checks (the input never exceeds what it buys, so only the input token's check can bind)."""
    r_in, r_out = (pair.reserve0, pair.reserve1) if token_in == 0 else (pair.reserve1, pair.reserve0)
    if r_in <= 0 or r_out <= 0:
        return None
    if exact_in:
        with_fee = amount * 997
        a_in, a_out = amount, with_fee * r_out // (r_in * 1000 + with_fee)
        if a_out <= 0:
            return None
    else:
        if amount >= r_out:
            return None
        a_in, a_out = r_in * amount * 1000 // ((r_out - amount) * 997) + 1, amount
    if a_out >= r_out:
        return None
    b_in = r_in + a_in
    if (b_in * 1000 - a_in * 3) * ((r_out - a_out) * 1000) < r_in * r_out * 1_000_000 or b_in > _MAX_UINT112:
        return None
    return (a_in, a_out, (a_in * pair.fee_pips + 999_999) // 1_000_000, 0, None)


def v3_path_for(source: AmmSource, buy: bool) -> V3Path:
    """The snapshot's precomputed v3 swap path for one side (memoised on the source)."""
    key = ("v3path", buy)
    path = source.memo.get(key)
    if path is None:
        assert isinstance(source.pool, UniswapV3Pool)
        zero_for_one = (source.quote_index if buy else source.base_index) == 0
        path = source.memo[key] = V3Path(source.pool, zero_for_one)
    return path  # type: ignore[return-value]



# The four cases of ``compute_swap_step`` for a step that does not reach its target (the caller
# checked ``amount_remaining`` is below the step's full amount). Each returns (sqrt_next, amount_in,
# amount_out, fee) with the contract's integer operations, or None where the contract reverts (or, for
# the token0-input overflow branch, where the pool's own quote is left to decide). ceil(a / b) is
# written -(-a // b), and a rounded division followed by another of the same direction as one division
# by the product (floor(floor(x/m)/n) = floor(x/(mn)), the same for ceil: identical integers).
# ``mulDiv`` results here cannot exceed uint256 (liquidity is a uint128, prices uint160, amounts
# < 2**128), so only the contract's reachable reverts are checked.


def _partial_in_zfo(cur: int, liq: int, rest: int, fee_pips: int) -> tuple[int, int, int, int] | None:
    """Exact input of token0 (price falls): ``getNextSqrtPriceFromAmount0RoundingUp(add)``."""
    if liq <= 0:
        return None
    rlf = rest * (_PIPS - fee_pips) // _PIPS
    n1 = liq << 96
    if rlf == 0:
        nxt = cur
    else:
        product = rlf * cur
        if product > _MAX_UINT256 or n1 + product > _MAX_UINT256:
            return None  # the contract's overflow branch (huge steps only): leave it to the pool
        nxt = -(-(n1 * cur) // (n1 + product))
    diff = cur - nxt
    a_in = -(-(n1 * diff) // (cur * nxt))  # divRoundingUp(mulDivRoundingUp(n1, diff, cur), nxt)
    a_out = liq * diff >> 96
    return nxt, a_in, a_out, rest - a_in


def _partial_in_ofz(cur: int, liq: int, rest: int, fee_pips: int) -> tuple[int, int, int, int] | None:
    """Exact input of token1 (price rises): ``getNextSqrtPriceFromAmount1RoundingDown(add)``."""
    if liq <= 0:
        return None
    rlf = rest * (_PIPS - fee_pips) // _PIPS
    nxt = cur + ((rlf << 96) // liq)
    if nxt > _MAX_UINT160:
        return None
    diff = nxt - cur
    a_in = -(-(liq * diff) >> 96)
    a_out = (liq << 96) * diff // (nxt * cur)  # mulDiv(n1, diff, nxt) // cur
    return nxt, a_in, a_out, rest - a_in


def _partial_out_zfo(cur: int, liq: int, rest: int, fee_pips: int) -> tuple[int, int, int, int] | None:
    """Exact output of token1 (price falls): ``getNextSqrtPriceFromAmount1RoundingDown(remove)``."""
    if liq <= 0:
        return None
    q = -(-(rest << 96) // liq)
    if cur <= q:
        return None
    nxt = cur - q
    a_in = -(-((liq << 96) * q) // (cur * nxt))  # divRoundingUp(mulDivRoundingUp(n1, cur - nxt, cur), nxt)
    a_out = liq * q >> 96
    if a_out > rest:
        a_out = rest
    return nxt, a_in, a_out, -(-(a_in * fee_pips) // (_PIPS - fee_pips))


def _partial_out_ofz(cur: int, liq: int, rest: int, fee_pips: int) -> tuple[int, int, int, int] | None:
    """Exact output of token0 (price rises): ``getNextSqrtPriceFromAmount0RoundingUp(remove)``."""
    if liq <= 0:
        return None
    n1 = liq << 96
    product = rest * cur
    if n1 <= product:  # (a product above uint256 is above n1 < 2**224 too)
        return None
    nxt = -(-(n1 * cur) // (n1 - product))
    if nxt > _MAX_UINT160:
        return None
    diff = nxt - cur
    a_in = -(-(liq * diff) >> 96)
    a_out = n1 * diff // (nxt * cur)  # mulDiv(n1, diff, nxt) // cur
    if a_out > rest:
        a_out = rest
    return nxt, a_in, a_out, -(-(a_in * fee_pips) // (_PIPS - fee_pips))
