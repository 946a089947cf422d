"""Replay a recorded market-data stream into a :class:`~slipstream.venues.sim.book_venue.BookVenue`
through the engine loop, each event at its recorded time.

A :class:`ReplayFeed` pulls events lazily from any iterable of loader events (memory does not grow
with the file) and keeps exactly one wake-up of its own on the loop: at the next event's time
(receive time by default, venue time with ``time=ReplayTime.VENUE``). When it fires, every event
stamped with that time is applied, in stream order, and the next wake-up is scheduled. So our
orders, the venue's latencies and the recorded data interleave in the loop's one deterministic
order ((time, publication sequence)); the same stream and seed give the same run.

What each event does to the venue:

* :class:`BookDelta` → :meth:`BookVenue.on_book_delta`; :class:`BookSnapshot` → ``CLEAR`` plus
  one level per row; :class:`TradeTick` → :meth:`BookVenue.on_trade_tick`.
* :class:`L3Order` → :meth:`L3Queue.feed <slipstream.venues.sim.l3_queue.L3Queue.feed>` (the
  venue must be built with ``queue_model=L3Queue()``).
* :class:`QuoteTick` → the touch as a one-level book per side: the previous quote's level is
  deleted when its price moved, the new level set to the quoted size. An L1 feed shows no depth,
  so levels behind the touch stay unknown (empty).
* Anything else (bars, tickers) only moves the venue clock.

Events are applied at their own venue time (the venue clock never goes back, so with receive-time
scheduling an event older than the venue clock is applied at the venue clock).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import Any, Protocol

from slipstream.errors import ValidationError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR, DELETE, UPDATE
from slipstream.model.market import BookDelta, BookSnapshot, L3Order, MarketEvent, QuoteTick, TradeTick
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.l3_queue import L3Queue

__all__ = ["EventLoopLike", "ReplayFeed", "ReplayStep", "ReplayTime", "merge_by_time"]


class ReplayTime(StrEnum):
    """Which recorded time schedules an event on the loop."""

    RECEIVE = "receive"  # when the recorder saw it (what a live engine would have seen)
    VENUE = "venue"  # when the venue stamped it


class EventLoopLike(Protocol):
    """The part of the engine loop a replay needs (venues do not import the engine)."""

    def subscribe(self, message_type: type, handler: Callable[[Any], None]) -> None: ...

    def schedule(self, ts_ns: int, message: Any) -> None: ...


class ReplayStep:
    """Loop message: ``feed`` applies its events stamped ``ts_ns``."""

    __slots__ = ("feed", "ts_ns")

    def __init__(self, feed: ReplayFeed, ts_ns: int) -> None:
        self.feed, self.ts_ns = feed, ts_ns


def _time_of(event: MarketEvent, time: ReplayTime) -> int:
    return event.receive_ts_ns if time is ReplayTime.RECEIVE else event.venue_ts_ns


def merge_by_time(*streams: Iterable[MarketEvent], time: ReplayTime = ReplayTime.RECEIVE) -> Iterator[MarketEvent]:
    """Merge time-sorted streams into one (lazily); ties keep the order of ``streams``."""
    return heapq.merge(*streams, key=lambda event: _time_of(event, time))


class ReplayFeed:
    """Feeds recorded events into ``venue`` at their recorded times on an event loop.

    Args:
        venue: the simulated venue (attached to an engine).
        events: loader events of one instrument, in recorded order.
        symbol: the venue's symbol for them (default: each event's ``instrument``).
        time: which recorded time schedules the events.
        on_applied: called with each event right after the venue applied it (checks, recorders).
    """

    def __init__(
        self,
        venue: BookVenue,
        events: Iterable[MarketEvent],
        *,
        symbol: str | None = None,
        time: ReplayTime = ReplayTime.RECEIVE,
        on_applied: Callable[[MarketEvent], None] | None = None,
    ) -> None:
        self.venue = venue
        self.symbol = symbol
        self.time = ReplayTime(time)
        self.on_applied = on_applied
        self.applied = 0
        self._events = iter(events)
        self._next: MarketEvent | None = None
        self._loop: EventLoopLike | None = None
        self._quotes: dict[str, tuple[tuple[int, int] | None, tuple[int, int] | None]] = {}

    @property
    def done(self) -> bool:
        """True once every event was applied."""
        return self._loop is not None and self._next is None

    def attach(self, loop: EventLoopLike) -> None:
        """Subscribe to ``loop`` and schedule the first event (call once, before running it).

        Raises:
            ValidationError: already attached.
        """
        if self._loop is not None:
            raise ValidationError("replay feed is already attached to a loop")
        self._loop = loop
        loop.subscribe(ReplayStep, self.on_step)
        self._next = next(self._events, None)
        self._schedule()

    def _schedule(self) -> None:
        if self._next is not None and self._loop is not None:
            self._loop.schedule(_time_of(self._next, self.time), ReplayStep(self, _time_of(self._next, self.time)))

    def on_step(self, step: ReplayStep) -> None:
        """Loop handler: apply every event stamped ``step.ts_ns``, then schedule the next one."""
        if step.feed is not self:
            return
        event = self._next
        while event is not None and _time_of(event, self.time) == step.ts_ns:
            self.apply(event)
            event = next(self._events, None)
        self._next = event
        self._schedule()

    def apply(self, event: MarketEvent) -> None:
        """Apply one event to the venue now (see the module docstring for what each type does).

        Raises:
            ValidationError: an :class:`L3Order` for a venue without an :class:`L3Queue`, or an
                event that does not fit the book.
            KeyError: the symbol is not listed on the venue.
        """
        venue = self.venue
        symbol = self.symbol or getattr(event, "instrument", "")
        if isinstance(event, BookDelta):
            venue.on_book_delta(event, symbol)
        elif isinstance(event, TradeTick):
            venue.on_trade_tick(event, symbol)
        elif isinstance(event, L3Order):
            model = venue.book(symbol).queue_model
            if not isinstance(model, L3Queue):
                raise ValidationError("L3 events need a venue built with queue_model=L3Queue()")
            model.feed(venue, event, symbol)
        elif isinstance(event, QuoteTick):
            self._quote(event, symbol)
        elif isinstance(event, BookSnapshot):
            self._snapshot(event, symbol)
        else:
            venue.advance(event.venue_ts_ns)
        self.applied += 1
        if self.on_applied is not None:
            self.on_applied(event)

    def _quote(self, quote: QuoteTick, symbol: str) -> None:
        instrument = self.venue.instrument(symbol)
        new: list[tuple[int, int] | None] = []
        for price, size in ((quote.bid_price, quote.bid_size), (quote.ask_price, quote.ask_size)):
            if price is None or size is None:
                new.append(None)
            else:
                new.append((instrument.price_to_units(price), int(size / instrument.lot_size)))
        old = self._quotes.get(symbol, (None, None))
        deltas: list[tuple[int, int, int, int]] = []
        for side, before, after in ((BID, old[0], new[0]), (ASK, old[1], new[1])):
            if before is not None and (after is None or after[0] != before[0]):
                deltas.append((DELETE, side, before[0], 0))  # first, so the new touch never crosses it
        for side, after in ((BID, new[0]), (ASK, new[1])):
            if after is not None:
                deltas.append((UPDATE, side, after[0], after[1]))
        self._quotes[symbol] = (new[0], new[1])
        ts = quote.venue_ts_ns
        if not deltas:
            self.venue.advance(ts)
            return
        last = len(deltas) - 1
        for index, (action, side, price, lots) in enumerate(deltas):
            self.venue.feed(ts, symbol, action, side, price, lots, publish=index == last)

    def _snapshot(self, snapshot: BookSnapshot, symbol: str) -> None:
        instrument = self.venue.instrument(symbol)
        rows = [(BID, level) for level in snapshot.bids] + [(ASK, level) for level in snapshot.asks]
        ts = snapshot.venue_ts_ns
        self.venue.feed(ts, symbol, CLEAR, BID, 1, 0, publish=not rows)
        last = len(rows) - 1
        for index, (side, level) in enumerate(rows):
            self.venue.feed(ts, symbol, ADD, side, instrument.price_to_units(level.price),
                            int(level.size / instrument.lot_size), publish=index == last)
