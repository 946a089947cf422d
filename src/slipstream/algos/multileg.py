"""Multi-leg parent orders — spreads, risk reversals, straddles — and the legging-risk arithmetic
that keeps their legs in step.

A :class:`StrategySpec` is one desk order for ``quantity`` units of a strategy whose leg ``k``
trades ``quantity × ratio_k`` of its symbol. Worked leg by leg, the legs fill at different speeds
and the book briefly holds an unmatched position: the *legging risk*. :class:`LeggingLimit`
caps it two ways (either or both):

* ``max_imbalance`` — the largest gap between two legs' completion fractions;
* ``max_net_delta`` — the delta (underlying units) of the unmatched legs: each leg's fill beyond
  the slowest leg's completion, times its delta.

The gate (:func:`headroom`) is pre-trade and worst-case: a leg may add working quantity only if
every way the working orders of all legs could still fill keeps the metric within the limit (or,
when market moves already pushed it over, does not make it worse). The delta bound it checks is
the *gross* delta of unmatched legs (sum of absolute values): equal to the net legging delta for
two legs, an upper bound of it for more. This module is pure arithmetic on integer parent units;
the engine (:mod:`slipstream.engine.multileg`) supplies fills and deltas.

Assumption: with three or more legs and a delta limit, two tied lagging legs can both be held
while a third, ahead, uses the whole limit; the imbalance limit has no such stall.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from fractions import Fraction

import msgspec
import numpy as np

from slipstream.algos.base import AlgoContext, ExecutionAlgo, WorkingChild
from slipstream.algos.params import AlgoParams
from slipstream.errors import ValidationError
from slipstream.model.enums import OptionKind, OrderStatus, Side
from slipstream.model.events import OrderFilled
from slipstream.model.feed import BookUpdate, TradePrint
from slipstream.model.instruments import Option
from slipstream.model.intents import Urgency
from slipstream.model.orders import ParentOrder

__all__ = [
    "ExecutionStyle",
    "Leg",
    "LegFill",
    "LeggedAlgo",
    "LeggingLimit",
    "StrategySpec",
    "call_spread",
    "gross_legging_delta",
    "headroom",
    "imbalance",
    "legging_delta",
    "risk_reversal",
    "straddle",
    "worst_imbalance",
]

MAX_LEGS = 6
"""The delta gate enumerates 2^legs fill states; six legs cover every listed structure."""


class ExecutionStyle(str, Enum):
    """``combo``: one order for the package on a venue that lists it; ``legged``: one parent per
    leg; ``auto``: combo where a venue supports it, else legged."""

    AUTO = "auto"
    LEGGED = "legged"
    COMBO = "combo"


class Leg(msgspec.Struct, frozen=True, kw_only=True):
    """One leg: ``ratio`` units of ``symbol`` per strategy unit, bought or sold."""

    symbol: str
    side: Side
    ratio: int = 1

    def __post_init__(self) -> None:
        if not self.symbol:
            raise ValidationError("leg symbol must not be empty")
        if self.ratio < 1:
            raise ValidationError(f"leg {self.symbol}: ratio must be a positive integer, got {self.ratio}")


class LeggingLimit(msgspec.Struct, frozen=True, kw_only=True):
    """Legging-risk caps; at least one is required.

    Args:
        max_net_delta: delta of the unmatched legs, in underlying units (coins), > 0.
        max_imbalance: largest gap between legs' completion fractions, in (0, 1].
    """

    max_net_delta: Decimal | None = None
    max_imbalance: Decimal | None = None

    def __post_init__(self) -> None:
        if self.max_net_delta is None and self.max_imbalance is None:
            raise ValidationError("a legging limit needs max_net_delta, max_imbalance or both")
        if self.max_net_delta is not None and not (self.max_net_delta.is_finite() and self.max_net_delta > 0):
            raise ValidationError(f"max_net_delta must be positive, got {self.max_net_delta}")
        if self.max_imbalance is not None and not (
            self.max_imbalance.is_finite() and 0 < self.max_imbalance <= 1
        ):
            raise ValidationError(f"max_imbalance must be in (0, 1], got {self.max_imbalance}")


class StrategySpec(msgspec.Struct, frozen=True, kw_only=True):
    """A multi-leg parent order.

    Args:
        strategy_id: unique id; leg ``k`` becomes parent ``{strategy_id}-leg{k}``.
        account: trading account of every leg.
        name: what the desk calls it (``call_spread``, ``risk_reversal``...).
        legs: two to :data:`MAX_LEGS` legs on distinct symbols.
        quantity: strategy units; leg ``k`` trades ``quantity × ratio_k`` (contracts / base).
        limit: the legging-risk limit.
        quantity_unit: integer unit of every leg's parent quantity (must divide each lot).
        start_ts_ns / end_ts_ns: horizon of every leg (or give ``AlgoParams.duration``).
        execution: combo, legged or auto.
        completion_grace: after the horizon, how long a leg held back by the limit may keep
            taking liquidity to finish in ratio before it gives up.
    """

    strategy_id: str
    account: str
    name: str
    legs: tuple[Leg, ...]
    quantity: Decimal
    limit: LeggingLimit
    quantity_unit: Decimal = Decimal("0.0001")
    start_ts_ns: int = 0
    end_ts_ns: int | None = None
    execution: ExecutionStyle = ExecutionStyle.AUTO
    completion_grace: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if not self.strategy_id:
            raise ValidationError("strategy id must not be empty")
        if not 2 <= len(self.legs) <= MAX_LEGS:
            raise ValidationError(f"{self.strategy_id}: a strategy has 2 to {MAX_LEGS} legs, got {len(self.legs)}")
        symbols = [leg.symbol for leg in self.legs]
        if len(set(symbols)) != len(symbols):
            raise ValidationError(f"{self.strategy_id}: legs must trade distinct symbols, got {symbols}")
        if self.completion_grace < timedelta(0):
            raise ValidationError(f"{self.strategy_id}: completion_grace must be >= 0")
        for k in range(len(self.legs)):
            self.leg_parent(k)  # quantity, unit and horizon checks, per leg

    def leg_id(self, index: int) -> str:
        return f"{self.strategy_id}-leg{index}"

    def leg_parent(self, index: int) -> ParentOrder:
        """Leg ``index`` as a parent order for the algo engine.

        Raises:
            ValidationError: quantity not a whole number of units, bad horizon.
        """
        leg = self.legs[index]
        return ParentOrder(
            parent_id=self.leg_id(index),
            account=self.account,
            symbol=leg.symbol,
            side=leg.side,
            quantity=self.quantity * leg.ratio,
            quantity_unit=self.quantity_unit,
            start_ts_ns=self.start_ts_ns,
            end_ts_ns=self.end_ts_ns,
            algo="multileg",
        )

    def encode(self) -> str:
        """Canonical JSON (what ``StrategyStarted`` journals)."""
        return msgspec.json.encode(self).decode()

    @classmethod
    def decode(cls, text: str) -> StrategySpec:
        return msgspec.json.decode(text, type=cls)


# ---- presets -----------------------------------------------------------------------------------------
def _options(*options: Option, kinds: tuple[OptionKind, ...]) -> None:
    for option, kind in zip(options, kinds, strict=True):
        if not isinstance(option, Option) or option.option_kind is not kind:
            raise ValidationError(f"{getattr(option, 'symbol', option)} is not a {kind.value} option")
    first = options[0]
    for option in options[1:]:
        if option.underlying != first.underlying:
            raise ValidationError(f"{first.symbol} and {option.symbol} have different underlyings")


def _flip(side: Side, buy: bool) -> Side:
    return side if buy else side.opposite


def call_spread(strategy_id: str, account: str, lower: Option, upper: Option, quantity: Decimal,
                limit: LeggingLimit, *, side: Side = Side.BUY, **fields: object) -> StrategySpec:
    """Vertical call spread, same expiry: BUY = buy the lower strike, sell the upper (bull spread).

    Raises:
        ValidationError: not two calls, different expiries, or strikes not increasing.
    """
    _options(lower, upper, kinds=(OptionKind.CALL, OptionKind.CALL))
    if lower.expiry_ts_ns != upper.expiry_ts_ns or lower.strike >= upper.strike:
        raise ValidationError(f"a call spread needs one expiry and lower < upper strike: {lower.symbol}, "
                              f"{upper.symbol}")
    buy = side is Side.BUY
    legs = (Leg(symbol=lower.symbol, side=_flip(Side.BUY, buy)), Leg(symbol=upper.symbol, side=_flip(Side.SELL, buy)))
    return StrategySpec(strategy_id=strategy_id, account=account, name="call_spread", legs=legs,
                        quantity=quantity, limit=limit, **fields)  # type: ignore[arg-type]


def risk_reversal(strategy_id: str, account: str, put: Option, call: Option, quantity: Decimal,
                  limit: LeggingLimit, *, side: Side = Side.BUY, **fields: object) -> StrategySpec:
    """Risk reversal, same expiry: BUY = buy the (upper) call, sell the (lower) put — long delta.

    Raises:
        ValidationError: not a put and a call, different expiries, or put strike above the call's.
    """
    _options(put, call, kinds=(OptionKind.PUT, OptionKind.CALL))
    if put.expiry_ts_ns != call.expiry_ts_ns or put.strike > call.strike:
        raise ValidationError(f"a risk reversal needs one expiry and put strike <= call strike: {put.symbol}, "
                              f"{call.symbol}")
    buy = side is Side.BUY
    legs = (Leg(symbol=call.symbol, side=_flip(Side.BUY, buy)), Leg(symbol=put.symbol, side=_flip(Side.SELL, buy)))
    return StrategySpec(strategy_id=strategy_id, account=account, name="risk_reversal", legs=legs,
                        quantity=quantity, limit=limit, **fields)  # type: ignore[arg-type]


def straddle(strategy_id: str, account: str, call: Option, put: Option, quantity: Decimal,
             limit: LeggingLimit, *, side: Side = Side.BUY, **fields: object) -> StrategySpec:
    """Straddle: BUY = buy the call and the put of one strike and expiry.

    Raises:
        ValidationError: not a call and a put, or different strikes or expiries.
    """
    _options(call, put, kinds=(OptionKind.CALL, OptionKind.PUT))
    if call.expiry_ts_ns != put.expiry_ts_ns or call.strike != put.strike:
        raise ValidationError(f"a straddle needs one strike and expiry: {call.symbol}, {put.symbol}")
    legs = (Leg(symbol=call.symbol, side=side), Leg(symbol=put.symbol, side=side))
    return StrategySpec(strategy_id=strategy_id, account=account, name="straddle", legs=legs,
                        quantity=quantity, limit=limit, **fields)  # type: ignore[arg-type]


# ---- legging arithmetic ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LegFill:
    """One leg's progress in integer parent units.

    ``committed_units`` is filled plus working (what could be filled if every working order
    fills); ``delta_per_unit`` the signed delta of one parent unit (side included, underlying
    units; a float: it comes from a model).
    """

    quantity_units: int
    filled_units: int
    committed_units: int
    delta_per_unit: float = 0.0


def _progress(units: int, leg: LegFill) -> Fraction:
    return Fraction(units, leg.quantity_units)


def imbalance(legs: Sequence[LegFill]) -> Fraction:
    """Gap between the most and least complete legs, on filled quantity."""
    done = [_progress(leg.filled_units, leg) for leg in legs]
    return max(done) - min(done)


def worst_imbalance(legs: Sequence[LegFill]) -> Fraction:
    """The largest imbalance any fill of the working orders could reach: one leg at its committed
    quantity, another at its filled."""
    worst = Fraction(0)
    for i, ahead in enumerate(legs):
        for j, behind in enumerate(legs):
            if i != j:
                worst = max(worst, _progress(ahead.committed_units, ahead) - _progress(behind.filled_units, behind))
    return worst


def _excess(legs: Sequence[LegFill], units: Sequence[int]) -> list[float]:
    """Each leg's units beyond the slowest leg's completion (the matched part)."""
    matched = min(Fraction(u, leg.quantity_units) for u, leg in zip(units, legs, strict=True))
    return [float(u - matched * leg.quantity_units) for u, leg in zip(units, legs, strict=True)]


def _gross(legs: Sequence[LegFill], units: Sequence[int]) -> float:
    return sum(e * abs(leg.delta_per_unit) for e, leg in zip(_excess(legs, units), legs, strict=True))


def legging_delta(legs: Sequence[LegFill]) -> float:
    """Signed delta of the unmatched legs at the filled quantities."""
    excess = _excess(legs, [leg.filled_units for leg in legs])
    return sum(e * leg.delta_per_unit for e, leg in zip(excess, legs, strict=True))


def _corners(legs: Sequence[LegFill], index: int | None = None, units: int = 0) -> list[list[int]]:
    return [[units] if k == index else sorted({leg.filled_units, leg.committed_units}) for k, leg in enumerate(legs)]


def gross_legging_delta(legs: Sequence[LegFill]) -> float:
    """The largest gross unmatched delta (Σ |excess × delta|) any fill of the working orders could
    reach. The function is convex in the fill state, so its maximum over the box of states is at
    a corner: every leg at its filled or its committed quantity."""
    return max(_gross(legs, units) for units in itertools.product(*_corners(legs)))


def _imbalance_at(legs: Sequence[LegFill], index: int, units: int) -> Fraction:
    """Worst imbalance over the fill states that have leg ``index`` at ``units``: this leg against
    another one's filled or committed progress, or two other legs against each other."""
    mine = Fraction(units, legs[index].quantity_units)
    others = [leg for k, leg in enumerate(legs) if k != index]
    worst = max(mine - min(_progress(leg.filled_units, leg) for leg in others),
                max(_progress(leg.committed_units, leg) for leg in others) - mine)
    return max(worst, worst_imbalance(others)) if len(others) > 1 else max(worst, Fraction(0))


