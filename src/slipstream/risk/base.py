"""Pre-trade risk: the check protocol, a null check and a composite.

A check returns ``None`` to approve or a :class:`RiskDenial` with a stable code (see
:class:`~slipstream.risk.reasons.RiskReason`) and key=value context. The full limit set lives in
:class:`~slipstream.risk.engine.RiskEngine`; the engine only needs this shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

import msgspec

from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder
from slipstream.risk.reasons import RiskReason

__all__ = ["CompositeRisk", "MaxOrderNotional", "NoRisk", "PreTradeCheck", "RiskDenial"]


class RiskDenial(msgspec.Struct, frozen=True):
    """Why an order was refused: a stable ``code`` and its context."""

    code: str
    context: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **context: object) -> RiskDenial:
        """A denial whose context keeps the keyword order given (stable, readable detail)."""
        return cls(str(code), tuple((key, str(value)) for key, value in context.items()))

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
            return RiskDenial.of(RiskReason.MAX_ORDER_NOTIONAL, notional=notional, limit=self.limit)
        return None
