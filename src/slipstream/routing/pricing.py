"""Route legs and alternatives priced in ``Decimal`` quote from the optimiser's exact integers.

Everything stays an integer ratio until the single rounding at the edge (:func:`ratio_dec`:
half-even to 10 decimal places, trailing zeros stripped), so a leg costs a few integer
divisions instead of a chain of ``Fraction`` objects — this is on the router's hot path.

Take legs are built under :data:`_EDGE`, made current for the call: 28 digits, half-even (the
default context, so the ambient one cannot change a route) and *trapping any rounding*. The edge
Decimal is then one unchecked product ``1E-10 × q`` (:func:`_dec10`): an operand too long for 28
digits raises instead of rounding, and takes the exact path. Steps that may round by design
(limits, the summed costs) run in the non-trapping :data:`_CTX`, exactly as before.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    Rounded,
    getcontext,
    localcontext,
    setcontext,
)
from fractions import Fraction
from math import gcd
from typing import Final

from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instruments import Instrument
from slipstream.routing.costs import BookCurve, Curve, LegQuote, Units
from slipstream.routing.passive import PassiveChoice
from slipstream.routing.route import ZERO_COSTS, Alternative, CostBreakdown, RouteLeg

__all__ = ["dec", "equal_split", "ratio_dec"]

_ZERO: Final = Decimal(0)
_NEG_ZERO: Final = Decimal("-0")
_Q10: Final = Decimal("1e-10")
_E10: Final = 10**10
_FITS: Final = 10**27
_TRAPS: Final = [InvalidOperation, DivisionByZero, Overflow]
_CTX: Final = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=_TRAPS)  # explicit: the ambient context must not matter
_EDGE: Final = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[*_TRAPS, Rounded])
_E10_DEC: Final = Decimal("1E-10")
_LIMIT, _IOC, _BUY = OrderType.LIMIT, TimeInForce.IOC, Side.BUY  # (an enum member lookup costs ~60 ns)


def ratio_dec(num: int, den: int, places: int = 10) -> Decimal:
    """``num / den`` rounded half-even to ``10**-places``, in normal form (trailing zeros
    stripped, like ``Decimal.normalize``); exact — one rounding, no intermediate precision.
    (Hot path: about ten calls per leg, so the branches are unrolled.)"""
    if num == 0:
        return _ZERO
    if den < 0:
        num, den = -num, -den
    p = _E10 if places == 10 else 10**places
    neg = num < 0
    q, r = divmod((-num if neg else num) * p, den)
    r += r
    if r > den or (r == den and q & 1):
        q += 1
    if q == 0:
        return _NEG_ZERO if neg else _ZERO
    if q % 10 and q < _FITS:  # nothing to strip, and exact in the (explicit) 28-digit context
        return Decimal(-q if neg else q).scaleb(-places, _CTX)
    digits = str(q)
    kept = digits.rstrip("0")
    e = len(digits) - len(kept) - places
    return Decimal(f"-{kept}E{e}" if neg else f"{kept}E{e}")


def dec(value: Fraction | int, places: int = 10) -> Decimal:
    """Exact rational to Decimal at the edge (see :func:`ratio_dec`)."""
    if isinstance(value, int):
        return ratio_dec(value, 1, places)
    return ratio_dec(value.numerator, value.denominator, places)


def _ratio(value: Decimal) -> tuple[int, int]:
    n, d = value.as_integer_ratio()
    return n, d


def _per(factor: int, den: int) -> tuple[int, int, int]:
    """``(m, d, h)`` with ``x × factor / den × 10¹⁰ = x × m / d``, ``d`` even and ``h = d / 2``
    (``den > 0``): :func:`_dec10`'s constants for one shared denominator, reduced once."""
    m = factor * _E10
    g = gcd(m, den)
    m, d = m // g, den // g
    if d & 1:
        m, d = m + m, d + d
    return m, d, d >> 1


