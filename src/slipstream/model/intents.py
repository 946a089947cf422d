"""What an execution algorithm asks for: a child intent (when and how much), which the router
turns into venue orders (where and how). Algorithms never name venues; routers never schedule."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.enums import Side

__all__ = ["ChildIntent", "Urgency"]


class Urgency(str, Enum):
    """TAKE: cross the spread now (IOC at a computed limit). PASSIVE: rest and wait for fills."""

    TAKE = "take"
    PASSIVE = "passive"


class ChildIntent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One slice of a parent order: ``quantity`` of the base asset, optionally capped/floored
    by ``limit_price`` (a cap for buys, a floor for sells), valid until ``expire_ts_ns``."""

    intent_id: str
    parent_id: str
    symbol: str
    side: Side
    quantity: Decimal
    urgency: Urgency = Urgency.TAKE
    limit_price: Decimal | None = None
    expire_ts_ns: int | None = None
    display_quantity: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.quantity.is_finite() or self.quantity <= 0:
            raise ValidationError(f"intent {self.intent_id}: quantity must be positive, got {self.quantity}")
        if self.limit_price is not None and self.limit_price <= 0:
            raise ValidationError(f"intent {self.intent_id}: limit price must be positive")
