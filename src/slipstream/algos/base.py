"""The execution-algorithm contract, a do-nothing algo, and the shared scheduling framework
every scheduled algo (TWAP, VWAP, POV, IS) is built on.

An algo decides WHEN and HOW MUCH; it reacts to timer, market and fill events and asks its
:class:`AlgoContext` to send child intents or cancel children. It never names a venue (the
router decides where) and never touches the OMS (the executor does). Quantities inside are
integer *parent units* (``ParentOrder.quantity_unit``), so no slice can drift by rounding.

:class:`ScheduleAlgo` is the default framework: a subclass only says what fraction of the order
should be done by time ``t`` (:meth:`ScheduleAlgo.fraction`); the framework slices, catches up
when behind, randomises slice sizes and times from the context's seeded stream, cancels stale
passive children on each re-slice, respects child sizes and the participation cap, and sweeps
what is left at the end time when the algo may take liquidity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

import msgspec
import numpy as np

from slipstream.algos.params import AlgoParams
from slipstream.model.enums import OrderStatus
from slipstream.model.events import OrderFilled
from slipstream.model.feed import BookUpdate, TradePrint
from slipstream.model.intents import Urgency
from slipstream.model.orders import ParentOrder

__all__ = ["AlgoContext", "ExecutionAlgo", "NullAlgo", "ScheduleAlgo", "WorkingChild"]


class WorkingChild(msgspec.Struct, frozen=True, kw_only=True):
    """A child that can still fill: its id, the parent units still working, and its urgency."""

    client_order_id: str
    units: int
    urgency: Urgency
    price: Decimal | None = None


class AlgoContext(Protocol):
    """What the executor lends an algo working one parent order."""

    @property
    def parent(self) -> ParentOrder:
        """The parent's current spec (amendments included)."""
        ...

    @property
    def params(self) -> AlgoParams: ...

    @property
    def start_ns(self) -> int: ...

    @property
    def end_ns(self) -> int: ...

    @property
    def rng(self) -> np.random.Generator:
        """This parent's seeded random stream."""
        ...

    @property
    def quantity_units(self) -> int: ...

    @property
    def filled_units(self) -> int: ...

    @property
    def working_units(self) -> int: ...

    @property
    def remaining_units(self) -> int:
        """Neither filled nor working: what the algo may still send."""
        ...

    @property
    def market_units(self) -> int:
        """Other participants' traded volume in the parent's symbol since the start (parent units)."""
        ...

    def now_ns(self) -> int: ...

    def best_bid(self) -> Decimal | None: ...

    def best_ask(self) -> Decimal | None: ...

    @property
    def min_child_units(self) -> int:
        """Smallest useful child: ``min_child_quantity`` or the smallest venue minimum, the larger."""
        ...

    def to_units(self, quantity: Decimal) -> int:
        """A base quantity in whole parent units (truncated)."""
        ...

    def send(self, units: int, urgency: Urgency, limit_price: Decimal | None = None) -> list[str]:
        """Ask for a child of ``units`` (clipped to what remains); returns the child ids sent."""
        ...

    def cancel_children(self, client_order_ids: Sequence[str] | None = None) -> list[str]:
        """Cancel the given working children (all when ``None``); returns those asked to cancel."""
        ...

    def working_children(self) -> list[WorkingChild]: ...

    def child_status(self, client_order_id: str) -> OrderStatus: ...

    def wake_at(self, ts_ns: int) -> None:
        """Call :meth:`ExecutionAlgo.on_timer` at ``ts_ns`` (replaces the previous wake-up)."""
        ...

    def finish(self) -> None:
        """No more children will be sent; the parent is done once none is working."""
        ...