def _dec10(y: int, d: int, h: int) -> Decimal:
    """:func:`ratio_dec` of ``y / d × 10⁻¹⁰`` for an even ``d = 2h``: ``floor(v + ½)``, an exact tie
    (no remainder) back to even, then one exact product. Only while :data:`_EDGE` is current."""
    q, r = divmod(y + h, d)
    if not r and q & 1:
        q -= 1
    try:
        if q % 10:
            return _E10_DEC * q
        if q:
            return (_E10_DEC * q).normalize()
    except Rounded:  # more than 28 digits: exact from the digits
        digits = str(q)
        kept = digits.rstrip("0")
        return Decimal(f"{kept}E{len(digits) - len(kept) - 10}")
    return _NEG_ZERO if y < 0 else _ZERO


_Parts = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]
_ZERO_PARTS: Final = (_ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO)
_GridConsts = tuple[tuple[int, int, int], int, int, Decimal, tuple[int, int, int], int, int, int]
_GRID_CONSTS: dict[tuple[int, int, int], _GridConsts] = {}


def _grid_consts(key: tuple[int, int, int]) -> _GridConsts:
    """A route grid's pricing constants (cached by (grid numerator, denominator, scale)):
    money over ``scale``; ``scale / 10¹⁰`` (0 if not whole); the quantity ``n·grid`` as exactly
    ``G × n`` for a decimal grid ``G = c·10^e`` (normal iff ``c·n % 10``; ``c = 0``: not
    decimal) and its general constants; the average price ``notional·g_den / (scale·n·g_num) ×
    10¹⁰ = notional·a / (n·2b)``; an AMM limit's denominator per grid unit."""
    g_num, g_den, scale = key
    k, r = divmod(g_num * _E10, g_den)
    grid_c, grid_dec = 0, _ZERO
    if not r:
        digits = str(k)
        kept = digits.rstrip("0")
        grid_c, grid_dec = int(kept), Decimal(f"{kept}E{len(digits) - len(kept) - 10}")
    a, b = g_den * _E10, scale * g_num
    g = gcd(a, b)
    scale_e10, rest = divmod(scale, _E10)
    got = (_per(1, scale), 0 if rest else scale_e10, grid_c, grid_dec, _per(g_num, g_den), 2 * a // g, b // g,
           scale * g_num * 10_000)
    if len(_GRID_CONSTS) >= 256:
        _GRID_CONSTS.clear()
    _GRID_CONSTS[key] = got
    return got


_LIMIT_CONSTS: dict[int, tuple[Instrument, int, int, bool]] = {}


def _limit_consts(inst: Instrument) -> tuple[Instrument, int, int, bool]:
    """(inst, price-unit numerator, denominator, one tick tier). With one tier a limit in price
    units survives ``price_to_units(units_to_price(u))`` unchanged whenever that is exact, so an
    AMM leg skips the Decimal round trip. Cached by instrument identity (reference data)."""
    got = _LIMIT_CONSTS.get(id(inst))
    if got is not None and got[0] is inst:
        return got
    pu_n, pu_d = _ratio(inst.price_unit)
    if len(_LIMIT_CONSTS) >= 1024:
        _LIMIT_CONSTS.clear()
    got = _LIMIT_CONSTS[id(inst)] = (inst, pu_n, pu_d, len(inst.tick_tiers) == 1)
    return got


