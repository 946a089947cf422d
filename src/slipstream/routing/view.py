"""The consolidated view: every source trading one asset pair, each marked with its age.

:class:`ConsolidatedView` is the mutable side kept current from market data on the engine loop
(book updates replace a venue's book; pool snapshots replace a venue's pool). :meth:`snapshot`
freezes it into a :class:`MarketView` at the decision time — what the router reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from slipstream.errors import ValidationError
from slipstream.model.feed import BookUpdate
from slipstream.model.instruments import Instrument
from slipstream.routing.sources import AmmSource, BookSource, Source, VenueConditions
from slipstream.venues.sim.amm.base import Pool

__all__ = ["ConsolidatedView", "MarketView", "pair_of"]


def pair_of(symbol: str) -> tuple[str, str]:
    """(base, quote) of a unified symbol: ``BTC/USDT`` and ``BTC/USDT:USDT`` give (BTC, USDT).

    Raises:
        ValidationError: not a ``BASE/QUOTE`` symbol.
    """
    head = symbol.split(":", 1)[0]
    parts = head.split("/")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise ValidationError(f"not a BASE/QUOTE symbol: {symbol!r}")
    return parts[0], parts[1]


@dataclass(frozen=True, slots=True)
class MarketView:
    """Every source at decision time ``now_ns`` (sources keep their own received times)."""

    now_ns: int
    sources: tuple[Source, ...]

    def __post_init__(self) -> None:
        venues = [s.venue for s in self.sources]
        if len(set(venues)) != len(venues):
            raise ValidationError("a view holds one source per venue")

    def age_ns(self, source: Source) -> int:
        """How old the source's data is at decision time (never negative)."""
        return max(self.now_ns - source.conditions.received_ts_ns, 0)


class ConsolidatedView:
    """Sources per venue, updated from market data; one instance per asset pair."""

    def __init__(self) -> None:
        self._sources: dict[str, Source] = {}

    def source(self, venue: str) -> Source:
        """The venue's current source (raises KeyError when the venue is not in the view)."""
        return self._sources[venue]

    def venues(self) -> tuple[str, ...]:
        """Venues in the view, sorted."""
        return tuple(sorted(self._sources))

    def add(self, source: Source) -> None:
        """Register or replace a venue's source."""
        self._sources[source.venue] = source

    def apply_book(self, update: BookUpdate, instrument: Instrument | None = None) -> None:
        """Replace a book venue's levels with a published update (its receive time is the age base).

        Raises:
            ValidationError: unknown venue and no instrument given, or the venue is an AMM.
        """
        old = self._sources.get(update.venue)
        if old is None:
            if instrument is None:
                raise ValidationError(f"{update.venue}: unknown book venue; pass its instrument")
            self._sources[update.venue] = BookSource.from_update(update, instrument)
            return
        if not isinstance(old, BookSource):
            raise ValidationError(f"{update.venue}: not a book venue")
        cond = replace(old.conditions, received_ts_ns=update.receive_ts_ns)
        self._sources[update.venue] = replace(old, bids=update.bids, asks=update.asks, conditions=cond)

    def apply_pool(self, venue: str, pool: Pool, received_ts_ns: int) -> None:
        """Replace an AMM venue's pool state with a copy of ``pool``.

        Raises:
            ValidationError: unknown or non-AMM venue.
        """
        old = self._sources.get(venue)
        if not isinstance(old, AmmSource):
            raise ValidationError(f"{venue}: not a registered AMM venue")
        cond = replace(old.conditions, received_ts_ns=received_ts_ns)
        self._sources[venue] = replace(old, pool=pool.copy(), conditions=cond)

    def set_conditions(self, venue: str, conditions: VenueConditions) -> None:
        """Replace a venue's health/limits/latency (keeps its data)."""
        old = self._sources[venue]
        self._sources[venue] = replace(old, conditions=conditions)

    def set_balance(self, venue: str, max_base: Decimal | None, max_quote: Decimal | None) -> None:
        """Update the inventory and quote balance available on ``venue``."""
        old = self._sources[venue]
        self.set_conditions(venue, replace(old.conditions, max_base=max_base, max_quote=max_quote))

    def snapshot(self, now_ns: int) -> MarketView:
        """The frozen view at ``now_ns``, sources in venue-id order (deterministic)."""
        return MarketView(now_ns, tuple(self._sources[v] for v in sorted(self._sources)))