class ExecutionAlgo(Protocol):
    """One parent order's algorithm. Every hook may send or cancel children through ``ctx``."""

    name: str

    def check(self, parent: ParentOrder, params: AlgoParams) -> None:
        """Refuse parameters this algo cannot work with (raises ``ValidationError``)."""
        ...

    def on_start(self, ctx: AlgoContext) -> None: ...

    def on_timer(self, ctx: AlgoContext) -> None: ...

    def on_fill(self, ctx: AlgoContext, event: OrderFilled) -> None: ...

    def on_child_closed(self, ctx: AlgoContext, client_order_id: str) -> None:
        """A child stopped working (filled, cancelled, expired, rejected or denied)."""
        ...

    def on_market(self, ctx: AlgoContext, message: BookUpdate | TradePrint) -> None: ...

    def on_amend(self, ctx: AlgoContext) -> None:
        """The parent's quantity, limit or end time changed; working children were cancelled."""
        ...

    def on_resume(self, ctx: AlgoContext) -> None: ...

    def target_units(self, ctx: AlgoContext, ts_ns: int) -> int | None:
        """Where the schedule says the fill should be at ``ts_ns`` (``None``: no schedule)."""
        ...


class NullAlgo:
    """Sends nothing: the parent is worked by hand (``ExecutionEngine.submit_order``)."""

    name = "null"

    def check(self, parent: ParentOrder, params: AlgoParams) -> None:
        return None

    def on_start(self, ctx: AlgoContext) -> None:
        return None

    def on_timer(self, ctx: AlgoContext) -> None:
        return None

    def on_fill(self, ctx: AlgoContext, event: OrderFilled) -> None:
        return None

    def on_child_closed(self, ctx: AlgoContext, client_order_id: str) -> None:
        return None

    def on_market(self, ctx: AlgoContext, message: BookUpdate | TradePrint) -> None:
        return None

    def on_amend(self, ctx: AlgoContext) -> None:
        return None

    def on_resume(self, ctx: AlgoContext) -> None:
        return None

    def target_units(self, ctx: AlgoContext, ts_ns: int) -> int | None:
        return None


