"""Enumerations of the trading vocabulary: sides, order types, time in force, order status."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "InstrumentKind",
    "Liquidity",
    "OptionKind",
    "OrderStatus",
    "OrderType",
    "Side",
    "TimeInForce",
]


class Side(str, Enum):
    """Direction of an order or fill. ``sign`` is +1 for buys, -1 for sells."""

    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(str, Enum):
    """How an order trades. ``POST_ONLY`` is a limit that the venue rejects if it would take."""

    MARKET = "market"
    LIMIT = "limit"
    POST_ONLY = "post_only"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"


class TimeInForce(str, Enum):
    """How long an order may live."""

    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    GTD = "gtd"


class Liquidity(str, Enum):
    """Whether a fill added (maker) or removed (taker) liquidity; AMM swaps are takers."""

    MAKER = "maker"
    TAKER = "taker"


class OptionKind(str, Enum):
    CALL = "call"
    PUT = "put"


class InstrumentKind(str, Enum):
    SPOT = "spot"
    PERPETUAL = "perpetual"
    FUTURE = "future"
    OPTION = "option"


class OrderStatus(str, Enum):
    """Child-order lifecycle states (see :mod:`slipstream.oms.state` for the transition table).

    ``UNKNOWN`` means a venue failure left the outcome unclear: the order is reconciled against the
    venue, never assumed failed.
    """

    NEW = "new"
    PENDING_NEW = "pending_new"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    PENDING_CANCEL = "pending_cancel"
    PENDING_REPLACE = "pending_replace"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_working(self) -> bool:
        """True while the order can still fill at the venue (quantity counts as *working*)."""
        return self in _WORKING


_TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED})
_WORKING = frozenset(
    {
        OrderStatus.NEW,
        OrderStatus.PENDING_NEW,
        OrderStatus.ACCEPTED,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.PENDING_CANCEL,
        OrderStatus.PENDING_REPLACE,
        OrderStatus.UNKNOWN,
    }
)
