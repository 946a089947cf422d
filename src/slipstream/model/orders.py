"""Parent and child order specifications (what was asked), separate from their mutable state,
which the OMS keeps (:mod:`slipstream.oms`)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.enums import OrderType, Side, TimeInForce

__all__ = ["ChildOrder", "ParentOrder"]


class ParentOrder(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A desk's large order, executed as many child orders.

    ``quantity`` is in the base asset (contracts for derivatives). Inside the engine it is counted
    in integer ``quantity_unit``s; every child lot converts to a whole number of them, which is
    what makes parent quantity conservation exact across venues with different lot sizes.
    """

    parent_id: str
    account: str
    symbol: str
    side: Side
    quantity: Decimal
    quantity_unit: Decimal = Decimal("0.00000001")
    limit_price: Decimal | None = None
    start_ts_ns: int = 0
    end_ts_ns: int | None = None
    algo: str = "manual"

    def __post_init__(self) -> None:
        if not self.parent_id:
            raise ValidationError("parent order id must not be empty")
        if not self.quantity.is_finite() or self.quantity <= 0:
            raise ValidationError(f"parent quantity must be positive, got {self.quantity}")
        if self.quantity_unit <= 0 or (self.quantity / self.quantity_unit) % 1 != 0:
            raise ValidationError(
                f"parent quantity {self.quantity} is not a whole number of units {self.quantity_unit}"
            )
        if self.limit_price is not None and self.limit_price <= 0:
            raise ValidationError(f"limit price must be positive, got {self.limit_price}")
        if self.end_ts_ns is not None and self.end_ts_ns <= self.start_ts_ns:
            raise ValidationError("parent end time must be after its start time")

    @property
    def quantity_units(self) -> int:
        return int(self.quantity / self.quantity_unit)


class ChildOrder(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One order sent to one venue, in the instrument's integer units.

    ``price_units`` is required for limit, post-only and stop-limit orders; ``stop_price_units``
    for stops; ``expire_ts_ns`` for GTD.
    """

    client_order_id: str
    venue: str
    symbol: str
    side: Side
    lots: int
    order_type: OrderType = OrderType.LIMIT
    time_in_force: TimeInForce = TimeInForce.GTC
    price_units: int | None = None
    stop_price_units: int | None = None
    expire_ts_ns: int | None = None
    parent_id: str | None = None
    account: str = "default"
    reduce_only: bool = False

    def __post_init__(self) -> None:
        if not self.client_order_id:
            raise ValidationError("client order id must not be empty")
        if self.lots <= 0:
            raise ValidationError(f"{self.client_order_id}: quantity must be at least one lot")
        needs_price = self.order_type in (OrderType.LIMIT, OrderType.POST_ONLY, OrderType.STOP_LIMIT)
        if needs_price and (self.price_units is None or self.price_units <= 0):
            raise ValidationError(f"{self.client_order_id}: {self.order_type.value} order needs a price")
        if self.order_type is OrderType.MARKET and self.price_units is not None:
            raise ValidationError(f"{self.client_order_id}: market order must not carry a price")
        needs_stop = self.order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
        if needs_stop and (self.stop_price_units is None or self.stop_price_units <= 0):
            raise ValidationError(f"{self.client_order_id}: stop order needs a stop price")
        if (self.time_in_force is TimeInForce.GTD) != (self.expire_ts_ns is not None):
            raise ValidationError(f"{self.client_order_id}: GTD needs an expiry and only GTD has one")
        if self.order_type is OrderType.POST_ONLY and self.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            raise ValidationError(f"{self.client_order_id}: post-only cannot be IOC or FOK")
