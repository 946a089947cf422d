"""Exact all-in cost of trading ``n`` grid units on one source, in integer cost units.

Units (chosen once per route by :class:`Units`):

* quantity: the *grid unit*, the gcd of every source's lot in base asset; a source trades
  multiples of its ``step`` (its lot in grid units) and converts them exactly to its own lots or
  token base units;
* money: the *cost unit*, ``1/scale`` of the quote asset, where ``scale`` is the lcm of every
  Decimal factor's denominator and 10**18, so book notionals, fees, AMM token amounts and gas
  are all exact integers.

Sign convention: a cost is cash out; selling has negative cost (proceeds), so "minimise cost"
covers both sides. Price and fee terms are exact. The risk terms (latency/staleness and MEV) are
modelled in floats and enter as an integer *rate per grid unit* rounded once (half-even) — the
only rounding in the objective, documented so that optimality comparisons stay exact integers.

Latency/staleness risk: while the order travels (data age + latency, + half a block on chain) the
price moves by a Brownian step; the expected adverse part is ``E[max(ΔS, 0)] = S·σ·sqrt(t)/sqrt(2π)``
per unit. MEV: :attr:`MevModel.loss_rate` × notional at mid for public-mempool swaps.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Final, NamedTuple, cast

import numpy as np

from slipstream.errors import ValidationError
from slipstream.model.enums import Side
from slipstream.routing.sources import AmmSource, BookSource, Source, VenueConditions, swap_gas_units
from slipstream.routing.units import Units, base_lot
from slipstream.routing.v3_path import PoolQuotes, V3Path, v3_path_for
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = ["AmmCurve", "BookCurve", "Curve", "LegQuote", "Units"]

_INV_SQRT_2PI: Final = 1.0 / math.sqrt(2.0 * math.pi)
_SWAP_CACHE: Final = 8_192  # exact pool quotes kept per snapshot and side (cleared when full)
_MISSING: Final = object()
_BUY: Final = Side.BUY
_BOOK_SLOT: Final = ("book:sell", "book:buy")  # source memo keys of the last static used, by side
_AMM_SLOT: Final = ("amm:sell", "amm:buy")
_tuple_new = tuple.__new__


def _risk_rate(mid_per_grid: float, fraction: float) -> int:
    """Round ``mid × grid × fraction`` (quote per grid unit, in cost units) to a whole number (half-even)."""
    return round(mid_per_grid * fraction)


class LegQuote(NamedTuple):
    """Exact evaluation of ``n`` grid units on one source, every term in cost units.

    ``cash`` is signed (paid > 0, received < 0) and includes the trading fee; ``notional`` is the
    unsigned price part without fee; ``total`` = cash + gas + latency + mev.
    """

    n: int
    cash: int
    notional: int
    fee: int
    gas: int
    latency: int
    mev: int
    worst_price_units: int  # books: last level taken; AMMs: 0
    ticks_crossed: int = 0
    amount_in: int = 0  # AMMs: token base units
    amount_out: int = 0

    @property
    def total(self) -> int:
        return self.cash + self.gas + self.latency + self.mev


class _RiskMemo:
    """A curve's latency/staleness rate for the last data age seen: one decision's curves on a
    snapshot share its age, so the float model runs once per snapshot, side and age."""

    __slots__ = ("age", "block_s", "conditions", "mid_per_grid", "rate")

    def __init__(self, conditions: VenueConditions, mid_per_grid: float, block_s: float | None) -> None:
        self.conditions = conditions
        self.mid_per_grid = mid_per_grid
        self.block_s = block_s  # AMMs wait half a block for inclusion
        self.age: int | None = None
        self.rate = 0

    def at(self, age_ns: int) -> int:
        if age_ns != self.age:
            cond = self.conditions
            t = (cond.latency_ns + age_ns) / 1e9
            if self.block_s is not None:
                t = t + self.block_s / 2
            self.rate = _risk_rate(self.mid_per_grid, cond.volatility * math.sqrt(t) * _INV_SQRT_2PI)
            self.age = age_ns
        return self.rate


def _static_for(source: Source, buy: bool, units: Units, slots: tuple[str, str],
                build: Callable[[Any, bool, Units], tuple[object, ...]]) -> tuple[object, ...]:
    """A curve's snapshot-only part for (side, units), memoised on the source by ``units.key``; the
    last one used is also kept in a slot checked by identity (a decision's curves share ``units``)."""
    memo = source.memo
    key = (slots[buy], units.key)
    static = memo.get(key)
    if static is None:
        static = memo[key] = build(source, buy, units)
    memo[slots[buy]] = (units, static)
    return static  # type: ignore[return-value]


_BookStatic = tuple[int, int, int, int, list[int], list[int], list[int], int, Fraction, int, int, int, list[int],
                    list[int], _RiskMemo]
_AmmStatic = tuple[int, int, int, int, int, Fraction, "float | int", int, int, dict[int, "int | None"], dict[int, int],
                   PoolQuotes, _RiskMemo]


class BookCurve:
    """Exact cost of taking ``n`` grid units from one book side (walk the levels)."""

    __slots__ = (
        "_cl0",
        "_cp0",
        "cap",
        "cum_lots",
        "cum_pu",
        "fee_factor",
        "fixed",
        "hi",
        "index",
        "lo",
        "mid",
        "mult",
        "prices",
        "risk",
        "sign",
        "source",
        "step",
        "touch",
    )
    step: int
    sign: int
    mult: int
    fee_factor: int
    prices: list[int]
    cum_lots: list[int]
    cum_pu: list[int]
    touch: int
    mid: Fraction
    cap: int
    lo: int
    hi: int
    _cl0: list[int]
    _cp0: list[int]
    index: int
    source: BookSource
    fixed: int
    risk: int

    def __init__(self, index: int, source: BookSource, side: Side, units: Units, age_ns: int) -> None:
        slot = source.memo.get(_BOOK_SLOT[side is _BUY])
        if slot is not None and slot[0] is units:  # type: ignore[index]
            static = cast(_BookStatic, slot[1])  # type: ignore[index]
        else:
            static = cast(_BookStatic, _static_for(source, side is _BUY, units, _BOOK_SLOT, _book_static))
        (
            self.step,
            self.sign,
            self.mult,
            self.fee_factor,
            self.prices,
            self.cum_lots,
            self.cum_pu,
            self.touch,
            self.mid,
            self.cap,
            self.lo,
            self.hi,
            self._cl0,
            self._cp0,
            risk,
        ) = static
        self.index = index
        self.source = source
        self.fixed = 0
        self.risk = risk.rate if age_ns == risk.age else risk.at(age_ns)

    def level_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(marginal cost per grid unit without risk, size in grid units) per level, up to ``cap``."""
        key = ("levels", self.sign, self.mult, self.step)
        got = self.source.memo.get(key)
        if got is None:
            prices = np.asarray(self.prices, dtype=np.float64)
            lots = np.diff(np.asarray([0, *self.cum_lots], dtype=np.int64))
            got = (prices * (self.mult / self.step), lots * self.step)
            self.source.memo[key] = got
        marg, sizes = cast("tuple[np.ndarray, np.ndarray]", got)
        if self.cum_lots and self.cap < self.cum_lots[-1]:
            k = bisect_left(self.cum_lots, self.cap) if self.cap > 0 else -1
            if k < 0:
                return marg[:0], sizes[:0]
            sizes = sizes[: k + 1].copy()
            sizes[k] -= (self.cum_lots[k] - self.cap) * self.step
            marg = marg[: k + 1]
        return marg, sizes

    def cost(self, n: int) -> int | None:
        """Exact cost of ``n`` grid units (a multiple of ``step``); None above capacity."""
        if n == 0:
            return 0
        if n > self.hi:
            return None
        lots = n // self.step
        if lots <= 0:
            return self.risk * n
        k = bisect_left(self.cum_lots, lots)  # _pu inlined: the hot path of the exact search
        return (self._cp0[k] + (lots - self._cl0[k]) * self.prices[k]) * self.mult + self.risk * n

    def quote(self, n: int) -> LegQuote:
        """Exact evaluation of ``n`` grid units (within the book's depth), every term in cost units."""
        lots = n // self.step
        k = bisect_left(self.cum_lots, lots)
        pu = self._cp0[k] + (lots - self._cl0[k]) * self.prices[k] if lots > 0 else 0
        fee = pu * self.fee_factor
        mult = self.mult
        notional = pu * abs(mult) - self.sign * fee
        return _tuple_new(LegQuote, (n, pu * mult, notional, fee, 0, self.risk * n, 0, self.prices[k], 0, 0, 0))


def _pu_of(cum_lots: list[int], cl0: list[int], cp0: list[int], prices: list[int], lots: int) -> int:
    """Σ price_units × lots over the levels taken by ``lots`` (``cl0``/``cp0``: prefix sums from 0)."""
    if lots <= 0:
        return 0
    k = bisect_left(cum_lots, lots)
    return cp0[k] + (lots - cl0[k]) * prices[k]


def _book_static(source: BookSource, buy: bool, units: Units) -> tuple[object, ...]:
    """Everything of a book curve that depends only on the snapshot, side and units (memoised on the
    source): factors, prefix sums, caps, and the risk rate's memo."""
    inst = source.instrument
    lot = base_lot(source)
    step_f = lot / units.grid
    if step_f.denominator != 1:
        raise ValidationError(f"{source.venue}: lot {lot} is not on the route grid")
    step = int(step_f)
    levels = source.asks if buy else source.bids
    sign = 1 if buy else -1
    pu_lot = Fraction(inst.price_unit) * lot
    fee = Fraction(source.taker_rate)
    mult = int(pu_lot * (1 + sign * fee) * units.scale) * sign
    fee_factor = int(pu_lot * fee * units.scale)
    prices = [p for p, _ in levels]
    cum_lots: list[int] = []
    cum_pu: list[int] = []
    lots_sum = pu_sum = 0
    for p, q in levels:
        lots_sum += q
        pu_sum += p * q
        cum_lots.append(lots_sum)
        cum_pu.append(pu_sum)
    cl0, cp0 = [0, *cum_lots], [0, *cum_pu]
    touch = prices[0] if prices else 0
    bid = source.bids[0][0] if source.bids else None
    ask = source.asks[0][0] if source.asks else None
    mid_units = Fraction(bid + ask, 2) if bid is not None and ask is not None else Fraction(touch)
    mid = mid_units * Fraction(inst.price_unit)
    cond = source.conditions
    cap = lots_sum
    if cond.max_base is not None:
        cap = min(cap, math.floor(Fraction(cond.max_base) / lot))
    if cond.max_quote is not None and buy:
        budget = Fraction(cond.max_quote) * units.scale
        lo_l, hi_l = 0, cap
        while lo_l < hi_l:  # largest lots whose cash (fee included) fits the balance
            mid_l = (lo_l + hi_l + 1) // 2
            if _pu_of(cum_lots, cl0, cp0, prices, mid_l) * mult <= budget:
                lo_l = mid_l
            else:
                hi_l = mid_l - 1
        cap = lo_l
    min_lots = 1
    if inst.min_quantity:
        min_lots = max(min_lots, math.ceil(Fraction(inst.min_quantity) / lot))
    if inst.min_notional and touch:
        min_lots = max(min_lots, math.ceil(Fraction(inst.min_notional) / (pu_lot * touch)))
    risk = _RiskMemo(cond, float(mid * units.grid * units.scale), None)
    return (step, sign, mult, fee_factor, prices, cum_lots, cum_pu, touch, mid, cap, min_lots * step, cap * step,
            cl0, cp0, risk)


def _amm_static(source: AmmSource, buy: bool, units: Units) -> tuple[object, ...]:
    """Everything of a pool curve that depends only on the snapshot, side and units (memoised on the
    source): conversion factors, gas, caps (the quote-balance cap needs exact quotes), the pool's
    quote memo and this unit system's memo of ``cash + gas`` per size."""
    lot = base_lot(source)
    step_f = lot / units.grid
    if step_f.denominator != 1:
        raise ValidationError(f"{source.venue}: lot {lot} is not on the route grid")
    step = int(step_f)
    pool = source.pool
    db, dq = pool.decimals[source.base_index], pool.decimals[source.quote_index]
    apl = int(lot * 10**db)
    mq = int(Fraction(source.quote_rate) / 10**dq * units.scale)
    gas_mult = int(Fraction(source.gas.quote_per_gas) * units.scale)
    gas_zero = swap_gas_units(pool, 0, source.hops)
    atom_mid = pool.mid_price(source.base_index, source.quote_index)  # quote atoms per base atom
    mid = atom_mid * Fraction(10**db, 10**dq) * Fraction(source.quote_rate)
    mid_per_grid = float(mid * units.grid * units.scale)
    qkey = ("quotes", buy)
    quotes = source.memo.get(qkey)
    if quotes is None:
        path = v3_path_for(source, buy) if isinstance(pool, UniswapV3Pool) else None
        quotes = source.memo[qkey] = PoolQuotes(source, buy, path)
    assert isinstance(quotes, PoolQuotes)
    cond = source.conditions
    hi: float | int = math.inf
    if cond.max_base is not None:
        hi = math.floor(Fraction(cond.max_base) / lot) * step
    if buy and cond.max_quote is not None:
        budget = int(Fraction(cond.max_quote) * 10**dq)
        hi = _budget_cap(quotes, hi, step, apl, budget)
    mev = _risk_rate(mid_per_grid, source.mev.loss_rate)
    risk = _RiskMemo(cond, mid_per_grid, source.block_time_s)
    costs: dict[int, int | None] = {}  # cash + gas beyond the fixed charge, per size (no risk)
    gas: dict[int, int] = {}
    return (step, apl, mq, gas_mult, gas_zero, mid, hi, gas_zero * gas_mult, mev, costs, gas, quotes, risk)


def _budget_cap(quotes: PoolQuotes, hi: float | int, step: int, apl: int, budget_atoms: int) -> int:
    """Largest quantity (grid units) whose exact swap input fits the wallet's quote balance."""
    limit = None if hi == math.inf else int(hi) // step

    def fits(lots: int) -> bool:
        r = quotes.swap(lots * apl)
        return r is not None and r[0] <= budget_atoms

    if (limit is not None and limit < 1) or not fits(1):
        return 0
    lo, top = 1, 2
    while (limit is None or top <= limit) and fits(top):
        lo, top = top, top * 2
    if limit is not None:
        top = min(top, limit + 1)
    while top - lo > 1:  # fits(lo) and not fits(top) (or top beyond the cap)
        mid = (lo + top) // 2
        if fits(mid):
            lo = mid
        else:
            top = mid
    return lo * step


class AmmCurve:
    """Exact cost of swapping ``n`` grid units of base on one pool (the contract's integer quote).

    Three memos make repeated evaluations cheap without changing a bit: the pool's quotes per
    snapshot and side (:class:`PoolQuotes`, whatever the units), ``cash + gas`` per size per snapshot,
    side and units (the risk terms are added per decision), and the cost per size per curve."""

    __slots__ = (
        "_base",
        "_costs",
        "_gas_memo",
        "_memo",
        "_quotes",
        "_rm",
        "apl",
        "buy",
        "fixed",
        "gas_mult",
        "gas_zero",
        "hi",
        "index",
        "lo",
        "mev",
        "mid",
        "mq",
        "risk",
        "sign",
        "source",
        "step",
    )

    step: int
    apl: int
    mq: int
    gas_mult: int
    gas_zero: int
    mid: Fraction
    hi: float | int
    fixed: int
    mev: int
    _base: dict[int, int | None]
    _gas_memo: dict[int, int]
    _quotes: PoolQuotes
    index: int
    source: AmmSource
    buy: bool
    sign: int
    lo: int
    risk: int
    _rm: int

    def __init__(self, index: int, source: AmmSource, side: Side, units: Units, age_ns: int) -> None:
        buy = side is _BUY
        slot = source.memo.get(_AMM_SLOT[buy])
        if slot is not None and slot[0] is units:  # type: ignore[index]
            static = cast(_AmmStatic, slot[1])  # type: ignore[index]
        else:
            static = cast(_AmmStatic, _static_for(source, buy, units, _AMM_SLOT, _amm_static))
        (
            self.step,
            self.apl,
            self.mq,
            self.gas_mult,
            self.gas_zero,
            self.mid,
            self.hi,
            self.fixed,
            mev,
            self._base,
            self._gas_memo,
            self._quotes,
            risk,
        ) = static
        self.index = index
        self.source = source
        self.buy = buy
        self.sign = 1 if buy else -1
        self.lo = self.step
        self.mev = mev
        rate = risk.rate if age_ns == risk.age else risk.at(age_ns)
        self.risk = rate
        self._rm = rate + mev
        self._memo: dict[int, LegQuote | None] = {}
        self._costs: dict[int, int | None] = {}

    def v3_path(self) -> V3Path:
        """The snapshot's precomputed v3 swap path for this side (memoised on the source)."""
        return v3_path_for(self.source, self.buy)

    def quote(self, n: int) -> LegQuote | None:
        """Exact evaluation (memoised per route); None when the pool cannot fill ``n``."""
        memo = self._memo
        if n in memo:
            return memo[n]
        out: LegQuote | None = None
        if 0 < n <= self.hi:
            r = self._quotes.swap(n // self.step * self.apl)
            if r is not None:
                amount_in, amount_out, fee_paid, ticks = r[0], r[1], r[2], r[3]
                mq = self.mq
                if self.buy:
                    cash = amount_in * mq
                    fee = fee_paid * mq
                    notional = cash - fee
                else:
                    cash = -amount_out * mq
                    fee = fee_paid * amount_out * mq // max(amount_in - fee_paid, 1)
                    notional = -cash + fee
                out = _tuple_new(LegQuote, (n, cash, notional, fee, self._gas(ticks), self.risk * n, self.mev * n,
                                            0, ticks, amount_in, amount_out))
        memo[n] = out
        return out

    def cost(self, n: int) -> int | None:
        """Exact cost of ``n`` grid units without the fixed per-transaction gas; None if unfillable.

        The same total as ``quote(n).total``: ``cash + gas`` per size is memoised per snapshot,
        side and units, the risk terms are added per decision, and the result is memoised per
        route (so a value, once given, stays the answer for this curve)."""
        costs = self._costs
        v = costs.get(n, _MISSING)
        if v is _MISSING:
            v = None
            if 0 < n <= self.hi:
                b = self._base.get(n, _MISSING)
                if b is _MISSING:
                    b = self._base_cost(n)
                if b is not None:
                    v = b + self._rm * n  # type: ignore[operator]
            elif n == 0:
                return 0
            costs[n] = v
        return v  # type: ignore[return-value]

    def _base_cost(self, n: int) -> int | None:
        """``cash + gas`` (cost units, fixed charge excluded) of ``n`` grid units, memoised."""
        atoms = n // self.step * self.apl
        quotes = self._quotes
        r = quotes.cache.get(atoms, _MISSING)
        if r is _MISSING:
            r = quotes.fill(atoms)
        b = None
        if r is not None:
            gas = self._gas_memo.get(r[3])  # type: ignore[index]
            if gas is None:
                gas = self._gas(r[3])  # type: ignore[index]
            b = (r[0] * self.mq if self.buy else -r[1] * self.mq) + gas  # type: ignore[index]
        base = self._base
        if len(base) >= _SWAP_CACHE:
            base.clear()
        base[n] = b
        return b

    def _gas(self, ticks_crossed: int) -> int:
        """Gas beyond the fixed charge (per tick crossed), in cost units (memoised per static)."""
        memo = self._gas_memo
        got = memo.get(ticks_crossed)
        if got is None:
            units = swap_gas_units(self.source.pool, ticks_crossed, self.source.hops)
            got = memo[ticks_crossed] = (units - self.gas_zero) * self.gas_mult
        return got


Curve = BookCurve | AmmCurve
