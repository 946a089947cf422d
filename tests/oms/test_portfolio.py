"""Positions and PnL for spot, linear and inverse instruments, with hand-worked numbers."""

from __future__ import annotations

from decimal import Decimal as D

from slipstream.model.enums import Side
from slipstream.model.instruments import Perpetual
from slipstream.oms.portfolio import Portfolio
from slipstream.testing.stubs import btc_usdt


def test_spot_round_trip_realises_pnl_and_moves_balances() -> None:
    pf = Portfolio()
    pair = btc_usdt()
    pf.apply_fill(pair, Side.BUY, 100_000, 6_000_000, D("60"), "USDT", D(0), "")  # 1 BTC @ 60,000
    pf.apply_fill(pair, Side.SELL, 50_000, 6_100_000, D("0.0005"), "BTC", D(0), "")  # 0.5 @ 61,000
    pos = pf.positions[("sim", "BTC/USDT")]
    assert pos.quantity == D("0.5")
    assert pos.realised_pnl == D(500)
    assert pos.average_price == D(60_000)
    assert pf.balance("sim", "BTC") == D("0.4995")
    assert pf.balance("sim", "USDT") == D(-60_000) - D(60) + D(30_500)
    assert pos.unrealised_pnl(D(62_000)) == D(1_000)


def test_linear_perp_flip_through_zero() -> None:
    perp = Perpetual.create("sim", "BTC", "USDT", "USDT", D("0.1"), D("0.001"))
    pf = Portfolio()
    pf.apply_fill(perp, Side.BUY, 2_000, 600_000, D(0), "", D(0), "")  # long 2 @ 60,000
    pf.apply_fill(perp, Side.SELL, 3_000, 590_000, D(0), "", D(0), "")  # sell 3 @ 59,000
    pos = pf.positions[("sim", "BTC/USDT:USDT")]
    assert pos.quantity == D(-1)
    assert pos.realised_pnl == D(-2_000)
    assert pos.average_price == D(59_000)
    assert pf.balance("sim", "USDT") == D(-2_000)


def test_inverse_perp_pnl_in_coin() -> None:
    perp = Perpetual.create("sim", "BTC", "USD", "BTC", D("0.5"), D(1), contract_size=D(10))
    assert perp.symbol == "BTC/USD:BTC" and perp.inverse
    pf = Portfolio()
    pf.apply_fill(perp, Side.BUY, 1_000, 100_000, D(0), "", D(0), "")  # 10,000 USD long @ 50,000
    pf.apply_fill(perp, Side.SELL, 1_000, 125_000, D(0), "", D(0), "")  # close @ 62,500
    pos = pf.positions[("sim", "BTC/USD:BTC")]
    # 10,000 × (1/50,000 − 1/62,500) = 0.2 − 0.16 = 0.04 BTC
    assert pos.realised_pnl == D("0.04")
    assert pf.balance("sim", "BTC") == D("0.04")


def test_option_premium_in_coin_is_linear() -> None:
    from slipstream.model import DERIBIT_OPTION_TICKS, Option, OptionKind

    option = Option.create("deribit", "BTC", "USD", "BTC", 1_798_156_800 * 10**9, D(100_000), OptionKind.CALL,
                           DERIBIT_OPTION_TICKS, D("0.1"))
    pf = Portfolio()
    pf.apply_fill(option, Side.BUY, 10, 50, D("0.0003"), "BTC", D(0), "")  # 1 contract @ 0.0050 BTC
    pf.apply_fill(option, Side.SELL, 10, 80, D(0), "", D(0), "")  # sold @ 0.0080 BTC
    pos = pf.positions[("deribit", option.symbol)]
    assert pos.realised_pnl == D("0.0030")
    assert pf.balance("deribit", "BTC") == D("0.0030") - D("0.0003")
    assert pf.balance("deribit", option.symbol) == 0
