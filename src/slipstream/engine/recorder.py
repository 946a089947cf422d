"""Journals what post-trade analysis needs from market data: sampled mids and the trade tape.

Market data itself is not journaled tick by tick (it is an input the scenario or feed can
reproduce); what TCA reads must be, so a journal can be analysed on its own. Mids are sampled
per symbol at most once per ``interval_ns`` and only when they change; the consolidated mid of a
symbol is the midpoint of the best bid and best ask across every venue listing it.
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.engine.execution import ExecutionEngine
from slipstream.model.events import Event, MarketTradeObserved, MidObserved
from slipstream.model.feed import BookUpdate, TradePrint

__all__ = ["MarketRecorder"]

_TWO = Decimal(2)


class MarketRecorder:
    """Subscribes to :class:`BookUpdate` and :class:`TradePrint` on an engine's loop.

    Args:
        engine: the engine whose journal receives the observations.
        interval_ns: minimum time between two mid samples of one symbol.
        trades: also journal every public trade (the tape for VWAP and participation).
    """

    def __init__(self, engine: ExecutionEngine, interval_ns: int = 1_000_000_000, trades: bool = True) -> None:
        self.engine = engine
        self.interval_ns = interval_ns
        self._touch: dict[str, dict[str, tuple[int | None, int | None]]] = {}
        self._last: dict[str, tuple[int, Decimal]] = {}
        engine.loop.subscribe(BookUpdate, self.on_book)
        if trades:
            engine.loop.subscribe(TradePrint, self.on_trade)

    def _record(self, event: Event) -> None:
        self.engine.record((event,))

    def consolidated_mid(self, symbol: str) -> tuple[Decimal, Decimal | None, Decimal | None] | None:
        """(mid, best bid, best ask) across venues, or None without a two-sided market."""
        touches = self._touch.get(symbol)
        if not touches:
            return None
        bids: list[Decimal] = []
        asks: list[Decimal] = []
        for venue, (bid, ask) in touches.items():
            instrument = self.engine.oms.instruments.get((venue, symbol))
            if instrument is None:
                continue
            if bid is not None:
                bids.append(instrument.price_unit * bid)
            if ask is not None:
                asks.append(instrument.price_unit * ask)
        if not bids or not asks:
            return None
        best_bid, best_ask = max(bids), min(asks)
        return (best_bid + best_ask) / _TWO, best_bid, best_ask

    def on_book(self, update: BookUpdate) -> None:
        self._touch.setdefault(update.symbol, {})[update.venue] = (update.best_bid, update.best_ask)
        now = self.engine.now_ns
        last = self._last.get(update.symbol)
        if last is not None and now - last[0] < self.interval_ns:
            return
        quote = self.consolidated_mid(update.symbol)
        if quote is None or (last is not None and last[1] == quote[0]):
            return
        self._last[update.symbol] = (now, quote[0])
        self._record(MidObserved(ts_ns=now, symbol=update.symbol, mid=quote[0], bid=quote[1], ask=quote[2]))

    def on_trade(self, trade: TradePrint) -> None:
        instrument = self.engine.oms.instruments.get((trade.venue, trade.symbol))
        if instrument is None or trade.lots <= 0:
            return
        self._record(
            MarketTradeObserved(
                ts_ns=self.engine.now_ns,
                venue=trade.venue,
                symbol=trade.symbol,
                price=instrument.price_unit * trade.price_units,
                quantity=instrument.lot_size * trade.lots * instrument.contract_size,
                aggressor=trade.aggressor.value,
                ours=trade.ours,
                venue_ts_ns=trade.venue_ts_ns,
            )
        )
