"""SmartRouter: turn a :class:`ChildIntent` into a :class:`Route` over the consolidated view.

Steps: pick the eligible sources (same pair, fresh, healthy, rate-limit headroom, not excluded,
liquidity on our side); put them on one quantity grid and cost scale; build exact cost curves;
apply the intent's limit price; solve the split exactly (:mod:`slipstream.routing.optimiser`);
for a patient intent compare resting at the touch with taking (:mod:`slipstream.routing.passive`);
then price the legs, the best single venue and the equal split for comparison.

Re-routing: :meth:`SmartRouter.reroute` re-optimises what a route left undone over what is left,
excluding venues that failed until their exclusion expires and the health callback (if any)
reports them healthy again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

from slipstream.errors import ValidationError
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instruments import Instrument
from slipstream.model.intents import ChildIntent, Urgency
from slipstream.routing.costs import AmmCurve, BookCurve, Curve, LegQuote, Units
from slipstream.routing.optimiser import SplitProblem, _smooth, solve
from slipstream.routing.passive import PassiveChoice, choose_passive
from slipstream.routing.route import (
    ZERO_COSTS,
    Alternative,
    CostBreakdown,
    Exclusion,
    Route,
    RouteLeg,
    SourceStatus,
)
from slipstream.routing.sources import BookSource, Source
from slipstream.routing.view import MarketView, pair_of

__all__ = ["Prepared", "RouterConfig", "SmartRouter"]

_Q10 = Decimal("1e-10")
_Q4 = Decimal("1e-4")


@dataclass(frozen=True, slots=True)
class RouterConfig:
    """Router policy.

    Args:
        max_venues: at most this many venues per route (None: no limit).
        book_max_age_ns: a book older than this is stale and excluded (default 1 s).
        amm_max_age_ns: a pool state older than this is stale (default 15 s: one mainnet block+).
        exclusion_ns: how long a failed venue stays excluded before the health check may lift it.
        passive_horizon_ns: default resting horizon for patient intents without an expiry.
        compare_alternatives: price the best single venue and the equal split (costs quotes).
        asset_aliases: assets routed as one (``{"WBTC": "BTC", "USDC": "USDT"}``): a source whose
            pair maps to the intent's pair is eligible. The caller asserts they trade at par.
        book_slippage_bps: widen book legs' IOC limits by this much beyond the walked price, so a
            book that ticks while the order travels still fills (never beyond the intent's limit).
    """

    max_venues: int | None = None
    book_max_age_ns: int = 1_000_000_000
    amm_max_age_ns: int = 15_000_000_000
    exclusion_ns: int = 30_000_000_000
    passive_horizon_ns: int = 60_000_000_000
    compare_alternatives: bool = True
    asset_aliases: Mapping[str, str] = field(default_factory=dict)
    book_slippage_bps: int = 0

    def canonical(self, base: str, quote: str) -> tuple[str, str]:
        aliases = self.asset_aliases
        return aliases.get(base, base), aliases.get(quote, quote)

    def __post_init__(self) -> None:
        if self.max_venues is not None and self.max_venues < 1:
            raise ValidationError("max_venues must be >= 1")
        if min(self.book_max_age_ns, self.amm_max_age_ns, self.exclusion_ns, self.passive_horizon_ns) < 0:
            raise ValidationError("ages and durations must be >= 0")


class SmartRouter:
    """Routes child intents; keeps the exclusion set of venues that failed.

    Args:
        config: router policy.
        health: optional ``(venue, now_ns) -> healthy`` callback consulted once an exclusion has
            expired; while it says unhealthy the venue stays excluded.
    """

    def __init__(self, config: RouterConfig | None = None, health: Callable[[str, int], bool] | None = None) -> None:
        self.config = config or RouterConfig()
        self._health = health
        self._excluded: dict[str, int] = {}

    # ---- exclusions ------------------------------------------------------------------------------
    def exclude(self, venue: str, until_ns: int) -> None:
        """Keep ``venue`` out of routes until ``until_ns`` (and until healthy)."""
        self._excluded[venue] = max(until_ns, self._excluded.get(venue, until_ns))

    def is_excluded(self, venue: str, now_ns: int) -> bool:
        until = self._excluded.get(venue)
        if until is None:
            return False
        if now_ns < until or (self._health is not None and not self._health(venue, now_ns)):
            return True
        del self._excluded[venue]
        return False

    # ---- routing ---------------------------------------------------------------------------------
    def route(self, intent: ChildIntent, view: MarketView) -> Route:
        """The cheapest all-in way to execute ``intent`` over ``view``.

        Raises:
            ValidationError: the intent's symbol is not BASE/QUOTE.
        """
        prep = self.prepare(intent, view)
        now = view.now_ns
        excluded, statuses, live, units, total = prep.excluded, prep.statuses, prep.curves, prep.units, prep.total
        if not live:
            return _empty_route(intent, now, excluded, statuses, "no eligible venue with liquidity within limits")
        mid = _reference_mid(live)
        solution = solve(SplitProblem(live, total, self.config.max_venues))
        ctx = _Pricing(intent.side, units, mid, self.config.book_slippage_bps, intent.limit_price)
        legs = []
        for i, n in solution.allocation.items():
            legs.append(ctx.take_leg(live[i], n))
        routed = total - solution.unfilled
        mode, reason = "take", _take_reason(len(legs), solution.sets_solved)
        if intent.urgency is Urgency.PASSIVE and routed > 0:
            horizon_ns = (intent.expire_ts_ns - now) if intent.expire_ts_ns is not None else \
                self.config.passive_horizon_ns
            books = [c for c in live if isinstance(c, BookCurve)]
            lots = {c.index: routed // c.step for c in books if routed % c.step == 0}
            choice = choose_passive(books, intent.side, lots, max(horizon_ns, 0) / 1e9)
            take_per_unit = float(sum(leg.costs.total for leg in legs)) / float(routed * units.grid)
            if choice is not None and choice.expected_per_unit < take_per_unit:
                legs = [ctx.passive_leg(choice, routed)]
                mode = "passive"
                reason = (f"rest on {choice.curve.source.venue}: expected {choice.expected_per_unit:.6g}/unit "
                          f"(fill p={choice.fill_probability:.3f}) < take {take_per_unit:.6g}/unit")
            elif choice is not None:
                reason = (f"take: resting on {choice.curve.source.venue} expects {choice.expected_per_unit:.6g}/unit "
                          f"(fill p={choice.fill_probability:.3f}) >= take {take_per_unit:.6g}/unit")
        costs = ZERO_COSTS
        for leg in legs:
            costs = costs + leg.costs
        single = equal = None
        if self.config.compare_alternatives:
            single, equal = ctx.alternatives(live, total, costs.total, routed)
        used = {leg.venue for leg in legs}
        return Route(
            intent_id=intent.intent_id, parent_id=intent.parent_id, symbol=intent.symbol, side=intent.side,
            quantity=intent.quantity, urgency=intent.urgency, limit_price=intent.limit_price,
            routed_quantity=_dec(routed * units.grid), unfilled_quantity=intent.quantity - _dec(routed * units.grid),
            mode=mode, reason=reason, decided_ts_ns=now, reference_mid=_dec(mid, _Q10), legs=tuple(legs),
            costs=costs, best_single_venue=single, equal_split=equal,
            excluded=tuple(sorted(excluded, key=lambda e: e.venue)),
            sources=tuple(SourceStatus(venue=v, kind=k, age_ns=a, used=v in used) for v, k, a in statuses),
            sets_solved=solution.sets_solved, sets_pruned=solution.sets_pruned,
        )

    def prepare(self, intent: ChildIntent, view: MarketView) -> Prepared:
        """Eligible sources as exact cost curves on one grid (what :meth:`route` optimises over).

        Raises:
            ValidationError: the intent's symbol is not BASE/QUOTE.
        """
        pair = self.config.canonical(*pair_of(intent.symbol))
        eligible, excluded = self._eligible(intent, view, pair)
        statuses = [(s.venue, "book" if isinstance(s, BookSource) else "amm", view.age_ns(s)) for s in view.sources]
        if not eligible:
            return Prepared(excluded, statuses, [], Units(Fraction(1), 1), 0)
        units = Units.for_sources(eligible)
        curves: list[Curve] = []
        for i, s in enumerate(eligible):
            age = view.age_ns(s)
            if isinstance(s, BookSource):
                curves.append(BookCurve(i, s, intent.side, units, age))
            else:
                curves.append(AmmCurve(i, s, intent.side, units, age))
        total = units.to_grid(Fraction(intent.quantity))
        if intent.limit_price is not None:
            _apply_limit(curves, intent.side, Fraction(intent.limit_price), units, total)
        live = [c for c in curves if c.hi >= c.lo]
        for c in curves:
            if c.hi < c.lo:
                excluded.append(Exclusion(venue=c.source.venue, reason="no_liquidity",
                                          detail="nothing tradable within limits"))
        for k, c in enumerate(live):
            c.index = k
        return Prepared(excluded, statuses, live, units, total)

    def reroute(self, route: Route, view: MarketView, fills_short: Mapping[str, int] | None = None,
                failed: Iterable[str] = ()) -> Route:
        """Route what ``route`` left undone over ``view``, excluding the ``failed`` venues.

        Args:
            fills_short: lots not filled per venue (IOC remainders, partial swaps).
            failed: venues that rejected or failed; their whole leg is redone unless
                ``fills_short`` says how much remains, and they are excluded for
                ``config.exclusion_ns`` (then until healthy).

        Raises:
            ValidationError: a venue in ``fills_short`` is not a leg, or short lots exceed the leg.
        """
        short = dict(fills_short or {})
        failed_set = set(failed)
        legs = {leg.venue: leg for leg in route.legs}
        for venue in short:
            if venue not in legs:
                raise ValidationError(f"{venue} is not a leg of route {route.intent_id}")
        remaining = route.unfilled_quantity
        for venue, leg in legs.items():
            lots = short.get(venue, leg.lots if venue in failed_set else 0)
            if not 0 <= lots <= leg.lots:
                raise ValidationError(f"{venue}: short lots {lots} outside [0, {leg.lots}]")
            remaining += leg.quantity * lots / leg.lots if leg.lots else Decimal(0)
        for venue in sorted(failed_set):
            self.exclude(venue, view.now_ns + self.config.exclusion_ns)
        if remaining <= 0:
            return _empty_route(_intent_of(route, route.quantity), view.now_ns, [], [], "nothing left to route",
                                zero=True)
        return self.route(_intent_of(route, remaining), view)

    # ---- helpers ---------------------------------------------------------------------------------
    def _eligible(self, intent: ChildIntent, view: MarketView, pair: tuple[str, str]
                  ) -> tuple[list[Source], list[Exclusion]]:
        eligible: list[Source] = []
        excluded: list[Exclusion] = []
        cfg = self.config
        for s in view.sources:
            inst = s.instrument
            age = view.age_ns(s)
            max_age = cfg.book_max_age_ns if isinstance(s, BookSource) else cfg.amm_max_age_ns
            side_empty = isinstance(s, BookSource) and not (s.asks if intent.side is Side.BUY else s.bids)
            reason = None
            if cfg.canonical(inst.base, inst.quote) != pair:
                reason, detail = "symbol_mismatch", f"{inst.symbol} is not {pair[0]}/{pair[1]}"
            elif age > max_age:
                reason, detail = "stale", f"age {age / 1e6:.1f} ms > max {max_age / 1e6:.1f} ms"
            elif not s.conditions.healthy:
                reason, detail = "unhealthy", "venue circuit breaker open"
            elif not s.conditions.rate_limit_headroom:
                reason, detail = "rate_limited", "no rate-limit headroom"
            elif self.is_excluded(s.venue, view.now_ns):
                reason, detail = "excluded", f"failed; excluded until {self._excluded[s.venue]} and healthy"
            elif side_empty:
                reason, detail = "no_liquidity", f"empty {'ask' if intent.side is Side.BUY else 'bid'} side"
            if reason is None:
                eligible.append(s)
            else:
                excluded.append(Exclusion(venue=s.venue, reason=reason, detail=detail))
        return eligible, excluded


@dataclass(slots=True)
class Prepared:
    """Eligible sources priced for one intent: curves indexed 0..n-1, quantity in grid units."""

    excluded: list[Exclusion]
    statuses: list[tuple[str, str, int]]
    curves: list[Curve]
    units: Units
    total: int


def _take_reason(n_legs: int, sets: int) -> str:
    return f"take: IOC at computed limits on {n_legs} venue(s); {sets} venue set(s) solved exactly"


def _intent_of(route: Route, quantity: Decimal) -> ChildIntent:
    return ChildIntent(intent_id=f"{route.intent_id}-r", parent_id=route.parent_id, symbol=route.symbol,
                       side=route.side, quantity=quantity, urgency=route.urgency, limit_price=route.limit_price)


def _apply_limit(curves: list[Curve], side: Side, limit: Fraction, units: Units, total: int) -> None:
    """No unit may trade beyond ``limit``: cut book levels past it, cap AMMs where their marginal
    price (fee included) reaches it."""
    for c in curves:
        if isinstance(c, BookCurve):
            units_limit = limit / Fraction(c.source.instrument.price_unit)
            keep = sum(1 for p in c.prices if (p <= units_limit if side is Side.BUY else p >= units_limit))
            lots = c.cum_lots[keep - 1] if keep else 0
            c.cap = min(c.cap, lots)
            c.hi = c.cap * c.step
        else:
            smooth = _smooth(c, total)
            per_grid = float(limit * units.grid * units.scale) * side.sign
            q = smooth.q_at(per_grid + float(c.risk + c.mev))  # marginal price incl. fee at the limit
            c.hi = min(c.hi, math.floor(q) // c.step * c.step)


def _reference_mid(curves: list[Curve]) -> Fraction:
    """Consolidated mid: (best bid + best ask) / 2 over the books; else the first pool's mid."""
    bid: Fraction | None = None
    ask: Fraction | None = None
    for c in curves:
        if isinstance(c, BookCurve):
            touch = c.source.memo.get("touch")
            if touch is None:
                src, unit = c.source, Fraction(c.source.instrument.price_unit)
                touch = (src.bids[0][0] * unit if src.bids else None, src.asks[0][0] * unit if src.asks else None)
                src.memo["touch"] = touch
            b, a = touch  # type: ignore[misc]
            if b is not None and (bid is None or b > bid):
                bid = b
            if a is not None and (ask is None or a < ask):
                ask = a
    if bid is not None and ask is not None:
        return (bid + ask) / 2
    return curves[0].mid


def _dec(value: Fraction | int, quantum: Decimal = _Q10) -> Decimal:
    """Exact rational to Decimal at the edge, rounded half-even to ``quantum``."""
    f = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 80
        d = Decimal(f.numerator) / Decimal(f.denominator)
        return d.quantize(quantum, rounding=ROUND_HALF_EVEN).normalize() if d else Decimal(0)


class _Pricing:
    """Turns exact curve evaluations into legs and alternatives in Decimal quote."""

    def __init__(self, side: Side, units: Units, mid: Fraction, book_slippage_bps: int = 0,
                 limit_price: Decimal | None = None) -> None:
        self.side = side
        self.units = units
        self.mid = mid
        self.book_slippage_bps = book_slippage_bps
        self.limit_price = limit_price

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

    def _money(self, cost_units: int | Fraction) -> Decimal:
        return _dec(Fraction(cost_units) / self.units.scale)

    def breakdown(self, q: LegQuote, fixed: int) -> CostBreakdown:
        grid, scale = self.units.grid, self.units.scale
        at_mid = self.mid * grid * q.n * scale
        impact = (q.notional - at_mid) * self.side.sign
        gas = q.gas + fixed
        total = impact + q.fee + gas + q.latency + q.mev
        return CostBreakdown(cash=self._money(q.cash), impact=self._money(impact), fee=self._money(q.fee),
                             gas=self._money(gas), latency=self._money(q.latency), mev=self._money(q.mev),
                             total=self._money(total))

    def take_leg(self, c: Curve, n: int) -> RouteLeg:
        src = c.source
        inst = src.instrument
        lots = n // c.step
        quantity = _dec(Fraction(n) * self.units.grid)
        if isinstance(c, BookCurve):
            q = c.quote(n)
            limit_units = self._book_limit(inst, q.worst_price_units)
            kind = "book"
        else:
            aq = c.quote(n)
            assert aq is not None
            q = aq
            kind = "amm"
            slip = Fraction(10_000 + self.side.sign * src.slippage_bps, 10_000)
            avg = Fraction(abs(q.cash), self.units.scale) / (Fraction(n) * self.units.grid)  # fee inside
            raw = avg * slip / Fraction(inst.price_unit)
            buy = self.side is Side.BUY
            units_raw = max(math.ceil(raw) if buy else math.floor(raw), 1)
            limit_units = inst.price_to_units(inst.units_to_price(units_raw), "up" if buy else "down")
        avg_price = Fraction(q.notional, self.units.scale) / (Fraction(n) * self.units.grid)
        return RouteLeg(venue=src.venue, symbol=src.symbol, kind=kind, side=self.side, lots=lots, quantity=quantity,
                        order_type=OrderType.LIMIT, time_in_force=TimeInForce.IOC, limit_price_units=limit_units,
                        limit_price=inst.units_to_price(limit_units), expected_avg_price=_dec(avg_price),
                        costs=self.breakdown(q, c.fixed), ticks_crossed=q.ticks_crossed)

    def passive_leg(self, choice: PassiveChoice, n: int) -> RouteLeg:
        c = choice.curve
        inst = c.source.instrument
        quantity = Fraction(n) * self.units.grid
        qf = float(quantity)
        price = Fraction(choice.price_units) * Fraction(inst.price_unit)
        impact = (price - self.mid) * quantity * self.side.sign
        fee = Decimal(repr(choice.fill_probability * choice.maker_fee * qf))
        miss = Decimal(repr((1.0 - choice.fill_probability) * choice.miss_cost * qf))
        impact_d = _dec(impact * Fraction(choice.fill_probability))
        costs = CostBreakdown(cash=_dec(price * quantity * self.side.sign), impact=impact_d,
                              fee=fee.quantize(_Q10), gas=Decimal(0), latency=miss.quantize(_Q10), mev=Decimal(0),
                              total=(impact_d + fee + miss).quantize(_Q10))
        return RouteLeg(venue=c.source.venue, symbol=c.source.symbol, kind="book", side=self.side, lots=n // c.step,
                        quantity=_dec(quantity), order_type=OrderType.POST_ONLY, time_in_force=TimeInForce.GTC,
                        limit_price_units=choice.price_units, limit_price=inst.units_to_price(choice.price_units),
                        expected_avg_price=_dec(price), costs=costs)

    def _all_in(self, c: Curve, n: int) -> int | None:
        v = c.cost(n)
        return None if v is None else v + (c.fixed if n else 0)

    def alternatives(self, curves: list[Curve], total: int, route_total: Decimal, routed: int
                     ) -> tuple[Alternative, Alternative]:
        at_mid = self.mid * self.units.grid * total * self.units.scale * self.side.sign
        best: tuple[int, str] | None = None
        for c in curves:
            if total % c.step == 0 and total >= c.lo:
                v = self._all_in(c, total)
                if v is not None and (best is None or (v, c.source.venue) < best):
                    best = (v, c.source.venue)
        single = self._alternative("best_single_venue", (best[1],) if best else (), None if best is None else
                                   best[0] - at_mid, route_total, routed == total, total)
        parts = _equal_split(curves, total)
        eq_total: Fraction | None = None
        if parts is not None:
            acc = 0
            for c, n in zip(curves, parts, strict=True):
                v = self._all_in(c, n)
                if v is None:
                    acc = None
                    break
                acc += v
            eq_total = None if acc is None else acc - at_mid
        equal = self._alternative("equal_split", tuple(c.source.venue for c in curves), eq_total, route_total,
                                  routed == total, total)
        return single, equal

    def _alternative(self, name: str, venues: tuple[str, ...], cost: Fraction | int | None, route_total: Decimal,
                     comparable: bool, n: int) -> Alternative:
        if cost is None:
            return Alternative(name=name, venues=venues, total=None, savings=None, savings_bps=None)
        total = self._money(cost)
        savings = total - route_total if comparable else None
        bps = None
        notional = abs(self.mid) * self.units.grid * n
        if savings is not None and notional:
            bps = _dec(Fraction(savings) / notional * 10_000, _Q4)
        return Alternative(name=name, venues=venues, total=total, savings=savings, savings_bps=bps)


def _equal_split(curves: list[Curve], total: int) -> list[int] | None:
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


def _empty_route(intent: ChildIntent, now: int, excluded: list[Exclusion], statuses: list[tuple[str, str, int]],
                 reason: str, zero: bool = False) -> Route:
    return Route(
        intent_id=intent.intent_id, parent_id=intent.parent_id, symbol=intent.symbol, side=intent.side,
        quantity=Decimal(0) if zero else intent.quantity, urgency=intent.urgency, limit_price=intent.limit_price,
        routed_quantity=Decimal(0), unfilled_quantity=Decimal(0) if zero else intent.quantity, mode="take",
        reason=reason, decided_ts_ns=now, reference_mid=Decimal(0), legs=(), costs=ZERO_COSTS,
        best_single_venue=None, equal_split=None, excluded=tuple(sorted(excluded, key=lambda e: e.venue)),
        sources=tuple(SourceStatus(venue=v, kind=k, age_ns=a, used=False) for v, k, a in statuses),
    )
