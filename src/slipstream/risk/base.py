"""Pre-trade risk: the check protocol, a null check and a composite.

A check returns ``None`` to approve or a :class:`RiskDenial` with a stable code and key=value
context. The risk/failover work adds the concrete limits; the engine only needs this shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

import msgspec

from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder

__all__ = ["CompositeRisk", "MaxOrderNotional", "NoRisk", "PreTradeCheck", "RiskDenial"]


class RiskDenial(msgspec.Struct, frozen=True):
    """Why an order was refused: a stable ``code`` and its context."""

    code: str
    context: tuple[tuple[str, str], ...] = ()

    @property
    def detail(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.context)


class PreTradeCheck(Protocol):
    def check(self, order: ChildOrder, instrument: Instrument) -> RiskDenial | None: ...


class NoRisk:
    """Approves everything (null object)."""

    def check(self, order: ChildOrder, instrument: Instrument) -> RiskDenial | None:
        return None


class CompositeRisk:
    """Runs checks in order; the first denial wins."""

    def __init__(self, checks: Sequence[PreTradeCheck]) -> None:
        self.checks = tuple(checks)

    def check(self, order: ChildOrder, instrument: Instrument) -> RiskDenial | None:
        for check in self.checks:
            denial = check.check(order, instrument)
            if denial is not None:
                return denial
        return None


class MaxOrderNotional:
    """Refuses limit orders whose notional exceeds ``limit`` (quote currency)."""

    def __init__(self, limit: Decimal) -> None:
        self.limit = limit

    def check(self, order: ChildOrder, instrument: Instrument) -> RiskDenial | None:
        if order.price_units is None:
            return None
        notional = instrument.notional(order.price_units, order.lots)
        if notional > self.limit:
            return RiskDenial("MAX_ORDER_NOTIONAL", (("notional", str(notional)), ("limit", str(self.limit))))
        return None
