"""Streaming shapes the Nautilus samples do not cover (WebSocket books, trades, envelopes),
sequence checks (Lighter nonces, dYdX message ids, on-chain log order) and bad rows named by
file and line, on small hand-written recordings; plus an ABI round-trip property for swaps."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.errors import DataError, ValidationError
from slipstream.marketdata.loaders import (
    chain_swaps,
    deribit,
    derive,
    hyperliquid,
    lighter,
    load,
    sniff_format,
)
from slipstream.model.enums import Side
from slipstream.model.market import (
    BookAction,
    BookDelta,
    BookSide,
    DerivativeTicker,
    IndexTick,
    OptionChainQuote,
    PoolSwap,
    QuoteTick,
    TradeTick,
)

POOL = "0x172fcd41e0913e95784454622d1c3724f546f849"
ADDRESS_TOPIC = "0x" + "0" * 24 + "7eded5ce04fd9bb6d125a0a470cc3ffcd972e182"


def _jsonl(path: Path, messages: list[Any]) -> Path:
    path.write_text("".join(json.dumps(m) + "\n" for m in messages))
    return path


# ---------------------------------------------------------------- Lighter order_book nonces


def _lighter_book(kind: str, nonce: int, begin: int, asks: list[Any], bids: list[Any]) -> dict[str, Any]:
    return {"channel": "order_book:0", "offset": 1, "timestamp": 1774884082326, "type": kind,
            "order_book": {"code": 0, "asks": asks, "bids": bids, "offset": 1, "nonce": nonce,
                           "begin_nonce": begin}}


def test_lighter_ws_book_snapshot_updates_and_gap(tmp_path: Path) -> None:
    messages = [
        _lighter_book("subscribed/order_book", 904845, 0,
                      [{"price": "2325.00", "size": "99.0000"}], [{"price": "2000.00", "size": "0.0200"}]),
        _lighter_book("update/order_book", 904900, 904845, [{"price": "2325.00", "size": "0"}], []),
        _lighter_book("update/order_book", 905000, 904999, [], [{"price": "2001.00", "size": "1.5"}]),
    ]
    path = _jsonl(tmp_path / "lighter.jsonl", messages)
    assert sniff_format(path) == "lighter.json"
    with pytest.raises(DataError, match=r"lighter\.jsonl:3: sequence gap: begin_nonce=904999"):
        list(load(path))
    events = list(load(path, on_gap="mark"))
    assert [type(e) for e in events] == [BookDelta] * 5
    clear, bid, ask, delete, late = events  # bids first, then asks
    assert clear.action is BookAction.CLEAR and ask.is_snapshot and ask.sequence == 904845
    assert (ask.side, ask.price, ask.is_last) == (BookSide.ASK, Decimal("2325.00"), True)
    assert (bid.side, bid.price, bid.size) == (BookSide.BID, Decimal("2000.00"), Decimal("0.0200"))
    assert (delete.action, delete.price, delete.sequence, delete.gap) == (
        BookAction.DELETE, Decimal("2325.00"), 904900, False)
    assert (late.action, late.gap, late.instrument) == (BookAction.UPDATE, True, "0")
    assert late.venue_ts_ns == 1774884082326 * 10**6


def test_lighter_update_before_snapshot_is_a_gap(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "l.jsonl", [_lighter_book("update/order_book", 2, 1, [], [])])
    with pytest.raises(DataError, match=r"l\.jsonl:1: sequence gap: update before any snapshot"):
        list(lighter.iter_messages(path))


def test_lighter_ws_trades(tmp_path: Path) -> None:
    # shape of nautilus_trader crates/adapters/lighter/test_data/ws_trade_update.json
    trade = {"trade_id": 16164557907, "trade_id_str": "16164557907", "market_id": 0, "size": "0.1336",
             "price": "2181.83", "is_maker_ask": True, "timestamp": 1773854156654}
    path = _jsonl(tmp_path / "t.jsonl", [{"channel": "trade:0", "trades": [trade], "type": "update/trade"}])
    (tick,) = lighter.iter_messages(path, instrument="ETH")
    assert tick == TradeTick("lighter", "ETH", Decimal("2181.83"), Decimal("0.1336"), Side.BUY,
                             "16164557907", 1773854156654 * 10**6, 1773854156654 * 10**6)


def test_lighter_bad_rows_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "code": 200,\n  "fundings": [{"timestamp": 1, "rate": "0.1", "direction": "up"}]\n}\n')
    with pytest.raises(DataError, match=r"bad\.json:1: record 1: unknown funding direction 'up'"):
        list(lighter.iter_messages(bad))
    bad.write_text('{"code": 200, "total_asks": 2, "asks": [], "bids": []}')
    with pytest.raises(DataError, match="total_asks=2 but 0 orders"):
        list(lighter.iter_messages(bad))
    bad.write_text('{"code": 429, "message": "too many requests"}')
    with pytest.raises(DataError, match="error response: code 429"):
        list(lighter.iter_messages(bad))


# ---------------------------------------------------------------- dYdX WebSocket message ids


def test_dydx_ws_orderbook_trades_and_message_id_gap(tmp_path: Path) -> None:
    conn = "004a1efa"
    messages = [
        {"type": "connected", "connection_id": conn, "message_id": 0},
        {"type": "subscribed", "connection_id": conn, "message_id": 1, "channel": "v4_orderbook",
         "id": "BTC-USD", "contents": {"bids": [{"price": "65000", "size": "1.5"}],
                                       "asks": [{"price": "65001", "size": "0.5"}]}},
        {"type": "channel_data", "connection_id": conn, "message_id": 2, "channel": "v4_trades",
         "id": "BTC-USD", "contents": {"trades": [
             {"id": "t1", "side": "SELL", "size": "0.1", "price": "65000",
              "createdAt": "2025-01-08T12:34:56.789Z", "createdAtHeight": "1"}]}},
        {"type": "channel_data", "connection_id": conn, "message_id": 4, "channel": "v4_orderbook",
         "id": "BTC-USD", "version": "1.0.0", "contents": {"bids": [["65000", "0"]]}},
    ]
    path = _jsonl(tmp_path / "dydx.jsonl", messages)
    assert sniff_format(path) == "dydx.json"
    with pytest.raises(DataError, match=r"dydx\.jsonl:4: sequence gap: message_id=4 after 2"):
        list(load(path))
    clear, bid, ask, trade, delete = load(path, on_gap="mark")
    assert isinstance(clear, BookDelta) and clear.action is BookAction.CLEAR and clear.sequence == 1
    assert isinstance(bid, BookDelta) and (bid.price, bid.size, bid.action) == (
        Decimal("65000"), Decimal("1.5"), BookAction.ADD)
    assert isinstance(ask, BookDelta) and ask.is_last
    assert trade == TradeTick("dydx", "BTC-USD", Decimal("65000"), Decimal("0.1"), Side.SELL, "t1",
                              1736339696789 * 10**6, 1736339696789 * 10**6)
    assert isinstance(delete, BookDelta)
    assert (delete.action, delete.sequence, delete.gap) == (BookAction.DELETE, 4, True)


# ---------------------------------------------------------------- Hyperliquid WebSocket


def test_hyperliquid_ws_trades_bbo_and_bad_row(tmp_path: Path) -> None:
    messages = [
        {"channel": "subscriptionResponse", "data": {"method": "subscribe"}},
        {"channel": "trades", "data": [{"coin": "BTC", "side": "A", "px": "98450.5", "sz": "0.01",
                                        "hash": "0x0", "time": 1703875200000, "tid": 42}]},
        {"channel": "bbo", "data": {"coin": "BTC", "time": 1703875200001,
                                    "bbo": [{"px": "98450.5", "sz": "2.5", "n": 3}, None]}},
    ]
    path = _jsonl(tmp_path / "hl.jsonl", messages)
    assert sniff_format(path) == "hyperliquid.json"
    trade, quote = hyperliquid.iter_messages(path)
    assert isinstance(trade, TradeTick) and (trade.aggressor, trade.trade_id) == (Side.SELL, "42")
    assert isinstance(quote, QuoteTick)
    assert (quote.bid_price, quote.bid_size, quote.ask_price) == (Decimal("98450.5"), Decimal("2.5"), None)
    messages.append({"channel": "l2Book", "data": {"coin": "BTC", "time": 1, "levels": [
        [{"px": "1", "sz": "1"}, {"px": "2", "sz": "1"}], []]}})
    path = _jsonl(tmp_path / "hl.jsonl", messages)
    with pytest.raises(DataError, match=r"hl\.jsonl:4: record 4: bids not in descending price order"):
        list(hyperliquid.iter_messages(path))


# ---------------------------------------------------------------- Derive envelopes, Deribit index


def test_derive_ws_envelopes(tmp_path: Path) -> None:
    slim = {"A": "1", "B": "2", "I": "1991.7", "M": "398.1", "a": "409.8", "b": "0", "f": None,
            "option_pricing": {"ai": "0.9", "bi": "0", "d": "-0.3", "f": "1992.6", "g": "0.001",
                               "i": "0.5", "m": "398.1", "r": "-1", "t": "-0.9", "v": "0.4"},
            "stats": {"oi": "42.13"}, "t": 1779953797040}
    perp = {"instrument_name": "ETH-PERP", "timestamp": 1700000000000, "best_bid_price": "3499.5",
            "best_bid_amount": "2", "best_ask_price": "3500.5", "best_ask_amount": "3",
            "mark_price": "3500", "index_price": "3499.9", "option_pricing": None,
            "perp_details": {"funding_rate": "0.00015"}}
    messages = [
        {"method": "subscription", "params": {"channel": "ticker_slim.ETH-20260612-1900-P.1000",
                                              "data": {"instrument_ticker": slim, "timestamp": 1}}},
        {"method": "subscription", "params": {"channel": "ticker.ETH-PERP.1000",
                                              "data": {"instrument_ticker": perp, "timestamp": 1}}},
    ]
    path = _jsonl(tmp_path / "derive.jsonl", messages)
    assert sniff_format(path) == "derive.tickers"
    option, quote, ticker = derive.iter_tickers(path)
    assert isinstance(option, OptionChainQuote) and option.instrument == "ETH-20260612-1900-P"
    assert option.kind.value == "put" and option.strike == Decimal("1900")
    assert (option.bid_price, option.bid_size, option.open_interest) == (None, None, Decimal("42.13"))
    assert option.venue_ts_ns == 1779953797040 * 10**6 and option.delta == Decimal("-0.3")
    assert isinstance(quote, QuoteTick) and quote.ask_size == Decimal("3")
    assert isinstance(ticker, DerivativeTicker)
    assert (ticker.mark_price, ticker.index_price, ticker.funding_rate) == (
        Decimal("3500"), Decimal("3499.9"), Decimal("0.00015"))


def test_derive_bad_option_name(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "d.jsonl", [{"instrument_ticker": {"t": 1, "option_pricing": {}}}])
    with pytest.raises(DataError, match=r"d\.jsonl:1: record 1: not a Derive option name: 'ETH-X'"):
        list(derive.iter_tickers(path, instrument="ETH-X"))


def test_deribit_price_index(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "px.jsonl", [{"jsonrpc": "2.0", "method": "subscription", "params": {
        "channel": "deribit_price_index.eth_usd",
        "data": {"timestamp": 1700000000000, "price": 2000.25, "index_name": "eth_usd"}}}])
    (tick,) = deribit.iter_messages(path)
    assert tick == IndexTick("deribit", "eth_usd", Decimal("2000.25"), 1700000000000 * 10**6,
                             1700000000000 * 10**6)


# ---------------------------------------------------------------- on-chain swaps


def _word(value: int) -> str:
    return f"{value % 2**256:064x}"


def _swap_log(block: int, log_index: int, amount0: int, amount1: int, sqrt_price: int, liquidity: int,
              tick: int, *, pancake: bool = True, **extra: Any) -> dict[str, Any]:
    words = [amount0, amount1, sqrt_price, liquidity, tick] + ([7, 0] if pancake else [])
    topic = chain_swaps.PANCAKESWAP_V3_SWAP_TOPIC if pancake else chain_swaps.UNISWAP_V3_SWAP_TOPIC
    return {"removed": False, "logIndex": hex(log_index), "transactionIndex": "0x1",
            "transactionHash": "0x" + "ab" * 32, "blockNumber": hex(block), "address": POOL,
            "data": "0x" + "".join(_word(w) for w in words),
            "topics": [topic, ADDRESS_TOPIC, ADDRESS_TOPIC], **extra}


@given(
    amount0=st.integers(-(2**255), 2**255 - 1),
    amount1=st.integers(-(2**255), 2**255 - 1),
    sqrt_price=st.integers(1, 2**160 - 1),
    liquidity=st.integers(0, 2**128 - 1),
    tick=st.integers(-(2**23), 2**23 - 1),
    pancake=st.booleans(),
)
def test_swap_abi_round_trip(amount0: int, amount1: int, sqrt_price: int, liquidity: int, tick: int,
                             pancake: bool) -> None:
    swap = chain_swaps.decode_swap_log(
        _swap_log(1, 2, amount0, amount1, sqrt_price, liquidity, tick, pancake=pancake))
    assert isinstance(swap, PoolSwap)
    assert (swap.amount0, swap.amount1, swap.sqrt_price_x96, swap.liquidity, swap.tick) == (
        amount0, amount1, sqrt_price, liquidity, tick)
    assert swap.venue == ("pancakeswap_v3" if pancake else "uniswap_v3")
    assert swap.protocol_fees_token0 == (7 if pancake else None)


def test_swaps_json_rpc_response_order_and_timestamps(tmp_path: Path) -> None:
    other_event = {**_swap_log(9, 0, 1, -1, 2**96, 1, 0), "topics": ["0x" + "11" * 32]}
    response = {"jsonrpc": "2.0", "id": 1, "result": [
        _swap_log(10, 1, 5, -4, 2**96, 10, 0, blockTimestamp="0x6853a8c0"),
        other_event,  # a Mint/Burn-like log: skipped
        _swap_log(10, 3, -5, 4, 2**96, 10, -1, pancake=False),
    ]}
    path = tmp_path / "logs.json"
    path.write_text(json.dumps(response))
    assert sniff_format(path) == "chain.swaps"
    first, second = load(path)
    assert isinstance(first, PoolSwap) and isinstance(second, PoolSwap)
    assert first.venue_ts_ns == 0x6853A8C0 * 10**9 and second.venue_ts_ns == 0
    assert (second.venue, second.tick, second.protocol_fees_token0) == ("uniswap_v3", -1, None)


def test_swap_bad_rows_name_file_and_line(tmp_path: Path) -> None:
    good = _swap_log(10, 5, 1, -1, 2**96, 1, 0)
    path = _jsonl(tmp_path / "swaps.jsonl", [good, _swap_log(10, 5, 1, -1, 2**96, 1, 0)])
    with pytest.raises(DataError, match=r"swaps\.jsonl:2: record 2: log \(block 10, index 5\) is not after"):
        list(chain_swaps.iter_swaps(path))
    short = {**good, "data": good["data"][: 2 + 5 * 64]}  # Uniswap length under the Pancake topic
    path = _jsonl(tmp_path / "swaps.jsonl", [short])
    with pytest.raises(DataError, match=r"swaps\.jsonl:1: record 1: data too short for pancakeswap_v3"):
        list(chain_swaps.iter_swaps(path))
    path = _jsonl(tmp_path / "swaps.jsonl", [good, {**good, "removed": True, "logIndex": "0x6"}])
    with pytest.raises(DataError, match=r"swaps\.jsonl:2: .*removed \(re-orged\) log"):
        list(chain_swaps.iter_swaps(path))
    zero_price = _swap_log(11, 0, 1, -1, 0, 1, 0)
    path = _jsonl(tmp_path / "swaps.jsonl", [zero_price])
    with pytest.raises(DataError, match="sqrt_price_x96 out of uint160 range"):
        list(chain_swaps.iter_swaps(path))


def test_pool_swap_type_guards() -> None:
    with pytest.raises(ValidationError, match="tick out of int24 range"):
        PoolSwap("x", POOL, 1, "0x", 0, 0, "a", "b", 0, 0, 1, 0, 2**23)
    with pytest.raises(ValidationError, match="amount0 out of int256 range"):
        PoolSwap("x", POOL, 1, "0x", 0, 0, "a", "b", 2**255, 0, 1, 0, 0)


def test_bench_more_venues_smoke(tmp_path: Path) -> None:
    import importlib.util
    import random

    script = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_loaders_more_venues.py"
    spec = importlib.util.spec_from_file_location("bench_loaders_more_venues", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, generator in module.GENERATORS.items():
        path = module.write(tmp_path, name, generator(random.Random(1), 20))
        count, seconds, peak = module.measure(path, repeats=1)
        assert count >= 20 and seconds > 0 and peak > 0
