"""The simulated venue's account: fees charged, balances, net positions and fee-tier volume.

Assumptions: spot fills move the base and quote balances; option fills move the premium
currency (the contracts themselves are a position); futures and perpetuals book only fees and
funding here — their realised PnL is the OMS portfolio's job. Every fee is charged in the
instrument's settle asset. Tier volume counts the value of every fill in the settle asset (the
schedule's own volume window is not modelled: the run is the window).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from slipstream.model.enums import InstrumentKind, Liquidity, Side
from slipstream.model.instruments import Instrument, Option

if TYPE_CHECKING:
    from slipstream.venues.sim.models.fees import FeeSchedule

__all__ = ["VenueLedger", "settle_value"]

_ZERO = Decimal(0)


def settle_value(instrument: Instrument, price_units: int, lots: int) -> Decimal:
    """Trade value in the settle asset: quote value (spot, linear, option premium) or the coin
    value of the USD face (inverse futures and perpetuals)."""
    if instrument.inverse and instrument.kind is not InstrumentKind.OPTION:
        return instrument.notional(price_units, lots) / (instrument.price_unit * price_units)
    return instrument.notional(price_units, lots)


class VenueLedger:
    """Balances and positions as the venue keeps them.

    Args:
        fees: tiered schedule; ``None`` charges each instrument's flat ``maker_fee``/``taker_fee``.
        balances: opening balances per asset.
    """

    def __init__(self, fees: FeeSchedule | None = None, balances: Mapping[str, Decimal] | None = None) -> None:
        self.fees = fees
        self.balances: dict[str, Decimal] = dict(balances or {})
        self.positions: dict[str, int] = {}
        self.tier_volume = _ZERO

    def adjust(self, asset: str, amount: Decimal) -> None:
        self.balances[asset] = self.balances.get(asset, _ZERO) + amount

    def fee(self, instrument: Instrument, price_units: int, lots: int, liquidity: Liquidity) -> Decimal:
        """The fee on one fill (negative: rebate), in the settle asset."""
        value = settle_value(instrument, price_units, lots)
        fees = self.fees
        if fees is None:
            rate = instrument.maker_fee if liquidity is Liquidity.MAKER else instrument.taker_fee
            return value * rate
        if isinstance(instrument, Option) and fees.premium_cap is not None:
            underlying = instrument.lot_size * lots * instrument.contract_size
            return fees.option_fee(underlying, value, liquidity, self.tier_volume)
        return fees.fee(value, liquidity, self.tier_volume)

    def book_fill(self, instrument: Instrument, side: Side, price_units: int, lots: int,
                  fee: Decimal) -> None:
        """Move positions and balances for one fill (after :meth:`fee`)."""
        self.tier_volume += settle_value(instrument, price_units, lots)
        signed = lots if side is Side.BUY else -lots
        self.positions[instrument.symbol] = self.positions.get(instrument.symbol, 0) + signed
        quantity = instrument.lot_size * signed
        kind = instrument.kind
        if kind is InstrumentKind.SPOT:
            self.adjust(instrument.base, quantity)
            self.adjust(instrument.quote, -quantity * instrument.price_unit * price_units)
        elif isinstance(instrument, Option):
            premium = quantity * instrument.contract_size * instrument.price_unit * price_units
            self.adjust(instrument.premium_currency, -premium)
        if fee:
            self.adjust(instrument.settle, -fee)
