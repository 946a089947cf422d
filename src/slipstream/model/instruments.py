"""Tradable instruments and the exact conversion between a user's prices/quantities and the
integer units the engine works in.

Inside the engine a price is an ``int`` count of the instrument's *price unit* (the finest tick
of its tick scheme) and a quantity is an ``int`` count of lots. Conversion happens once, at the
edge, and is explicit: prices are rounded to the tick that applies at that price level (tiered
tick sizes such as Deribit options: 0.0001 below 0.005, 0.0005 above), amounts are truncated to
the lot, and a result of zero is rejected.

Unified symbols follow CCXT: ``BTC/USDT`` (spot), ``BTC/USDT:USDT`` (linear perpetual),
``BTC/USD:BTC`` (inverse perpetual), ``BTC/USDT:USDT-261225`` (dated future),
``BTC/USD:BTC-261225-100000-C`` (option).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

import msgspec

from slipstream.errors import InstrumentError
from slipstream.model.enums import InstrumentKind, OptionKind

__all__ = [
    "DERIBIT_OPTION_TICKS",
    "DatedFuture",
    "Instrument",
    "Option",
    "Perpetual",
    "PriceRounding",
    "SpotPair",
    "TickTier",
    "expiry_code",
    "instrument_from_listing",
]

PriceRounding = Literal["nearest", "down", "up"]
_ROUNDING = {"nearest": ROUND_HALF_EVEN, "down": ROUND_FLOOR, "up": ROUND_CEILING}
_ZERO = Decimal(0)


class TickTier(msgspec.Struct, frozen=True):
    """From ``from_price`` (inclusive) upward, prices move in steps of ``tick``."""

    from_price: Decimal
    tick: Decimal


def expiry_code(expiry_ts_ns: int) -> str:
    """CCXT's ``YYMMDD`` expiry code for a UTC expiry timestamp."""
    return datetime.fromtimestamp(expiry_ts_ns / 1e9, tz=UTC).strftime("%y%m%d")


def _strike_code(strike: Decimal) -> str:
    text = format(strike.normalize(), "f")
    return text


