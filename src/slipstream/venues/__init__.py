"""Venues: the one interface every venue implements (simulated or live), health and failover.

Simulated venues live in :mod:`slipstream.venues.sim` (top-of-book, order book, AMM pools on a
simulated chain).
"""

from slipstream.venues.base import Venue, VenueContext, VenueHealth

__all__ = ["Venue", "VenueContext", "VenueHealth"]