class _Pricing:
    """Turns exact curve evaluations into legs and alternatives in Decimal quote.

    Money ``x`` cost units is ``x / scale`` quote. The mid-based terms share one denominator:
    ``mid × grid × n × scale = a_mid · n / b_mid``.
    """

    def __init__(self, side: Side, units: Units, mid: Fraction, book_slippage_bps: int = 0,
                 limit_price: Decimal | None = None) -> None:
        self.side = side
        self.sign = 1 if side is _BUY else -1
        self.units = units
        self.mid = mid
        self.book_slippage_bps = book_slippage_bps
        self.limit_price = limit_price
        grid = units.grid
        self.g_num, self.g_den = grid.numerator, grid.denominator
        self.scale = units.scale
        self.a_mid = mid.numerator * self.g_num * units.scale
        self.b_mid = mid.denominator * self.g_den
        self._exact_savings = False
        self._last: _Parts = _ZERO_PARTS  # the cost terms of the last breakdown (cash … total)
        self.taken_num = 0  # exact Σ of take legs' totals, over b_mid·scale
        key = (self.g_num, self.g_den, self.scale)
        consts = _GRID_CONSTS.get(key)
        if consts is None:
            consts = _grid_consts(key)
        (self._money_c, scale_e10, self._grid_c, self._grid_dec, self._qty, self._avg_a, self._avg_b,
         self._amm_b) = consts
        self._b_signed, self._a_signed = self.b_mid * self.sign, self.a_mid * self.sign
        if scale_e10:  # _per(1, b_mid·scale) without the gcd
            d = self.b_mid * scale_e10
            self._mid_c = (2, d + d, d) if d & 1 else (1, d, d >> 1)
        else:
            self._mid_c = _per(1, self.b_mid * self.scale)

    def _book_limit(self, inst: Instrument, worst_units: int) -> int:
        """The IOC limit of a book leg: the walked worst price, widened by the allowed slippage
        (the book may tick while the order travels), never beyond the intent's limit."""
        if not self.book_slippage_bps:
            return worst_units
        buy = self.side is Side.BUY
        with localcontext(_CTX):  # may round by design
            widened = inst.units_to_price(worst_units) * (10_000 + self.sign * self.book_slippage_bps) / 10_000
            if self.limit_price is not None:
                widened = min(widened, self.limit_price) if buy else max(widened, self.limit_price)
            units = inst.price_to_units(widened, "down" if buy else "up")
        return max(units, worst_units) if buy else min(units, worst_units)

    def _amm_limit(self, inst: Instrument, slippage_bps: int, cash: int, n: int) -> tuple[int, Decimal]:
        """An AMM leg's limit (price units, price): the average price incl. fee widened by the
        pool's slippage tolerance, in whole units away from the trade (≥ 1), on the tick."""
        _, pu_n, pu_d, one_tier = _limit_consts(inst)
        # |cash| / scale / (n·grid) × (1 ± slippage) / unit
        num = abs(cash) * (10_000 + self.sign * slippage_bps) * self.g_den * pu_d
        den = n * self._amm_b * pu_n
        buy = self.sign > 0
        units = max(-(-num // den) if buy else num // den, 1)
        if one_tier:  # on the tick already: price_to_units(units_to_price(units)) == units when exact
            try:
                return units, inst.price_unit * units
            except Rounded:
                pass
        with localcontext(_CTX):  # tiered ticks (or too many digits): the instrument rounds
            units = inst.price_to_units(inst.units_to_price(units), "up" if buy else "down")
            return units, inst.price_unit * units

    def _quantity(self, n: int) -> Decimal:
        """``n`` grid units in base asset (:func:`ratio_dec` of ``n·grid``)."""
        c = self._grid_c
        if c:  # a decimal grid: exactly G × n
            try:
                v = self._grid_dec * n
                return v if c * n % 10 else v.normalize()
            except Rounded:
                pass
        m, d, h = self._qty
        return _dec10(n * m, d, h)

    def _breakdown(self, q: LegQuote, fixed: int) -> CostBreakdown:
        """A take leg's cost terms in quote (adds its exact total to :attr:`taken_num`); only while
        :data:`_EDGE` is current."""
        n, cash, notional, fee, gas, latency, mev = q[:7]  # (field order pinned by a test)
        gas += fixed
        impact_num = notional * self._b_signed - self._a_signed * n  # over b_mid
        total_num = impact_num + (fee + gas + latency + mev) * self.b_mid
        self.taken_num += total_num
        m, d, h = self._money_c
        mb, db, hb = self._mid_c
        if m != mb or m != 1:  # (scale not a multiple of 10**10: never from Units.for_sources)
            cash, fee, gas, latency, mev = cash * m, fee * m, gas * m, latency * m, mev * m
            impact_num, total_num = impact_num * mb, total_num * mb
        parts = self._last = (_dec10(cash, d, h), _dec10(impact_num, db, hb), _dec10(fee, d, h) if fee else _ZERO,
                              _dec10(gas, d, h) if gas else _ZERO, _dec10(latency, d, h) if latency else _ZERO,
                              _dec10(mev, d, h) if mev else _ZERO, _dec10(total_num, db, hb))
        return CostBreakdown(cash=parts[0], impact=parts[1], fee=parts[2], gas=parts[3], latency=parts[4],
                             mev=parts[5], total=parts[6])

    def take_legs(self, curves: list[Curve], allocation: dict[int, int]) -> tuple[list[RouteLeg], CostBreakdown]:
        """The take legs of ``allocation`` (curve index → grid units) in its order, and their summed
        costs: the same Decimals as ``ZERO_COSTS + leg.costs + …`` in the default context."""
        if not allocation:
            return [], ZERO_COSTS
        old = getcontext()
        setcontext(_EDGE)
        try:
            legs: list[RouteLeg] = []
            parts: list[_Parts] = []
            for i, n in allocation.items():
                legs.append(self._take(curves[i], n))
                parts.append(self._last)  # the leg's cost terms, as its breakdown holds them
            setcontext(_CTX)
            cash = impact = fee = gas = latency = mev = total = _ZERO
            for k in parts:
                cash = cash + k[0]
                impact = impact + k[1]
                fee = fee + k[2]
                gas = gas + k[3]
                latency = latency + k[4]
                mev = mev + k[5]
                total = total + k[6]
        finally:
            setcontext(old)
        return legs, CostBreakdown(cash=cash, impact=impact, fee=fee, gas=gas, latency=latency, mev=mev, total=total)

    def _take(self, c: Curve, n: int) -> RouteLeg:
        src = c.source
        inst = src.instrument
        if isinstance(c, BookCurve):
            q = c.quote(n)
            units = self._book_limit(inst, q.worst_price_units) if self.book_slippage_bps else q.worst_price_units
            try:
                price = inst.price_unit * units
            except Rounded:
                price = _CTX.multiply(inst.price_unit, units)
            kind = "book"
        else:
            aq = c.quote(n)
            assert aq is not None
            q = aq
            units, price = self._amm_limit(inst, c.source.slippage_bps, q.cash, n)
            kind = "amm"
        avg_h = self._avg_b * n
        return RouteLeg(venue=src.venue, symbol=inst.symbol, kind=kind, side=self.side, lots=n // c.step,
                        quantity=self._quantity(n), order_type=_LIMIT, time_in_force=_IOC, limit_price_units=units,
                        limit_price=price, expected_avg_price=_dec10(q.notional * self._avg_a, avg_h + avg_h, avg_h),
                        costs=self._breakdown(q, c.fixed), ticks_crossed=q.ticks_crossed)

    def passive_leg(self, choice: PassiveChoice, n: int) -> RouteLeg:
        c = choice.curve
        inst = c.source.instrument
        quantity = Fraction(n) * self.units.grid
        qf = float(quantity)
        price = Fraction(choice.price_units) * Fraction(inst.price_unit)
        impact = (price - self.mid) * quantity * self.side.sign
        fee = Decimal(repr(choice.fill_probability * choice.maker_fee * qf))
        miss = Decimal(repr((1.0 - choice.fill_probability) * choice.miss_cost * qf))
        impact_d = dec(impact * Fraction(choice.fill_probability))
        costs = CostBreakdown(cash=dec(price * quantity * self.side.sign), impact=impact_d,
                              fee=fee.quantize(_Q10), gas=Decimal(0), latency=miss.quantize(_Q10), mev=Decimal(0),
                              total=(impact_d + fee + miss).quantize(_Q10))
        return RouteLeg(venue=c.source.venue, symbol=c.source.symbol, kind="book", side=self.side, lots=n // c.step,
                        quantity=dec(quantity), order_type=OrderType.POST_ONLY, time_in_force=TimeInForce.GTC,
                        limit_price_units=choice.price_units, limit_price=inst.units_to_price(choice.price_units),
                        expected_avg_price=dec(price), costs=costs)

    def _all_in(self, c: Curve, n: int) -> int | None:
        v = c.cost(n)
        return None if v is None else v + (c.fixed if n else 0)

    def alternatives(self, curves: list[Curve], total: int, route_total: Decimal, routed: int,
                     exact: bool = False) -> tuple[Alternative, Alternative]:
        """Best single venue and equal split; with ``exact`` the savings are against the exact sum
        of the take legs priced so far (one rounding, so an optimal route never shows < 0)."""
        self._exact_savings = exact
        at_mid_num = self.a_mid * total * self.sign  # over b_mid
        best: tuple[int, str] | None = None
        for c in curves:
            if total % c.step == 0 and total >= c.lo:
                v = self._all_in(c, total)
                if v is not None and (best is None or (v, c.source.venue) < best):
                    best = (v, c.source.venue)
        single = self._alternative("best_single_venue", (best[1],) if best else (), None if best is None else
                                   best[0] * self.b_mid - at_mid_num, route_total, routed == total, total)
        parts = equal_split(curves, total)
        eq_total: int | None = None
        if parts is not None:
            acc: int | None = 0
            for c, n in zip(curves, parts, strict=True):
                v = self._all_in(c, n)
                if v is None:
                    acc = None
                    break
                acc += v  # type: ignore[operator]
            eq_total = None if acc is None else acc * self.b_mid - at_mid_num
        equal = self._alternative("equal_split", tuple(c.source.venue for c in curves), eq_total, route_total,
                                  routed == total, total)
        return single, equal

    def _alternative(self, name: str, venues: tuple[str, ...], cost_num: int | None, route_total: Decimal,
                     comparable: bool, n: int) -> Alternative:
        """``cost_num / b_mid`` cost units is the alternative's all-in cost versus mid."""
        if cost_num is None:
            return Alternative(name=name, venues=venues, total=None, savings=None, savings_bps=None)
        total = ratio_dec(cost_num, self.b_mid * self.scale)
        savings = None
        if comparable:
            savings = ratio_dec(cost_num - self.taken_num, self.b_mid * self.scale) if self._exact_savings \
                else total - route_total
        bps = None
        mid_n = abs(self.mid.numerator)
        if savings is not None and mid_n and n:
            s_n, s_d = _ratio(savings)
            # savings / (|mid| × grid × n) × 10⁴
            bps = ratio_dec(s_n * self.mid.denominator * self.g_den * 10_000, s_d * mid_n * self.g_num * n, 4)
        return Alternative(name=name, venues=venues, total=total, savings=savings, savings_bps=bps)


def equal_split(curves: list[Curve], total: int) -> list[int] | None:
    """Q split as evenly as the lots allow across all curves (remainder lot by lot in order)."""
    k = len(curves)
    parts = [(total // k) // c.step * c.step for c in curves]
    rest = total - sum(parts)
    for _ in range(total):
        if rest == 0:
            break
        moved = False
        for i, c in enumerate(curves):
            if c.step <= rest:
                parts[i] += c.step
                rest -= c.step
                moved = True
                if rest == 0:
                    break
        if not moved:
            return None
    if rest:
        return None
    if any(0 < p < c.lo for p, c in zip(parts, curves, strict=True)):
        return None
    return parts

