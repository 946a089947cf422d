"""Plain, frozen inputs to TCA, filled from the journal alone.

TCA never reads engine state: whoever replays a journal turns its events into these values, so any
past run can be analysed again with the same numbers. Money and quantities are `Decimal`; times
are integer nanoseconds since the Unix epoch (the engine's clock unit). Each type validates itself
at construction and raises :class:`slipstream.errors.ValidationError` on a bad value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from slipstream.errors import ValidationError

__all__ = ["Liquidity", "MarketPrint", "MidSample", "Side", "TcaFill", "TcaOrder"]

Side = Literal["buy", "sell"]
Liquidity = Literal["maker", "taker"]

_SIDES: tuple[str, ...] = get_args(Side)
_LIQUIDITIES: tuple[str, ...] = get_args(Liquidity)


def _require_decimal(name: str, value: object) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(f"{name} must be a finite Decimal, got {value!r}")
    return value


def _require_positive(name: str, value: object) -> None:
    if _require_decimal(name, value) <= 0:
        raise ValidationError(f"{name} must be > 0, got {value}")


def _require_non_negative(name: str, value: object) -> None:
    if _require_decimal(name, value) < 0:
        raise ValidationError(f"{name} must be >= 0, got {value}")


def _require_ts(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"{name} must be a non-negative int of nanoseconds, got {value!r}")


@dataclass(frozen=True, slots=True)
class TcaFill:
    """One execution of a child order, as the journal recorded it.

    Attributes:
        ts_ns: venue fill time.
        venue: venue name as routed (e.g. ``"binance"``, ``"uniswap-v3:0x88e6…"``).
        side: ``"buy"`` or ``"sell"``; must equal the parent order's side.
        quantity: base quantity filled (> 0).
        price: execution price in quote per base (> 0); AMM pool fees that are part of the
            swap price stay in the price.
        fee: explicit fee in ``fee_asset`` units; negative is a rebate.
        fee_asset: asset the fee was charged in.
        fee_in_quote: the fee converted to the quote asset (negative is a rebate); TCA uses this.
        gas_in_quote: network fee converted to the quote asset (>= 0); zero for CEX fills.
        liquidity: ``"maker"`` (passive, rested on a book) or ``"taker"`` (aggressive, incl. swaps).
        order_type: child order type as routed (``"limit"``, ``"market"``, ``"ioc"``, ``"swap"``…).
        child_id: the child order's client id, for tie-breaking and drill-down.
        queue_wait_ns: time the child rested before this fill, if known (passive fills).
        expected_cost_in_quote: the router's predicted cost of this fill (impact vs
            ``reference_price`` + fees + gas, quote asset, cost positive), if it made one.
        reference_price: the price ``expected_cost_in_quote`` was measured from (usually the mid
            when the child was routed); ``None`` means the parent's arrival price.
    """

    ts_ns: int
    venue: str
    side: Side
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    fee_in_quote: Decimal
    gas_in_quote: Decimal
    liquidity: Liquidity
    order_type: str
    child_id: str
    queue_wait_ns: int | None = None
    expected_cost_in_quote: Decimal | None = None
    reference_price: Decimal | None = None

    def __post_init__(self) -> None:
        _require_ts("fill ts_ns", self.ts_ns)
        if not self.venue:
            raise ValidationError("fill venue must be non-empty")
        if self.side not in _SIDES:
            raise ValidationError(f"fill side must be one of {_SIDES}, got {self.side!r}")
        _require_positive("fill quantity", self.quantity)
        _require_positive("fill price", self.price)
        _require_decimal("fill fee", self.fee)
        _require_decimal("fill fee_in_quote", self.fee_in_quote)
        _require_non_negative("fill gas_in_quote", self.gas_in_quote)
        if self.liquidity not in _LIQUIDITIES:
            raise ValidationError(f"fill liquidity must be one of {_LIQUIDITIES}, got {self.liquidity!r}")
        if not self.order_type:
            raise ValidationError("fill order_type must be non-empty")
        if self.queue_wait_ns is not None:
            _require_ts("fill queue_wait_ns", self.queue_wait_ns)
        if self.expected_cost_in_quote is not None:
            _require_decimal("fill expected_cost_in_quote", self.expected_cost_in_quote)
        if self.reference_price is not None:
            _require_positive("fill reference_price", self.reference_price)


@dataclass(frozen=True, slots=True)
class MarketPrint:
    """One trade on the market tape.

    The tape may include our own executions if they are flagged ``is_ours=True``: flagged prints
    are dropped and our fills are counted instead, so market volume "including ours" is never
    double counted. An unflagged print of ours would be counted twice — flag them.
    """

    ts_ns: int
    price: Decimal
    quantity: Decimal
    is_ours: bool = False

    def __post_init__(self) -> None:
        _require_ts("print ts_ns", self.ts_ns)
        _require_positive("print price", self.price)
        _require_positive("print quantity", self.quantity)


@dataclass(frozen=True, slots=True)
class MidSample:
    """The mid price from ``ts_ns`` until the next sample (a step function)."""

    ts_ns: int
    mid: Decimal

    def __post_init__(self) -> None:
        _require_ts("mid ts_ns", self.ts_ns)
        _require_positive("mid", self.mid)


@dataclass(frozen=True, slots=True)
class TcaOrder:
    """The parent order as decided and as worked.

    Attributes:
        side: ``"buy"`` or ``"sell"``.
        quantity: the decided (paper-portfolio) quantity, base units.
        decision_ts_ns / decision_price: when and at what price the trade was decided — the
            implementation-shortfall benchmark.
        arrival_ts_ns / arrival_price: when the order reached the market and the mid then —
            the arrival-slippage benchmark and the split point between delay and impact.
        start_ts_ns / end_ts_ns: the execution interval (VWAP, TWAP, participation window).
        symbol / quote_asset: labels for reports.
        schedule: optional planned trajectory as ``(ts_ns, cumulative target quantity)`` points,
            increasing in time, for the report's filled-vs-schedule chart.
        end_price: price that values the unfilled part (opportunity cost); ``None`` means the
            last mid at or before ``end_ts_ns``.
    """

    side: Side
    quantity: Decimal
    decision_ts_ns: int
    decision_price: Decimal
    arrival_ts_ns: int
    arrival_price: Decimal
    start_ts_ns: int
    end_ts_ns: int
    symbol: str
    quote_asset: str
    schedule: tuple[tuple[int, Decimal], ...] = ()
    end_price: Decimal | None = None

    def __post_init__(self) -> None:
        if self.side not in _SIDES:
            raise ValidationError(f"order side must be one of {_SIDES}, got {self.side!r}")
        _require_positive("order quantity", self.quantity)
        _require_positive("decision_price", self.decision_price)
        _require_positive("arrival_price", self.arrival_price)
        for name in ("decision_ts_ns", "arrival_ts_ns", "start_ts_ns", "end_ts_ns"):
            _require_ts(name, getattr(self, name))
        if self.arrival_ts_ns < self.decision_ts_ns:
            raise ValidationError("arrival_ts_ns must not be before decision_ts_ns")
        if self.end_ts_ns < self.start_ts_ns:
            raise ValidationError("end_ts_ns must not be before start_ts_ns")
        if not self.symbol or not self.quote_asset:
            raise ValidationError("symbol and quote_asset must be non-empty")
        if self.end_price is not None:
            _require_positive("end_price", self.end_price)
        if not isinstance(self.schedule, tuple):
            raise ValidationError("schedule must be a tuple of (ts_ns, cumulative quantity)")
        last_ts = -1
        for ts_ns, qty in self.schedule:
            _require_ts("schedule ts_ns", ts_ns)
            _require_non_negative("schedule quantity", qty)
            if ts_ns <= last_ts:
                raise ValidationError("schedule timestamps must be strictly increasing")
            last_ts = ts_ns

    @property
    def side_sign(self) -> int:
        """+1 for a buy, -1 for a sell: multiplies a price move into a cost."""
        return 1 if self.side == "buy" else -1
