"""Stable reason codes for pre-trade denials.

A code is part of the public contract: dashboards, metrics (``rejects by reason``) and desks key
on it, so codes are only ever added, never renamed. The context of a denial says the numbers
(key=value), never prose.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RiskReason"]


class RiskReason(StrEnum):
    MAX_ORDER_QTY = "MAX_ORDER_QTY"
    MAX_ORDER_NOTIONAL = "MAX_ORDER_NOTIONAL"
    PRICE_BAND = "PRICE_BAND"
    FAT_FINGER = "FAT_FINGER"
    NO_REFERENCE_PRICE = "NO_REFERENCE_PRICE"
    MAX_OPEN_ORDERS = "MAX_OPEN_ORDERS"
    ORDER_RATE = "ORDER_RATE"
    POSITION_LIMIT = "POSITION_LIMIT"
    GROSS_EXPOSURE = "GROSS_EXPOSURE"
    NET_EXPOSURE = "NET_EXPOSURE"
    MAX_LOSS = "MAX_LOSS"
    EXPIRED_INSTRUMENT = "EXPIRED_INSTRUMENT"
    TRADING_HOURS = "TRADING_HOURS"
    KILL_SWITCH = "KILL_SWITCH"
    VENUE_DOWN = "VENUE_DOWN"
    UNKNOWN_INSTRUMENT = "UNKNOWN_INSTRUMENT"
