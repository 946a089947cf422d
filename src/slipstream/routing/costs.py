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
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import NamedTuple

import numpy as np

from slipstream.errors import ValidationError
from slipstream.model.enums import Side
from slipstream.routing.sources import AmmSource, BookSource, Source, swap_gas_units
from slipstream.routing.v3_path import V3Path
from slipstream.venues.sim.amm.base import AmmRevert, SwapResult
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = ["AmmCurve", "BookCurve", "Curve", "LegQuote", "Units"]

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_MIN_SCALE = 10**18
_SWAP_CACHE = 8_192  # exact pool quotes kept per snapshot and side (cleared when full)
_MISSING = object()


def _lcm(a: int, b: int) -> int:
    return a // gcd(a, b) * b


@dataclass(frozen=True, slots=True)
class Units:
    """The route's quantity grid (base asset per grid unit) and money scale (cost units per quote)."""

    grid: Fraction
    scale: int
    key: tuple[int, int, int] = (0, 0, 0)  # cheap hashable identity for memo keys

    @classmethod
    def for_sources(cls, sources: list[Source]) -> Units:
        """Grid = gcd of all lots; scale = lcm of all factor denominators and 10**18.

        Raises:
            ValidationError: no sources.
        """
        if not sources:
            raise ValidationError("no sources to route over")
        slot = sources[0].memo.get("units_for")  # one slot: the last source set routed over
        if slot is not None:
            seen, units = slot  # type: ignore[misc]
            if len(seen) == len(sources) and all(a is b for a, b in zip(seen, sources, strict=True)):
                return units  # type: ignore[no-any-return]
        units = cls._compute(sources)
        sources[0].memo["units_for"] = (tuple(sources), units)
        return units

    @classmethod
    def _compute(cls, sources: list[Source]) -> Units:
        num = 0
        den = 1
        scale = _MIN_SCALE
        for s in sources:
            got = s.memo.get("units")
            if got is None:
                got = (_base_lot(s), tuple(f.denominator for f in _factors(s)))
                s.memo["units"] = got
            lot, dens = got  # type: ignore[misc]
            num, den = _frac_gcd(num, den, lot)
            for d in dens:
                scale = _lcm(scale, d)
        return cls(Fraction(num, den), scale, (num, den, scale))

    def to_grid(self, quantity: Fraction) -> int:
        """Whole grid units in ``quantity`` (truncated)."""
        return math.floor(quantity / self.grid)


