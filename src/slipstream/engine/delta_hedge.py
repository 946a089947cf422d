"""Delta-hedges option parents on a perpetual (or any linear underlying) as they fill.

:class:`BlackDeltas` prices the delta of each instrument at the current underlying price: Black-76
(:func:`~slipstream.venues.sim.options.black76_delta`) on the underlying's mid, with the
volatility read off a :class:`~slipstream.venues.sim.options.VolSurface`. :class:`DeltaHedger`
follows the fills of the parents it watches; after each option fill it computes the net delta —
options, plus the hedge instrument already bought or sold, plus hedges still in flight — and when
that leaves the band it starts a hedge parent for the opposite delta (rounded to whole lots) on
the same :class:`~slipstream.engine.executor.AlgoEngine`, so risk, OMS and journal see it like any
order. When a hedge finishes it checks again (a partial fill is topped up).

Assumptions: zero rates and the perpetual's mid as the forward (Deribit-style coin options on the
perp); premium-unadjusted delta (the coin premium's own exposure is ignored); the hedger counts
only the positions it saw fill (its watched parents and its own hedges), not older holdings;
deltas are re-evaluated on fills, not on every price move.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

import msgspec

from slipstream.algos.base import ExecutionAlgo
from slipstream.algos.params import AlgoParams
from slipstream.algos.twap import TwapAlgo
from slipstream.engine.executor import AlgoEngine, AlgoState, MarketView
from slipstream.errors import ValidationError
from slipstream.model.algo_events import AlgoFinished
from slipstream.model.enums import Side
from slipstream.model.events import OrderFilled
from slipstream.model.instruments import Instrument, Option
from slipstream.model.orders import ParentOrder
from slipstream.model.strategy_events import HedgeCompleted, HedgeFailed, HedgeOrdered, model_decimal
from slipstream.venues.sim.options import VolSurface, black76_delta

__all__ = ["BlackDeltas", "DeltaHedger", "DeltaModel", "HedgeStatus"]

_YEAR_NS = 365 * 24 * 3600 * 10**9


class DeltaModel(Protocol):
    """Delta of one unit of an instrument's quantity (one contract), in underlying coins."""

    def forward(self) -> float | None:
        """The underlying price the deltas are taken at (``None``: no price yet)."""
        ...

    def delta(self, instrument: Instrument, now_ns: int) -> float | None:
        """``None`` when it cannot be priced now (no underlying price, other underlying)."""
        ...


class BlackDeltas:
    """Black-76 deltas on the current mid of ``underlying_symbol``.

    Args:
        market: the algo engine's market view (latest books).
        underlying_symbol: the instrument whose mid is the forward (e.g. the perpetual).
        surface: implied volatility by strike and maturity (default :class:`VolSurface`).
        rate: discount rate (0 for coin-settled options).

    Raises:
        ValidationError: ``underlying_symbol`` is not listed by any venue.
    """

    def __init__(self, market: MarketView, underlying_symbol: str, surface: VolSurface | None = None,
                 rate: float = 0.0) -> None:
        listings = [i for (_, s), i in sorted(market.instruments.items()) if s == underlying_symbol]
        if not listings:
            raise ValidationError(f"no venue lists the underlying {underlying_symbol}")
        self.market = market
        self.underlying_symbol = underlying_symbol
        self.underlying = listings[0].base
        self.surface = surface if surface is not None else VolSurface()
        self.rate = rate

    def forward(self) -> float | None:
        """Mid of the underlying's best bid and ask (one side if the other is missing)."""
        bid = self.market.best_bid(self.underlying_symbol)
        ask = self.market.best_ask(self.underlying_symbol)
        prices = [float(q[0]) for q in (bid, ask) if q is not None]
        return sum(prices) / len(prices) if prices else None

    def delta(self, instrument: Instrument, now_ns: int) -> float | None:
        if instrument.base != self.underlying:
            return None
        forward = self.forward()
        if forward is None:
            return None
        size = float(instrument.contract_size)
        if isinstance(instrument, Option):
            years = max(instrument.expiry_ts_ns - now_ns, 0) / _YEAR_NS
            strike = float(instrument.strike)
            vol = self.surface.vol(strike, forward, years)
            return black76_delta(forward, strike, years, vol, self.rate, instrument.option_kind) * size
        return size / forward if instrument.inverse else size