def _gross_at(legs: Sequence[LegFill], index: int, units: int) -> Fraction:
    """Worst gross unmatched delta over the fill states that have leg ``index`` at ``units``."""
    return Fraction(max(_gross(legs, u) for u in itertools.product(*_corners(legs, index, units))))


def _bound(worst: Callable[[int], Fraction], cap: Fraction, room: int) -> int:
    """Largest ``u`` in ``[0, room]`` allowed by a worst case that is convex in ``u``: every ``u`` up
    to its minimum (adding only lowers it: a lagging leg catching up), and beyond while it stays
    within ``max(cap, minimum)``."""
    low, high = 0, room
    while low < high:  # the smallest minimiser
        middle = (low + high) // 2
        if worst(middle + 1) >= worst(middle):
            high = middle
        else:
            low = middle + 1
    allowed = max(cap, worst(low))
    high = room
    while low < high:
        middle = (low + high + 1) // 2
        if worst(middle) <= allowed:
            low = middle
        else:
            high = middle - 1
    return low


def headroom(legs: Sequence[LegFill], index: int, limit: LeggingLimit) -> int:
    """The most parent units leg ``index`` may add to its working orders now.

    With leg ``index`` at committed ``c + u``, the worst case of each limited metric over the
    other legs' possible fills is convex in ``u``; ``u`` is allowed while it stays within the limit,
    and also wherever adding only lowers it (a lagging leg may always catch up, even when a
    market move has pushed the exposure over the limit). The states with the leg at its filled
    quantity do not depend on ``u`` and were within the limit already.
    """
    leg = legs[index]
    room = leg.quantity_units - leg.committed_units
    if room <= 0:
        return 0
    base = leg.committed_units
    if limit.max_imbalance is not None:
        room = _bound(lambda u: _imbalance_at(legs, index, base + u), Fraction(limit.max_imbalance), room)
    if limit.max_net_delta is not None:
        room = _bound(lambda u: _gross_at(legs, index, base + u), Fraction(limit.max_net_delta), room)
    return room


