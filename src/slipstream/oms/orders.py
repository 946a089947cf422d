"""Mutable per-order and per-parent state kept by the OMS (projections of journaled events)."""

from __future__ import annotations

from decimal import Decimal

from slipstream.model.enums import OrderStatus
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder, ParentOrder

__all__ = ["OrderState", "ParentState"]


class OrderState:
    """A child order's live state. ``filled_value_units`` is Σ lots × price units (exact average)."""

    __slots__ = (
        "fees",
        "filled_lots",
        "filled_value_units",
        "instrument",
        "lots",
        "order",
        "pending_lots",
        "pending_price_units",
        "price_units",
        "status",
        "trade_ids",
        "units_per_lot",
        "venue_order_id",
    )

    def __init__(self, order: ChildOrder, instrument: Instrument, units_per_lot: int) -> None:
        self.order = order
        self.instrument = instrument
        self.units_per_lot = units_per_lot
        self.status = OrderStatus.NEW
        self.lots = order.lots
        self.price_units = order.price_units
        self.filled_lots = 0
        self.filled_value_units = 0
        self.venue_order_id = ""
        self.trade_ids: set[str] = set()
        self.fees: dict[str, Decimal] = {}
        self.pending_lots = 0
        self.pending_price_units: int | None = None

    @property
    def working_lots(self) -> int:
        """Lots that can still fill at the venue (0 once terminal)."""
        return 0 if self.status.is_terminal else self.lots - self.filled_lots

    @property
    def average_price(self) -> Decimal | None:
        if not self.filled_lots:
            return None
        return self.instrument.price_unit * self.filled_value_units / self.filled_lots


class ParentState:
    """A parent order's progress in integer quantity units.

    Invariant: ``filled_units + working_units + remaining_units == quantity_units`` with every
    term ≥ 0. Fills beyond that (a late fill on a cancelled child whose quantity was re-used)
    are counted in ``excess_units``, never hidden.
    """

    __slots__ = (
        "canceled",
        "children",
        "excess_units",
        "filled_units",
        "parent",
        "quantity_units",
        "units_per_lot",
        "working_units",
    )

    def __init__(self, parent: ParentOrder) -> None:
        self.parent = parent
        self.filled_units = 0
        self.working_units = 0
        self.excess_units = 0
        self.children: list[str] = []
        self.canceled = False
        self.quantity_units = parent.quantity_units
        self.units_per_lot: dict[Decimal, int] = {}  # lot size -> parent units per lot (cache)

    @property
    def remaining_units(self) -> int:
        return self.quantity_units - self.filled_units - self.working_units

    def lot_units(self, lot_size: Decimal) -> int:
        """Parent units in one lot of ``lot_size``; 0 when a lot is not a whole number of units."""
        units = self.units_per_lot.get(lot_size)
        if units is None:
            ratio = lot_size / self.parent.quantity_unit
            units = int(ratio) if ratio % 1 == 0 else 0
            self.units_per_lot[lot_size] = units
        return units

    @property
    def filled_quantity(self) -> Decimal:
        return self.parent.quantity_unit * self.filled_units
