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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from fractions import Fraction

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.enums import OptionKind, Side
from slipstream.model.instruments import Option
from slipstream.model.orders import ParentOrder

__all__ = [
    "ExecutionStyle",
    "Leg",
    "LegFill",
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
    """The largest imbalance any fill of the working orders could reach."""
    return max(_progress(leg.committed_units, leg) for leg in legs) - min(
        _progress(leg.filled_units, leg) for leg in legs
    )


def _excess(legs: Sequence[LegFill], units: Sequence[int]) -> list[float]:
    """Each leg's units beyond the slowest leg's completion (the matched part)."""
    matched = min(Fraction(u, leg.quantity_units) for u, leg in zip(units, legs, strict=True))
    return [float(u - matched * leg.quantity_units) for u, leg in zip(units, legs, strict=True)]


def legging_delta(legs: Sequence[LegFill]) -> float:
    """Signed delta of the unmatched legs at the filled quantities."""
    excess = _excess(legs, [leg.filled_units for leg in legs])
    return sum(e * leg.delta_per_unit for e, leg in zip(excess, legs, strict=True))


def gross_legging_delta(legs: Sequence[LegFill]) -> float:
    """The largest gross unmatched delta (Σ |excess × delta|) any fill of the working orders could
    reach. The function is convex in the fill state, so its maximum over the box of states is at
    a corner: every leg at its filled or its committed quantity."""
    choices = [sorted({leg.filled_units, leg.committed_units}) for leg in legs]
    worst = 0.0
    for units in itertools.product(*choices):
        excess = _excess(legs, units)
        worst = max(worst, sum(e * abs(leg.delta_per_unit) for e, leg in zip(excess, legs, strict=True)))
    return worst


def headroom(legs: Sequence[LegFill], index: int, limit: LeggingLimit) -> int:
    """The most parent units leg ``index`` may add to its working orders now.

    Adding is allowed while every limit's worst case stays within the limit — or, if market
    moves have already pushed it over, does not grow (so the lagging legs can always catch up).
    The worst cases grow with the added quantity, so a binary search finds the exact integer.
    """
    leg = legs[index]
    room = leg.quantity_units - leg.committed_units
    if room <= 0:
        return 0
    max_imbalance = None if limit.max_imbalance is None else Fraction(limit.max_imbalance)
    max_delta = None if limit.max_net_delta is None else float(limit.max_net_delta)
    imbalance_cap = None if max_imbalance is None else max(max_imbalance, worst_imbalance(legs))
    delta_cap = None if max_delta is None else max(max_delta, gross_legging_delta(legs))

    def fits(extra: int) -> bool:
        trial = list(legs)
        trial[index] = replace(leg, committed_units=leg.committed_units + extra)
        if imbalance_cap is not None and worst_imbalance(trial) > imbalance_cap:
            return False
        return delta_cap is None or gross_legging_delta(trial) <= delta_cap

    low, high = 0, room  # fits(low) always holds
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
