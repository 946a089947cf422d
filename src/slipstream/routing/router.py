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
from decimal import Decimal
from fractions import Fraction
from typing import cast

from slipstream.errors import ValidationError
from slipstream.model.enums import Side
from slipstream.model.intents import ChildIntent, Urgency
from slipstream.routing.costs import AmmCurve, BookCurve, Curve, Units
from slipstream.routing.optimiser import SplitProblem, _smooth, solve, warm_relaxation
from slipstream.routing.passive import choose_passive
from slipstream.routing.pricing import _Pricing, dec, ratio_dec
from slipstream.routing.route import (
    ZERO_COSTS,
    Exclusion,
    Route,
    SourceStatus,
)
from slipstream.routing.sources import BookSource, Source
from slipstream.routing.view import MarketView, pair_of
from slipstream.venues.sim.amm.v3_pool import UniswapV3Pool

__all__ = ["Prepared", "RouterConfig", "SmartRouter"]

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
        risk_age_step_ns: time is cut into steps of this length; the latency/staleness risk and the
            staleness check take the data's age at the end of the decision's step (0, the default:
            at the decision time itself). The risk-dependent work of :meth:`SmartRouter.precompute`
            then serves every decision in the same step, not only one at the precompute's exact
            time; the price is a risk term for data up to one step older than they are
            (conservative) and a source declared stale up to one step early. Routes report the
            actual ages and decision time.
    """

    max_venues: int | None = None
    book_max_age_ns: int = 1_000_000_000
    amm_max_age_ns: int = 15_000_000_000
    exclusion_ns: int = 30_000_000_000
    passive_horizon_ns: int = 60_000_000_000
    compare_alternatives: bool = True
    asset_aliases: Mapping[str, str] = field(default_factory=dict)
    book_slippage_bps: int = 0
    risk_age_step_ns: int = 0

    def canonical(self, base: str, quote: str) -> tuple[str, str]:
        aliases = self.asset_aliases
        return aliases.get(base, base), aliases.get(quote, quote)

    def __post_init__(self) -> None:
        if self.max_venues is not None and self.max_venues < 1:
            raise ValidationError("max_venues must be >= 1")
        if min(self.book_max_age_ns, self.amm_max_age_ns, self.exclusion_ns, self.passive_horizon_ns,
               self.risk_age_step_ns) < 0:
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
        shared = prep.memo
        got = shared.get("mid") or _share(prep)
        mid, mid_dec = cast("tuple[Fraction, Decimal]", got)
        solution = solve(SplitProblem(live, total, self.config.max_venues))
        ctx = _Pricing(intent.side, units, mid, self.config.book_slippage_bps, intent.limit_price)
        legs, costs = ctx.take_legs(live, solution.allocation)
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
                costs = ZERO_COSTS + legs[0].costs
                mode = "passive"
                reason = (f"rest on {choice.curve.source.venue}: expected {choice.expected_per_unit:.6g}/unit "
                          f"(fill p={choice.fill_probability:.3f}) < take {take_per_unit:.6g}/unit")
            elif choice is not None:
                reason = (f"take: resting on {choice.curve.source.venue} expects {choice.expected_per_unit:.6g}/unit "
                          f"(fill p={choice.fill_probability:.3f}) >= take {take_per_unit:.6g}/unit")
        single = equal = None
        if self.config.compare_alternatives:
            single, equal = ctx.alternatives(live, total, costs.total, routed, exact=mode == "take")
        used = {leg.venue for leg in legs}
        routed_q = ratio_dec(routed * units.grid.numerator, units.grid.denominator)  # == dec(routed × grid)
        if prep.actual_ages:
            sources = tuple(SourceStatus(venue=v, kind=k, age_ns=a, used=v in used) for v, k, a in prep.statuses)
        else:
            pairs = cast("list[tuple[str, SourceStatus, SourceStatus]]", shared["statuses"])
            sources = tuple(on if v in used else off for v, off, on in pairs)
        return Route(
            intent_id=intent.intent_id, parent_id=intent.parent_id, symbol=intent.symbol, side=intent.side,
            quantity=intent.quantity, urgency=intent.urgency, limit_price=intent.limit_price,
            routed_quantity=routed_q, unfilled_quantity=intent.quantity - routed_q,
            mode=mode, reason=reason, decided_ts_ns=now, reference_mid=mid_dec, legs=tuple(legs),
            costs=costs, best_single_venue=single, equal_split=equal,
            excluded=_by_venue(excluded),
            sources=sources,
            sets_solved=solution.sets_solved, sets_pruned=solution.sets_pruned,
        )

    def prepare(self, intent: ChildIntent, view: MarketView) -> Prepared:
        """Eligible sources as exact cost curves on one grid (what :meth:`route` optimises over).

        Without a limit price and with no venue excluded, the result depends only on the snapshot,
        the side and the decision time: it is memoised on the snapshot (the last decision time per
        side), so the work done by :meth:`precompute` at the market-data update serves the decision
        (the curves are read-only to the optimiser; a limit price gets fresh curves).

        Raises:
            ValidationError: the intent's symbol is not BASE/QUOTE.
        """
        sources = view.sources
        step = self.config.risk_age_step_ns
        actual: list[int] | None = None
        model: list[int] | None = None
        when: object = view.now_ns
        if step:  # the model's ages, at the decision time rounded up to the step, are what the curves depend on
            now = view.now_ns
            at = (now // step + 1) * step  # the end of the step the decision falls in
            actual = [max(now - s.conditions.received_ts_ns, 0) for s in sources]
            model = [max(at - s.conditions.received_ts_ns, 0) for s in sources]
            when = at
        if intent.limit_price is None and not self._excluded and sources:
            memo = sources[0].memo
            key = ("prepared", intent.side, intent.symbol)  # one slot per side: memory stays bounded
            slot = memo.get(key)
            if slot is not None:
                got_when, router, config, seen, base = cast(
                    "tuple[object, object, object, tuple[Source, ...], Prepared]", slot)
                if got_when == when and router is self and config is self.config and len(seen) == len(sources) \
                        and all(a is b for a, b in zip(seen, sources, strict=True)):
                    return self._with_total(base, intent, actual)
            base = self._prepare(intent, view, model)
            memo[key] = (when, self, self.config, sources, base)
            return self._with_total(base, intent, actual)
        prep = self._prepare(intent, view, model)
        return prep if actual is None else self._with_total(prep, intent, actual)

    @staticmethod
    def _with_total(base: Prepared, intent: ChildIntent, actual: list[int] | None = None) -> Prepared:
        """``base`` (memoised, not to be mutated) for this intent's quantity; with ``actual`` ages
        (a risk age step is set), the statuses report those instead of the memoised ones."""
        total = _grid_units(intent.quantity, base.units.grid)
        statuses = base.statuses
        if actual is not None:
            statuses = [(v, k, a) for (v, k, _), a in zip(statuses, actual, strict=True)]
        return Prepared(list(base.excluded), statuses, base.curves, base.units, total if base.curves else 0,
                        base.memo, actual is not None)

    def _prepare(self, intent: ChildIntent, view: MarketView, model: list[int] | None = None) -> Prepared:
        """``model``: the ages the risk and staleness use (default: the actual ones)."""
        pair = self.config.canonical(*pair_of(intent.symbol))
        now = view.now_ns
        ages = [max(now - s.conditions.received_ts_ns, 0) for s in view.sources]  # == view.age_ns(s)
        eligible, excluded = self._eligible(intent, view, pair, ages if model is None else model)
        statuses = [(s.venue, "book" if isinstance(s, BookSource) else "amm", a)
                    for s, a in zip(view.sources, ages, strict=True)]
        if not eligible:
            return Prepared(excluded, statuses, [], Units(Fraction(1), 1), 0)
        units = Units.for_sources([s for s, _ in eligible])
        side = intent.side
        curves: list[Curve] = [
            BookCurve(i, s, side, units, age) if isinstance(s, BookSource) else AmmCurve(i, s, side, units, age)
            for i, (s, age) in enumerate(eligible)
        ]
        total = _grid_units(intent.quantity, units.grid)
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

    def precompute(self, view: MarketView, symbol: str, v3_steps: int = 16, warm: bool = True) -> None:
        """Do a snapshot's decision-independent work now — on the market-data update, not in the
        next :meth:`route`: conversion factors and prefix arrays per side, the books' merge
        layout and water-filling table, pool shapes, the first ``v3_steps`` steps of each v3 pool's
        swap path (a step ends at an initialised tick or a bitmap word; 16 cover the benchmark's
        25 BTC swaps across six ranges — a longer swap extends the path lazily), the reference mid.
        (The prepared curves and merged book steps also depend on the data's age; they are reused
        only by a decision at the same ``view.now_ns`` — or, with ``config.risk_age_step_ns``, by
        every decision in the same step; precompute at the step the decisions will fall in.)

        With ``warm`` (default) it ends with one decision per side for one grid unit, discarded:
        the decision's code and the snapshot's hot data are then in the CPU caches when an order
        arrives (measured: a decision right after the update takes about a quarter less time; the
        precompute about 0.2 ms more).

        Everything is memoised on the view's sources; routes give the same result without it.

        Raises:
            ValidationError: ``symbol`` is not BASE/QUOTE.
        """
        probes: list[ChildIntent] = []
        for side in (Side.BUY, Side.SELL):
            probe = ChildIntent(intent_id="precompute", parent_id="precompute", symbol=symbol, side=side,
                                quantity=Decimal(1))
            prep = self.prepare(probe, view)
            if not prep.curves:
                continue
            _share(prep)
            warm_relaxation(prep.curves, max(prep.total, 1))
            for c in prep.curves:
                if isinstance(c, AmmCurve) and isinstance(c.source.pool, UniswapV3Pool):
                    c.v3_path().extend(v3_steps)
            if warm:
                probes.append(ChildIntent(intent_id="precompute", parent_id="precompute", symbol=symbol, side=side,
                                          quantity=dec(prep.units.grid)))
        for probe in probes:  # last, so that nothing evicts what they touched
            self.route(probe, view)

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
    def _eligible(self, intent: ChildIntent, view: MarketView, pair: tuple[str, str], ages: list[int]
                  ) -> tuple[list[tuple[Source, int]], list[Exclusion]]:
        """(source, age) of every eligible source in view order, and the exclusions."""
        eligible: list[tuple[Source, int]] = []
        excluded: list[Exclusion] = []
        cfg = self.config
        aliases = cfg.asset_aliases
        buy = intent.side is Side.BUY
        for s, age in zip(view.sources, ages, strict=True):
            inst = s.instrument
            book = isinstance(s, BookSource)
            max_age = cfg.book_max_age_ns if book else cfg.amm_max_age_ns
            cond = s.conditions
            canon = (aliases.get(inst.base, inst.base), aliases.get(inst.quote, inst.quote)) if aliases \
                else (inst.base, inst.quote)
            if canon != pair:
                reason, detail = "symbol_mismatch", f"{inst.symbol} is not {pair[0]}/{pair[1]}"
            elif age > max_age:
                reason, detail = "stale", f"age {age / 1e6:.1f} ms > max {max_age / 1e6:.1f} ms"
            elif not cond.healthy:
                reason, detail = "unhealthy", "venue circuit breaker open"
            elif not cond.rate_limit_headroom:
                reason, detail = "rate_limited", "no rate-limit headroom"
            elif self._excluded and self.is_excluded(s.venue, view.now_ns):
                reason, detail = "excluded", f"failed; excluded until {self._excluded[s.venue]} and healthy"
            elif book and not (s.asks if buy else s.bids):  # type: ignore[union-attr]
                reason, detail = "no_liquidity", f"empty {'ask' if buy else 'bid'} side"
            else:
                eligible.append((s, age))
                continue
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
    memo: dict[str, object] = field(default_factory=dict)  # per-snapshot results shared by decisions
    actual_ages: bool = False  # statuses hold this decision's ages, not the memoised ones


def _grid_units(quantity: Decimal, grid: Fraction) -> int:
    """Whole grid units in ``quantity`` (== ``Units.to_grid``, without building a Fraction)."""
    q_num, q_den = quantity.as_integer_ratio()
    return (q_num * grid.denominator) // (q_den * grid.numerator)


def _share(prep: Prepared) -> tuple[Fraction, Decimal]:
    """Fill ``prep.memo`` with what every decision on this snapshot and side shares: the reference
    mid (exact and as Decimal) and each source's status, unused and used (immutable structs)."""
    mid = _reference_mid(prep.curves)
    got = prep.memo["mid"] = (mid, dec(mid))
    prep.memo["statuses"] = [(v, SourceStatus(venue=v, kind=k, age_ns=a, used=False),
                              SourceStatus(venue=v, kind=k, age_ns=a, used=True)) for v, k, a in prep.statuses]
    return got


