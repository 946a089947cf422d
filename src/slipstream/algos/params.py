"""Typed parent-order parameters for the execution algorithms, and the one place that checks
them against the parent order, the market and the venues' minimums before anything trades.

The parent order (:class:`~slipstream.model.orders.ParentOrder`) already carries side, symbol,
quantity (base asset), start/end and limit price; :class:`AlgoParams` adds *how* to work it.
Durations are :class:`~datetime.timedelta` at the edge (STYLE §6) and integer nanoseconds
inside; sizes are ``Decimal`` of the base asset; rates are floats (they are model values).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.enums import Side
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ParentOrder

__all__ = ["AlgoParams", "base_quantity_for_quote", "resolve_end_ns", "to_ns", "validate", "venue_minimum"]

_US = timedelta(microseconds=1)


def to_ns(duration: timedelta) -> int:
    """A duration in integer nanoseconds (timedelta resolution is one microsecond)."""
    return (duration // _US) * 1_000


class AlgoParams(msgspec.Struct, frozen=True, kw_only=True):
    """How an algorithm works a parent order. Defaults give a plain, taking, unrandomised run.

    Args:
        duration: horizon measured from the parent's start, when the parent has no end time.
        slice_interval: time between scheduling decisions (slices) — also the iceberg's re-peg check.
        urgency: 0 (patient) … 1 (urgent); maps to the IS risk aversion when that is not given.
        risk_aversion: Almgren–Chriss λ (1/quote currency); overrides ``urgency`` for IS.
        participation_rate: POV target share of market volume (ours included), in (0, 1).
        min_participation: lower POV band: below it the algo takes liquidity to catch up.
        max_participation: cap on our share of market volume (every algo respects it when set).
        min_child_quantity: smallest child (except a final remainder); base asset.
        max_child_quantity: largest child; base asset.
        passive_only: never cross the spread (children rest; the schedule may then be missed).
        display_quantity: iceberg display size; base asset.
        display_variance: iceberg display size drawn in ``display × (1 ± variance)``, in [0, 1).
        price_offset: iceberg distance from our side's touch, away from the market (≥ 0).
        size_randomization: slice sizes drawn in ``size × (1 ± r)``, r in [0, 1).
        time_randomization: slice times drawn in ``interval × (1 ± r)``, r in [0, 1).
        catch_up: when behind the schedule, send the shortfall with the next slice.
    """

    duration: timedelta | None = None
    slice_interval: timedelta = timedelta(seconds=60)
    urgency: float = 0.5
    risk_aversion: float | None = None
    participation_rate: float | None = None
    min_participation: float | None = None
    max_participation: float | None = None
    min_child_quantity: Decimal | None = None
    max_child_quantity: Decimal | None = None
    passive_only: bool = False
    display_quantity: Decimal | None = None
    display_variance: float = 0.0
    price_offset: Decimal = Decimal(0)
    size_randomization: float = 0.0
    time_randomization: float = 0.0
    catch_up: bool = True

    @property
    def slice_interval_ns(self) -> int:
        return to_ns(self.slice_interval)

    def encode(self) -> str:
        """Canonical JSON (what :class:`~slipstream.model.algo_events.AlgoStarted` journals)."""
        return msgspec.json.encode(self).decode()

    @classmethod
    def decode(cls, text: str) -> AlgoParams:
        return msgspec.json.decode(text, type=cls)


def resolve_end_ns(parent: ParentOrder, params: AlgoParams) -> int:
    """The parent's end time: its own ``end_ts_ns``, else start + ``params.duration``.

    Raises:
        ValidationError: neither is given, or both are and disagree.
    """
    if params.duration is not None:
        end = parent.start_ts_ns + to_ns(params.duration)
        if parent.end_ts_ns is not None and parent.end_ts_ns != end:
            raise ValidationError(
                f"{parent.parent_id}: end time {parent.end_ts_ns} and duration {params.duration} disagree"
            )
        return end
    if parent.end_ts_ns is None:
        raise ValidationError(f"{parent.parent_id}: needs an end time or a duration")
    return parent.end_ts_ns


def base_quantity_for_quote(quote_amount: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
    """Base quantity that a quote-currency amount buys at ``price``, truncated to whole lots.

    Quote-denominated parents ("spend 1M USDT") are converted once, at the edge, at a reference
    price; the engine then works a base quantity.

    Raises:
        ValidationError: non-positive amount or price, or less than one lot.
    """
    if quote_amount <= 0 or price <= 0:
        raise ValidationError(f"quote amount and price must be positive, got {quote_amount} at {price}")
    lots = int(quote_amount / (price * instrument.contract_size) / instrument.lot_size)
    if lots < 1:
        raise ValidationError(f"{quote_amount} {instrument.quote} buys less than one lot at {price}")
    return instrument.lot_size * lots


def _fraction(name: str, value: float | None, *, low: float, high: float, closed_high: bool = False) -> None:
    if value is None:
        return
    ok = math.isfinite(value) and low <= value and (value <= high if closed_high else value < high)
    if not ok:
        bracket = "]" if closed_high else ")"
        raise ValidationError(f"{name} must be in [{low}, {high}{bracket}, got {value}")


def _positive(name: str, value: Decimal | None, parent: ParentOrder, *, at_most_quantity: bool = True) -> None:
    if value is None:
        return
    if not value.is_finite() or value <= 0:
        raise ValidationError(f"{name} must be positive, got {value}")
    if at_most_quantity and value > parent.quantity:
        raise ValidationError(f"{name} {value} is above the parent quantity {parent.quantity}")


def venue_minimum(instrument: Instrument, price: Decimal | None) -> Decimal:
    """Smallest base quantity the venue accepts (lot, minimum quantity, minimum notional)."""
    smallest = max(instrument.lot_size, instrument.min_quantity)
    if price is not None and instrument.min_notional and not instrument.inverse:
        by_notional = instrument.min_notional / (price * instrument.contract_size)
        lots = (by_notional / instrument.lot_size).to_integral_value(rounding=ROUND_CEILING)
        smallest = max(smallest, lots * instrument.lot_size)
    return smallest


def validate(
    parent: ParentOrder,
    params: AlgoParams,
    instruments: Sequence[Instrument] = (),
    *,
    now_ns: int | None = None,
    best_bid: Decimal | None = None,
    best_ask: Decimal | None = None,
) -> int:
    """Check a parent and its parameters before anything trades; returns the end time (ns).

    Args:
        parent: the order to work.
        params: how to work it.
        instruments: the parent's symbol at each venue that may trade it (for minimums).
        now_ns: current time; an end time not after it is refused.
        best_bid: current best bid (for the limit-side and minimum-notional checks).
        best_ask: current best ask.

    Returns:
        The parent's end time in ns (:func:`resolve_end_ns`).

    Raises:
        ValidationError: the first problem found, with a precise reason: end before start or
            already passed, a rate or randomisation out of range, participation bands out of
            order, child minimum above the maximum or the quantity, display size above the
            quantity, a limit on the wrong side of the market, or a slice (or display size, or
            child minimum) that no venue accepts.
    """
    pid = parent.parent_id
    end = resolve_end_ns(parent, params)
    if end <= parent.start_ts_ns:
        raise ValidationError(f"{pid}: end {end} is not after start {parent.start_ts_ns}")
    if now_ns is not None and end <= now_ns:
        raise ValidationError(f"{pid}: end time {end} has already passed (now {now_ns})")
    interval = params.slice_interval_ns
    if interval <= 0:
        raise ValidationError(f"{pid}: slice interval must be positive, got {params.slice_interval}")
    _fraction("urgency", params.urgency, low=0.0, high=1.0, closed_high=True)
    if params.risk_aversion is not None and not (math.isfinite(params.risk_aversion) and params.risk_aversion >= 0):
        raise ValidationError(f"risk_aversion must be finite and >= 0, got {params.risk_aversion}")
    for name in ("participation_rate", "min_participation", "max_participation"):
        value = getattr(params, name)
        _fraction(name, value, low=0.0, high=1.0)
        if value is not None and value <= 0:
            raise ValidationError(f"{name} must be above 0, got {value}")
    low, rate, high = params.min_participation, params.participation_rate, params.max_participation
    if low is not None and high is not None and low > high:
        raise ValidationError(f"min_participation {low} is above max_participation {high}")
    if rate is not None and low is not None and rate < low:
        raise ValidationError(f"participation_rate {rate} is below min_participation {low}")
    if rate is not None and high is not None and rate > high:
        raise ValidationError(f"participation_rate {rate} is above max_participation {high}")
    for name in ("display_variance", "size_randomization", "time_randomization"):
        _fraction(name, getattr(params, name), low=0.0, high=1.0)
    _positive("min_child_quantity", params.min_child_quantity, parent)
    _positive("max_child_quantity", params.max_child_quantity, parent, at_most_quantity=False)
    _positive("display_quantity", params.display_quantity, parent)
    lo_child, hi_child = params.min_child_quantity, params.max_child_quantity
    if lo_child is not None and hi_child is not None and lo_child > hi_child:
        raise ValidationError(f"min_child_quantity {lo_child} is above max_child_quantity {hi_child}")
    if not params.price_offset.is_finite() or params.price_offset < 0:
        raise ValidationError(f"price_offset must be >= 0 (away from the market), got {params.price_offset}")
    _check_limit(parent, params, best_bid, best_ask)
    _check_minimums(parent, params, instruments, end, best_bid, best_ask)
    return end


def _check_limit(parent: ParentOrder, params: AlgoParams, bid: Decimal | None, ask: Decimal | None) -> None:
    """A limit is a cap for buys and a floor for sells; one that the market is already on the
    far side of can only rest, which contradicts an algo allowed to take."""
    limit = parent.limit_price
    if limit is None or params.passive_only:
        return
    if parent.side is Side.BUY and bid is not None and limit < bid:
        raise ValidationError(
            f"{parent.parent_id}: buy limit {limit} is below the best bid {bid} (a buy limit is a cap: "
            "nothing could trade; use passive_only to rest below the market)"
        )
    if parent.side is Side.SELL and ask is not None and limit > ask:
        raise ValidationError(
            f"{parent.parent_id}: sell limit {limit} is above the best ask {ask} (a sell limit is a floor: "
            "nothing could trade; use passive_only to rest above the market)"
        )


def _check_minimums(
    parent: ParentOrder,
    params: AlgoParams,
    instruments: Sequence[Instrument],
    end_ns: int,
    bid: Decimal | None,
    ask: Decimal | None,
) -> None:
    if not instruments:
        return
    reference = parent.limit_price or (ask if parent.side is Side.BUY else bid) or bid or ask
    smallest = min(venue_minimum(i, reference) for i in instruments)
    where = ", ".join(sorted(f"{i.venue}:{venue_minimum(i, reference).normalize()}" for i in instruments))
    pid = parent.parent_id
    if parent.quantity < smallest:
        raise ValidationError(f"{pid}: quantity {parent.quantity} is below every venue's minimum ({where})")
    slices = max(1, -(-(end_ns - parent.start_ts_ns) // params.slice_interval_ns))
    slice_quantity = parent.quantity / slices
    if params.max_child_quantity is not None:
        slice_quantity = min(slice_quantity, params.max_child_quantity)
    if params.min_child_quantity is not None:
        if params.min_child_quantity < smallest:
            raise ValidationError(
                f"{pid}: min_child_quantity {params.min_child_quantity} is below every venue's minimum ({where})"
            )
        slice_quantity = max(slice_quantity, params.min_child_quantity)
    if params.max_child_quantity is not None and params.max_child_quantity < smallest:
        raise ValidationError(
            f"{pid}: max_child_quantity {params.max_child_quantity} is below every venue's minimum ({where})"
        )
    lowest = slice_quantity * (1 - Decimal(str(params.size_randomization)))
    if lowest < smallest:
        raise ValidationError(
            f"{pid}: {slices} slices of {parent.quantity} are {slice_quantity.normalize():f} each "
            f"(down to {lowest.normalize():f} with randomisation), below every venue's minimum ({where}); "
            "use a longer slice interval or a min_child_quantity"
        )
    if params.display_quantity is not None:
        low_display = params.display_quantity * (1 - Decimal(str(params.display_variance)))
        if low_display < smallest:
            raise ValidationError(
                f"{pid}: display quantity {params.display_quantity} (down to {low_display.normalize():f} with "
                f"variance) is below every venue's minimum ({where})"
            )