class Instrument(msgspec.Struct, frozen=True, kw_only=True):
    """Common fields and conversions of every instrument.

    Use the concrete kinds (:class:`SpotPair`, :class:`Perpetual`, :class:`DatedFuture`,
    :class:`Option`); their constructors validate and build the unified symbol.
    """

    symbol: str
    venue: str
    base: str
    quote: str
    settle: str
    tick_tiers: tuple[TickTier, ...]
    lot_size: Decimal
    min_quantity: Decimal = _ZERO
    min_notional: Decimal = _ZERO
    contract_size: Decimal = Decimal(1)
    inverse: bool = False
    maker_fee: Decimal = _ZERO
    taker_fee: Decimal = _ZERO
    # Derived in __post_init__ (hot-path caches; not part of the spec a user passes).
    price_unit: Decimal = _ZERO
    _min_value_units: int = 0

    def __post_init__(self) -> None:
        if not self.tick_tiers:
            raise InstrumentError(f"{self.symbol}: at least one tick tier is required")
        previous: Decimal | None = None
        for tier in self.tick_tiers:
            if tier.tick <= 0:
                raise InstrumentError(f"{self.symbol}: tick must be positive, got {tier.tick}")
            if previous is not None and tier.from_price <= previous:
                raise InstrumentError(f"{self.symbol}: tick tiers must have increasing from_price")
            previous = tier.from_price
        unit = min(t.tick for t in self.tick_tiers)
        msgspec.structs.force_setattr(self, "price_unit", unit)
        for tier in self.tick_tiers:
            if (tier.tick / unit) % 1 != 0 or (tier.from_price / unit) % 1 != 0:
                raise InstrumentError(f"{self.symbol}: tick {tier.tick} is not a multiple of {unit}")
        if self.lot_size <= 0:
            raise InstrumentError(f"{self.symbol}: lot_size must be positive, got {self.lot_size}")
        if self.min_quantity < 0 or self.min_notional < 0 or self.contract_size <= 0:
            raise InstrumentError(f"{self.symbol}: minimums must be >= 0 and contract_size > 0")
        # notional ≥ min_notional  ⇔  lots × price_units ≥ this integer (linear instruments)
        per_unit = self.lot_size * self.contract_size * unit
        threshold = (self.min_notional / per_unit).to_integral_value(rounding=ROUND_CEILING)
        msgspec.structs.force_setattr(self, "_min_value_units", int(threshold))

    # ---- kind ---------------------------------------------------------------------------------
    @property
    def kind(self) -> InstrumentKind:
        raise NotImplementedError

    # ---- prices -------------------------------------------------------------------------------
    def tick_at(self, price: Decimal) -> Decimal:
        """Tick size that applies at ``price``."""
        tick = self.tick_tiers[0].tick
        for tier in self.tick_tiers:
            if price >= tier.from_price:
                tick = tier.tick
            else:
                break
        return tick

    def round_price(self, price: Decimal, mode: PriceRounding = "nearest") -> Decimal:
        """Round ``price`` to the tick that applies at its level.

        Raises:
            InstrumentError: price is not positive, or rounds to zero.
        """
        if not isinstance(price, Decimal):
            raise InstrumentError(f"{self.symbol}: price must be a Decimal, got {type(price).__name__}")
        if not price.is_finite() or price <= 0:
            raise InstrumentError(f"{self.symbol}: price must be positive, got {price}")
        tick = self.tick_at(price)
        steps = (price / tick).to_integral_value(rounding=_ROUNDING[mode])
        rounded = steps * tick
        if rounded <= 0:
            raise InstrumentError(f"{self.symbol}: price {price} rounds to zero at tick {tick}")
        return rounded

    def price_to_units(self, price: Decimal, mode: PriceRounding = "nearest") -> int:
        """Convert a user's price to engine price units, rounding to the applicable tick."""
        return int(self.round_price(price, mode) / self.price_unit)

    def units_to_price(self, units: int) -> Decimal:
        """Engine price units back to a ``Decimal`` price at the edge."""
        return self.price_unit * units

    def is_on_tick(self, units: int) -> bool:
        """True when ``units`` is a valid price under the tiered tick scheme."""
        if units <= 0:
            return False
        if len(self.tick_tiers) == 1:
            return True
        price = self.price_unit * units
        return (price / self.tick_at(price)) % 1 == 0

    # ---- quantities ---------------------------------------------------------------------------
    def quantity_to_lots(self, quantity: Decimal) -> int:
        """Truncate a user's amount to whole lots.

        Raises:
            InstrumentError: quantity is not positive or truncates to zero lots.
        """
        if not isinstance(quantity, Decimal):
            raise InstrumentError(f"{self.symbol}: quantity must be a Decimal, got {type(quantity).__name__}")
        if not quantity.is_finite() or quantity <= 0:
            raise InstrumentError(f"{self.symbol}: quantity must be positive, got {quantity}")
        lots = int((quantity / self.lot_size).to_integral_value(rounding=ROUND_DOWN))
        if lots == 0:
            raise InstrumentError(f"{self.symbol}: quantity {quantity} is below one lot ({self.lot_size})")
        return lots

    def lots_to_quantity(self, lots: int) -> Decimal:
        return self.lot_size * lots

    def notional(self, price_units: int, lots: int) -> Decimal:
        """Order value in the quote currency (linear) or in the quote (USD) face value (inverse)."""
        quantity = self.lot_size * lots * self.contract_size
        if self.inverse:
            return quantity
        return quantity * self.price_unit * price_units

    def check_order(self, price_units: int | None, lots: int) -> None:
        """Validate an order's size against this instrument's minimums.

        Raises:
            InstrumentError: off-tick price, zero/negative lots, below minimum quantity or notional.
        """
        if lots <= 0:
            raise InstrumentError(f"{self.symbol}: quantity must be at least one lot")
        quantity = self.lot_size * lots
        if self.min_quantity and quantity < self.min_quantity:
            raise InstrumentError(f"{self.symbol}: quantity {quantity.normalize()} below minimum {self.min_quantity}")
        if price_units is not None:
            if not self.is_on_tick(price_units):
                raise InstrumentError(f"{self.symbol}: price {self.units_to_price(price_units)} is off tick")
            below = (
                lots * price_units < self._min_value_units
                if not self.inverse and type(self).notional is Instrument.notional
                else self.notional(price_units, lots) < self.min_notional
            )
            if below:
                raise InstrumentError(
                    f"{self.symbol}: notional {self.notional(price_units, lots).normalize()} "
                    f"below minimum {self.min_notional}"
                )


def _single_tick(tick: Decimal) -> tuple[TickTier, ...]:
    return (TickTier(_ZERO, tick),)


class SpotPair(Instrument, frozen=True, kw_only=True):
    """A spot currency pair (``BTC/USDT``): buy base, pay quote."""

    @classmethod
    def create(cls, venue: str, base: str, quote: str, tick: Decimal, lot_size: Decimal, **kw: Any) -> SpotPair:
        return cls(
            symbol=f"{base}/{quote}",
            venue=venue,
            base=base,
            quote=quote,
            settle=quote,
            tick_tiers=_single_tick(tick),
            lot_size=lot_size,
            **kw,
        )

    @property
    def kind(self) -> InstrumentKind:
        return InstrumentKind.SPOT


class Perpetual(Instrument, frozen=True, kw_only=True):
    """A perpetual swap; linear settles in the quote (``BTC/USDT:USDT``), inverse in the base
    (``BTC/USD:BTC``, quantity in USD contracts of ``contract_size``)."""

    funding_interval_s: int = 8 * 3600

    @classmethod
    def create(
        cls, venue: str, base: str, quote: str, settle: str, tick: Decimal, lot_size: Decimal, **kw: Any
    ) -> Perpetual:
        return cls(
            symbol=f"{base}/{quote}:{settle}",
            venue=venue,
            base=base,
            quote=quote,
            settle=settle,
            tick_tiers=_single_tick(tick),
            lot_size=lot_size,
            inverse=settle == base,
            **kw,
        )

    @property
    def kind(self) -> InstrumentKind:
        return InstrumentKind.PERPETUAL


