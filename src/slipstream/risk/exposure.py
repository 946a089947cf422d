"""Positions, exposures and PnL as risk sees them, read from the OMS.

Per (account, instrument) the view keeps the filled net position and the working buy and sell
quantity. Working orders count as if they fill (worst case): a new buy is judged against
``position + working buys + order``, so no sequence of fills of approved orders can breach a
limit that was in force when they were approved.

Assumptions: positions come from fills of orders placed through this engine (deposits are not
positions; overfills recorded as ``FillAnomaly`` are not counted); quote currencies across the
portfolio are USD-like; options count their underlying (contracts × contract size), not delta.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from slipstream.model.enums import InstrumentKind, Side
from slipstream.model.instruments import Instrument
from slipstream.oms.orders import OrderState
from slipstream.oms.portfolio import Position
from slipstream.risk.limits import ReferenceKind
from slipstream.risk.references import ReferencePrices

__all__ = ["InstrumentExposure", "base_quantity", "notional_value", "reference_price", "scan_exposure", "total_pnl"]

_ZERO = Decimal(0)
_REFERENCE_ORDER = (ReferenceKind.MID, ReferenceKind.MARK, ReferenceKind.INDEX)


def reference_price(
    references: ReferencePrices, instrument: Instrument, preferred: ReferenceKind = ReferenceKind.MID
) -> Decimal | None:
    """``preferred`` reference of the instrument, else the others in mid, mark, index order."""
    price = references.reference(instrument.venue, instrument.symbol, preferred)
    if price is not None:
        return price
    for kind in _REFERENCE_ORDER:
        if kind is not preferred:
            price = references.reference(instrument.venue, instrument.symbol, kind)
            if price is not None:
                return price
    return None


def base_quantity(instrument: Instrument, quantity: Decimal, price: Decimal | None) -> Decimal | None:
    """Base-asset units of ``quantity`` (instrument units); inverse contracts need a price."""
    face = quantity * instrument.contract_size
    if not instrument.inverse:
        return face
    return None if price is None else face / price


def notional_value(instrument: Instrument, quantity: Decimal, price: Decimal | None) -> Decimal | None:
    """Quote value of ``quantity`` at ``price`` (inverse: the USD face, price not needed)."""
    face = quantity * instrument.contract_size
    if instrument.inverse:
        return face
    return None if price is None else face * price


class InstrumentExposure:
    """One account's (or the portfolio's) holding of one instrument, in lots.

    ``price`` is the valuation price: the reference, else the last order price seen.
    """

    __slots__ = ("buy_lots", "instrument", "last_price_units", "position_lots", "sell_lots")

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.position_lots = 0
        self.buy_lots = 0
        self.sell_lots = 0
        self.last_price_units: int | None = None

    def add(self, state: OrderState) -> None:
        order = state.order
        sign = 1 if order.side is Side.BUY else -1
        self.position_lots += sign * state.filled_lots
        if not state.status.is_terminal:
            open_lots = max(state.lots, state.pending_lots) - state.filled_lots
            if sign > 0:
                self.buy_lots += open_lots
            else:
                self.sell_lots += open_lots
        price_units = state.price_units
        if state.filled_lots:
            price_units = state.filled_value_units // state.filled_lots
        if price_units is not None:
            self.last_price_units = price_units

    def valuation_price(self, references: ReferencePrices) -> Decimal | None:
        price = reference_price(references, self.instrument)
        if price is None and self.last_price_units is not None:
            price = self.instrument.units_to_price(self.last_price_units)
        return price


def scan_exposure(
    orders: Iterable[OrderState], account: str | None, asset: str, exclude: str = ""
) -> dict[tuple[str, str], InstrumentExposure]:
    """Holdings of ``asset`` (as base) per (venue, symbol), for ``account`` or every account (None).

    One pass over the orders, in creation order; ``exclude`` is the order being judged (the OMS
    already holds it as NEW).
    """
    out: dict[tuple[str, str], InstrumentExposure] = {}
    for state in orders:
        instrument = state.instrument
        if state.order.client_order_id == exclude:
            continue
        if instrument.base != asset or (account is not None and state.order.account != account):
            continue
        if not state.filled_lots and state.status.is_terminal:
            continue
        key = (instrument.venue, instrument.symbol)
        exposure = out.get(key)
        if exposure is None:
            exposure = out[key] = InstrumentExposure(instrument)
        exposure.add(state)
    return out


def total_pnl(positions: Iterable[Position], references: ReferencePrices) -> Decimal:
    """Realised + unrealised PnL in the quote currency (before fees).

    Positions without a reference are valued at their average price (no unrealised PnL);
    inverse perpetual/future PnL (in the base coin) is converted at the reference; options count
    in their premium currency unconverted (an approximation for coin-settled options).
    """
    total = _ZERO
    for position in positions:
        instrument = position.instrument
        mark = reference_price(references, instrument)
        pnl = position.realised_pnl
        if mark is not None and position.quantity:
            pnl += position.unrealised_pnl(mark)
        if instrument.inverse and instrument.kind is not InstrumentKind.OPTION:
            pnl = pnl * mark if mark is not None else _ZERO
        total += pnl
    return total
