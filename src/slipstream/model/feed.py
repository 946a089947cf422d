"""Market data as venues publish it onto the engine loop, in engine units.

Prices are integer price units and sizes integer lots of the instrument; every message carries the
venue's time and the time we receive it (venue time plus the market-data latency), as hftbacktest's
``exch_ts``/``local_ts``. Algorithms, routing and TCA consume these without knowing which venue
(simulated or live) produced them.
"""

from __future__ import annotations

import msgspec

from slipstream.model.enums import Side

__all__ = ["BookUpdate", "TradePrint"]


class BookUpdate(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The venue's public book after an update: top ``depth`` levels per side, best first,
    including our own resting orders (as the venue shows them to everyone)."""

    venue: str
    symbol: str
    venue_ts_ns: int
    receive_ts_ns: int
    bids: tuple[tuple[int, int], ...]
    asks: tuple[tuple[int, int], ...]

    @property
    def best_bid(self) -> int | None:
        return self.bids[0][0] if self.bids else None

    @property
    def best_ask(self) -> int | None:
        return self.asks[0][0] if self.asks else None


class TradePrint(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A public trade at the venue; ``aggressor`` is the taker's side. ``ours`` marks prints
    our own orders took part in (the venue does not say so; the simulator does, for TCA)."""

    venue: str
    symbol: str
    venue_ts_ns: int
    receive_ts_ns: int
    aggressor: Side
    price_units: int
    lots: int
    ours: bool = False
