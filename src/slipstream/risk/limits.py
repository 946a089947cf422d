"""Pre-trade limits as frozen, typed configuration.

Money and fractions are ``Decimal``; durations ``timedelta``; rates ``Rate(count, window)``.
Every table is keyed by name with ``"*"`` as the default for names not listed
(instrument symbol, venue id, account id, asset). ``None`` means "no limit".

Units:
- order quantity: the instrument's quantity (base asset for spot, contracts for derivatives);
- position: base-asset units (contracts × contract size; inverse contracts ÷ price);
- notional and loss: the quote currency, assumed USD-like across the portfolio (USDT, USDC, USD);
- bands: fractions of the reference price (``Decimal("0.02")`` = 2 %).

Tables are copied and key-sorted at construction, so the canonical form (and the journal bytes
of a :class:`~slipstream.model.risk_events.RiskLimitsChanged`) never depends on insertion order.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

import msgspec

from slipstream.errors import ValidationError

__all__ = [
    "DEFAULT",
    "ExposureLimits",
    "InstrumentLimits",
    "Rate",
    "ReferenceKind",
    "RiskLimits",
    "TradingSession",
    "VenueLimits",
    "duration_ns",
]

DEFAULT = "*"
_DAY = timedelta(days=1)
_T = TypeVar("_T")


class ReferenceKind(StrEnum):
    """Which reference price bands are measured against."""

    MID = "mid"
    MARK = "mark"
    INDEX = "index"


def _positive(value: Decimal | int | None, name: str) -> None:
    if value is not None and not value > 0:
        raise ValidationError(f"{name} must be positive, got {value}")


class Rate(msgspec.Struct, frozen=True):
    """``count`` events per ``window``."""

    count: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.count <= 0 or self.window <= timedelta(0):
            raise ValidationError(f"rate needs count > 0 and window > 0, got {self.count} per {self.window}")

    @property
    def window_ns(self) -> int:
        return duration_ns(self.window)


def duration_ns(duration: timedelta) -> int:
    """Exact integer nanoseconds of a timedelta (no float on the way)."""
    return (duration.days * 86_400 + duration.seconds) * 1_000_000_000 + duration.microseconds * 1_000


class TradingSession(msgspec.Struct, frozen=True, kw_only=True):
    """Open from ``start`` to ``end`` (time of day, UTC) on ``weekdays`` (Monday = 0).

    ``end <= start`` wraps past midnight; the session belongs to the weekday it starts on.
    """

    start: timedelta
    end: timedelta
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)

    def __post_init__(self) -> None:
        for value, name in ((self.start, "start"), (self.end, "end")):
            if not timedelta(0) <= value <= _DAY:
                raise ValidationError(f"session {name} must be a time of day (0..24h), got {value}")
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise ValidationError(f"session weekdays must be in 0..6, got {self.weekdays}")
        msgspec.structs.force_setattr(self, "weekdays", tuple(sorted(set(self.weekdays))))

    def contains(self, ts_ns: int) -> bool:
        """True when UTC time ``ts_ns`` falls in this session."""
        day_ns = 86_400_000_000_000
        day, offset = divmod(ts_ns, day_ns)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        start, end = duration_ns(self.start), duration_ns(self.end)
        if start < end:
            return weekday in self.weekdays and start <= offset < end
        # wraps midnight: the evening part of today's session or the morning part of yesterday's
        return (weekday in self.weekdays and offset >= start) or ((weekday - 1) % 7 in self.weekdays and offset < end)


class InstrumentLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Per-order limits of one instrument (by unified symbol, every venue).

    ``fat_finger`` refuses a price that far from the reference in *either* direction (a typing
    error); ``price_band`` refuses an *aggressive* price beyond it (buy above, sell below);
    ``expiry_cutoff`` stops trading a dated instrument that long before it expires.
    """

    max_order_quantity: Decimal | None = None
    max_order_notional: Decimal | None = None
    price_band: Decimal | None = None
    fat_finger: Decimal | None = None
    reference: ReferenceKind = ReferenceKind.MID
    expiry_cutoff: timedelta = timedelta(0)
    sessions: tuple[TradingSession, ...] = ()

    def __post_init__(self) -> None:
        _positive(self.max_order_quantity, "max_order_quantity")
        _positive(self.max_order_notional, "max_order_notional")
        _positive(self.price_band, "price_band")
        _positive(self.fat_finger, "fat_finger")
        if self.expiry_cutoff < timedelta(0):
            raise ValidationError(f"expiry_cutoff must not be negative, got {self.expiry_cutoff}")


class VenueLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Per-venue order limits. ``rate_headroom`` is the share of ``max_order_rate`` we use
    (``0.8`` keeps 20 % of the venue's published limit spare for cancels and retries)."""

    max_open_orders: int | None = None
    max_order_rate: Rate | None = None
    rate_headroom: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        _positive(self.max_open_orders, "max_open_orders")
        if not Decimal(0) < self.rate_headroom <= 1:
            raise ValidationError(f"rate_headroom must be in (0, 1], got {self.rate_headroom}")

    @property
    def allowed_orders(self) -> int | None:
        """Orders allowed per rate window after headroom (at least one)."""
        if self.max_order_rate is None:
            return None
        return max(1, int(self.max_order_rate.count * self.rate_headroom))


class ExposureLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Position and exposure limits of one asset, for one account or the whole portfolio.

    ``max_position`` bounds |net position| in base units; ``max_gross_notional`` the sum of
    |position value| over the asset's instruments; ``max_net_notional`` |Σ signed value|.
    Working orders count as if filled (worst case), so no sequence of fills can breach them.
    """

    max_position: Decimal | None = None
    max_gross_notional: Decimal | None = None
    max_net_notional: Decimal | None = None

    def __post_init__(self) -> None:
        _positive(self.max_position, "max_position")
        _positive(self.max_gross_notional, "max_gross_notional")
        _positive(self.max_net_notional, "max_net_notional")


def _sorted(table: dict[str, _T]) -> dict[str, _T]:
    return {key: table[key] for key in sorted(table)}


class RiskLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Every pre-trade limit of one engine shard.

    Args:
        instruments: per symbol (``"*"`` default).
        venues: per venue id (``"*"`` default).
        accounts: per account id, then per asset (``"*"`` defaults at both levels).
        portfolio: per asset, across every account (``"*"`` default).
        max_loss: realised + unrealised loss (quote currency) that trips the kill switch.
    """

    instruments: dict[str, InstrumentLimits] = {}
    venues: dict[str, VenueLimits] = {}
    accounts: dict[str, dict[str, ExposureLimits]] = {}
    portfolio: dict[str, ExposureLimits] = {}
    max_loss: Decimal | None = None

    def __post_init__(self) -> None:
        _positive(self.max_loss, "max_loss")
        set_ = msgspec.structs.force_setattr
        set_(self, "instruments", _sorted(self.instruments))
        set_(self, "venues", _sorted(self.venues))
        set_(self, "accounts", {k: _sorted(v) for k, v in _sorted(self.accounts).items()})
        set_(self, "portfolio", _sorted(self.portfolio))

    def instrument(self, symbol: str) -> InstrumentLimits | None:
        return _lookup(self.instruments, symbol)

    def venue(self, venue: str) -> VenueLimits | None:
        return _lookup(self.venues, venue)

    def account(self, account: str, asset: str) -> ExposureLimits | None:
        table = _lookup(self.accounts, account)
        return None if table is None else _lookup(table, asset)

    def portfolio_asset(self, asset: str) -> ExposureLimits | None:
        return _lookup(self.portfolio, asset)


def _lookup(table: dict[str, _T], key: str) -> _T | None:
    found = table.get(key)
    return found if found is not None else table.get(DEFAULT)
