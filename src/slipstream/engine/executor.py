"""Runs execution algorithms inside the engine: one :class:`AlgoEngine` component per engine,
one run per parent order.

The component subscribes to timers, the OMS's journaled events (the engine must publish them)
and market data; it gives each algo a context (time, seeded randomness, the parent's progress,
a market view), turns the algo's child intents into venue orders through an
:class:`IntentRouter`, and sends them through the engine (so risk, OMS and journal apply as to
any order). Desk control — pause, resume, cancel, amend — is journaled as algo events
(:mod:`slipstream.model.algo_events`) next to the OMS events.

Assumptions: child ids are ``f"{parent_id}-{n}"`` in sending order (deterministic); the parent's
limit is enforced here whatever the router returns; pausing cancels the working children and a
resumed schedule catches up on the original plan; an amended quantity is applied to the OMS's
parent state directly (the OMS does not yet apply :class:`ParentOrderAmended` on replay).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Protocol

import msgspec
import numpy as np

from slipstream.algos.base import ExecutionAlgo, WorkingChild
from slipstream.algos.params import AlgoParams, resolve_end_ns, validate, venue_minimum
from slipstream.engine.loop import TimerFired
from slipstream.errors import InstrumentError, ValidationError
from slipstream.model.algo_events import (
    AlgoFinished,
    AlgoStarted,
    ParentOrderPaused,
    ParentOrderResumed,
)
from slipstream.model.enums import OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.events import Event, OrderCanceled, OrderDenied, OrderExpired, OrderFilled, OrderRejected
from slipstream.model.feed import BookUpdate, TradePrint
from slipstream.model.instruments import Instrument
from slipstream.model.intents import ChildIntent, Urgency
from slipstream.model.orders import ChildOrder, ParentOrder

if TYPE_CHECKING:
    from slipstream.engine.execution import ExecutionEngine

__all__ = ["AlgoEngine", "AlgoState", "IntentRouter", "MarketView", "ParentStatus", "TopOfBookRouter"]


class AlgoState(str, Enum):
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


class ParentStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A parent's progress at one moment, in base-asset quantities.

    ``deviation`` is ``filled − target`` (positive: ahead of schedule) and
    ``deviation_fraction`` the same as a share of the quantity; both ``None`` without a schedule.
    """

    parent_id: str
    algo: str
    state: AlgoState
    ts_ns: int
    quantity: Decimal
    filled: Decimal
    working: Decimal
    remaining: Decimal
    target: Decimal | None
    deviation: Decimal | None
    deviation_fraction: float | None
    children: int


class MarketView:
    """Latest book per (venue, symbol) and other participants' traded volume per symbol."""

    def __init__(self, instruments: Mapping[tuple[str, str], Instrument]) -> None:
        self.instruments = instruments
        self.books: dict[str, dict[str, BookUpdate]] = {}
        self.volume: dict[str, Decimal] = {}

    def on_book(self, update: BookUpdate) -> None:
        self.books.setdefault(update.symbol, {})[update.venue] = update

    def on_print(self, trade: TradePrint) -> None:
        instrument = self.instruments.get((trade.venue, trade.symbol))
        if instrument is None or trade.ours:
            return
        self.volume[trade.symbol] = self.volume.get(trade.symbol, Decimal(0)) + instrument.lot_size * trade.lots

    def _best(self, symbol: str, bid: bool) -> tuple[Decimal, str, int] | None:
        """(price, venue, price units) of the best bid or ask; ties go to the first venue by name."""
        best: tuple[Decimal, str, int] | None = None
        for venue, book in sorted(self.books.get(symbol, {}).items()):
            instrument = self.instruments.get((venue, symbol))
            units = book.best_bid if bid else book.best_ask
            if instrument is None or units is None:
                continue
            price = instrument.units_to_price(units)
            if best is None or (price > best[0] if bid else price < best[0]):
                best = (price, venue, units)
        return best

    def best_bid(self, symbol: str) -> tuple[Decimal, str, int] | None:
        return self._best(symbol, bid=True)

    def best_ask(self, symbol: str) -> tuple[Decimal, str, int] | None:
        return self._best(symbol, bid=False)


class IntentRouter(Protocol):
    """WHERE: turns one child intent into venue orders (ids are reassigned by the executor)."""

    def orders_for(self, intent: ChildIntent, now_ns: int) -> list[ChildOrder]: ...


