"""Replay scenarios: recorded samples (book deltas, L1 quotes, trades) fed into order-book venues.

Each ``[[replay]]`` feed becomes one :class:`BookVenue` listing one instrument. Its files are read
with :func:`slipstream.marketdata.loaders.load` (format sniffed), merged by venue time (stable:
book, then quotes, then trades at equal times), shifted so that the feed's first event is at the
scenario's start (feeds recorded years apart then run side by side), and scheduled on the engine
loop at their shifted times. An L1 quote replaces the whole book by its best bid and ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec

from slipstream.engine.execution import ExecutionEngine
from slipstream.errors import ScenarioError, SlipstreamError
from slipstream.marketdata.book import ADD, ASK, BID, CLEAR
from slipstream.marketdata.loaders import load
from slipstream.model.instruments import Instrument, Perpetual, SpotPair
from slipstream.model.market import BookDelta, QuoteTick, TradeTick
from slipstream.scenarios.schema import ReplayFeed
from slipstream.venues.sim.book_venue import BookVenue

__all__ = ["ReplayEvent", "schedule_replay"]


class ReplayEvent(msgspec.Struct, frozen=True):
    """One recorded event due at a replay venue (``ts_ns`` already shifted)."""

    venue: str
    ts_ns: int
    event: BookDelta | QuoteTick | TradeTick


def _instrument(feed: ReplayFeed) -> Instrument:
    fees = {"maker_fee": feed.maker_fee, "taker_fee": feed.taker_fee}
    if feed.kind == "spot":
        return SpotPair.create(feed.venue, feed.base, feed.quote, feed.tick, feed.lot, **fees)
    return Perpetual.create(feed.venue, feed.base, feed.quote, feed.quote, feed.tick, feed.lot, **fees)


def _read(feed: ReplayFeed, where: str, root: Path) -> list[BookDelta | QuoteTick | TradeTick]:
    tagged: list[tuple[int, int, int, BookDelta | QuoteTick | TradeTick]] = []
    for rank, (field, wanted) in enumerate((("book", BookDelta), ("quotes", QuoteTick), ("trades", TradeTick))):
        name = getattr(feed, field)
        if name is None:
            continue
        path = Path(name) if Path(name).is_absolute() else root / name
        if not path.is_file():
            raise ScenarioError(f"{where}.{field}: file not found: {path}")
        try:
            for n, event in enumerate(load(path)):
                if isinstance(event, wanted):
                    tagged.append((event.venue_ts_ns, rank, n, event))
        except SlipstreamError as exc:
            raise ScenarioError(f"{where}.{field}: {exc}") from exc
    tagged.sort(key=lambda t: t[:3])
    return [t[3] for t in tagged]


class _Replayer:
    def __init__(self, venues: dict[str, BookVenue]) -> None:
        self.venues = venues
        self.events = 0

    def on_event(self, message: ReplayEvent) -> None:
        venue = self.venues[message.venue]
        symbol = venue.instruments[0].symbol
        event, ts = message.event, message.ts_ns
        self.events += 1
        if isinstance(event, BookDelta):
            venue.on_book_delta(msgspec.structs.replace(event, venue_ts_ns=ts), symbol)
        elif isinstance(event, TradeTick):
            venue.on_trade_tick(msgspec.structs.replace(event, venue_ts_ns=ts), symbol)
        else:
            instrument = venue.instrument(symbol)
            rows = [(CLEAR, BID, 1, 0)]
            if event.bid_price is not None and event.bid_size is not None:
                rows.append((ADD, BID, instrument.price_to_units(event.bid_price),
                             int(event.bid_size / instrument.lot_size)))
            if event.ask_price is not None and event.ask_size is not None:
                rows.append((ADD, ASK, instrument.price_to_units(event.ask_price),
                             int(event.ask_size / instrument.lot_size)))
            rows = [r for r in rows if r[0] == CLEAR or r[3] > 0]
            for k, (action, side, price, lots) in enumerate(rows):
                venue.feed(ts, symbol, action, side, price, lots, publish=k == len(rows) - 1)


def schedule_replay(engine: ExecutionEngine, feeds: Sequence[ReplayFeed], start_ns: int,
                    data_root: str | Path | None) -> tuple[list[BookVenue], int]:
    """Create the replay venues and schedule every recorded event on ``engine``'s loop.

    Returns:
        The venues (not yet added to the engine) and the time of the last scheduled event.

    Raises:
        ScenarioError: a file is missing or has a bad row (names the feed's field).
    """
    root = Path(data_root) if data_root is not None else Path.cwd()
    venues: dict[str, BookVenue] = {}
    end = start_ns
    loop = engine.loop
    for i, feed in enumerate(feeds):
        where = f"replay[{i}]"
        events = _read(feed, where, root)
        venue = BookVenue(feed.venue, [_instrument(feed)])
        venues[feed.venue] = venue
        if not events:
            raise ScenarioError(f"{where}: the feed's files hold no events")
        shift = start_ns - events[0].venue_ts_ns
        for event in events:
            loop.schedule(event.venue_ts_ns + shift, ReplayEvent(feed.venue, event.venue_ts_ns + shift, event))
        end = max(end, events[-1].venue_ts_ns + shift)
    replayer = _Replayer(venues)
    loop.subscribe(ReplayEvent, replayer.on_event)
    return list(venues.values()), end
