"""Iceberg: show only a display quantity at a time and refresh it when it fills.

One passive child rests at our side's touch moved ``price_offset`` away from the market (never
through the parent's limit). When it fills completely (or is cancelled, expired or refused) a
new one is shown, its size drawn in ``display × (1 ± display_variance)`` from the parent's
seeded stream, so the refreshes do not show a fixed size. Every ``slice_interval`` the algo
checks that the shown child still sits at the wanted price and re-pegs it if the market
moved. It keeps no time schedule and does not sweep at the end time: it stops there.
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.algos.base import AlgoContext
from slipstream.algos.params import AlgoParams
from slipstream.errors import ValidationError
from slipstream.model.enums import OrderStatus, Side
from slipstream.model.events import OrderFilled
from slipstream.model.feed import BookUpdate, TradePrint
from slipstream.model.intents import Urgency
from slipstream.model.orders import ParentOrder

__all__ = ["IcebergAlgo"]


class IcebergAlgo:
    """Shows ``params.display_quantity`` at a time."""

    name = "iceberg"

    def __init__(self) -> None:
        self._repegging: set[str] = set()
        self._done = False

    def check(self, parent: ParentOrder, params: AlgoParams) -> None:
        if params.display_quantity is None:
            raise ValidationError(f"{parent.parent_id}: iceberg needs a display_quantity")

    def target_units(self, ctx: AlgoContext, ts_ns: int) -> int | None:
        return None

    # ---- pricing and sizing ---------------------------------------------------------------------
    def _price(self, ctx: AlgoContext) -> Decimal | None:
        parent = ctx.parent
        offset = ctx.params.price_offset
        if parent.side is Side.BUY:
            touch = ctx.best_bid()
            price = None if touch is None else touch - offset
            if parent.limit_price is not None:
                price = parent.limit_price if price is None else min(price, parent.limit_price)
        else:
            touch = ctx.best_ask()
            price = None if touch is None else touch + offset
            if parent.limit_price is not None:
                price = parent.limit_price if price is None else max(price, parent.limit_price)
        return price if price is not None and price > 0 else None

    def _display_units(self, ctx: AlgoContext) -> int:
        params = ctx.params
        assert params.display_quantity is not None
        units = ctx.to_units(params.display_quantity)
        variance = params.display_variance
        if variance:
            units = round(units * (1.0 + ctx.rng.uniform(-variance, variance)))
        return max(1, min(units, ctx.remaining_units))

    def _show(self, ctx: AlgoContext) -> None:
        if self._done or ctx.working_units or ctx.remaining_units <= 0:
            return
        price = self._price(ctx)
        if price is None:
            return
        ctx.send(self._display_units(ctx), Urgency.PASSIVE, price)

    # ---- hooks -------------------------------------------------------------------------------------
    def on_start(self, ctx: AlgoContext) -> None:
        self.on_timer(ctx)

    def on_timer(self, ctx: AlgoContext) -> None:
        now = ctx.now_ns()
        if now < ctx.start_ns:
            ctx.wake_at(ctx.start_ns)
            return
        if now >= ctx.end_ns:
            self._done = True
            ctx.cancel_children()
            ctx.finish()
            return
        wanted = self._price(ctx)
        stale = [c.client_order_id for c in ctx.working_children() if c.price != wanted]
        if stale:
            self._repegging.update(ctx.cancel_children(stale))
        else:
            self._show(ctx)
        ctx.wake_at(min(ctx.end_ns, now + ctx.params.slice_interval_ns))

    def on_fill(self, ctx: AlgoContext, event: OrderFilled) -> None:
        return None

    def on_child_closed(self, ctx: AlgoContext, client_order_id: str) -> None:
        repeg = client_order_id in self._repegging
        self._repegging.discard(client_order_id)
        # refresh on a complete fill or a re-peg; a refused child waits for the next check
        if repeg or ctx.child_status(client_order_id) is OrderStatus.FILLED:
            self._show(ctx)

    def on_market(self, ctx: AlgoContext, message: BookUpdate | TradePrint) -> None:
        return None

    def on_amend(self, ctx: AlgoContext) -> None:
        self._done = False
        self.on_timer(ctx)

    def on_resume(self, ctx: AlgoContext) -> None:
        self.on_timer(ctx)