def _frac_gcd(num: int, den: int, value: Fraction) -> tuple[int, int]:
    if num == 0:
        return value.numerator, value.denominator
    d = _lcm(den, value.denominator)
    return gcd(num * (d // den), value.numerator * (d // value.denominator)), d


def _base_lot(source: Source) -> Fraction:
    inst = source.instrument
    return Fraction(inst.lot_size) * Fraction(inst.contract_size)


def _factors(source: Source) -> list[Fraction]:
    if isinstance(source, BookSource):
        pu_lot = Fraction(source.instrument.price_unit) * _base_lot(source)
        fee = Fraction(source.taker_rate)
        return [pu_lot, pu_lot * fee]
    quote_atom = Fraction(source.quote_rate) / 10 ** source.pool.decimals[source.quote_index]
    return [quote_atom, Fraction(source.gas.quote_per_gas)]


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


class BookCurve:
    """Exact cost of taking ``n`` grid units from one book side (walk the levels)."""

    __slots__ = (
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

    def __init__(self, index: int, source: BookSource, side: Side, units: Units, age_ns: int) -> None:
        self.index = index
        self.source = source
        key = ("book", side, units.key)
        static = source.memo.get(key)
        if static is None:
            static = self._static(source, side, units)
            source.memo[key] = static
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
            mid_per_grid,
        ) = static  # type: ignore[misc]
        self.fixed = 0
        self.hi = self.cap * self.step
        cond = source.conditions
        t = (cond.latency_ns + age_ns) / 1e9
        self.risk = _risk_rate(mid_per_grid, cond.volatility * math.sqrt(t) * _INV_SQRT_2PI)

    def _static(self, source: BookSource, side: Side, units: Units) -> tuple[object, ...]:
        """Everything that depends only on the snapshot, side and units (memoised on the source)."""
        inst = source.instrument
        lot = _base_lot(source)
        step = lot / units.grid
        if step.denominator != 1:
            raise ValidationError(f"{source.venue}: lot {lot} is not on the route grid")
        self.step = int(step)
        levels = source.asks if side is Side.BUY else source.bids
        self.sign = side.sign
        pu_lot = Fraction(inst.price_unit) * lot
        fee = Fraction(source.taker_rate)
        self.mult = int(pu_lot * (1 + self.sign * fee) * units.scale) * self.sign
        self.fee_factor = int(pu_lot * fee * units.scale)
        self.prices = [p for p, _ in levels]
        self.cum_lots = []
        self.cum_pu = []
        lots_sum = pu_sum = 0
        for p, q in levels:
            lots_sum += q
            pu_sum += p * q
            self.cum_lots.append(lots_sum)
            self.cum_pu.append(pu_sum)
        self.touch = self.prices[0] if self.prices else 0
        bid = source.bids[0][0] if source.bids else None
        ask = source.asks[0][0] if source.asks else None
        mid_units = Fraction(bid + ask, 2) if bid is not None and ask is not None else Fraction(self.touch)
        self.mid = mid_units * Fraction(inst.price_unit)
        cond = source.conditions
        cap = lots_sum
        if cond.max_base is not None:
            cap = min(cap, math.floor(Fraction(cond.max_base) / lot))
        if cond.max_quote is not None and side is Side.BUY:
            budget = Fraction(cond.max_quote) * units.scale
            lo_l, hi_l = 0, cap
            while lo_l < hi_l:  # largest lots whose cash (fee included) fits the balance
                mid_l = (lo_l + hi_l + 1) // 2
                if self._pu(mid_l) * self.mult <= budget:
                    lo_l = mid_l
                else:
                    hi_l = mid_l - 1
            cap = lo_l
        min_lots = 1
        if inst.min_quantity:
            min_lots = max(min_lots, math.ceil(Fraction(inst.min_quantity) / lot))
        if inst.min_notional and self.touch:
            min_lots = max(min_lots, math.ceil(Fraction(inst.min_notional) / (pu_lot * self.touch)))
        return (
            self.step,
            self.sign,
            self.mult,
            self.fee_factor,
            self.prices,
            self.cum_lots,
            self.cum_pu,
            self.touch,
            self.mid,
            cap,
            min_lots * self.step,
            float(self.mid * units.grid * units.scale),
        )

    def level_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(marginal cost per grid unit without risk, size in grid units) per level, up to ``cap``."""
        key = ("levels", self.sign, self.mult, self.step)
        got = self.source.memo.get(key)
        if got is None:
            prices = np.asarray(self.prices, dtype=np.float64)
            lots = np.diff(np.asarray([0, *self.cum_lots], dtype=np.int64))
            got = (prices * (self.mult / self.step), lots * self.step)
            self.source.memo[key] = got
        marg, sizes = got  # type: ignore[misc]
        if self.cum_lots and self.cap < self.cum_lots[-1]:
            k = bisect_left(self.cum_lots, self.cap) if self.cap > 0 else -1
            if k < 0:
                return marg[:0], sizes[:0]
            sizes = sizes[: k + 1].copy()
            sizes[k] -= (self.cum_lots[k] - self.cap) * self.step
            marg = marg[: k + 1]
        return marg, sizes

    def _pu(self, lots: int) -> int:
        """Σ price_units × lots over the levels taken by ``lots``."""
        if lots <= 0:
            return 0
        k = bisect_left(self.cum_lots, lots)
        if k == 0:
            return lots * self.prices[0]
        return self.cum_pu[k - 1] + (lots - self.cum_lots[k - 1]) * self.prices[k]

    def cost(self, n: int) -> int | None:
        """Exact cost of ``n`` grid units (a multiple of ``step``); None above capacity."""
        if n == 0:
            return 0
        if n > self.hi:
            return None
        return self._pu(n // self.step) * self.mult + self.risk * n

    def quote(self, n: int) -> LegQuote:
        lots = n // self.step
        pu = self._pu(lots)
        k = bisect_left(self.cum_lots, lots)
        fee = pu * self.fee_factor
        notional = pu * abs(self.mult) - self.sign * fee
        return LegQuote(n, pu * self.mult, notional, fee, 0, self.risk * n, 0, self.prices[k])


def _amm_static(source: AmmSource, units: Units) -> tuple[object, ...]:
    """Snapshot-only conversion factors of a pool source (memoised on the source)."""
    lot = _base_lot(source)
    step = lot / units.grid
    if step.denominator != 1:
        raise ValidationError(f"{source.venue}: lot {lot} is not on the route grid")
    pool = source.pool
    db, dq = pool.decimals[source.base_index], pool.decimals[source.quote_index]
    mq = int(Fraction(source.quote_rate) / 10**dq * units.scale)
    gas_mult = int(Fraction(source.gas.quote_per_gas) * units.scale)
    atom_mid = pool.mid_price(source.base_index, source.quote_index)  # quote atoms per base atom
    mid = atom_mid * Fraction(10**db, 10**dq) * Fraction(source.quote_rate)
    hi: float | int = math.inf
    if source.conditions.max_base is not None:
        hi = math.floor(Fraction(source.conditions.max_base) / lot) * int(step)
    return (
        int(step),
        int(lot * 10**db),
        mq,
        gas_mult,
        swap_gas_units(pool, 0, source.hops),
        mid,
        hi,
        float(mid * units.grid * units.scale),
    )


class AmmCurve:
    """Exact cost of swapping ``n`` grid units of base on one pool (the contract's integer quote)."""

    __slots__ = (
        "_costs",
        "_memo",
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

    def __init__(self, index: int, source: AmmSource, side: Side, units: Units, age_ns: int) -> None:
        self.index = index
        self.source = source
        self.buy = side is Side.BUY
        self.sign = side.sign
        key = ("amm", units.key)
        static = source.memo.get(key)
        if static is None:
            static = _amm_static(source, units)
            source.memo[key] = static
        self.step, self.apl, self.mq, self.gas_mult, self.gas_zero, self.mid, hi, mid_per_grid = static  # type: ignore[misc]
        self.fixed = self.gas_zero * self.gas_mult
        cond = source.conditions
        t = (cond.latency_ns + age_ns) / 1e9 + source.block_time_s / 2
        self.risk = _risk_rate(mid_per_grid, cond.volatility * math.sqrt(t) * _INV_SQRT_2PI)
        self.mev = _risk_rate(mid_per_grid, source.mev.loss_rate)
        self.lo = self.step
        self.hi: float | int = hi
        self._memo: dict[int, LegQuote | None] = {}
        self._costs: dict[int, int | None] = {}
        if self.buy and cond.max_quote is not None:
            budget = int(Fraction(cond.max_quote) * 10 ** source.pool.decimals[source.quote_index])
            self.hi = self._budget_cap(budget)

    def _budget_cap(self, budget_atoms: int) -> int:
        """Largest quantity (grid units) whose exact swap input fits the wallet's quote balance."""
        limit = None if self.hi == math.inf else int(self.hi) // self.step

        def fits(lots: int) -> bool:
            r = self._swap(lots * self.apl)
            return r is not None and r.amount_in <= budget_atoms

        if (limit is not None and limit < 1) or not fits(1):
            return 0
        lo, hi = 1, 2
        while (limit is None or hi <= limit) and fits(hi):
            lo, hi = hi, hi * 2
        if limit is not None:
            hi = min(hi, limit + 1)
        while hi - lo > 1:  # fits(lo) and not fits(hi) (or hi beyond the cap)
            mid = (lo + hi) // 2
            if fits(mid):
                lo = mid
            else:
                hi = mid
        return lo * self.step

    def _swap(self, atoms: int) -> SwapResult | None:
        """The pool's exact quote for ``atoms`` of base (bought or sold), None if it cannot fill.

        Memoised per snapshot and side on the source (pool quotes do not depend on the route), and
        answered from the precomputed :class:`V3Path` for v3 pools (bit-exact; it defers to the
        pool's own quote where its shortcut does not apply)."""
        memo = self.source.memo
        key = ("swaps", self.buy)
        cache = memo.get(key)
        if not isinstance(cache, dict):
            cache = {}
            memo[key] = cache
        got = cache.get(atoms, _MISSING)
        if got is _MISSING:
            got = self._pool_swap(atoms)
            if len(cache) >= _SWAP_CACHE:
                cache.clear()
            cache[atoms] = got
        assert got is None or isinstance(got, SwapResult)
        return got

    def v3_path(self) -> V3Path:
        """The snapshot's precomputed v3 swap path for this side (memoised on the source)."""
        s = self.source
        key = ("v3path", self.buy)
        path = s.memo.get(key)
        if path is None:
            assert isinstance(s.pool, UniswapV3Pool)
            zero_for_one = (s.quote_index if self.buy else s.base_index) == 0
            path = s.memo[key] = V3Path(s.pool, zero_for_one)
        return path  # type: ignore[return-value]

    def _pool_swap(self, atoms: int) -> SwapResult | None:
        s = self.source
        if isinstance(s.pool, UniswapV3Pool):
            r = self.v3_path().quote(atoms, not self.buy)
            if r is not None:
                return r if (r.amount_out if self.buy else r.amount_in) == atoms else None
        try:
            if self.buy:
                r = s.pool.quote_exact_out(s.quote_index, s.base_index, atoms)
                return r if r.amount_out == atoms else None
            r = s.pool.quote_exact_in(s.base_index, s.quote_index, atoms)
            return r if r.amount_in == atoms else None
        except AmmRevert:
            return None

    def quote(self, n: int) -> LegQuote | None:
        """Exact evaluation (memoised per route); None when the pool cannot fill ``n``."""
        memo = self._memo
        if n in memo:
            return memo[n]
        out: LegQuote | None = None
        if 0 < n <= self.hi:
            r = self._swap(n // self.step * self.apl)
            if r is not None:
                mq = self.mq
                if self.buy:
                    cash = r.amount_in * mq
                    fee = r.fee_paid * mq
                    notional = cash - fee
                else:
                    cash = -r.amount_out * mq
                    fee = r.fee_paid * r.amount_out * mq // max(r.amount_in - r.fee_paid, 1)
                    notional = -cash + fee
                gas = self._gas(r.ticks_crossed)
                out = LegQuote(
                    n,
                    cash,
                    notional,
                    fee,
                    gas,
                    self.risk * n,
                    self.mev * n,
                    0,
                    r.ticks_crossed,
                    r.amount_in,
                    r.amount_out,
                )
        memo[n] = out
        return out

    def cost(self, n: int) -> int | None:
        """Exact cost of ``n`` grid units without the fixed per-transaction gas; None if unfillable."""
        if n == 0:
            return 0
        costs = self._costs
        if n in costs:
            return costs[n]
        v: int | None = None
        if 0 < n <= self.hi:  # the same total as quote(n).total, without building the LegQuote
            r = self._swap(n // self.step * self.apl)
            if r is not None:
                cash = r.amount_in * self.mq if self.buy else -r.amount_out * self.mq
                v = cash + self._gas(r.ticks_crossed) + (self.risk + self.mev) * n
        costs[n] = v
        return v

    def _gas(self, ticks_crossed: int) -> int:
        """Gas beyond the fixed charge (per tick crossed), in cost units (memoised on the source)."""
        key = ("gas", ticks_crossed)
        memo = self.source.memo
        units = memo.get(key)
        if units is None:
            units = memo[key] = swap_gas_units(self.source.pool, ticks_crossed, self.source.hops)
        return (units - self.gas_zero) * self.gas_mult  # type: ignore[operator]


Curve = BookCurve | AmmCurve