class TopOfBookRouter:
    """Default router: the whole intent to one venue, chosen on the latest top of book.

    TAKE: IOC limit at the best opposite touch (lowest ask for a buy) plus ``slippage_units``
    price units, never through the intent's limit. PASSIVE: post-only at the best same-side
    touch (highest bid for a buy), or at the limit when that is further from the market.
    Sizes are truncated to whole lots; an order a venue's minimums refuse is not sent.
    """

    def __init__(self, market: MarketView, slippage_units: int = 0) -> None:
        self.market = market
        self.slippage_units = slippage_units

    def orders_for(self, intent: ChildIntent, now_ns: int) -> list[ChildOrder]:
        buy = intent.side is Side.BUY
        take = intent.urgency is Urgency.TAKE
        quote = (self.market.best_ask if buy == take else self.market.best_bid)(intent.symbol)
        if quote is None:
            return []
        _, venue, touch = quote
        instrument = self.market.instruments[(venue, intent.symbol)]
        limit = None
        if intent.limit_price is not None:
            limit = instrument.price_to_units(intent.limit_price, "down" if buy else "up")
        if take:
            price = touch + self.slippage_units if buy else touch - self.slippage_units
            if limit is not None:
                price = min(price, limit) if buy else max(price, limit)
                if (buy and price < touch) or (not buy and price > touch):
                    return []
        else:
            price = touch if limit is None else (min(touch, limit) if buy else max(touch, limit))
        lots = int(intent.quantity / instrument.lot_size)
        try:
            instrument.check_order(price, lots)
        except InstrumentError:
            return []
        return [
            ChildOrder(
                client_order_id=intent.intent_id,
                venue=venue,
                symbol=intent.symbol,
                side=intent.side,
                lots=lots,
                order_type=OrderType.LIMIT if take else OrderType.POST_ONLY,
                time_in_force=TimeInForce.IOC if take else TimeInForce.GTC,
                price_units=price,
                parent_id=intent.parent_id,
            )
        ]