class ScheduleAlgo:
    """Shared scheduling framework: slices toward a cumulative target curve.

    Each tick (every ``slice_interval``, jittered by ``time_randomization``) the framework
    cancels stale passive children, aims at the target at the *next* tick, and sends the gap
    (``target − filled − working``; without ``catch_up`` at most this interval's increment),
    randomised by ``size_randomization``, split by ``max_child_quantity``, held back while
    below ``min_child_quantity`` (except a final remainder) and capped so that our share of
    market volume stays under ``max_participation``. At the end time it cancels what is
    working and, if it may take (and :attr:`sweep_at_end`), sends the rest as taking children.

    After an amendment the plan restarts from now with what is filled as its base, so the
    target curve re-spreads the new remainder over the new horizon.
    """

    name = "schedule"
    sweep_at_end = True

    def __init__(self) -> None:
        self._cancelling: set[str] = set()
        self._want = 0
        self._final = False
        self._plan_start = 0
        self._plan_base = 0

    # ---- the curve (subclasses) -------------------------------------------------------------------
    def fraction(self, ctx: AlgoContext, plan_start_ns: int, end_ns: int, ts_ns: int) -> float:
        """Share of the plan (from ``plan_start``) that should be done by ``ts_ns``, in [0, 1]."""
        raise NotImplementedError

    def prepare(self, ctx: AlgoContext) -> None:
        """(Re)compute the plan; called at start and after each amendment."""
        return None

    def target_units(self, ctx: AlgoContext, ts_ns: int) -> int | None:
        total = ctx.quantity_units
        if ts_ns >= ctx.end_ns:
            return total
        if ts_ns <= self._plan_start:
            return self._plan_base
        f = min(1.0, max(0.0, self.fraction(ctx, self._plan_start, ctx.end_ns, ts_ns)))
        return min(total, self._plan_base + round((total - self._plan_base) * f))

    def desired_units(self, ctx: AlgoContext, now_ns: int, next_ns: int) -> int:
        """Filled-plus-working quantity to aim at this tick (default: the target at the next tick)."""
        want = self.target_units(ctx, next_ns) or 0
        if not ctx.params.catch_up:
            step = want - (self.target_units(ctx, now_ns) or 0)
            want = min(want, ctx.filled_units + ctx.working_units + max(step, 0))
        return want

    def urgency(self, ctx: AlgoContext) -> Urgency:
        return Urgency.PASSIVE if ctx.params.passive_only else Urgency.TAKE

    # ---- hooks ------------------------------------------------------------------------------------
    def check(self, parent: ParentOrder, params: AlgoParams) -> None:
        return None

    def on_start(self, ctx: AlgoContext) -> None:
        self._plan_start = ctx.start_ns
        self._plan_base = 0
        self.prepare(ctx)
        self._tick(ctx)

    def on_timer(self, ctx: AlgoContext) -> None:
        self._tick(ctx)

    def on_fill(self, ctx: AlgoContext, event: OrderFilled) -> None:
        return None

    def on_child_closed(self, ctx: AlgoContext, client_order_id: str) -> None:
        if client_order_id not in self._cancelling:
            return
        self._cancelling.discard(client_order_id)
        if self._cancelling:
            return
        if self._final:
            self._sweep(ctx)
        else:
            self._send(ctx)

    def on_market(self, ctx: AlgoContext, message: BookUpdate | TradePrint) -> None:
        return None

    def on_amend(self, ctx: AlgoContext) -> None:
        self._plan_start = max(ctx.start_ns, ctx.now_ns())
        self._plan_base = ctx.filled_units
        self.prepare(ctx)
        self._final = False
        self._tick(ctx)

    def on_resume(self, ctx: AlgoContext) -> None:
        self._tick(ctx)

    # ---- framework --------------------------------------------------------------------------------
    def _next_tick(self, ctx: AlgoContext, now_ns: int) -> int:
        interval = ctx.params.slice_interval_ns
        jitter = ctx.params.time_randomization
        if jitter:
            interval = max(1, round(interval * (1.0 + ctx.rng.uniform(-jitter, jitter))))
        return min(ctx.end_ns, now_ns + interval)

    def _tick(self, ctx: AlgoContext) -> None:
        now = ctx.now_ns()
        if now < ctx.start_ns:
            ctx.wake_at(ctx.start_ns)
            return
        if now >= ctx.end_ns:
            self._end(ctx)
            return
        following = self._next_tick(ctx, now)
        self._want = self.desired_units(ctx, now, following)
        stale = [c.client_order_id for c in ctx.working_children() if c.urgency is Urgency.PASSIVE]
        self._cancelling = set(ctx.cancel_children(stale)) if stale else set()
        if not self._cancelling:
            self._send(ctx)
        ctx.wake_at(following)

    def _participation_room(self, ctx: AlgoContext) -> int | None:
        cap = ctx.params.max_participation
        if cap is None:
            return None
        allowed = math.floor(cap / (1.0 - cap) * ctx.market_units)
        return allowed - ctx.filled_units - ctx.working_units

    def _send(self, ctx: AlgoContext) -> None:
        need = min(self._want - ctx.filled_units - ctx.working_units, ctx.remaining_units)
        room = self._participation_room(ctx)
        if room is not None:
            need = min(need, room)
        if need <= 0:
            return
        params = ctx.params
        min_child = ctx.min_child_units
        remaining = ctx.remaining_units
        if need < min_child and need < remaining:
            return
        if params.size_randomization and need < remaining:
            r = params.size_randomization
            need = round(need * (1.0 + ctx.rng.uniform(-r, r)))
            need = max(min(need, remaining), min(min_child, remaining), 1)
        if remaining - need < min_child:
            need = remaining  # never leave a stub too small to trade
        if room is not None:
            need = min(need, room)
        self._split(ctx, need, self.urgency(ctx))

    def _split(self, ctx: AlgoContext, units: int, urgency: Urgency) -> None:
        params = ctx.params
        most = ctx.to_units(params.max_child_quantity) if params.max_child_quantity is not None else units
        most = max(most, 1)
        least = ctx.min_child_units
        while units > 0:
            size = min(units, most)
            if 0 < units - size < least:
                size = max(units - least, least) if units >= 2 * least else units
            if not ctx.send(size, urgency, ctx.parent.limit_price):
                return
            units -= size

    def _end(self, ctx: AlgoContext) -> None:
        self._final = True
        working = [c.client_order_id for c in ctx.working_children()]
        self._cancelling = set(ctx.cancel_children(working)) if working else set()
        if not self._cancelling:
            self._sweep(ctx)

    def _sweep(self, ctx: AlgoContext) -> None:
        if self.sweep_at_end and not ctx.params.passive_only and ctx.remaining_units > 0:
            units = ctx.remaining_units
            room = self._participation_room(ctx)
            if room is not None:
                units = min(units, room)
            if units > 0:
                self._split(ctx, units, Urgency.TAKE)
        ctx.finish()
