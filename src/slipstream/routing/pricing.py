"""Route legs and alternatives priced in ``Decimal`` quote from the optimiser's exact integers.

Everything stays an integer ratio until the single rounding at the edge (:func:`ratio_dec`:
half-even to 10 decimal places, trailing zeros stripped), so a leg costs a few integer
divisions instead of a chain of ``Fraction`` objects — this is on the router's hot path.
"""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction

from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instruments import Instrument
from slipstream.routing.costs import BookCurve, Curve, LegQuote, Units
from slipstream.routing.passive import PassiveChoice
from slipstream.routing.route import Alternative, CostBreakdown, RouteLeg

__all__ = ["dec", "equal_split", "ratio_dec"]

_ZERO = Decimal(0)
_NEG_ZERO = Decimal("-0")
_Q10 = Decimal("1e-10")
_E10 = 10**10
_FITS = 10**27
_CTX = Context(prec=28)  # explicit: the ambient decimal context must not change a route


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


class _Pricing:
    """Turns exact curve evaluations into legs and alternatives in Decimal quote.

    Money ``x`` cost units is ``x / scale`` quote. The mid-based terms share one denominator:
    ``mid × grid × n × scale = a_mid · n / b_mid``.
    """

    def __init__(self, side: Side, units: Units, mid: Fraction, book_slippage_bps: int = 0,
                 limit_price: Decimal | None = None) -> None:
        self.side = side
        self.sign = side.sign
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
        self.taken_num = 0  # exact Σ of take legs' totals, over b_mid·scale

    def _book_limit(self, inst: Instrument, worst_units: int) -> int:
        """The IOC limit of a book leg: the walked worst price, widened by the allowed slippage
        (the book may tick while the order travels), never beyond the intent's limit."""
        if not self.book_slippage_bps:
            return worst_units
        buy = self.side is Side.BUY
        widened = inst.units_to_price(worst_units) * (10_000 + self.side.sign * self.book_slippage_bps) / 10_000
        if self.limit_price is not None:
            widened = min(widened, self.limit_price) if buy else max(widened, self.limit_price)
        units = inst.price_to_units(widened, "down" if buy else "up")
        return max(units, worst_units) if buy else min(units, worst_units)

    def _money(self, cost_units: int) -> Decimal:
        return ratio_dec(cost_units, self.scale)

    def breakdown(self, q: LegQuote, fixed: int) -> CostBreakdown:
        b, scale = self.b_mid, self.scale
        impact_num = (q.notional * b - self.a_mid * q.n) * self.sign  # over b
        gas = q.gas + fixed
        total_num = impact_num + (q.fee + gas + q.latency + q.mev) * b
        self.taken_num += total_num
        bs = b * scale
        return CostBreakdown(cash=ratio_dec(q.cash, scale), impact=ratio_dec(impact_num, bs),
                             fee=ratio_dec(q.fee, scale), gas=ratio_dec(gas, scale) if gas else _ZERO,
                             latency=ratio_dec(q.latency, scale), mev=ratio_dec(q.mev, scale) if q.mev else _ZERO,
                             total=ratio_dec(total_num, bs))

    def take_leg(self, c: Curve, n: int) -> RouteLeg:
        src = c.source
        inst = src.instrument
        g_num, g_den = self.g_num, self.g_den
        quantity = ratio_dec(n * g_num, g_den)
        if isinstance(c, BookCurve):
            q = c.quote(n)
            limit_units = self._book_limit(inst, q.worst_price_units) if self.book_slippage_bps \
                else q.worst_price_units
            kind = "book"
        else:
            aq = c.quote(n)
            assert aq is not None
            q = aq
            kind = "amm"
            pu_n, pu_d = _ratio(inst.price_unit)
            # avg price incl. fee × (1 ± slippage) in price units: |cash| / scale / (n·grid) / unit
            num = abs(q.cash) * g_den * (10_000 + self.sign * src.slippage_bps) * pu_d
            den = self.scale * n * g_num * 10_000 * pu_n
            buy = self.side is Side.BUY
            units_raw = max(-(-num // den) if buy else num // den, 1)
            limit_units = inst.price_to_units(inst.units_to_price(units_raw), "up" if buy else "down")
        avg_price = ratio_dec(q.notional * g_den, self.scale * n * g_num)
        return RouteLeg(venue=src.venue, symbol=inst.symbol, kind=kind, side=self.side, lots=n // c.step,
                        quantity=quantity, order_type=OrderType.LIMIT, time_in_force=TimeInForce.IOC,
                        limit_price_units=limit_units, limit_price=inst.price_unit * limit_units,
                        expected_avg_price=avg_price, costs=self.breakdown(q, c.fixed), ticks_crossed=q.ticks_crossed)

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

