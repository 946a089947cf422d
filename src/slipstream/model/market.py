"""Market-data value types: book deltas and snapshots, trades, quotes, bars, tickers, L3 orders,
index values and on-chain pool swaps.

Every event is a frozen ``msgspec.Struct`` (cheap to build, hash and compare) and carries two
integer-nanosecond times, as hftbacktest's ``exch_ts``/``local_ts`` do:

* ``venue_ts_ns`` — when the venue stamped the event;
* ``receive_ts_ns`` — when the recorder received it. Formats with one time use it for both.

Prices and sizes are ``decimal.Decimal`` parsed exactly from the recorded text (see
:mod:`slipstream.marketdata.loaders`). Conversion to integer ticks/lots happens at the book, which
knows the instrument's increments. Construction checks the invariants a loader relies on (sizes
non-negative, prices positive, ``high >= low``) and raises :class:`ValidationError`; loaders turn
that into a :class:`DataError` naming the file and line.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

import msgspec

from slipstream.errors import ValidationError
from slipstream.model.enums import OptionKind, Side

__all__ = [
    "Bar",
    "BookAction",
    "BookDelta",
    "BookLevel",
    "BookSide",
    "BookSnapshot",
    "DerivativeTicker",
    "IndexTick",
    "L3Order",
    "MarketEvent",
    "OptionChainQuote",
    "PoolSwap",
    "QuoteTick",
    "TradeTick",
]

_ZERO = Decimal(0)


class BookSide(StrEnum):
    """Which side of an order book a level or resting order sits on."""

    BID = "bid"
    ASK = "ask"


class BookAction(StrEnum):
    """What a book delta does to its level (or an L3 event to its order).

    ``UPDATE`` sets the level to ``size`` whether or not it existed: incremental L2 feeds
    (Tardis, Binance, Bybit, OKX) do not say which, only Deribit does (``new``/``change``).
    ``CLEAR`` empties both sides; loaders emit it before every snapshot.
    """

    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"
    CLEAR = "clear"


def _check_size(size: Decimal, what: str) -> None:
    if size < _ZERO:
        raise ValidationError(f"negative {what}: {size}")


def _check_price(price: Decimal, what: str) -> None:
    if price <= _ZERO:
        raise ValidationError(f"non-positive {what}: {price}")


class BookLevel(msgspec.Struct, frozen=True, gc=False):
    """One aggregated price level of a snapshot."""

    price: Decimal
    size: Decimal

    def __post_init__(self) -> None:
        _check_price(self.price, "level price")
        _check_size(self.size, "level size")


class BookDelta(msgspec.Struct, frozen=True, gc=False):
    """One change to one L2 level.

    Args:
        venue: venue name (``binance``, ``deribit``, ...).
        instrument: the venue's symbol.
        side: book side; ``None`` only for ``CLEAR``.
        action: what happens to the level (``DELETE`` has ``size == 0``).
        price: level price (``0`` for ``CLEAR``).
        size: new level size.
        sequence: the venue's update id for the batch (Binance ``u``, Bybit ``u``, Deribit
            ``change_id``, OKX ``seqId``); 0 where the format has none.
        venue_ts_ns: venue time.
        receive_ts_ns: recorder time.
        is_snapshot: part of a full-book image rather than an incremental change.
        is_last: last delta of its venue message/batch; apply the batch, then read the book.
        gap: a sequence gap preceded this batch (only with ``on_gap="mark"``).
    """

    venue: str
    instrument: str
    side: BookSide | None
    action: BookAction
    price: Decimal
    size: Decimal
    sequence: int
    venue_ts_ns: int
    receive_ts_ns: int
    is_snapshot: bool = False
    is_last: bool = True
    gap: bool = False

    def __post_init__(self) -> None:
        _check_size(self.size, "size")
        if self.action is BookAction.CLEAR:
            return
        if self.side is None:
            raise ValidationError(f"{self.action.value} delta needs a side")
        _check_price(self.price, "price")


class BookSnapshot(msgspec.Struct, frozen=True, gc=False):
    """A full top-of-book image: bids best (highest) first, asks best (lowest) first."""

    venue: str
    instrument: str
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    sequence: int
    venue_ts_ns: int
    receive_ts_ns: int


class TradeTick(msgspec.Struct, frozen=True, gc=False):
    """One public trade. ``aggressor`` is the taker's side; ``None`` when the venue omits it."""

    venue: str
    instrument: str
    price: Decimal
    size: Decimal
    aggressor: Side | None
    trade_id: str
    venue_ts_ns: int
    receive_ts_ns: int

    def __post_init__(self) -> None:
        _check_price(self.price, "trade price")
        _check_size(self.size, "trade size")


