"""Positions and balances per venue and asset, with realised and unrealised PnL.

Amounts are ``Decimal`` (exact for every fill; average prices are kept as a cost basis, so the
only rounding is the 28-digit context when a partial close splits that basis). Fees and gas are
charged in their own asset, never converted here.

Accounting by instrument kind:
- spot and options: the base (or the option contract) and the quote/premium currency are
  balances; a position tracks the net holding and its cost for PnL;
- linear perpetuals/futures: a position in contracts; realised PnL is paid to the settle asset;
- inverse perpetuals/futures: PnL in the base coin, from the difference of 1/price.
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.model.enums import InstrumentKind, Side
from slipstream.model.instruments import Instrument

__all__ = ["Portfolio", "Position"]

_ZERO = Decimal(0)

# (instrument, position key, lot size, price unit, base/contract balance key, cash balance key)
_Spec = tuple[Instrument, tuple[str, str], Decimal, Decimal, tuple[str, str] | None, tuple[str, str] | None]


class Position:
    """Net holding of one instrument at one venue.

    ``cost`` is the signed entry value of the open quantity: quote value (price × qty × size) for
    linear instruments, base value (qty × size / price) for inverse futures and perpetuals.
    Options are linear in their premium even when the premium is paid in the coin.
    """

    __slots__ = ("cost", "instrument", "inverse", "quantity", "realised_pnl", "size")

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.inverse = instrument.inverse and instrument.kind in (InstrumentKind.PERPETUAL, InstrumentKind.FUTURE)
        self.size = instrument.contract_size
        self.quantity = _ZERO
        self.cost = _ZERO
        self.realised_pnl = _ZERO

    def _value(self, quantity: Decimal, price: Decimal) -> Decimal:
        if self.inverse:
            return quantity * self.size / price
        return quantity * self.size * price

    @property
    def average_price(self) -> Decimal | None:
        if not self.quantity:
            return None
        if self.inverse:
            return self.quantity * self.size / self.cost
        return self.cost / (self.quantity * self.size)

    def apply(self, signed_quantity: Decimal, price: Decimal, value: Decimal | None = None) -> Decimal:
        """Apply a trade; returns the PnL it realised (settle/quote asset, base for inverse).

        ``value`` is ``_value(signed_quantity, price)`` when the caller already has it.
        """
        q = self.quantity
        if q == 0 or (q > 0) == (signed_quantity > 0):
            self.quantity = q + signed_quantity
            self.cost += value if value is not None else self._value(signed_quantity, price)
            return _ZERO
        closing = min(abs(signed_quantity), abs(q))
        closing_signed = closing if q > 0 else -closing
        basis = self.cost * closing / abs(q)
        exit_value = self._value(closing_signed, price)
        realised = (basis - exit_value) if self.inverse else (exit_value - basis)
        self.realised_pnl += realised
        self.cost -= basis
        self.quantity = q + signed_quantity
        rest = signed_quantity + closing_signed
        if rest:
            self.cost = self._value(rest, price)
        elif not self.quantity:
            self.cost = _ZERO
        return realised

    def unrealised_pnl(self, mark: Decimal) -> Decimal:
        if not self.quantity:
            return _ZERO
        value = self._value(self.quantity, mark)
        return (self.cost - value) if self.inverse else (value - self.cost)


class Portfolio:
    """Balances keyed by (venue, asset) and positions keyed by (venue, symbol)."""

    __slots__ = ("_specs", "balances", "positions")

    def __init__(self) -> None:
        self.balances: dict[tuple[str, str], Decimal] = {}
        self.positions: dict[tuple[str, str], Position] = {}
        self._specs: dict[int, _Spec] = {}

    def balance(self, venue: str, asset: str) -> Decimal:
        return self.balances.get((venue, asset), _ZERO)

    def adjust(self, venue: str, asset: str, amount: Decimal) -> None:
        key = (venue, asset)
        self.balances[key] = self.balances.get(key, _ZERO) + amount

    def position(self, venue: str, instrument: Instrument) -> Position:
        key = (venue, instrument.symbol)
        pos = self.positions.get(key)
        if pos is None:
            pos = self.positions[key] = Position(instrument)
        return pos

    def apply_fill(
        self,
        instrument: Instrument,
        side: Side,
        lots: int,
        price_units: int,
        fee: Decimal,
        fee_asset: str,
        gas: Decimal,
        gas_asset: str,
    ) -> None:
        """Move balances and the position for one fill."""
        spec = self._specs.get(id(instrument))
        if spec is None:
            spec = self._spec(instrument)
        _, pos_key, lot_size, price_unit, asset_key, cash_key = spec
        quantity = lot_size * lots
        price = price_unit * price_units
        signed = quantity if side is Side.BUY else -quantity
        pos = self.positions.get(pos_key)
        if pos is None:
            pos = self.position(instrument.venue, instrument)
        if asset_key is not None and cash_key is not None:  # spot and options: both legs are balances
            value = signed * pos.size * price  # premium / quote paid (linear)
            q = pos.quantity
            if q == 0 or (q > 0) == (signed > 0):  # Position.apply's opening branch, inlined
                pos.quantity = q + signed
                pos.cost += value
            else:
                pos.apply(signed, price, value)
            balances = self.balances
            balances[asset_key] = balances.get(asset_key, _ZERO) + signed
            balances[cash_key] = balances.get(cash_key, _ZERO) + (-value)
        else:
            realised = pos.apply(signed, price)
            if realised:
                self.adjust(instrument.venue, instrument.settle, realised)
        if fee:
            key = (instrument.venue, fee_asset or instrument.settle)
            balances = self.balances
            balances[key] = balances.get(key, _ZERO) + (-fee)
        if gas:
            self.adjust(instrument.venue, gas_asset, -gas)

    def _spec(self, instrument: Instrument) -> _Spec:
        """Per-instrument keys and Decimal constants, computed once (the instrument is kept alive
        by the entry, so its ``id`` cannot be reused while cached)."""
        venue = instrument.venue
        kind = instrument.kind
        asset_key: tuple[str, str] | None = None
        cash_key: tuple[str, str] | None = None
        if kind is InstrumentKind.SPOT:
            asset_key, cash_key = (venue, instrument.base), (venue, instrument.quote)
        elif kind is InstrumentKind.OPTION:
            cash = getattr(instrument, "premium_currency", instrument.settle)
            asset_key, cash_key = (venue, instrument.symbol), (venue, cash)
        spec = (
            instrument,
            (venue, instrument.symbol),
            instrument.lot_size,
            instrument.price_unit,
            asset_key,
            cash_key,
        )
        self._specs[id(instrument)] = spec
        return spec

    def unrealised_pnl(self, marks: dict[tuple[str, str], Decimal]) -> dict[tuple[str, str], Decimal]:
        """Unrealised PnL per (venue, symbol) for the positions that have a mark."""
        return {
            key: pos.unrealised_pnl(marks[key])
            for key, pos in sorted(self.positions.items())
            if key in marks and pos.quantity
        }