# ---- one leg's algorithm ----------------------------------------------------------------------------
class _GatedContext:
    """The leg algo's :class:`AlgoContext`: the run's own, with ``send`` clipped to the legging
    headroom and ``finish`` deferred while the leg is short of its ratio."""

    def __init__(self, ctx: AlgoContext, leg: LeggedAlgo) -> None:
        self._ctx = ctx
        self._leg = leg

    @property
    def parent(self) -> ParentOrder:
        return self._ctx.parent

    @property
    def params(self) -> AlgoParams:
        return self._ctx.params

    @property
    def start_ns(self) -> int:
        return self._ctx.start_ns

    @property
    def end_ns(self) -> int:
        return self._ctx.end_ns

    @property
    def rng(self) -> np.random.Generator:
        return self._ctx.rng

    @property
    def quantity_units(self) -> int:
        return self._ctx.quantity_units

    @property
    def filled_units(self) -> int:
        return self._ctx.filled_units

    @property
    def working_units(self) -> int:
        return self._ctx.working_units

    @property
    def remaining_units(self) -> int:
        return self._ctx.remaining_units

    @property
    def market_units(self) -> int:
        return self._ctx.market_units

    @property
    def min_child_units(self) -> int:
        return self._ctx.min_child_units

    def now_ns(self) -> int:
        return self._ctx.now_ns()

    def best_bid(self) -> Decimal | None:
        return self._ctx.best_bid()

    def best_ask(self) -> Decimal | None:
        return self._ctx.best_ask()

    def to_units(self, quantity: Decimal) -> int:
        return self._ctx.to_units(quantity)

    def send(self, units: int, urgency: Urgency, limit_price: Decimal | None = None) -> list[str]:
        allowed = min(units, self._leg.headroom())
        return self._ctx.send(allowed, urgency, limit_price) if allowed > 0 else []

    def cancel_children(self, client_order_ids: Sequence[str] | None = None) -> list[str]:
        return self._ctx.cancel_children(client_order_ids)

    def working_children(self) -> list[WorkingChild]:
        return self._ctx.working_children()

    def child_status(self, client_order_id: str) -> OrderStatus:
        return self._ctx.child_status(client_order_id)

    def wake_at(self, ts_ns: int) -> None:
        self._ctx.wake_at(ts_ns)

    def finish(self) -> None:
        self._leg.finish(self._ctx)