class DatedFuture(Instrument, frozen=True, kw_only=True):
    """A future expiring at ``expiry_ts_ns`` (``BTC/USDT:USDT-261225``)."""

    expiry_ts_ns: int

    @classmethod
    def create(
        cls,
        venue: str,
        base: str,
        quote: str,
        settle: str,
        expiry_ts_ns: int,
        tick: Decimal,
        lot_size: Decimal,
        **kw: Any,
    ) -> DatedFuture:
        symbol = f"{base}/{quote}:{settle}-{expiry_code(expiry_ts_ns)}"
        return cls(
            symbol=symbol,
            venue=venue,
            base=base,
            quote=quote,
            settle=settle,
            tick_tiers=_single_tick(tick),
            lot_size=lot_size,
            inverse=settle == base,
            expiry_ts_ns=expiry_ts_ns,
            **kw,
        )

    @property
    def kind(self) -> InstrumentKind:
        return InstrumentKind.FUTURE


class Option(Instrument, frozen=True, kw_only=True):
    """A European option (``BTC/USD:BTC-261225-100000-C``); premium in ``premium_currency``
    (the underlying coin on Deribit), ``contract_size`` coins of underlying per contract."""

    underlying: str
    strike: Decimal
    expiry_ts_ns: int
    option_kind: OptionKind
    premium_currency: str

    @classmethod
    def create(
        cls,
        venue: str,
        base: str,
        quote: str,
        settle: str,
        expiry_ts_ns: int,
        strike: Decimal,
        option_kind: OptionKind,
        tick_tiers: tuple[TickTier, ...],
        lot_size: Decimal,
        premium_currency: str | None = None,
        **kw: Any,
    ) -> Option:
        if strike <= 0:
            raise InstrumentError(f"option strike must be positive, got {strike}")
        letter = "C" if option_kind is OptionKind.CALL else "P"
        symbol = f"{base}/{quote}:{settle}-{expiry_code(expiry_ts_ns)}-{_strike_code(strike)}-{letter}"
        return cls(
            symbol=symbol,
            venue=venue,
            base=base,
            quote=quote,
            settle=settle,
            tick_tiers=tick_tiers,
            lot_size=lot_size,
            underlying=base,
            strike=strike,
            expiry_ts_ns=expiry_ts_ns,
            option_kind=option_kind,
            premium_currency=premium_currency or settle,
            inverse=settle == base,
            **kw,
        )

    @property
    def kind(self) -> InstrumentKind:
        return InstrumentKind.OPTION

    def notional(self, price_units: int, lots: int) -> Decimal:
        """Premium value of the order in the premium currency."""
        return self.lot_size * lots * self.contract_size * self.price_unit * price_units


DERIBIT_OPTION_TICKS = (TickTier(_ZERO, Decimal("0.0001")), TickTier(Decimal("0.005"), Decimal("0.0005")))
"""Deribit BTC option tick scheme: 0.0001 BTC below 0.005, 0.0005 from 0.005 up."""


def instrument_from_listing(
    *,
    venue: str,
    symbol: str,
    kind: str,
    base: str,
    quote: str,
    settle: str,
    price_unit: Decimal,
    lot_size: Decimal,
    contract_size: Decimal,
    inverse: bool,
) -> Instrument:
    """Rebuild an instrument from a journal's listing (replay without the original configuration).

    The listing keeps the increments the journal's integers stand for; tiered ticks collapse to the
    finest unit and minimums are not restored (replay never re-validates orders). Option strike,
    expiry and type come back from the CCXT symbol.

    Raises:
        InstrumentError: unknown kind, or an option/future symbol that cannot be parsed.
    """
    tiers = (TickTier(_ZERO, price_unit),)
    common: dict[str, Any] = {
        "symbol": symbol,
        "venue": venue,
        "base": base,
        "quote": quote,
        "settle": settle,
        "tick_tiers": tiers,
        "lot_size": lot_size,
        "contract_size": contract_size,
        "inverse": inverse,
    }
    if kind == InstrumentKind.SPOT.value:
        return SpotPair(**common)
    if kind == InstrumentKind.PERPETUAL.value:
        return Perpetual(**common)
    parts = symbol.split(":", 1)[-1].split("-")
    try:
        expiry = int(datetime.strptime(parts[1], "%y%m%d").replace(tzinfo=UTC).timestamp()) * 10**9
    except (IndexError, ValueError):
        raise InstrumentError(f"cannot read the expiry of {symbol!r}") from None
    if kind == InstrumentKind.FUTURE.value:
        return DatedFuture(expiry_ts_ns=expiry, **common)
    if kind == InstrumentKind.OPTION.value and len(parts) == 4 and parts[3] in ("C", "P"):
        option_kind = OptionKind.CALL if parts[3] == "C" else OptionKind.PUT
        return Option(
            underlying=base,
            strike=Decimal(parts[2]),
            expiry_ts_ns=expiry,
            option_kind=option_kind,
            premium_currency=settle,
            **common,
        )
    raise InstrumentError(f"cannot rebuild instrument {symbol!r} of kind {kind!r}")
