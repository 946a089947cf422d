"""Mutable per-order and per-parent state kept by the OMS (projections of journaled events)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from slipstream.model.enums import OrderStatus
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder, ParentOrder

__all__ = ["OrderState", "ParentState"]


class OrderState(msgspec.Struct, gc=False, eq=False):
    """A child order's live state. ``filled_value_units`` is Σ lots × price units (exact average).

    A mutable struct built in C: cheaper to create than a slotted class, and ``gc=False`` keeps the
    (acyclic) per-order state out of the cyclic collector's scans, which grow with the order count.
    Identity equality, as for a plain object. Build it with :meth:`of`.
    """

    order: ChildOrder
    instrument: Instrument
    units_per_lot: int
    lots: int
    price_units: int | None
    status: OrderStatus = OrderStatus.NEW
    filled_lots: int = 0
    filled_value_units: int = 0
    venue_order_id: str = ""
    trade_ids: set[str] = msgspec.field(default_factory=set)
    fees: dict[str, Decimal] = msgspec.field(default_factory=dict)
    pending_lots: int = 0
    pending_price_units: int | None = None

    @classmethod
    def of(cls, order: ChildOrder, instrument: Instrument, units_per_lot: int) -> OrderState:
        """A NEW order's state (``units_per_lot``: parent units per lot, 0 without a parent)."""
        return cls(order, instrument, units_per_lot, order.lots, order.price_units)

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
