"""Works multi-leg parent orders on the :class:`~slipstream.engine.executor.AlgoEngine`: one
child parent per leg, each with its own algo, kept within a legging-risk limit.

The limit is enforced twice. Pre-trade, every leg's algo works through a gated context whose
``send`` is clipped to :func:`~slipstream.algos.multileg.headroom` — the most the leg may add
while the worst case over every way the working orders could fill stays within the limit — so the
limit holds at every fill, whatever the algos do (at the deltas of the moment: a market move can
push the exposure over, after which only the lagging legs may trade). For control, after every
fill of a strategy, a leg that could not send even its smallest order is paused on the algo engine
(:class:`~slipstream.model.strategy_events.LegPaused`, its working orders cancelled), and resumed
once the others have caught up half its allowance (:class:`LegResumed`).

A leg whose algo finishes its horizon short while held back keeps taking, within the limit, for
``completion_grace`` so the strategy ends in ratio; past that it stops short, the legs still held
are cancelled and the strategy finishes ``incomplete``.

Combos: a venue that lists the package as one instrument would take it in one order. A venue
advertises that with a ``supports_combos`` attribute; none of slipstream's venues (simulated or
live) does, and the order model has no combo order, so ``auto`` strategies are legged (the reason
is journaled in :class:`StrategyStarted`) and ``combo`` strategies are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import Enum

import msgspec

from slipstream.algos.base import ExecutionAlgo
from slipstream.algos.multileg import (
    ExecutionStyle,
    LegFill,
    LeggedAlgo,
    StrategySpec,
    headroom,
    imbalance,
    legging_delta,
)
from slipstream.algos.params import AlgoParams, to_ns, validate, venue_minimum
from slipstream.algos.twap import TwapAlgo
from slipstream.engine.delta_hedge import DeltaModel
from slipstream.engine.executor import AlgoEngine, AlgoState
from slipstream.errors import ValidationError
from slipstream.model.algo_events import AlgoFinished
from slipstream.model.enums import Side
from slipstream.model.events import Event, OrderFilled
from slipstream.model.instruments import Instrument
from slipstream.model.orders import ParentOrder
from slipstream.model.strategy_events import (
    LegPaused,
    LegResumed,
    StrategyCancelled,
    StrategyFinished,
    StrategyPaused,
    StrategyResumed,
    StrategyStarted,
    model_decimal,
)

__all__ = ["LegStatus", "MultiLegEngine", "StrategyState", "StrategyStatus"]

_LIVE = (AlgoState.RUNNING, AlgoState.PAUSED)


class StrategyState(str, Enum):
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    INCOMPLETE = "incomplete"
    CANCELLED = "cancelled"


_ACTIVE = (StrategyState.RUNNING, StrategyState.PAUSED)


class LegStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One leg now; ``held`` when the legging limit paused it."""

    parent_id: str
    symbol: str
    side: str
    ratio: int
    quantity: Decimal
    filled: Decimal
    working: Decimal
    progress: float
    state: str
    held: bool


class StrategyStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A strategy now: its legs, the filled imbalance and the unmatched legs' delta (``None``
    without a delta model or price)."""

    strategy_id: str
    name: str
    state: StrategyState
    mode: str
    ts_ns: int
    legs: tuple[LegStatus, ...]
    imbalance: float
    legging_delta: float | None


class _Strategy:
    def __init__(self, spec: StrategySpec, instruments: list[Instrument], mode: str) -> None:
        self.spec = spec
        self.instruments = instruments
        self.mode = mode
        self.parent_ids = [spec.leg_id(k) for k in range(len(spec.legs))]
        self.quantities = [spec.leg_parent(k).quantity_units for k in range(len(spec.legs))]
        self.held = [False] * len(spec.legs)
        self.allowance = [0] * len(spec.legs)
        self.gates: list[LeggedAlgo] = []
        self.state = StrategyState.RUNNING

    def live(self) -> bool:
        return self.state in _ACTIVE


class MultiLegEngine:
    """Starts, gates and controls multi-leg strategies on an algo engine.

    Args:
        algos: the algo engine that works each leg.
        deltas: per-contract deltas (required for a ``max_net_delta`` limit; reported otherwise).
    """

    def __init__(self, algos: AlgoEngine, deltas: DeltaModel | None = None) -> None:
        self.algos = algos
        self.deltas = deltas
        self.strategies: dict[str, _Strategy] = {}
        self._by_parent: dict[str, tuple[_Strategy, int]] = {}
        loop = algos.engine.loop
        loop.subscribe(OrderFilled, self._on_fill)
        loop.subscribe(AlgoFinished, self._on_leg_finished)

    # ---- commands ------------------------------------------------------------------------------------
    def combo_venue(self, spec: StrategySpec) -> str | None:
        """The first venue (by name) that supports combos and lists every leg, if any."""
        symbols = {leg.symbol for leg in spec.legs}
        for venue_id, venue in sorted(self.algos.engine.venues.items()):
            listed = {i.symbol for i in venue.instruments}
            if getattr(venue, "supports_combos", False) and symbols <= listed:
                return venue_id
        return None

    def start(self, spec: StrategySpec, algo: Callable[[], ExecutionAlgo] = TwapAlgo,
              params: AlgoParams | None = None) -> StrategyStatus:
        """Validate the whole strategy, journal it, and start one parent per leg.

        Args:
            spec: the strategy.
            algo: builds each leg's algorithm (one instance per leg).
            params: every leg's algo parameters.

        Raises:
            ValidationError: duplicate id, an unlisted symbol, a combo nobody lists, a delta limit
                without deltas (or no price), a leg its algo or the venues refuse, or a limit too
                tight for a leg's smallest order. Nothing is recorded then.
        """
        params = params if params is not None else AlgoParams()
        engine = self.algos.engine
        sid = spec.strategy_id
        if sid in self.strategies or any(pid in engine.oms.parents for pid in map(spec.leg_id, range(len(spec.legs)))):
            raise ValidationError(f"strategy {sid} already exists")
        instruments = []
        for leg in spec.legs:
            listings = self._listings(leg.symbol)
            if not listings:
                raise ValidationError(f"{sid}: no venue lists {leg.symbol}")
            instruments.append(listings[0])
        mode, note = self._mode(spec)
        strategy = _Strategy(spec, instruments, mode)
        if spec.limit.max_net_delta is not None:
            if self.deltas is None:
                raise ValidationError(f"{sid}: a max_net_delta limit needs a delta model")
            if not self._priced(strategy):
                raise ValidationError(f"{sid}: cannot price every leg's delta now (no underlying price?)")
        legs: list[tuple[ParentOrder, int]] = []
        inners: list[ExecutionAlgo] = []
        for k in range(len(spec.legs)):
            parent = spec.leg_parent(k)
            bid, ask = self.algos.market.best_bid(parent.symbol), self.algos.market.best_ask(parent.symbol)
            validate(parent, params, self._listings(parent.symbol), now_ns=engine.now_ns,
                     best_bid=None if bid is None else bid[0], best_ask=None if ask is None else ask[0])
            inner = algo()
            inner.check(parent, params)
            inners.append(inner)
            price = (ask if parent.side is Side.BUY else bid) or bid or ask
            least = min(venue_minimum(i, None if price is None else price[0]) for i in self._listings(parent.symbol))
            legs.append((parent, int(-(-least // parent.quantity_unit))))
        fills = self._fills(strategy)
        for k, (parent, smallest) in enumerate(legs):
            strategy.allowance[k] = headroom(fills, k, spec.limit)
            if strategy.allowance[k] < min(smallest, parent.quantity_units):
                raise ValidationError(
                    f"{sid}: the legging limit lets {parent.symbol} run {strategy.allowance[k] * parent.quantity_unit} "
                    f"ahead, below its smallest order {smallest * parent.quantity_unit}")
        self._journal(StrategyStarted(ts_ns=engine.now_ns, strategy_id=sid, name=spec.name, mode=mode,
                                      spec=spec.encode(), params=params.encode(), note=note))
        self.strategies[sid] = strategy
        for k, inner in enumerate(inners):
            gate = LeggedAlgo(inner, self._gate(strategy, k), strategy.live, to_ns(spec.completion_grace))
            strategy.gates.append(gate)
            self._by_parent[strategy.parent_ids[k]] = (strategy, k)
        for k, (parent, _) in enumerate(legs):
            try:
                self.algos.start(parent, strategy.gates[k], params)
            except ValidationError:  # checked above, so only a race with the market: undo the legs
                self.cancel(sid, reason=f"leg {parent.parent_id} refused at start")
                raise
        return self.status(sid)

    def pause(self, strategy_id: str, reason: str = "") -> StrategyStatus:
        """Pause every leg (their working orders are cancelled).

        Raises:
            ValidationError: unknown strategy, or not running.
        """
        strategy = self._strategy(strategy_id, StrategyState.RUNNING)
        self._journal(StrategyPaused(ts_ns=self.algos.engine.now_ns, strategy_id=strategy_id, reason=reason))
        strategy.state = StrategyState.PAUSED
        for pid in strategy.parent_ids:
            if self._state(pid) is AlgoState.RUNNING:
                self.algos.pause(pid, reason=f"strategy paused: {reason}" if reason else "strategy paused")
        return self.status(strategy_id)

    def resume(self, strategy_id: str) -> StrategyStatus:
        """Resume the legs the legging limit does not hold back.

        Raises:
            ValidationError: unknown strategy, or not paused.
        """
        strategy = self._strategy(strategy_id, StrategyState.PAUSED)
        self._journal(StrategyResumed(ts_ns=self.algos.engine.now_ns, strategy_id=strategy_id))
        strategy.state = StrategyState.RUNNING
        for k, pid in enumerate(strategy.parent_ids):
            if self._state(pid) is AlgoState.PAUSED and not strategy.held[k]:
                if self._blocked(strategy, k):
                    self._hold(strategy, k, paused_already=True)
                else:
                    self.algos.resume(pid)
        return self.status(strategy_id)

    def cancel(self, strategy_id: str, reason: str = "") -> StrategyStatus:
        """Cancel every unfinished leg; the status reports what was filled.

        Raises:
            ValidationError: unknown strategy, or already finished.
        """
        strategy = self._strategy(strategy_id, StrategyState.RUNNING, StrategyState.PAUSED)
        self._journal(StrategyCancelled(ts_ns=self.algos.engine.now_ns, strategy_id=strategy_id, reason=reason))
        strategy.state = StrategyState.CANCELLED
        for pid in strategy.parent_ids:
            if pid in self.algos.runs and self._state(pid) in _LIVE:
                self.algos.cancel(pid, reason=f"strategy cancelled: {reason}" if reason else "strategy cancelled")
        self._finish(strategy, StrategyState.CANCELLED)
        return self.status(strategy_id)

    def status(self, strategy_id: str) -> StrategyStatus:
        """Legs, imbalance and legging delta now.

        Raises:
            ValidationError: unknown strategy.
        """
        strategy = self._strategy(strategy_id)
        fills = self._fills(strategy)
        parents = self.algos.engine.oms.parents
        legs = []
        for k, leg in enumerate(strategy.spec.legs):
            pid = strategy.parent_ids[k]
            units = parents.get(pid)
            unit = strategy.spec.quantity_unit
            legs.append(LegStatus(
                parent_id=pid, symbol=leg.symbol, side=leg.side.value, ratio=leg.ratio,
                quantity=unit * strategy.quantities[k], filled=unit * fills[k].filled_units,
                working=unit * (0 if units is None else units.working_units),
                progress=fills[k].filled_units / strategy.quantities[k],
                state=self._state(pid).value, held=strategy.held[k]))
        return StrategyStatus(
            strategy_id=strategy_id, name=strategy.spec.name, state=strategy.state, mode=strategy.mode,
            ts_ns=self.algos.engine.now_ns, legs=tuple(legs), imbalance=float(imbalance(fills)),
            legging_delta=legging_delta(fills) if self._priced(strategy) else None)

    # ---- gate ------------------------------------------------------------------------------------------
    def _mode(self, spec: StrategySpec) -> tuple[str, str]:
        venue = self.combo_venue(spec)
        if spec.execution is ExecutionStyle.LEGGED:
            return "legged", "legged as requested"
        if venue is None:
            if spec.execution is ExecutionStyle.COMBO:
                raise ValidationError(f"{spec.strategy_id}: no venue supports combo orders for these legs; "
                                      "use execution 'legged' or 'auto'")
            return "legged", "no venue supports combo orders for these legs"
        if spec.execution is ExecutionStyle.COMBO:
            raise ValidationError(f"{spec.strategy_id}: {venue} lists combos but slipstream has no combo order type")
        return "legged", f"{venue} lists combos but slipstream has no combo order type"

    def _deltas(self, strategy: _Strategy) -> list[float | None]:
        """Signed delta of one parent unit of each leg (``None`` where it cannot be priced)."""
        if self.deltas is None:
            return [None] * len(strategy.instruments)
        now = self.algos.engine.now_ns
        out: list[float | None] = []
        unit = float(strategy.spec.quantity_unit)
        for leg, instrument in zip(strategy.spec.legs, strategy.instruments, strict=True):
            delta = self.deltas.delta(instrument, now)
            sign = 1.0 if leg.side is Side.BUY else -1.0
            out.append(None if delta is None else sign * delta * unit)
        return out

    def _priced(self, strategy: _Strategy) -> bool:
        return self.deltas is not None and all(d is not None for d in self._deltas(strategy))

    def _fills(self, strategy: _Strategy, free: int | None = None) -> list[LegFill]:
        """Each leg's progress; leg ``free`` as if nothing of it were working."""
        parents = self.algos.engine.oms.parents
        out = []
        for k, (pid, delta) in enumerate(zip(strategy.parent_ids, self._deltas(strategy), strict=True)):
            units = parents.get(pid)
            filled = 0 if units is None else units.filled_units + units.excess_units
            working = 0 if units is None or k == free else units.working_units
            out.append(LegFill(quantity_units=strategy.quantities[k], filled_units=filled,
                               committed_units=filled + working, delta_per_unit=delta or 0.0))
        return out

    def _gate(self, strategy: _Strategy, index: int) -> Callable[[], int]:
        def room() -> int:
            if strategy.state is not StrategyState.RUNNING:
                return 0
            return headroom(self._fills(strategy), index, strategy.spec.limit)

        return room

    def _smallest(self, strategy: _Strategy, index: int) -> int:
        run = self.algos.runs.get(strategy.parent_ids[index])
        return 1 if run is None else run.min_child_units

    def _blocked(self, strategy: _Strategy, index: int) -> bool:
        """Even with nothing working, the leg could not send its smallest order."""
        fills = self._fills(strategy, free=index)
        left = fills[index].quantity_units - fills[index].filled_units
        return left > 0 and headroom(fills, index, strategy.spec.limit) < min(left, self._smallest(strategy, index))

    def _released(self, strategy: _Strategy, index: int) -> bool:
        fills = self._fills(strategy, free=index)
        left = fills[index].quantity_units - fills[index].filled_units
        want = min(left, max(self._smallest(strategy, index), strategy.allowance[index] // 2))
        return headroom(fills, index, strategy.spec.limit) >= want

    def _exposure(self, strategy: _Strategy) -> tuple[Decimal, Decimal | None]:
        fills = self._fills(strategy)
        delta = model_decimal(legging_delta(fills)) if self._priced(strategy) else None
        return model_decimal(float(imbalance(fills))), delta

    def _hold(self, strategy: _Strategy, index: int, *, paused_already: bool = False) -> None:
        pid = strategy.parent_ids[index]
        imbalance_now, delta_now = self._exposure(strategy)
        self._journal(LegPaused(ts_ns=self.algos.engine.now_ns, strategy_id=strategy.spec.strategy_id,
                                parent_id=pid, reason="ahead of the other legs", imbalance=imbalance_now,
                                legging_delta=delta_now))
        strategy.held[index] = True
        if not paused_already:
            self.algos.pause(pid, reason="legging limit")

    def _release(self, strategy: _Strategy, index: int) -> None:
        pid = strategy.parent_ids[index]
        imbalance_now, delta_now = self._exposure(strategy)
        self._journal(LegResumed(ts_ns=self.algos.engine.now_ns, strategy_id=strategy.spec.strategy_id,
                                 parent_id=pid, imbalance=imbalance_now, legging_delta=delta_now))
        strategy.held[index] = False
        self.algos.resume(pid)

    def _rebalance(self, strategy: _Strategy) -> None:
        """Hold the legs that are as far ahead as the limit allows, release those that may go on,
        and let legs finishing in ratio take what the others' fills just allowed."""
        for k, pid in enumerate(strategy.parent_ids):
            state = self._state(pid)
            if state is AlgoState.RUNNING and self._blocked(strategy, k):
                self._hold(strategy, k)
            elif state is AlgoState.PAUSED and strategy.held[k] and self._released(strategy, k):
                self._release(strategy, k)
        for k, gate in enumerate(strategy.gates):
            if self._state(strategy.parent_ids[k]) is AlgoState.RUNNING:
                gate.kick()

    # ---- internals -------------------------------------------------------------------------------------
    def _listings(self, symbol: str) -> list[Instrument]:
        return [i for (_, s), i in sorted(self.algos.engine.oms.instruments.items()) if s == symbol]

    def _journal(self, *events: Event) -> None:
        self.algos.engine.record(events)

    def _strategy(self, strategy_id: str, *states: StrategyState) -> _Strategy:
        strategy = self.strategies.get(strategy_id)
        if strategy is None:
            raise ValidationError(f"unknown strategy {strategy_id}")
        if states and strategy.state not in states:
            raise ValidationError(f"strategy {strategy_id} is {strategy.state.value}")
        return strategy

    def _state(self, parent_id: str) -> AlgoState:
        run = self.algos.runs.get(parent_id)
        return AlgoState.RUNNING if run is None else run.state

    def _finish(self, strategy: _Strategy, state: StrategyState) -> None:
        fills = self._fills(strategy)
        strategy.state = state
        self._journal(StrategyFinished(
            ts_ns=self.algos.engine.now_ns, strategy_id=strategy.spec.strategy_id, state=state.value,
            filled_units=tuple(f.filled_units for f in fills), quantity_units=tuple(strategy.quantities)))

    # ---- loop handlers -----------------------------------------------------------------------------------
    def _on_fill(self, event: OrderFilled) -> None:
        state = self.algos.engine.oms.orders.get(event.client_order_id)
        found = None if state is None or state.order.parent_id is None else self._by_parent.get(state.order.parent_id)
        if found is not None and found[0].state is StrategyState.RUNNING:
            self._rebalance(found[0])

    def _on_leg_finished(self, event: AlgoFinished) -> None:
        found = self._by_parent.get(event.parent_id)
        if found is None:
            return
        strategy = found[0]
        if strategy.state not in _ACTIVE:
            return
        if event.state == AlgoState.DONE.value and event.remaining_units > 0:
            for k, pid in enumerate(strategy.parent_ids):
                if strategy.held[k] and self._state(pid) in _LIVE:
                    self.algos.cancel(pid, reason=f"leg {event.parent_id} finished short")
        states = [self._state(pid) for pid in strategy.parent_ids]
        if all(s not in _LIVE for s in states):
            fills = self._fills(strategy)
            done = all(f.filled_units >= f.quantity_units for f in fills)
            self._finish(strategy, StrategyState.DONE if done else StrategyState.INCOMPLETE)