class QuoteTick(msgspec.Struct, frozen=True, gc=False):
    """Best bid and offer. A side is ``None`` when that side of the book was empty."""

    venue: str
    instrument: str
    bid_price: Decimal | None
    bid_size: Decimal | None
    ask_price: Decimal | None
    ask_size: Decimal | None
    venue_ts_ns: int
    receive_ts_ns: int

    def __post_init__(self) -> None:
        for price, size, name in (
            (self.bid_price, self.bid_size, "bid"),
            (self.ask_price, self.ask_size, "ask"),
        ):
            if (price is None) != (size is None):
                raise ValidationError(f"{name} price and size must both be present or absent")
            if price is not None and size is not None:
                _check_price(price, f"{name} price")
                _check_size(size, f"{name} size")


class Bar(msgspec.Struct, frozen=True, gc=False):
    """An OHLCV bar. ``venue_ts_ns`` is the bar's close (when it became known).

    Args:
        open_ts_ns: start of the interval.
        interval_ns: bar length.
        volume: traded volume in the file's unit (base for Binance, USD notional for FTX).
        quote_volume: volume in quote currency, where the file has it.
        trade_count: number of trades, where the file has it.
    """

    venue: str
    instrument: str
    open_ts_ns: int
    interval_ns: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    venue_ts_ns: int
    receive_ts_ns: int
    quote_volume: Decimal | None = None
    trade_count: int | None = None

    def __post_init__(self) -> None:
        if self.interval_ns <= 0:
            raise ValidationError(f"non-positive bar interval: {self.interval_ns}")
        for value, name in ((self.open, "open"), (self.close, "close"), (self.low, "low")):
            _check_price(value, name)
        body_low, body_high = min(self.open, self.close), max(self.open, self.close)
        if self.high < max(body_high, self.low) or self.low > body_low:
            raise ValidationError(
                f"inconsistent bar: o={self.open} h={self.high} l={self.low} c={self.close}"
            )
        _check_size(self.volume, "volume")


class DerivativeTicker(msgspec.Struct, frozen=True, gc=False):
    """Perpetual/future reference prices and funding; a field is ``None`` when not in the source.

    Args:
        funding_rate: the rate for the current (or, in funding history, the settled) period.
        predicted_funding_rate: the venue's estimate for the next period.
        next_funding_ts_ns: when ``funding_rate`` is charged.
    """

    venue: str
    instrument: str
    venue_ts_ns: int
    receive_ts_ns: int
    mark_price: Decimal | None = None
    index_price: Decimal | None = None
    last_price: Decimal | None = None
    funding_rate: Decimal | None = None
    predicted_funding_rate: Decimal | None = None
    next_funding_ts_ns: int | None = None
    open_interest: Decimal | None = None

    def __post_init__(self) -> None:
        if self.open_interest is not None:
            _check_size(self.open_interest, "open interest")


class OptionChainQuote(msgspec.Struct, frozen=True, gc=False):
    """One option's quote, implied vols and greeks. Missing fields are ``None``.

    Prices are in the file's quote unit (BTC/ETH for Deribit inverse options); implied vols are
    in the venue's unit (percent for Tardis/Deribit, fraction for Bybit).
    """

    venue: str
    instrument: str
    kind: OptionKind
    strike: Decimal
    expiry_ts_ns: int
    venue_ts_ns: int
    receive_ts_ns: int
    bid_price: Decimal | None = None
    bid_size: Decimal | None = None
    bid_iv: Decimal | None = None
    ask_price: Decimal | None = None
    ask_size: Decimal | None = None
    ask_iv: Decimal | None = None
    mark_price: Decimal | None = None
    mark_iv: Decimal | None = None
    last_price: Decimal | None = None
    open_interest: Decimal | None = None
    underlying: str | None = None
    underlying_price: Decimal | None = None
    delta: Decimal | None = None
    gamma: Decimal | None = None
    vega: Decimal | None = None
    theta: Decimal | None = None
    rho: Decimal | None = None

    def __post_init__(self) -> None:
        _check_price(self.strike, "strike")
        for value, name in (
            (self.bid_size, "bid size"),
            (self.ask_size, "ask size"),
            (self.open_interest, "open interest"),
        ):
            if value is not None:
                _check_size(value, name)


