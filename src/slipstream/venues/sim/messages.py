"""Messages a simulated order-book venue puts on the engine loop besides execution reports.

Prices are integer price units and sizes integer lots of the instrument (the engine's units);
every message carries the venue's time and the time we receive it (venue time plus the
market-data latency), as hftbacktest's ``exch_ts``/``local_ts``.
"""

from __future__ import annotations

import msgspec

from slipstream.model.feed import BookUpdate, TradePrint

__all__ = ["BookUpdate", "TradePrint", "VenueWake"]


class VenueWake(msgspec.Struct, frozen=True):
    """Asks the loop to call the venue back at ``ts_ns`` (an order arrives or expires).

    The engine dispatches by type; it subscribes ``venue.on_wake`` through
    :meth:`~slipstream.venues.sim.book_venue.BookVenue.loop_subscriptions`.
    """

    venue: str
    ts_ns: int
