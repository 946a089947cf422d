"""Hyperliquid, dYdX, Lighter, Derive, Deribit DVOL and on-chain swap loaders on the real samples
in shared/data/nautilus (nautechsystems/nautilus_trader ``crates/adapters/*/test_data``), and a
walk over that whole tree: every file is either parsed by ``load()`` or listed below as not
market data, with the reason — so no sample is silently missed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slipstream.errors import DataError
from slipstream.marketdata.loaders import chain_swaps, derive, dydx, hyperliquid, lighter, load, sniff_format
from slipstream.model.enums import OptionKind, Side
from slipstream.model.market import (
    BookAction,
    BookSide,
    BookSnapshot,
    DerivativeTicker,
    IndexTick,
    L3Order,
    OptionChainQuote,
    PoolSwap,
    TradeTick,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nautilus"
if not DATA.is_dir():
    pytest.skip(f"shared data not found at {DATA}", allow_module_level=True)
ADAPTERS = DATA / "crates" / "adapters"

NOT_MARKET_DATA = {
    "LICENSE-nautilus_trader-LGPL-3.0.txt": "licence text",
    "MANIFEST.txt": "file list with sizes and hashes",
    "README.md": "documentation of this folder",
    "crates/adapters/lighter/test_data/README.md": "documentation of the Lighter fixtures",
    "crates/adapters/bybit/test_data/http_get_fee_rate.json": "account fee rates, not market data",
    "crates/adapters/bybit/test_data/http_get_instruments_option.json": "instrument definition",
    "crates/adapters/deribit/test_data/http_get_instrument_option.json": "instrument definition",
    "crates/adapters/deribit/test_data/http_get_instruments.json": "instrument definitions",
    "crates/adapters/deribit/test_data/http_get_instruments_option_combo.json":
        "option-combo instrument definitions",
    "crates/adapters/derive/test_data/options/instrument_eth.json": "instrument definition",
    "crates/adapters/lighter/test_data/http_order_book_details.json":
        "market definitions (precisions, fees, margins) with 24 h stats but no timestamp",
    "crates/adapters/okx/test_data/http_get_instruments_option.json": "instrument definitions",
    "crates/adapters/okx/test_data/http_get_trade_fee_response.json": "account fee rates",
    "crates/adapters/okx/test_data/ws_orders_option.json": "private order update (account data)",
    "crates/adapters/tardis/test_data/instrument_option.json": "instrument definition",
    "tests/test_data/binance/btcusdt-instrument-repr.txt": "instrument repr (Nautilus CurrencyPair)",
    "tests/test_data/binance/btcusdt-instrument.txt": "instrument repr (Nautilus CurrencyPair)",
    "tests/test_data/crypto_instruments.json": "instrument definitions (Nautilus JSON)",
    "tests/test_data/large/tardis_BTC-PERPETUAL.DERIBIT_2020-04-01_deltas.metadata.json":
        "metadata of a parquet file that is not in the snapshot",
}
"""Files under shared/data/nautilus that hold no market data, with why."""

LOAD_OPTIONS: dict[str, dict[str, Any]] = {
    # the slim payload is recorded without its channel; Nautilus pairs it with this instrument
    # (crates/adapters/derive/src/websocket/parse.rs, test_parse_option_greeks_maps_slim_variant)
    "crates/adapters/derive/test_data/options/ws_ticker_slim_eth_call.json":
        {"instrument": "ETH-20260612-1600-C"},
}
"""Loader options for samples that lack context a live recorder would have kept."""

NEW_SAMPLES = {
    "crates/adapters/blockchain/test_data/pancakeswap_v3_swap_hypersync.json": ("chain.swaps", 1),
    "crates/adapters/blockchain/test_data/pancakeswap_v3_swap_rpc.json": ("chain.swaps", 1),
    "crates/adapters/deribit/test_data/ws_volatility_index.json": ("deribit.json", 1),
    "crates/adapters/derive/test_data/options/http_ticker_eth_snapshot.json": ("derive.tickers", 1),
    "crates/adapters/derive/test_data/options/ws_ticker_slim_eth_call.json": ("derive.tickers", 1),
    "crates/adapters/dydx/test_data/http_get_historical_funding.json": ("dydx.json", 3),
    "crates/adapters/dydx/test_data/http_get_orderbook.json": ("dydx.json", 1),
    "crates/adapters/hyperliquid/test_data/http_funding_history.json": ("hyperliquid.json", 3),
    "crates/adapters/hyperliquid/test_data/http_l2_book_btc.json": ("hyperliquid.json", 1),
    "crates/adapters/hyperliquid/test_data/ws_book_data.json": ("hyperliquid.json", 1),
    "crates/adapters/lighter/test_data/http_fundings.json": ("lighter.json", 2),
    "crates/adapters/lighter/test_data/http_order_book_orders.json": ("lighter.json", 3),
    "crates/adapters/lighter/test_data/http_recent_trades.json": ("lighter.json", 1),
}


def _all_files() -> list[str]:
    return sorted(str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.is_file())


def test_every_file_is_market_data_that_loads_or_is_listed_with_a_reason() -> None:
    files = _all_files()
    assert set(NOT_MARKET_DATA) <= set(files), "stale NOT_MARKET_DATA entry"
    market = [f for f in files if f not in NOT_MARKET_DATA]
    assert len(market) >= 60
    empty = []
    for relative in market:
        path = DATA / relative
        count = sum(1 for _ in load(path, **LOAD_OPTIONS.get(relative, {})))
        if count == 0:
            empty.append(relative)
    assert empty == [], f"loaded without a single event: {empty}"


def test_not_market_data_files_are_not_mistaken_for_market_data() -> None:
    for relative in NOT_MARKET_DATA:
        path = DATA / relative
        try:
            events = list(load(path))
        except DataError:
            continue  # unrecognised or unparsable: fine, it is not market data
        assert events == [], relative


@pytest.mark.parametrize("relative", sorted(NEW_SAMPLES))
def test_new_samples_sniff_and_count(relative: str) -> None:
    expected_format, expected_count = NEW_SAMPLES[relative]
    path = DATA / relative
    assert sniff_format(path) == expected_format
    assert len(list(load(path, **LOAD_OPTIONS.get(relative, {})))) == expected_count


def test_pancakeswap_v3_swap_log_decodes_to_nautilus_values() -> None:
    # expected values: nautilus_trader crates/adapters/blockchain/src/... swap parser tests
    # (test_parse_swap_event_hypersync / _rpc, BSC block 105495649, WBNB/USDT 0.01 % pool)
    folder = ADAPTERS / "blockchain" / "test_data"
    (rpc,) = chain_swaps.iter_swaps(folder / "pancakeswap_v3_swap_rpc.json")
    (hyper,) = chain_swaps.iter_swaps(folder / "pancakeswap_v3_swap_hypersync.json")
    assert rpc == hyper
    assert isinstance(rpc, PoolSwap) and rpc.venue == "pancakeswap_v3"
    assert rpc.pool == "0x172fcd41e0913e95784454622d1c3724f546f849"
    assert rpc.block_number == 105495649 and rpc.log_index == 0x149 and rpc.transaction_index == 0x3E
    assert rpc.transaction_hash == "0x858761c0e4a61c32c5f6bd133496217fa5eda316337b23d88702fea10bb95111"
    assert rpc.sender == rpc.recipient == "0x7eded5ce04fd9bb6d125a0a470cc3ffcd972e182"
    assert rpc.amount0 == 2291588381489685660
    assert rpc.amount1 == int("fffffffffffffffffffffffffffffffffffffffffffffffffff22743d8dee163", 16) - 2**256
    assert rpc.amount1 == -3897477319171741
    assert rpc.sqrt_price_x96 == int("a8edeae49c411da42257f71", 16)
    assert rpc.liquidity == int("310fdcabce7b0096dfc84", 16)
    assert rpc.tick == -63769
    assert (rpc.protocol_fees_token0, rpc.protocol_fees_token1) == (int("44c737472167", 16), 0)
    assert rpc.venue_ts_ns == 0  # a raw log has no block time
    (timed,) = chain_swaps.iter_swaps(
        folder / "pancakeswap_v3_swap_rpc.json", block_times={105495649: 1_751_000_000}
    )
    assert timed.venue_ts_ns == timed.receive_ts_ns == 1_751_000_000 * 10**9


def test_deribit_volatility_index() -> None:
    (tick,) = load(ADAPTERS / "deribit" / "test_data" / "ws_volatility_index.json")
    assert tick == IndexTick("deribit", "btc_usd", Decimal("129.36"), 1619777946007000000,
                             1619777946007000000)


def test_derive_full_option_ticker() -> None:
    (quote,) = derive.iter_tickers(ADAPTERS / "derive/test_data/options/http_ticker_eth_snapshot.json")
    assert isinstance(quote, OptionChainQuote)
    assert (quote.instrument, quote.kind, quote.strike) == ("ETH-20260627-3500-C", OptionKind.CALL,
                                                            Decimal("3500"))
    assert quote.expiry_ts_ns == 1782000000 * 10**9 and quote.venue_ts_ns == 1700000000000 * 10**6
    assert (quote.bid_price, quote.bid_size, quote.ask_price, quote.ask_size) == (
        Decimal("118.0"), Decimal("5"), Decimal("120.5"), Decimal("10"))
    assert (quote.bid_iv, quote.ask_iv, quote.mark_iv) == (Decimal("0.58"), Decimal("0.62"),
                                                           Decimal("0.60"))
    assert (quote.delta, quote.gamma, quote.vega, quote.theta, quote.rho) == (
        Decimal("0.55"), Decimal("0.0008"), Decimal("4.5"), Decimal("-2.1"), Decimal("1.2"))
    assert (quote.mark_price, quote.underlying, quote.underlying_price, quote.open_interest) == (
        Decimal("119.0"), "ETH-USD", Decimal("3505"), Decimal("1000"))


def test_derive_slim_option_ticker_needs_and_takes_instrument() -> None:
    path = ADAPTERS / "derive/test_data/options/ws_ticker_slim_eth_call.json"
    with pytest.raises(DataError, match=r"ws_ticker_slim_eth_call\.json:1: .*pass instrument="):
        list(derive.iter_tickers(path))
    (quote,) = derive.iter_tickers(path, instrument="ETH-20260612-1600-C")
    assert isinstance(quote, OptionChainQuote)
    # expected greeks: nautilus_trader test_parse_option_greeks_maps_slim_variant
    assert (quote.delta, quote.gamma) == (Decimal("0.95222"), Decimal("0.00036344"))
    assert (quote.mark_iv, quote.bid_iv, quote.ask_iv) == (Decimal("0.67698"), Decimal("0"),
                                                           Decimal("0.88815"))
    assert quote.underlying_price == Decimal("1992.6")
    assert (quote.kind, quote.strike) == (OptionKind.CALL, Decimal("1600"))
    assert quote.expiry_ts_ns == 1781251200 * 10**9  # 2026-06-12 08:00 UTC
    assert (quote.bid_price, quote.bid_size, quote.ask_price, quote.ask_size) == (
        Decimal("383"), Decimal("150.62"), Decimal("409.8"), Decimal("13.72"))
    assert quote.mark_price == Decimal("398.1") and quote.venue_ts_ns == 1779953796231 * 10**6


def test_hyperliquid_books_and_funding() -> None:
    folder = ADAPTERS / "hyperliquid" / "test_data"
    (book,) = hyperliquid.iter_messages(folder / "http_l2_book_btc.json")
    assert isinstance(book, BookSnapshot) and book.instrument == "BTC"
    assert len(book.bids) == len(book.asks) == 5
    assert (book.bids[0].price, book.bids[0].size) == (Decimal("110427.0"), Decimal("4.11882"))
    assert (book.asks[-1].price, book.asks[-1].size) == (Decimal("110433.0"), Decimal("1.27191"))
    assert book.venue_ts_ns == 1761786491067 * 10**6
    (ws,) = hyperliquid.iter_messages(folder / "ws_book_data.json")
    assert isinstance(ws, BookSnapshot)
    assert (ws.bids[0].price, ws.asks[0].price) == (Decimal("98450.50"), Decimal("98451.00"))
    funding = list(hyperliquid.iter_messages(folder / "http_funding_history.json"))
    assert [(f.funding_rate, f.venue_ts_ns) for f in funding if isinstance(f, DerivativeTicker)] == [
        (Decimal("0.0000125"), 1769908800000 * 10**6),
        (Decimal("-0.0000081"), 1769912400000 * 10**6),
        (Decimal("0.0000033"), 1769916000000 * 10**6),
    ]


def test_dydx_orderbook_and_funding() -> None:
    folder = ADAPTERS / "dydx" / "test_data"
    (book,) = dydx.iter_messages(folder / "http_get_orderbook.json", instrument="BTC-USD")
    assert isinstance(book, BookSnapshot) and book.instrument == "BTC-USD"
    assert (book.bids[0].price, book.bids[2].size) == (Decimal("89947"), Decimal("0.1661"))
    assert (book.asks[0].price, book.asks[-1].price) == (Decimal("89958"), Decimal("89966"))
    assert book.venue_ts_ns == 1765210320 * 10**9  # isoTimestamp 2025-12-08T16:12:00.000Z
    funding = list(dydx.iter_messages(folder / "http_get_historical_funding.json"))
    first = funding[0]
    assert isinstance(first, DerivativeTicker) and first.instrument == "BTC-USD"
    assert (first.funding_rate, first.index_price) == (Decimal("0.000002375"), Decimal("89993.8"))
    assert first.venue_ts_ns == 1765209600219 * 10**6  # 2025-12-08T16:00:00.219Z
    assert [f.funding_rate for f in funding if isinstance(f, DerivativeTicker)][1:] == [
        Decimal("0.000000375"), Decimal("0.000000625")]


def test_lighter_orders_trades_fundings() -> None:
    folder = ADAPTERS / "lighter" / "test_data"
    clear, bid, ask = lighter.iter_messages(folder / "http_order_book_orders.json", instrument="ETH")
    assert isinstance(clear, L3Order) and clear.action is BookAction.CLEAR and not clear.is_last
    assert isinstance(bid, L3Order) and isinstance(ask, L3Order)
    assert (bid.order_id, bid.side, bid.price, bid.size, bid.is_last) == (
        562947905454787, BookSide.BID, Decimal("2361.17"), Decimal("3.4125"), False)
    assert (ask.order_id, ask.side, ask.price, ask.size, ask.is_last) == (
        281476929689581, BookSide.ASK, Decimal("2361.32"), Decimal("0.0317"), True)
    (trade,) = lighter.iter_messages(folder / "http_recent_trades.json")
    assert trade == TradeTick("lighter", "0", Decimal("2361.31"), Decimal("0.0005"), Side.SELL,
                              "19211490282", 1777945103092 * 10**6, 1777945103092 * 10**6)
    funding = list(lighter.iter_messages(folder / "http_fundings.json", instrument="ETH"))
    # direction "short" means shorts pay: the signed rate is negative
    assert [(f.funding_rate, f.venue_ts_ns) for f in funding if isinstance(f, DerivativeTicker)] == [
        (Decimal("0.0012"), 1778702400 * 10**9), (Decimal("-0.0002"), 1778706000 * 10**9)]
