"""Identifier types: one distinct type per kind of id, so a venue order id can never be passed
where a client order id is expected (checked by mypy; at run time they are plain ``str``)."""

from __future__ import annotations

from typing import NewType

__all__ = [
    "AccountId",
    "ClientOrderId",
    "ParentOrderId",
    "TradeId",
    "VenueId",
    "VenueOrderId",
]

ClientOrderId = NewType("ClientOrderId", str)
"""Our id for a child order; idempotency key at the OMS and at the venue."""
VenueOrderId = NewType("VenueOrderId", str)
"""The venue's id for an accepted order."""
TradeId = NewType("TradeId", str)
"""The venue's id for one execution; (venue, trade id) identifies a fill exactly once."""
ParentOrderId = NewType("ParentOrderId", str)
"""Our id for a parent order handed over by a desk."""
VenueId = NewType("VenueId", str)
"""Short venue name, e.g. ``binance``, ``deribit``, ``uniswap_v3_eth``."""
AccountId = NewType("AccountId", str)
"""Trading account (a desk's book) that owns positions and limits."""
