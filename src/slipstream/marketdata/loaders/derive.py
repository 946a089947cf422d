"""Derive (formerly Lyra v2) ticker recordings: REST ``public/get_ticker`` results and WebSocket
``ticker.<instrument>.<ms>`` / ``ticker_slim.<instrument>.<ms>`` notifications, for options
(quotes, implied vols and greeks under ``option_pricing``) and perps (quote, mark, index,
funding).

Tickers are full images with no sequence number, so there is nothing to gap-check. The slim
variant abbreviates keys (``b``/``B`` bid price/amount, ``a``/``A`` ask, ``M`` mark, ``I``
index, ``f`` funding; in ``option_pricing``: ``bi``/``ai``/``i`` bid/ask/mark IV, ``d``
delta, ``g`` gamma, ``v`` vega, ``t`` theta, ``r`` rho, ``f`` forward, ``m`` mark) and does not
name its instrument — the channel does. A slim payload recorded without its envelope needs
``instrument=`` (Nautilus pairs its slim-call fixture with ``ETH-20260612-1600-C``). Expiry,
strike and type come from ``option_details`` when present, else from the name
(``ETH-20260612-1600-C``: expiry 08:00 UTC that day, Derive's settlement time). IVs are
fractions (0.6 = 60 %); an empty side is sent as price 0 and becomes ``None``. Instrument
definitions (``public/get_instrument`` results, no timestamp) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders._common import (
    RowError,
    decimal_or_none,
    int_field,
    iter_json_values,
)
from slipstream.model.enums import OptionKind
from slipstream.model.market import (
    DerivativeTicker,
    MarketEvent,
    OptionChainQuote,
    QuoteTick,
)

__all__ = ["iter_tickers", "parse_option_name"]

StrPath = str | PathLike[str]
VENUE = "derive"
_MS = 1_000_000
_NS = 1_000_000_000
_OPTION = re.compile(r"([A-Z0-9]+)-(\d{4})(\d{2})(\d{2})-(\d+(?:\.\d+)?)-([CP])")
_KINDS = {"C": OptionKind.CALL, "P": OptionKind.PUT}
# full-ticker key → slim key
_SLIM = {
    "best_bid_price": "b", "best_bid_amount": "B", "best_ask_price": "a", "best_ask_amount": "A",
    "mark_price": "M", "index_price": "I", "timestamp": "t",
}
_SLIM_PRICING = {
    "bid_iv": "bi", "ask_iv": "ai", "iv": "i", "delta": "d", "gamma": "g", "vega": "v",
    "theta": "t", "rho": "r", "forward_price": "f", "mark_price": "m",
}


def parse_option_name(name: str) -> tuple[str, int, Decimal, OptionKind]:
    """``ETH-20260612-1600-C`` → (underlying, expiry ns at 08:00 UTC, strike, kind).

    Raises:
        RowError: not a Derive option name or not a real date.
    """
    match = _OPTION.fullmatch(name)
    if match is None:
        raise RowError(f"not a Derive option name: {name!r}")
    base, year, month, day, strike, kind = match.groups()
    try:
        expiry = datetime(int(year), int(month), int(day), 8, tzinfo=UTC)
    except ValueError as exc:
        raise RowError(f"bad expiry date in {name!r}") from exc
    return base, int(expiry.timestamp()) * _NS, Decimal(strike), _KINDS[kind]


def iter_tickers(path: StrPath, *, instrument: str | None = None) -> Iterator[MarketEvent]:
    """Stream Derive tickers: options → :class:`OptionChainQuote`; perps and spot → a
    :class:`QuoteTick` plus a :class:`DerivativeTicker` (mark, index, funding).

    Args:
        path: the recording.
        instrument: name for slim payloads recorded without their channel.

    Raises:
        DataError: malformed ticker, or a slim ticker with no instrument name (file, line).
    """
    file = Path(path)
    for line, record, message in iter_json_values(file):
        try:
            events = list(_events(message, instrument))
        except (RowError, ValidationError) as exc:
            raise DataError(str(file), line, f"record {record}: {exc}") from None
        yield from events


def _events(message: Any, instrument: str | None) -> Iterator[MarketEvent]:
    if not isinstance(message, dict):
        raise RowError("message is not a JSON object")
    channel_name = instrument
    if "params" in message:  # subscription notification
        params = message["params"]
        if not isinstance(params, dict):
            raise RowError("params is not an object")
        channel = str(params.get("channel", ""))
        if not channel.startswith(("ticker.", "ticker_slim.")):
            return
        channel_name = channel.split(".")[1]
        message = params.get("data")
    elif "result" in message:  # JSON-RPC response
        message = message["result"]
    if not isinstance(message, dict):
        raise RowError("ticker data is not an object")
    envelope_ts = message.get("timestamp")
    ticker = message.get("instrument_ticker", message)
    if not isinstance(ticker, dict):
        raise RowError("instrument_ticker is not an object")
    if "timestamp" not in ticker and "t" not in ticker and envelope_ts is None:
        if "instrument_type" in ticker:  # an instrument definition, not market data
            return
        raise RowError("ticker has no timestamp")
    slim = "instrument_name" not in ticker
    name = ticker.get("instrument_name", channel_name)
    if not isinstance(name, str) or not name:
        raise RowError("slim ticker does not name its instrument; pass instrument=")
    raw_ts = ticker.get("t" if slim else "timestamp", envelope_ts)
    ts = int_field(raw_ts, "timestamp") * _MS
    if ts < 0:
        raise RowError(f"negative timestamp {raw_ts}")

    def field(key: str) -> Decimal | None:
        return decimal_or_none(ticker.get(_SLIM[key] if slim else key), key)

    bid, ask = field("best_bid_price") or None, field("best_ask_price") or None
    bid_size = field("best_bid_amount") if bid else None
    ask_size = field("best_ask_amount") if ask else None
    pricing = ticker.get("option_pricing")
    if pricing is None:
        yield QuoteTick(VENUE, name, bid, bid_size, ask, ask_size, ts, ts)
        perp = ticker.get("perp_details")
        funding = ticker.get("f") if slim else perp.get("funding_rate") if isinstance(perp, dict) else None
        yield DerivativeTicker(
            VENUE, name, ts, ts, mark_price=field("mark_price"), index_price=field("index_price"),
            funding_rate=decimal_or_none(funding, "funding_rate"),
        )
        return
    if not isinstance(pricing, dict):
        raise RowError("option_pricing is not an object")
    yield _option(name, ticker, pricing, slim, ts, (bid, bid_size, ask, ask_size), field("mark_price"))


def _option(
    name: str, ticker: dict[str, Any], pricing: dict[str, Any], slim: bool, ts: int,
    quote: tuple[Decimal | None, ...], mark: Decimal | None,
) -> OptionChainQuote:
    underlying, expiry_ns, strike, kind = _option_terms(name, ticker.get("option_details"))

    def greek(key: str) -> Decimal | None:
        return decimal_or_none(pricing.get(_SLIM_PRICING[key] if slim else key), key)

    stats = ticker.get("stats")
    open_interest = None
    if isinstance(stats, dict):
        open_interest = decimal_or_none(stats.get("oi" if slim else "open_interest"), "open_interest")
    bid, bid_size, ask, ask_size = quote
    return OptionChainQuote(
        VENUE, name, kind, strike, expiry_ns, ts, ts,
        bid_price=bid, bid_size=bid_size, bid_iv=greek("bid_iv"),
        ask_price=ask, ask_size=ask_size, ask_iv=greek("ask_iv"),
        mark_price=mark if mark is not None else greek("mark_price"), mark_iv=greek("iv"),
        open_interest=open_interest, underlying=underlying,
        underlying_price=greek("forward_price"), delta=greek("delta"), gamma=greek("gamma"),
        vega=greek("vega"), theta=greek("theta"), rho=greek("rho"),
    )


def _option_terms(name: str, details: Any) -> tuple[str, int, Decimal, OptionKind]:
    if not isinstance(details, dict):
        return parse_option_name(name)
    kind = details.get("option_type")
    if kind not in _KINDS:
        raise RowError(f"option_type: expected C or P, got {kind!r}")
    strike = decimal_or_none(details.get("strike"), "strike")
    if strike is None:
        raise RowError("option_details has no strike")
    expiry_ns = int_field(details.get("expiry"), "expiry") * _NS
    return str(details.get("index", name.split("-")[0])), expiry_ns, strike, _KINDS[kind]