class _Run:
    """One parent's algo run; it is the :class:`~slipstream.algos.base.AlgoContext` of its algo."""

    def __init__(self, owner: AlgoEngine, parent: ParentOrder, algo: ExecutionAlgo, params: AlgoParams, end: int):
        self._owner = owner
        self._parent = parent
        self.algo = algo
        self._params = params
        self._end = end
        self.state = AlgoState.RUNNING
        self.finishing = False
        self.open: dict[str, Urgency] = {}
        self.sent = 0
        self.timer: str | None = None
        self.timer_seq = 0
        self.market_base: Decimal | None = None
        self._rng = owner.engine.loop.rng_for(f"algo:{parent.parent_id}")
        self._units = owner.engine.oms.parents[parent.parent_id]

    # ---- AlgoContext ------------------------------------------------------------------------------
    @property
    def parent(self) -> ParentOrder:
        return self._parent

    @property
    def params(self) -> AlgoParams:
        return self._params

    @property
    def start_ns(self) -> int:
        return self._parent.start_ts_ns

    @property
    def end_ns(self) -> int:
        return self._end

    @property
    def rng(self) -> np.random.Generator:
        return self._rng

    @property
    def quantity_units(self) -> int:
        return self._parent.quantity_units

    @property
    def filled_units(self) -> int:
        return self._units.filled_units

    @property
    def working_units(self) -> int:
        return self._units.working_units

    @property
    def remaining_units(self) -> int:
        return self._parent.quantity_units - self._units.filled_units - self._units.working_units

    @property
    def market_units(self) -> int:
        if self.market_base is None:
            return 0
        volume = self._owner.market.volume.get(self._parent.symbol, Decimal(0)) - self.market_base
        return int(volume / self._parent.quantity_unit)

    def now_ns(self) -> int:
        return self._owner.engine.now_ns

    def best_bid(self) -> Decimal | None:
        best = self._owner.market.best_bid(self._parent.symbol)
        return None if best is None else best[0]

    def best_ask(self) -> Decimal | None:
        best = self._owner.market.best_ask(self._parent.symbol)
        return None if best is None else best[0]

    @property
    def min_child_units(self) -> int:
        params_min = self._params.min_child_quantity
        least = self.to_units(params_min) if params_min is not None else 1
        bid, ask = self.best_bid(), self.best_ask()
        price = ask if self._parent.side is Side.BUY else bid
        instruments = self._owner._instruments(self._parent.symbol)
        if instruments:
            venue_min = min(venue_minimum(i, price) for i in instruments)
            least = max(least, int(-(-venue_min // self._parent.quantity_unit)))
        return max(1, least)

    def to_units(self, quantity: Decimal) -> int:
        return int(quantity / self._parent.quantity_unit)

    def send(self, units: int, urgency: Urgency, limit_price: Decimal | None = None) -> list[str]:
        return self._owner._send(self, units, urgency, limit_price)

    def cancel_children(self, client_order_ids: Sequence[str] | None = None) -> list[str]:
        ids = list(self.open) if client_order_ids is None else [c for c in client_order_ids if c in self.open]
        for coid in ids:
            self._owner.engine.cancel_order(coid)
        return ids

    def working_children(self) -> list[WorkingChild]:
        out = []
        orders = self._owner.engine.oms.orders
        for coid, urgency in self.open.items():
            state = orders[coid]
            price = None if state.price_units is None else state.instrument.units_to_price(state.price_units)
            units = state.working_lots * state.units_per_lot
            out.append(WorkingChild(client_order_id=coid, units=units, urgency=urgency, price=price))
        return out

    def child_status(self, client_order_id: str) -> OrderStatus:
        return self._owner.engine.oms.orders[client_order_id].status

    def wake_at(self, ts_ns: int) -> None:
        self._owner._wake(self, ts_ns)

    def finish(self) -> None:
        self.finishing = True

    # ---- executor side -------------------------------------------------------------------------------
    def amend(self, parent: ParentOrder, end: int) -> None:
        self._parent = parent
        self._end = end


class AlgoEngine:
    """The component that runs execution algorithms for the engine's parent orders.

    Args:
        engine: the execution engine (must publish its journaled events on the loop).
        router: turns intents into venue orders (default :class:`TopOfBookRouter`).
        take_slippage_units: price units the default router may pay beyond the touch when
            taking (a quote seen a moment ago may have moved).

    Raises:
        ValidationError: the engine does not publish its events.
    """

    def __init__(
        self, engine: ExecutionEngine, router: IntentRouter | None = None, *, take_slippage_units: int = 0
    ) -> None:
        if not engine.publish_events:
            raise ValidationError("the algo engine needs an ExecutionEngine with publish_events=True")
        self.engine = engine
        self.market = MarketView(engine.oms.instruments)
        self.router: IntentRouter = (
            router if router is not None else TopOfBookRouter(self.market, take_slippage_units)
        )
        self.runs: dict[str, _Run] = {}
        self._by_symbol: dict[str, dict[str, _Run]] = {}  # runs per parent symbol, in start order
        # Optional router hook: told each child's final id (e.g. to journal its expected cost).
        self._child_sent: Callable[[str, ChildOrder], None] | None = getattr(self.router, "child_sent", None)
        self._by_child: dict[str, _Run] = {}
        self._by_timer: dict[str, _Run] = {}
        loop = engine.loop
        loop.subscribe(TimerFired, self._on_timer)
        loop.subscribe(OrderFilled, self._on_fill)
        for closing in (OrderCanceled, OrderExpired, OrderRejected, OrderDenied):
            loop.subscribe(closing, self._on_order_event)
        loop.subscribe(BookUpdate, self._on_book)
        loop.subscribe(TradePrint, self._on_print)

    # ---- journaling ----------------------------------------------------------------------------------
    def _journal(self, *events: Event) -> None:
        self.engine.record(events)

    # ---- commands ------------------------------------------------------------------------------------
    def start(self, parent: ParentOrder, algo: ExecutionAlgo, params: AlgoParams | None = None) -> ParentStatus:
        """Validate, register and start working ``parent`` with ``algo``; durable on return.

        Raises:
            ValidationError: a parameter, the parent or the algo's own requirements are invalid
                (nothing is recorded), or the parent id is already running.
        """
        params = params if params is not None else AlgoParams()
        if parent.parent_id in self.runs:
            raise ValidationError(f"parent {parent.parent_id} already has an algo")
        bid, ask = self.market.best_bid(parent.symbol), self.market.best_ask(parent.symbol)
        end = validate(
            parent,
            params,
            self._instruments(parent.symbol),
            now_ns=self.engine.now_ns,
            best_bid=None if bid is None else bid[0],
            best_ask=None if ask is None else ask[0],
        )
        algo.check(parent, params)
        check_parent = getattr(self.engine.risk, "check_parent", None)  # parent-level pre-trade risk
        if check_parent is not None:
            denial = check_parent(parent)
            if denial is not None:
                raise ValidationError(f"risk denied parent {parent.parent_id}: {denial.code} {denial.detail}".rstrip())
        self.engine.submit_parent(parent)
        self._journal(
            AlgoStarted(ts_ns=self.engine.now_ns, parent_id=parent.parent_id, algo=algo.name, params=params.encode())
        )
        run = _Run(self, parent, algo, params, end)
        self._add_run(parent.parent_id, run)
        if self.engine.now_ns >= parent.start_ts_ns:
            run.market_base = self.market.volume.get(parent.symbol, Decimal(0))
        algo.on_start(run)
        self._settle(run)
        return self.status(parent.parent_id)

    def restore(
        self,
        parent_id: str,
        algo: ExecutionAlgo,
        params: AlgoParams,
        *,
        state: AlgoState = AlgoState.RUNNING,
        amended: bool = False,
    ) -> ParentStatus:
        """Re-attach ``algo`` to a parent the OMS rebuilt from the journal (crash recovery);
        journals nothing itself. Call it after replay and reconciliation, so the OMS holds the truth.

        Every child already created is bound to the run (late fills still reach it), the working
        ones count as open, and the child counter continues after them, so no client order id is
        ever reused. A running parent then starts again from what is truly filled and working:
        ``on_start`` (the schedule catches up on its original plan) or, after an amendment,
        ``on_amend`` (the remainder is re-planned from now, as the live amendment did).
        Assumptions: a child's urgency is read from its order (IOC/FOK/market: take, else
        passive); market volume seen before the crash is not restored (POV counts from now).

        Raises:
            ValidationError: unknown parent, or the parent already has an algo.
        """
        units = self.engine.oms.parents.get(parent_id)
        if units is None:
            raise ValidationError(f"unknown parent order {parent_id}")
        if parent_id in self.runs:
            raise ValidationError(f"parent {parent_id} already has an algo")
        parent = units.parent
        end = parent.end_ts_ns if parent.end_ts_ns is not None else resolve_end_ns(parent, params)
        run = _Run(self, parent, algo, params, end)
        run.state = state
        run.sent = len(units.children)
        orders = self.engine.oms.orders
        for coid in units.children:
            self._by_child[coid] = run
            child = orders[coid]
            if not child.status.is_terminal:
                order = child.order
                taking = order.order_type is OrderType.MARKET or order.time_in_force in (TimeInForce.IOC,
                                                                                         TimeInForce.FOK)
                run.open[coid] = Urgency.TAKE if taking else Urgency.PASSIVE
        self._add_run(parent_id, run)
        if self.engine.now_ns >= parent.start_ts_ns:
            run.market_base = self.market.volume.get(parent.symbol, Decimal(0))
        if state is AlgoState.RUNNING:
            (algo.on_amend if amended else algo.on_start)(run)
            self._settle(run)
        return self.status(parent_id)

    def pause(self, parent_id: str, reason: str = "") -> ParentStatus:
        """Stop sending and cancel the working children (journaled).

        Raises:
            ValidationError: unknown parent, or not running.
        """
        run = self._run(parent_id, AlgoState.RUNNING)
        self._journal(ParentOrderPaused(ts_ns=self.engine.now_ns, parent_id=parent_id, reason=reason))
        run.state = AlgoState.PAUSED
        self._stop_timer(run)
        run.cancel_children()
        return self.status(parent_id)

    def resume(self, parent_id: str) -> ParentStatus:
        """Continue a paused parent on its original schedule (journaled).

        Raises:
            ValidationError: unknown parent, or not paused.
        """
        run = self._run(parent_id, AlgoState.PAUSED)
        self._journal(ParentOrderResumed(ts_ns=self.engine.now_ns, parent_id=parent_id))
        run.state = AlgoState.RUNNING
        run.algo.on_resume(run)
        self._settle(run)
        return self.status(parent_id)

    def cancel(self, parent_id: str, reason: str = "") -> ParentStatus:
        """Stop the parent and cancel its children; the status reports what was filled.

        Raises:
            ValidationError: unknown parent, or already done or cancelled.
        """
        run = self._run(parent_id, AlgoState.RUNNING, AlgoState.PAUSED)
        self.engine.cancel_parent(parent_id, reason)
        run.state = AlgoState.CANCELLED
        self._stop_timer(run)
        self._finished(run)
        return self.status(parent_id)

    def amend(
        self,
        parent_id: str,
        *,
        quantity: Decimal | None = None,
        limit_price: Decimal | None = None,
        end_ts_ns: int | None = None,
        reason: str = "",
    ) -> ParentStatus:
        """Change quantity, limit or end time of a running or paused parent (journaled).

        Working children are cancelled and the algo re-plans the rest over the new horizon.

        Raises:
            ValidationError: unknown or finished parent, a quantity below what is filled, or a
                new spec that :func:`~slipstream.algos.params.validate` refuses.
        """
        run = self._run(parent_id, AlgoState.RUNNING, AlgoState.PAUSED)
        old = run.parent
        filled = old.quantity_unit * run.filled_units
        if quantity is not None and quantity < filled:
            raise ValidationError(f"{parent_id}: new quantity {quantity} is below the filled {filled}")
        new = msgspec.structs.replace(
            old,
            quantity=old.quantity if quantity is None else quantity,
            limit_price=old.limit_price if limit_price is None else limit_price,
            end_ts_ns=run.end_ns if end_ts_ns is None else end_ts_ns,
        )
        bid, ask = self.market.best_bid(new.symbol), self.market.best_ask(new.symbol)
        params = msgspec.structs.replace(run.params, duration=None)
        end = validate(
            new, params, (), now_ns=self.engine.now_ns,
            best_bid=None if bid is None else bid[0], best_ask=None if ask is None else ask[0],
        )
        self.engine.record(self.engine.oms.amend_parent(new, self.engine.now_ns, reason))
        run.amend(new, end)
        run.cancel_children()
        run.finishing = False
        if run.state is AlgoState.RUNNING:
            run.algo.on_amend(run)
            self._settle(run)
        return self.status(parent_id)

    def status(self, parent_id: str) -> ParentStatus:
        """Filled, working, remaining, schedule target and deviation now.

        Raises:
            ValidationError: unknown parent.
        """
        run = self._run(parent_id)
        unit = run.parent.quantity_unit
        now = self.engine.now_ns
        target = None if run.state is AlgoState.CANCELLED else run.algo.target_units(run, now)
        quantity = run.quantity_units
        return ParentStatus(
            parent_id=parent_id,
            algo=run.algo.name,
            state=run.state,
            ts_ns=now,
            quantity=run.parent.quantity,
            filled=unit * run.filled_units,
            working=unit * run.working_units,
            remaining=unit * max(0, run.remaining_units),
            target=None if target is None else unit * target,
            deviation=None if target is None else unit * (run.filled_units - target),
            deviation_fraction=None if target is None else (run.filled_units - target) / quantity,
            children=run.sent,
        )

    # ---- internals ------------------------------------------------------------------------------------
    def _instruments(self, symbol: str) -> list[Instrument]:
        return [i for (_, s), i in sorted(self.engine.oms.instruments.items()) if s == symbol]

    def _add_run(self, parent_id: str, run: _Run) -> None:
        self.runs[parent_id] = run
        self._by_symbol.setdefault(run.parent.symbol, {})[parent_id] = run  # an amend keeps the symbol

    def _run(self, parent_id: str, *states: AlgoState) -> _Run:
        run = self.runs.get(parent_id)
        if run is None:
            raise ValidationError(f"no algo runs parent {parent_id}")
        if states and run.state not in states:
            raise ValidationError(f"parent {parent_id} is {run.state.value}")
        return run

    def _send(self, run: _Run, units: int, urgency: Urgency, limit: Decimal | None) -> list[str]:
        if run.state is not AlgoState.RUNNING:
            return []
        units = min(units, run.remaining_units)
        if units <= 0:
            return []
        parent = run.parent
        buy = parent.side is Side.BUY
        if parent.limit_price is not None:
            limit = parent.limit_price if limit is None else (min if buy else max)(limit, parent.limit_price)
        pid = parent.parent_id
        intent = ChildIntent(
            intent_id=f"{pid}-{run.sent}",
            parent_id=pid,
            symbol=parent.symbol,
            side=parent.side,
            quantity=parent.quantity_unit * units,
            urgency=urgency,
            limit_price=limit,
        )
        sent: list[str] = []
        budget = units
        for order in self.router.orders_for(intent, self.engine.now_ns):
            instrument = self.engine.oms.instruments.get((order.venue, order.symbol))
            if instrument is None or order.side is not parent.side:
                continue
            per_lot = int(instrument.lot_size / parent.quantity_unit)
            lots = min(order.lots, budget // per_lot if per_lot else 0)
            if lots <= 0 or not self._within_limit(order, instrument, limit):
                continue
            coid = f"{pid}-{run.sent}"
            original_id = order.client_order_id
            order = msgspec.structs.replace(order, client_order_id=coid, parent_id=pid, account=parent.account,
                                            lots=lots)
            try:
                self.engine.submit_order(order)
            except ValidationError:
                continue  # the OMS refused it (e.g. a venue minimum): nothing was recorded
            if self._child_sent is not None:
                self._child_sent(original_id, order)
            run.sent += 1
            budget -= lots * per_lot
            run.open[coid] = urgency
            self._by_child[coid] = run
            sent.append(coid)
        return sent

    @staticmethod
    def _within_limit(order: ChildOrder, instrument: Instrument, limit: Decimal | None) -> bool:
        if limit is None:
            return True
        if order.price_units is None:
            return False  # a market order could trade through the limit
        price = instrument.units_to_price(order.price_units)
        return price <= limit if order.side is Side.BUY else price >= limit

    def _wake(self, run: _Run, ts_ns: int) -> None:
        self._stop_timer(run)
        run.timer_seq += 1
        name = f"algo:{run.parent.parent_id}:{run.timer_seq}"
        run.timer = name
        self._by_timer[name] = run
        self.engine.loop.set_timer(name, ts_ns)

    def _stop_timer(self, run: _Run) -> None:
        if run.timer is not None:
            self.engine.loop.cancel_timer(run.timer)
            self._by_timer.pop(run.timer, None)
            run.timer = None

    def _settle(self, run: _Run) -> None:
        """Mark the run done once it is filled, or finished with nothing working."""
        if run.state is not AlgoState.RUNNING:
            return
        if run.filled_units >= run.quantity_units or (run.finishing and not run.open):
            run.state = AlgoState.DONE
            self._stop_timer(run)
            run.cancel_children()
            self._finished(run)

    def _finished(self, run: _Run) -> None:
        self._journal(
            AlgoFinished(
                ts_ns=self.engine.now_ns,
                parent_id=run.parent.parent_id,
                state=run.state.value,
                filled_units=run.filled_units,
                remaining_units=max(0, run.quantity_units - run.filled_units),
            )
        )

    # ---- loop handlers ------------------------------------------------------------------------------
    def _on_timer(self, timer: TimerFired) -> None:
        run = self._by_timer.pop(timer.name, None)
        if run is None or run.timer != timer.name:
            return
        run.timer = None
        if run.state is not AlgoState.RUNNING:
            return
        if run.market_base is None and self.engine.now_ns >= run.start_ns:
            run.market_base = self.market.volume.get(run.parent.symbol, Decimal(0))
        run.algo.on_timer(run)
        self._settle(run)

    def _closed(self, run: _Run, coid: str) -> bool:
        if coid in run.open and self.engine.oms.orders[coid].status.is_terminal:
            del run.open[coid]
            return True
        return False

    def _on_fill(self, event: OrderFilled) -> None:
        run = self._by_child.get(event.client_order_id)
        if run is None:
            return
        closed = self._closed(run, event.client_order_id)
        if run.state is AlgoState.RUNNING:
            run.algo.on_fill(run, event)
            if closed:
                run.algo.on_child_closed(run, event.client_order_id)
            self._settle(run)

    def _on_order_event(self, event: OrderCanceled | OrderExpired | OrderRejected | OrderDenied) -> None:
        run = self._by_child.get(event.client_order_id)
        if run is None or not self._closed(run, event.client_order_id):
            return
        if run.state is AlgoState.RUNNING:
            run.algo.on_child_closed(run, event.client_order_id)
            self._settle(run)

    def _on_book(self, update: BookUpdate) -> None:
        self.market.on_book(update)
        self._market(update.symbol, update)

    def _on_print(self, trade: TradePrint) -> None:
        self.market.on_print(trade)
        self._market(trade.symbol, trade)

    def _market(self, symbol: str, message: BookUpdate | TradePrint) -> None:
        runs = self._by_symbol.get(symbol)
        if not runs:
            return
        for run in list(runs.values()):  # only this symbol's parents: O(their runs), not O(all runs)
            if run.state is AlgoState.RUNNING:
                run.algo.on_market(run, message)
                self._settle(run)