_REASONS: dict[tuple[int, int], str] = {}


def _take_reason(n_legs: int, sets: int) -> str:
    """The take explanation (a handful of distinct strings: built once each)."""
    got = _REASONS.get((n_legs, sets))
    if got is None:
        if len(_REASONS) >= 1024:
            _REASONS.clear()
        got = _REASONS[n_legs, sets] = \
            f"take: IOC at computed limits on {n_legs} venue(s); {sets} venue set(s) solved exactly"
    return got


def _by_venue(excluded: list[Exclusion]) -> tuple[Exclusion, ...]:
    return tuple(sorted(excluded, key=lambda e: e.venue)) if excluded else ()


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
    """Consolidated mid: (best bid + best ask) / 2 over the books; else the first pool's mid.
    Memoised on the first curve's snapshot for the same set of snapshots (one slot)."""
    sources = tuple(c.source for c in curves)
    memo = curves[0].source.memo
    slot = memo.get("reference_mid")
    if slot is not None and len(slot[0]) == len(sources) and all(  # type: ignore[index]
            a is b for a, b in zip(slot[0], sources, strict=True)):  # type: ignore[index]
        return slot[1]  # type: ignore[index,no-any-return]
    mid = _consolidated_mid(curves)
    memo["reference_mid"] = (sources, mid)
    return mid


