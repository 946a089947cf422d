"""The risk engine: every pre-trade check in a fixed order, runtime limits and the kill switch.

It implements :class:`~slipstream.risk.base.PreTradeCheck`, so ``ExecutionEngine(risk=...)``
calls :meth:`RiskEngine.check` before a child order goes out; :meth:`RiskEngine.check_parent`
judges a parent order before any child exists. Changes (new limits, kill switch) are decided by
``set_limits`` / ``engage_kill_switch`` / ``release_kill_switch``, which return journaled
events already applied; :meth:`RiskEngine.apply` is the one place state changes, and replay
calls exactly it (see :func:`slipstream.risk.commands.apply_risk_command`).

Check order (the first denial wins, so the reported reason is stable): kill switch, max loss,
venue down, expiry, trading hours, max quantity, max notional, fat finger, price band, open
orders, order rate, position/exposure.

Positions, exposures and open-order counts are running totals (:class:`ExposureBook`), not a
scan of every order: :meth:`RiskEngine.install` shows the book every event as the engine
journals it (before the loop dispatches it, so a check made in the same handler already sees
the orders sent just before) and every replayed event. Bound without an engine (:meth:`bind`),
the book is rebuilt from the OMS at each decision, as a scan would.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from slipstream.errors import ValidationError
from slipstream.model.events import Event
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ChildOrder, ParentOrder
from slipstream.model.risk_events import KillSwitchEngaged, KillSwitchReleased, RiskLimitsChanged
from slipstream.oms.manager import OrderManager
from slipstream.risk.base import RiskDenial
from slipstream.risk.checks import (
    Check,
    ExpiryCheck,
    FatFingerCheck,
    MaxOrderNotionalCheck,
    MaxOrderQuantityCheck,
    OrderRequest,
    PriceBandCheck,
    RiskContext,
    TradingHoursCheck,
)
from slipstream.risk.exposure import ExposureBook, total_pnl
from slipstream.risk.limits import RiskLimits
from slipstream.risk.limits_io import limits_from_dict, limits_to_dict
from slipstream.risk.position_checks import ExposureCheck, MaxLossCheck
from slipstream.risk.reasons import RiskReason as R
from slipstream.risk.references import ReferencePrices, ReferencePriceTable
from slipstream.risk.venue_checks import MaxOpenOrdersCheck, OrderRateCheck, VenueDownCheck, VenueGate

__all__ = ["KillSwitch", "RiskEngine"]


class _Clock(Protocol):
    def now_ns(self) -> int: ...


class KillSwitch:
    """Why and since when the kill switch is engaged."""

    __slots__ = ("reason", "source", "ts_ns")

    def __init__(self, event: KillSwitchEngaged) -> None:
        self.reason = event.reason
        self.source = event.source
        self.ts_ns = event.ts_ns


class RiskEngine:
    """Pre-trade risk of one engine shard.

    Args:
        limits: the limits in force at start (replaced at runtime by journaled events).
        oms: the order manager whose orders and positions are judged; see :meth:`bind`.
        clock: engine time (expiry, trading hours, order rate).
        references: reference prices (default: an empty :class:`ReferencePriceTable`).
        venue_gate: a venue circuit breaker (``is_open(venue)``) for ``VENUE_DOWN``.
    """

    def __init__(
        self,
        limits: RiskLimits | None = None,
        *,
        oms: OrderManager | None = None,
        clock: _Clock | None = None,
        references: ReferencePrices | None = None,
        venue_gate: VenueGate | None = None,
    ) -> None:
        self.limits = limits if limits is not None else RiskLimits()
        self.oms = oms
        self.clock = clock
        self.references: ReferencePrices = (
            references if references is not None else ReferencePriceTable(oms.instruments if oms else None)
        )
        self.kill_switch: KillSwitch | None = None
        self.rate = OrderRateCheck()
        self.exposures = ExposureBook()
        self._venue_down = VenueDownCheck(venue_gate)
        self._head: tuple[Check, ...] = (MaxLossCheck(), self._venue_down, ExpiryCheck(), TradingHoursCheck(),
                                         MaxOrderQuantityCheck(), MaxOrderNotionalCheck(), FatFingerCheck(),
                                         PriceBandCheck(), MaxOpenOrdersCheck(self.exposures), self.rate,
                                         ExposureCheck(self.exposures))

    # ---- wiring --------------------------------------------------------------------------------
    def bind(self, oms: OrderManager, clock: _Clock) -> RiskEngine:
        """Read orders and positions from ``oms`` and time from ``clock`` (an engine's).

        Nothing tells the exposure totals of changes then, so they are rebuilt at each decision
        (O(orders)); :meth:`install` makes them incremental.
        """
        self.oms = oms
        self.clock = clock
        self.exposures.track(False)
        if isinstance(self.references, ReferencePriceTable):
            self.references.instruments = oms.instruments
        return self

    def install(self, engine: _HasOmsAndLoop) -> RiskEngine:
        """Bind to an :class:`~slipstream.engine.execution.ExecutionEngine` and become its risk.

        The exposure totals then follow the engine's journal: every event is shown to them as
        it is journaled (``on_journaled``) and as it is replayed (``on_replay``).
        """
        self.bind(engine.oms, engine.loop.clock)
        engine.risk = self
        on_replay = getattr(engine, "on_replay", None)
        if on_replay is not None:  # limits and kill switch come back with the journal
            on_replay(self.apply)
            on_replay(self.exposures.observe)
        on_journaled = getattr(engine, "on_journaled", None)
        if on_journaled is not None:  # running exposure totals follow each event as it is written
            on_journaled(self.exposures.observe)
            self.exposures.track()
        return self

    @property
    def venue_gate(self) -> VenueGate | None:
        return self._venue_down.gate

    @venue_gate.setter
    def venue_gate(self, gate: VenueGate | None) -> None:
        self._venue_down.gate = gate

    # ---- checks --------------------------------------------------------------------------------
    def _context(self) -> RiskContext:
        if self.oms is None or self.clock is None:
            raise ValidationError("risk engine is not bound to an order manager and clock (call bind)")
        self.exposures.sync(self.oms)
        return RiskContext(self.limits, self.clock.now_ns(), self.references, self.oms)

    def _run(self, request: OrderRequest, context: RiskContext) -> RiskDenial | None:
        if self.kill_switch is not None:
            return RiskDenial.of(R.KILL_SWITCH, source=self.kill_switch.source, reason=self.kill_switch.reason)
        for check in self._head:
            denial = check.check(request, context)
            if denial is not None:
                return denial
        return None

    def check(self, order: ChildOrder, instrument: Instrument) -> RiskDenial | None:
        """Judge a child order; an approved order counts towards its venue's order rate.

        Raises:
            ValidationError: the engine is not bound (see :meth:`bind`).
        """
        context = self._context()
        denial = self._run(OrderRequest.from_child(order, instrument), context)
        if denial is None:
            self.rate.record(order.venue, context.now_ns)
        return denial

    def check_parent(self, parent: ParentOrder) -> RiskDenial | None:
        """Judge a parent order as one order on each venue listing its symbol (venues sorted);
        the first denial wins. Quantity is the parent's full quantity, priced at its limit (or
        the reference).

        Raises:
            ValidationError: the engine is not bound.
        """
        context = self._context()
        assert self.oms is not None
        instruments = [i for (_, symbol), i in sorted(self.oms.instruments.items()) if symbol == parent.symbol]
        if not instruments:
            return RiskDenial.of(R.UNKNOWN_INSTRUMENT, symbol=parent.symbol)
        for instrument in instruments:
            request = OrderRequest(
                order_id=parent.parent_id,
                account=parent.account,
                instrument=instrument,
                side=parent.side,
                quantity=parent.quantity,
                price=parent.limit_price,
                is_parent=True,
            )
            denial = self._run(request, context)
            if denial is not None:
                return denial
        return None

    def pnl(self) -> Decimal:
        """Portfolio realised + unrealised PnL (quote currency, before fees)."""
        context = self._context()
        return total_pnl(context.oms.portfolio.positions.values(), self.references)

    # ---- runtime changes (decide, apply, return the events to journal) -------------------------
    def set_limits(self, limits: RiskLimits, ts_ns: int, reason: str = "") -> list[Event]:
        """Replace every limit. Returns the applied :class:`RiskLimitsChanged`."""
        event = RiskLimitsChanged(ts_ns=ts_ns, config=limits_to_dict(limits), reason=reason)
        self.apply(event)
        return [event]

    def engage_kill_switch(self, reason: str, ts_ns: int, source: str = "manual") -> list[Event]:
        """Refuse every new order from now on (no-op if already engaged).

        Raises:
            ValidationError: ``reason`` is empty.
        """
        if not reason:
            raise ValidationError("a kill switch needs a reason")
        if self.kill_switch is not None:
            return []
        event = KillSwitchEngaged(ts_ns=ts_ns, reason=reason, source=source)
        self.apply(event)
        return [event]

    def release_kill_switch(self, reason: str, ts_ns: int) -> list[Event]:
        """Allow orders again (no-op if not engaged)."""
        if self.kill_switch is None:
            return []
        event = KillSwitchReleased(ts_ns=ts_ns, reason=reason)
        self.apply(event)
        return [event]

    def check_loss(self, ts_ns: int) -> list[Event]:
        """Engage the kill switch (source ``max_loss``) if the loss limit is reached."""
        limit = self.limits.max_loss
        if limit is None or self.kill_switch is not None:
            return []
        pnl = self.pnl()
        if pnl > -limit:
            return []
        return self.engage_kill_switch(f"pnl={pnl} limit={limit}", ts_ns, source="max_loss")

    # ---- apply (live and replay) ----------------------------------------------------------------
    def apply(self, event: Event) -> None:
        """Apply one journaled risk event; other events are ignored (they belong to the OMS).

        Raises:
            ValidationError: a journaled limit config no longer parses.
        """
        if isinstance(event, RiskLimitsChanged):
            self.limits = limits_from_dict(event.config)
        elif isinstance(event, KillSwitchEngaged):
            self.kill_switch = KillSwitch(event)
        elif isinstance(event, KillSwitchReleased):
            self.kill_switch = None

    def replay(self, events: Iterable[Event]) -> None:
        for event in events:
            self.apply(event)


class _Loop(Protocol):
    @property
    def clock(self) -> _Clock: ...


class _HasOmsAndLoop(Protocol):
    oms: OrderManager
    risk: object

    @property
    def loop(self) -> _Loop: ...