class LeggedAlgo:
    """One leg of a strategy: ``inner`` works it, every child it asks for clipped to
    ``headroom()`` (parent units the legging limit allows now).

    When ``inner`` finishes short of the quantity while ``live()``, the leg completes on its own:
    it takes what the headroom allows (nothing while a child is working) and retries every slice
    interval — or at once on :meth:`kick`, when the other legs' fills made room — until
    ``grace_ns`` after the horizon, then stops short.

    Args:
        inner: the leg's algorithm (TWAP, VWAP...).
        headroom: parent units the leg may add to its working orders now.
        live: whether the strategy still wants the leg finished.
        grace_ns: how long after the horizon the leg may keep completing.
    """

    def __init__(self, inner: ExecutionAlgo, headroom: Callable[[], int], live: Callable[[], bool],
                 grace_ns: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.headroom = headroom
        self.live = live
        self.grace_ns = grace_ns
        self.completing = False
        self.ctx: AlgoContext | None = None
        self._gated: _GatedContext | None = None

    def _wrap(self, ctx: AlgoContext) -> _GatedContext:
        if self._gated is None or self.ctx is not ctx:
            self.ctx = ctx
            self._gated = _GatedContext(ctx, self)
        return self._gated

    # ---- completion ------------------------------------------------------------------------------
    def finish(self, ctx: AlgoContext) -> None:
        """The inner algo is done: finish, or keep completing the leg."""
        if not self.live() or ctx.filled_units >= ctx.quantity_units or ctx.now_ns() >= ctx.end_ns + self.grace_ns:
            ctx.finish()
            return
        self.completing = True
        self.step(ctx)

    def step(self, ctx: AlgoContext) -> None:
        """One completion attempt: take what the limit allows, then retry a slice later."""
        now = ctx.now_ns()
        deadline = ctx.end_ns + self.grace_ns
        if now >= deadline or not self.live():
            ctx.cancel_children()
            ctx.finish()
            return
        if not ctx.working_units:
            units = min(ctx.remaining_units, self.headroom())
            if units > 0:
                ctx.send(units, Urgency.TAKE, ctx.parent.limit_price)
        ctx.wake_at(min(now + ctx.params.slice_interval_ns, deadline))

    def kick(self) -> None:
        """Other legs filled: a completing leg tries again now (call only while it runs)."""
        if self.completing and self.ctx is not None:
            self.step(self.ctx)

    # ---- ExecutionAlgo ------------------------------------------------------------------------------
    def check(self, parent: ParentOrder, params: AlgoParams) -> None:
        self.inner.check(parent, params)

    def on_start(self, ctx: AlgoContext) -> None:
        self.inner.on_start(self._wrap(ctx))

    def on_timer(self, ctx: AlgoContext) -> None:
        if self.completing:
            self.step(ctx)
        else:
            self.inner.on_timer(self._wrap(ctx))

    def on_fill(self, ctx: AlgoContext, event: OrderFilled) -> None:
        if not self.completing:
            self.inner.on_fill(self._wrap(ctx), event)

    def on_child_closed(self, ctx: AlgoContext, client_order_id: str) -> None:
        if not self.completing:
            self.inner.on_child_closed(self._wrap(ctx), client_order_id)

    def on_market(self, ctx: AlgoContext, message: BookUpdate | TradePrint) -> None:
        if not self.completing:
            self.inner.on_market(self._wrap(ctx), message)

    def on_amend(self, ctx: AlgoContext) -> None:
        self.completing = False
        self.inner.on_amend(self._wrap(ctx))

    def on_resume(self, ctx: AlgoContext) -> None:
        if self.completing:
            self.step(ctx)
        else:
            self.inner.on_resume(self._wrap(ctx))

    def target_units(self, ctx: AlgoContext, ts_ns: int) -> int | None:
        return ctx.quantity_units if self.completing else self.inner.target_units(self._wrap(ctx), ts_ns)