def _consolidated_mid(curves: list[Curve]) -> Fraction:
    bid: Fraction | None = None
    ask: Fraction | None = None
    for c in curves:
        if isinstance(c, BookCurve):
            touch = c.source.memo.get("touch")
            if touch is None:
                src, unit = c.source, Fraction(c.source.instrument.price_unit)
                touch = (src.bids[0][0] * unit if src.bids else None, src.asks[0][0] * unit if src.asks else None)
                src.memo["touch"] = touch
            b, a = cast("tuple[Fraction | None, Fraction | None]", touch)
            if b is not None and (bid is None or b > bid):
                bid = b
            if a is not None and (ask is None or a < ask):
                ask = a
    if bid is not None and ask is not None:
        return (bid + ask) / 2
    return curves[0].mid


def _empty_route(intent: ChildIntent, now: int, excluded: list[Exclusion], statuses: list[tuple[str, str, int]],
                 reason: str, zero: bool = False) -> Route:
    return Route(
        intent_id=intent.intent_id, parent_id=intent.parent_id, symbol=intent.symbol, side=intent.side,
        quantity=Decimal(0) if zero else intent.quantity, urgency=intent.urgency, limit_price=intent.limit_price,
        routed_quantity=Decimal(0), unfilled_quantity=Decimal(0) if zero else intent.quantity, mode="take",
        reason=reason, decided_ts_ns=now, reference_mid=Decimal(0), legs=(), costs=ZERO_COSTS,
        best_single_venue=None, equal_split=None, excluded=_by_venue(excluded),
        sources=tuple(SourceStatus(venue=v, kind=k, age_ns=a, used=False) for v, k, a in statuses),
    )