class L3Order(msgspec.Struct, frozen=True, gc=False):
    """One market-by-order event: an order added, changed or removed (or the book cleared).

    ``sequence`` is the record number in the feed. ``size`` is 0 for ``DELETE`` and ``CLEAR``.
    """

    venue: str
    instrument: str
    order_id: int
    side: BookSide | None
    action: BookAction
    price: Decimal
    size: Decimal
    sequence: int
    venue_ts_ns: int
    receive_ts_ns: int
    is_snapshot: bool = False
    is_last: bool = True

    def __post_init__(self) -> None:
        _check_size(self.size, "order size")
        if self.action is BookAction.CLEAR:
            return
        if self.side is None:
            raise ValidationError(f"{self.action.value} order event needs a side")
        if self.action is not BookAction.DELETE:
            _check_price(self.price, "order price")


class IndexTick(msgspec.Struct, frozen=True, gc=False):
    """One value of a venue-published index that is not a tradable price level.

    Deribit's volatility index (DVOL, annualised implied vol in percent) and its price indices
    (``deribit_price_index``) are the sources today; ``instrument`` is the venue's index name
    (``btc_usd``) — named like every other event's so generic consumers can key on it — and
    ``value`` its value in the venue's unit.
    """

    venue: str
    instrument: str
    value: Decimal
    venue_ts_ns: int
    receive_ts_ns: int


_INT256 = 1 << 255
_UINT160 = 1 << 160
_UINT128 = 1 << 128
_INT24 = 1 << 23


class PoolSwap(msgspec.Struct, frozen=True, gc=False):
    """One on-chain AMM ``Swap`` event log (Uniswap-v3 layout; PancakeSwap v3 adds protocol fees).

    Amounts are the pool's signed token deltas in token base units (positive: the pool received
    that token), ``sqrt_price_x96`` the Q64.96 square-root price and ``tick`` the tick *after*
    the swap, exactly as the contract emitted them. On-chain order is
    ``(block_number, log_index)``. A raw ``eth_getLogs`` log carries no block time, so
    ``venue_ts_ns``/``receive_ts_ns`` are the block time when the log (or the loader's
    ``block_times``) supplies it and ``0`` when unknown.

    Args:
        venue: chain/dex label chosen by the loader (``bsc``, ``ethereum``...).
        pool: pool contract address, lower-case hex.
        block_number: block that included the swap.
        transaction_hash: hash of the transaction, lower-case hex.
        transaction_index: index of the transaction in the block.
        log_index: index of the log in the block.
        sender: ``sender`` topic (the router/caller), lower-case hex address.
        recipient: ``recipient`` topic, lower-case hex address.
        amount0: signed token0 delta (int256).
        amount1: signed token1 delta (int256).
        sqrt_price_x96: pool price after the swap (uint160).
        liquidity: in-range liquidity after the swap (uint128).
        tick: current tick after the swap (int24).
        protocol_fees_token0: PancakeSwap v3's protocol fee in token0 (``None`` for Uniswap v3).
        protocol_fees_token1: likewise for token1.
    """

    venue: str
    pool: str
    block_number: int
    transaction_hash: str
    transaction_index: int
    log_index: int
    sender: str
    recipient: str
    amount0: int
    amount1: int
    sqrt_price_x96: int
    liquidity: int
    tick: int
    venue_ts_ns: int = 0
    receive_ts_ns: int = 0
    protocol_fees_token0: int | None = None
    protocol_fees_token1: int | None = None

    def __post_init__(self) -> None:
        for value, name in ((self.amount0, "amount0"), (self.amount1, "amount1")):
            if not -_INT256 <= value < _INT256:
                raise ValidationError(f"{name} out of int256 range: {value}")
        if not 0 < self.sqrt_price_x96 < _UINT160:
            raise ValidationError(f"sqrt_price_x96 out of uint160 range: {self.sqrt_price_x96}")
        if not 0 <= self.liquidity < _UINT128:
            raise ValidationError(f"liquidity out of uint128 range: {self.liquidity}")
        if not -_INT24 <= self.tick < _INT24:
            raise ValidationError(f"tick out of int24 range: {self.tick}")
        if min(self.block_number, self.transaction_index, self.log_index) < 0:
            raise ValidationError("negative block number, transaction index or log index")

    @property
    def instrument(self) -> str:
        """The pool address: what a swap trades, named like every other event's instrument."""
        return self.pool


MarketEvent = (
    BookDelta
    | BookSnapshot
    | TradeTick
    | QuoteTick
    | Bar
    | DerivativeTicker
    | OptionChainQuote
    | L3Order
    | IndexTick
    | PoolSwap
)
"""Any event a recorded-data loader yields."""