class HedgeStatus(msgspec.Struct, frozen=True, kw_only=True):
    """The hedger's book now: option positions (signed contracts by symbol), the hedge position,
    their deltas and how many hedges are working."""

    hedger_id: str
    ts_ns: int
    options: dict[str, Decimal]
    hedge_position: Decimal
    option_delta: float
    net_delta: float
    in_flight: int
    hedges: int


class DeltaHedger:
    """Keeps the net delta of watched option parents within ``band`` by trading ``hedge_symbol``.

    Args:
        algos: the algo engine (hedges are its parents).
        deltas: delta per contract of each instrument.
        hedge_symbol: what to hedge with (e.g. ``BTC/USDT:USDT``).
        band: the largest |net delta| left unhedged, underlying units; at least one hedge lot.
        account: account of the hedge parents.
        hedger_id: prefix of the hedge parent ids (``{hedger_id}-{n}``).
        horizon: each hedge parent's horizon (taken at once, the rest swept at its end).
        algo: builds each hedge's algorithm (default TWAP over one slice: take it now).

    Raises:
        ValidationError: unknown hedge symbol, or a band below one hedge lot.
    """

    def __init__(self, algos: AlgoEngine, deltas: DeltaModel, *, hedge_symbol: str, band: Decimal,
                 account: str = "default", hedger_id: str = "hedge", horizon: timedelta = timedelta(seconds=5),
                 algo: Callable[[], ExecutionAlgo] = TwapAlgo) -> None:
        listings = [i for (_, s), i in sorted(algos.engine.oms.instruments.items()) if s == hedge_symbol]
        if not listings:
            raise ValidationError(f"no venue lists the hedge instrument {hedge_symbol}")
        self.hedge_instrument = listings[0]
        lot = max(i.lot_size for i in listings)
        if not band.is_finite() or band < lot * self.hedge_instrument.contract_size:
            raise ValidationError(f"band {band} is below one hedge lot ({lot} of {hedge_symbol})")
        self.algos = algos
        self.deltas = deltas
        self.hedge_symbol = hedge_symbol
        self.band = band
        self.account = account
        self.hedger_id = hedger_id
        self.lot = lot
        self.params = AlgoParams(duration=horizon, slice_interval=horizon)
        self.make_algo = algo
        self.watched: set[str] = set()
        self.hedge_ids: set[str] = set()
        self.failed = 0
        loop = algos.engine.loop
        loop.subscribe(OrderFilled, self._on_fill)
        loop.subscribe(AlgoFinished, self._on_finished)

    # ---- commands --------------------------------------------------------------------------------
    def watch(self, parent_id: str) -> None:
        """Hedge the fills of parent ``parent_id`` (an option parent or a strategy leg)."""
        self.watched.add(parent_id)

    def positions(self) -> dict[str, Decimal]:
        """Signed contracts filled per option symbol over the watched parents (the OMS's count)."""
        out: dict[str, Decimal] = {}
        parents = self.algos.engine.oms.parents
        for pid in sorted(self.watched):
            state = parents.get(pid)
            if state is not None:
                symbol = state.parent.symbol
                filled = _signed(state.parent, state.filled_units + state.excess_units)
                out[symbol] = out.get(symbol, Decimal(0)) + filled
        return out

    @property
    def hedge_position(self) -> Decimal:
        """Signed quantity of the hedge instrument the hedges have filled."""
        parents = self.algos.engine.oms.parents
        return sum((_signed(parents[p].parent, parents[p].filled_units + parents[p].excess_units)
                    for p in self.hedge_ids), Decimal(0))

    @property
    def in_flight(self) -> list[str]:
        """Hedge parents still being worked."""
        runs = self.algos.runs
        return [p for p in sorted(self.hedge_ids) if runs[p].state in (AlgoState.RUNNING, AlgoState.PAUSED)]

    def option_delta(self) -> float | None:
        """Delta of the option positions now (``None`` if one cannot be priced)."""
        total = 0.0
        now = self.algos.engine.now_ns
        for symbol, contracts in self.positions().items():
            delta = self.deltas.delta(self._instrument(symbol), now)
            if delta is None:
                return None
            total += float(contracts) * delta
        return total

    def net_delta(self, *, pending: bool = False) -> float | None:
        """Options plus hedge position delta; with ``pending``, hedges in flight count as filled."""
        options = self.option_delta()
        per_unit = self.deltas.delta(self.hedge_instrument, self.algos.engine.now_ns)
        if options is None or per_unit is None:
            return None
        position = self.hedge_position + (self._pending() if pending else Decimal(0))
        return options + float(position) * per_unit

    def status(self) -> HedgeStatus:
        options = self.option_delta()
        net = self.net_delta()
        return HedgeStatus(
            hedger_id=self.hedger_id,
            ts_ns=self.algos.engine.now_ns,
            options=self.positions(),
            hedge_position=self.hedge_position,
            option_delta=math.nan if options is None else options,
            net_delta=math.nan if net is None else net,
            in_flight=len(self.in_flight),
            hedges=len(self.hedge_ids),
        )

    # ---- internals --------------------------------------------------------------------------------
    def _instrument(self, symbol: str) -> Instrument:
        return next(i for (_, s), i in sorted(self.algos.engine.oms.instruments.items()) if s == symbol)

    def _pending(self) -> Decimal:
        """Signed quantity of the hedges in flight that has not filled yet."""
        parents = self.algos.engine.oms.parents
        return sum((_signed(parents[p].parent, max(0, parents[p].quantity_units - parents[p].filled_units))
                    for p in self.in_flight), Decimal(0))

    def _check(self) -> None:
        net = self.net_delta(pending=True)
        per_unit = self.deltas.delta(self.hedge_instrument, self.algos.engine.now_ns)
        if net is None or per_unit is None or per_unit == 0 or abs(net) <= self.band:
            return
        lots = round(abs(net / per_unit) / float(self.lot))
        if lots == 0:
            return
        now = self.algos.engine.now_ns
        parent = ParentOrder(
            parent_id=f"{self.hedger_id}-{len(self.hedge_ids) + 1}",
            account=self.account,
            symbol=self.hedge_symbol,
            side=Side.SELL if net * per_unit > 0 else Side.BUY,
            quantity=self.lot * lots,
            quantity_unit=min(i.lot_size for (_, s), i in self.algos.engine.oms.instruments.items()
                              if s == self.hedge_symbol),
            start_ts_ns=now,
            algo="delta_hedge",
        )
        forward = self.deltas.forward()
        self.algos.engine.record((HedgeOrdered(
            ts_ns=now, hedger_id=self.hedger_id, parent_id=parent.parent_id, symbol=parent.symbol,
            side=parent.side, quantity=parent.quantity, option_delta=model_decimal(self.option_delta() or 0.0),
            net_delta=model_decimal(net), forward=model_decimal(forward or 0.0)),))
        try:
            self.algos.start(parent, self.make_algo(), self.params)
        except ValidationError as error:
            self.algos.engine.record((HedgeFailed(ts_ns=now, hedger_id=self.hedger_id, parent_id=parent.parent_id,
                                                  reason=str(error)),))
            self.failed += 1
            return
        self.hedge_ids.add(parent.parent_id)

    # ---- loop handlers ----------------------------------------------------------------------------
    def _on_fill(self, event: OrderFilled) -> None:
        state = self.algos.engine.oms.orders.get(event.client_order_id)
        if state is not None and state.order.parent_id in self.watched:
            self._check()

    def _on_finished(self, event: AlgoFinished) -> None:
        if event.parent_id not in self.hedge_ids:
            return
        state = self.algos.engine.oms.parents[event.parent_id]
        net = self.net_delta()
        self.algos.engine.record((HedgeCompleted(
            ts_ns=self.algos.engine.now_ns, hedger_id=self.hedger_id, parent_id=event.parent_id,
            filled=state.parent.quantity_unit * event.filled_units,
            net_delta=model_decimal(0.0 if net is None else net), in_flight=len(self.in_flight)),))
        self._check()


def _signed(parent: ParentOrder, units: int) -> Decimal:
    quantity = parent.quantity_unit * units
    return quantity if parent.side is Side.BUY else -quantity
