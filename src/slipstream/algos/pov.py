"""POV: trade a target share of the market's volume, our own included.

With ``v`` the other participants' volume since the start and ``q`` ours, a share ``r`` of the
total means ``q = r (q + v)``, i.e. ``q = r/(1−r) · v``. The target follows observed trade
prints (:class:`~slipstream.model.feed.TradePrint`, ``ours`` excluded — our own volume is
counted from our fills, so a venue that flags its prints and one that does not are treated
alike). Bands: never above ``max_participation`` (the framework's cap); with a
``min_participation`` the algo rests passively while inside the band and takes liquidity when
its share falls below the band. POV does not sweep at the end time: what the market did not
trade is left undone.
"""

from __future__ import annotations

import math

from slipstream.algos.base import AlgoContext, ScheduleAlgo
from slipstream.algos.params import AlgoParams
from slipstream.errors import ValidationError
from slipstream.model.feed import BookUpdate, TradePrint
from slipstream.model.intents import Urgency
from slipstream.model.orders import ParentOrder

__all__ = ["PovAlgo"]


def _share_to_units(share: float, market_units: int) -> int:
    """Our quantity that makes ``share`` of (ours + ``market_units``)."""
    return math.floor(share / (1.0 - share) * market_units)


class PovAlgo(ScheduleAlgo):
    """Percentage of volume at ``params.participation_rate``."""

    name = "pov"
    sweep_at_end = False

    def check(self, parent: ParentOrder, params: AlgoParams) -> None:
        if params.participation_rate is None:
            raise ValidationError(f"{parent.parent_id}: POV needs a participation_rate")
        if params.passive_only and params.min_participation is not None:
            raise ValidationError(
                f"{parent.parent_id}: passive_only cannot keep a min_participation (it may need to take)"
            )

    def target_units(self, ctx: AlgoContext, ts_ns: int) -> int | None:
        rate = ctx.params.participation_rate or 0.0
        return min(ctx.quantity_units, _share_to_units(rate, ctx.market_units))

    def desired_units(self, ctx: AlgoContext, now_ns: int, next_ns: int) -> int:
        return self.target_units(ctx, now_ns) or 0

    def urgency(self, ctx: AlgoContext) -> Urgency:
        params = ctx.params
        low = params.min_participation
        if low is None:
            return super().urgency(ctx)
        behind = ctx.filled_units < _share_to_units(low, ctx.market_units)
        return Urgency.TAKE if behind else Urgency.PASSIVE

    def on_market(self, ctx: AlgoContext, message: BookUpdate | TradePrint) -> None:
        if not isinstance(message, TradePrint) or self._final or self._cancelling:
            return
        now = ctx.now_ns()
        if now < ctx.start_ns or now >= ctx.end_ns:
            return
        self._want = self.desired_units(ctx, now, now)
        self._send(ctx)
