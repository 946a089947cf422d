"""The router's answer: per-venue legs with order type, limit and expected cost, plus the totals,
the alternatives it beat, and why venues were left out.

Money in a route is ``Decimal`` quote asset (10 decimal places, half-even), derived from the
optimiser's exact integer cost units at the edge. Cost terms follow the trader's decomposition:
``impact`` is the price paid beyond the route's reference mid (received below it, for sells),
then ``fee``, ``gas``, ``latency`` (staleness/latency risk) and ``mev``; ``total`` is their sum,
the all-in cost versus mid. ``cash`` is what actually changes hands (fees included).

The parts of a route are frozen values holding only strings, numbers, enums and each other, so
they can never be in a reference cycle: ``gc=False`` keeps the collector from tracking the dozen
or so a route allocates (as :mod:`slipstream.model.market` does for its events).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.intents import Urgency
from slipstream.model.orders import ChildOrder

__all__ = ["ZERO_COSTS", "Alternative", "CostBreakdown", "Exclusion", "Route", "RouteLeg", "SourceStatus"]


class CostBreakdown(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Expected cost of a leg or a route in quote asset (positive = cost)."""

    cash: Decimal
    impact: Decimal
    fee: Decimal
    gas: Decimal
    latency: Decimal
    mev: Decimal
    total: Decimal

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        return CostBreakdown(cash=self.cash + other.cash, impact=self.impact + other.impact,
                             fee=self.fee + other.fee, gas=self.gas + other.gas,
                             latency=self.latency + other.latency, mev=self.mev + other.mev,
                             total=self.total + other.total)


ZERO_COSTS = CostBreakdown(cash=Decimal(0), impact=Decimal(0), fee=Decimal(0), gas=Decimal(0),
                           latency=Decimal(0), mev=Decimal(0), total=Decimal(0))


class RouteLeg(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One venue's part of the route, ready to become a :class:`ChildOrder`."""

    venue: str
    symbol: str
    kind: str  # "book" | "amm"
    side: Side
    lots: int
    quantity: Decimal
    order_type: OrderType
    time_in_force: TimeInForce
    limit_price_units: int
    limit_price: Decimal
    expected_avg_price: Decimal
    costs: CostBreakdown
    ticks_crossed: int = 0


class Alternative(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A comparison route (best single venue, equal split) and how much the route saves on it."""

    name: str
    venues: tuple[str, ...]
    total: Decimal | None  # None: that alternative cannot fill the quantity
    savings: Decimal | None  # alternative total - route total, quote asset
    savings_bps: Decimal | None  # relative to quantity × reference mid


class Exclusion(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A venue the router did not consider, and the stable reason code."""

    venue: str
    reason: str  # stale | unhealthy | rate_limited | excluded | no_liquidity | symbol_mismatch
    detail: str = ""


class SourceStatus(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One source of the consolidated view at decision time."""

    venue: str
    kind: str
    age_ns: int
    used: bool


class Route(msgspec.Struct, frozen=True, kw_only=True):
    """How one child intent is executed: legs, expected costs, alternatives, explanations."""

    intent_id: str
    parent_id: str
    symbol: str
    side: Side
    quantity: Decimal  # requested
    urgency: Urgency
    limit_price: Decimal | None
    routed_quantity: Decimal
    unfilled_quantity: Decimal
    mode: str  # "take" | "passive"
    reason: str
    decided_ts_ns: int
    reference_mid: Decimal
    legs: tuple[RouteLeg, ...]
    costs: CostBreakdown
    best_single_venue: Alternative | None
    equal_split: Alternative | None
    excluded: tuple[Exclusion, ...]
    sources: tuple[SourceStatus, ...]
    sets_solved: int = 0
    sets_pruned: int = 0

    @property
    def venues(self) -> tuple[str, ...]:
        return tuple(leg.venue for leg in self.legs)

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON-ready dict: field order fixed, Decimals as strings, enums as values."""
        out = msgspec.json.decode(self.to_json())
        assert isinstance(out, dict)
        return out

    def to_json(self) -> bytes:
        """Compact JSON in field order (identical routes give identical bytes)."""
        return msgspec.json.encode(self)

    def to_child_orders(self, parent_id: str, id_prefix: str, account: str = "default") -> list[ChildOrder]:
        """One :class:`ChildOrder` per leg: IOC LIMIT at the leg's limit when taking, POST_ONLY GTC
        at the touch when posting. Client ids are ``{id_prefix}-{n}`` in leg order.

        Raises:
            ValidationError: empty id prefix.
        """
        if not id_prefix:
            raise ValidationError("child order id prefix must not be empty")
        return [
            ChildOrder(client_order_id=f"{id_prefix}-{n}", venue=leg.venue, symbol=leg.symbol, side=leg.side,
                       lots=leg.lots, order_type=leg.order_type, time_in_force=leg.time_in_force,
                       price_units=leg.limit_price_units, parent_id=parent_id, account=account)
            for n, leg in enumerate(self.legs, 1)
        ]
