"""Perpetual funding and Deribit-style option books on the simulated venue."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from book_venue_helpers import RecordingContext
from hypothesis import given
from hypothesis import strategies as st

from slipstream.marketdata.book import ADD, ASK, BID
from slipstream.model.enums import Liquidity, OptionKind, OrderType, Side
from slipstream.model.instruments import DERIBIT_OPTION_TICKS, Option, Perpetual
from slipstream.model.orders import ChildOrder
from slipstream.venues.sim.book_venue import BookVenue
from slipstream.venues.sim.models import DERIBIT_OPTION
from slipstream.venues.sim.options import OptionQuoter, VolSurface, black76
from slipstream.venues.sim.perpetual import FundingPayment, PerpetualFunding, funding_amount, funding_rate

HOUR = 3600 * 10**9
DAY = 24 * HOUR


# ---- Black-76 -------------------------------------------------------------------------------------
def test_black76_golden_values() -> None:
    # Ødegaard, "Financial Numerical Recipes in C++", test_futures_option_price_black:
    # F=50, K=45, r=8%, σ=0.2, T=0.5, Black put → 0.851476 (printed output in the README of
    # AnthonyBradford/optionmatrix; inputs in
    # src/models/financialrecipes/examples/examples_black_scholes_extensions.cc).
    assert black76(50, 45, 0.5, 0.2, 0.08, OptionKind.PUT) == pytest.approx(0.851476, abs=5e-7)
    # Hull, "Options, Futures, and Other Derivatives", Black's model example: crude-oil futures
    # put, F=K=20, r=9%, σ=25%, T=4 months → $1.12.
    assert round(black76(20, 20, 4 / 12, 0.25, 0.09, OptionKind.PUT), 2) == 1.12
    assert black76(20, 15, 0.0, 0.25, 0.0, OptionKind.CALL) == 5.0


@given(f=st.floats(10, 1000), k=st.floats(10, 1000), t=st.floats(0.01, 3), v=st.floats(0.05, 2),
       r=st.floats(0, 0.1))
def test_black76_put_call_parity(f: float, k: float, t: float, v: float, r: float) -> None:
    call = black76(f, k, t, v, r, OptionKind.CALL)
    put = black76(f, k, t, v, r, OptionKind.PUT)
    assert call - put == pytest.approx(math.exp(-r * t) * (f - k), abs=1e-9 * max(f, k))


def test_vol_surface_has_skew_and_term_structure() -> None:
    surface = VolSurface()
    assert surface.vol(80_000, 100_000, 0.1) > surface.vol(100_000, 100_000, 0.1)  # put skew
    assert surface.vol(100_000, 100_000, 0.02) > surface.vol(100_000, 100_000, 1.0)  # short > long
    assert surface.vol(100_000, 100_000, 10.0) == pytest.approx(0.5, abs=1e-6)


# ---- options ----------------------------------------------------------------------------------------
def _options(expiry: int) -> list[Option]:
    return [Option.create("deribit", "BTC", "USD", "BTC", expiry, Decimal(strike), kind,
                          DERIBIT_OPTION_TICKS, Decimal("0.1"))
            for strike in (80_000, 100_000, 120_000, 140_000) for kind in (OptionKind.CALL, OptionKind.PUT)]


def test_option_books_sit_on_tiered_ticks_and_move_with_the_underlying() -> None:
    options = _options(30 * DAY)
    venue = BookVenue("deribit", options, fees=DERIBIT_OPTION)
    venue.attach(RecordingContext())
    quoter = OptionQuoter(venue, options)
    quoter.requote(0, 100_000.0)
    atm_call = options[2]
    book = venue.book(atm_call.symbol)
    bids, asks = book.view(BID), book.view(ASK)
    assert len(bids) == 3 and len(asks) == 3 and bids[0][0] < asks[0][0]
    for option in options:
        for price, _ in venue.book(option.symbol).view(BID) + venue.book(option.symbol).view(ASK):
            assert option.is_on_tick(price)
    fair = quoter.fair_premium(atm_call, 100_000.0, 0)
    assert atm_call.units_to_price(bids[0][0]) <= Decimal(repr(fair)) <= atm_call.units_to_price(asks[0][0])
    assert 0.03 < fair < 0.1  # about 0.4·σ·sqrt(T) coins for an ATM option
    levels = {o.strike: [p for p, _ in venue.book(o.symbol).view(ASK)] for o in options
              if o.option_kind is OptionKind.CALL}
    assert levels[Decimal(140_000)] == [levels[Decimal(140_000)][0] + i for i in range(3)]
    assert levels[Decimal(140_000)][-1] < 50  # below 0.005 BTC: 0.0001 ticks
    assert levels[Decimal(100_000)] == [levels[Decimal(100_000)][0] + 5 * i for i in range(3)]
    quoter.requote(HOUR, 105_000.0)
    assert book.view(BID)[0][0] > bids[0][0]
    assert venue.book(options[3].symbol).view(ASK)[0][0] < 10 ** 9


def test_buying_an_option_pays_coin_premium_and_capped_fee() -> None:
    options = _options(30 * DAY)
    venue = BookVenue("deribit", options, fees=DERIBIT_OPTION)
    ctx = RecordingContext()
    venue.attach(ctx)
    OptionQuoter(venue, options, lots=10).requote(0, 100_000.0)
    wing = options[0]  # 80k call, deep ITM: rate fee below the premium cap
    ask = venue.book(wing.symbol).view(ASK)[0][0]
    venue.submit(ChildOrder(client_order_id="o", venue="deribit", symbol=wing.symbol, side=Side.BUY,
                            lots=5, order_type=OrderType.MARKET))
    venue.advance(0)
    (report,) = [r for r in ctx.reports("o") if r.fill]
    fill = report.fill
    assert fill is not None and fill.price_units == ask and fill.liquidity is Liquidity.TAKER
    premium = Decimal("0.5") * wing.units_to_price(ask)
    assert fill.fee == min(Decimal("0.0003") * Decimal("0.5"), Decimal("0.125") * premium)
    assert fill.fee_asset == "BTC"
    assert venue.balances()["BTC"] == -premium - fill.fee


# ---- perpetuals -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mark", "index", "rate"),
    [
        ("50000", "50000", "0.0001"),  # no premium: the interest rate
        ("50050", "50000", "0.0010"),  # premium 0.1%: clamp(0.01% - 0.1%) = -0.05%
        ("50002", "50000", "0.0001"),  # premium within the clamp: interest
        ("60000", "50000", "0.0075"),  # capped
        ("40000", "50000", "-0.0075"),
    ],
)
def test_funding_rate_formula(mark: str, index: str, rate: str) -> None:
    expected = Decimal(rate) if mark != "50050" else Decimal("0.0005")
    assert funding_rate(Decimal(mark), Decimal(index)) == expected


def test_funding_amounts_linear_and_inverse() -> None:
    linear = Perpetual.create("binance", "BTC", "USDT", "USDT", Decimal("0.1"), Decimal("0.001"))
    inverse = Perpetual.create("deribit", "BTC", "USD", "BTC", Decimal("0.5"), Decimal(10))
    # Binance: funding = position value (mark × size) × rate: 2 BTC × 50,000 × 0.01% = 10 USDT
    assert funding_amount(linear, 2000, Decimal(50_000), Decimal("0.0001")) == Decimal("-10.0000000")
    # inverse: 10,000 USD of contracts = 0.2 BTC at 50,000; a short receives 0.2 × 0.01%
    assert funding_amount(inverse, -1000, Decimal(50_000), Decimal("0.0001")) == Decimal("0.00002")


def test_funding_is_settled_every_eight_hours_on_the_position() -> None:
    perp = Perpetual.create("binance", "BTC", "USDT", "USDT", Decimal("0.1"), Decimal("0.001"))
    venue = BookVenue("binance", [perp])
    ctx = RecordingContext()
    venue.attach(ctx)
    venue.feed(0, perp.symbol, ADD, BID, 499_990, 5_000)
    venue.feed(0, perp.symbol, ADD, ASK, 500_010, 5_000)
    funding = PerpetualFunding(venue)
    funding.set_index(perp.symbol, Decimal(50_000))
    funding.start(HOUR, until_ns=24 * HOUR)
    venue.submit(ChildOrder(client_order_id="b", venue="binance", symbol=perp.symbol, side=Side.BUY,
                            lots=2000, order_type=OrderType.MARKET))
    venue.advance(HOUR)
    funding.set_rate(perp.symbol, Decimal("0.0001"))
    venue.advance(8 * HOUR - 1)
    assert funding.payments == []
    venue.advance(24 * HOUR)
    payments = ctx.of_type(FundingPayment)
    assert [p.ts_ns for p in payments] == [8 * HOUR, 16 * HOUR, 24 * HOUR]
    # mark = median(index × (1 + rate × 1), mid 50,000, -) → the mean of two: 50,002.5
    assert payments[0].mark_price == Decimal("50002.5")
    assert payments[0].amount == -Decimal(2) * Decimal("50002.5") * Decimal("0.0001")
    fee = Decimal(2) * Decimal("50001") * Decimal(0)
    assert venue.balances()["USDT"] == sum(p.amount for p in payments) - fee
