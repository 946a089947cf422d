"""Hand-worked crypto examples through analyse() (slipstream/tca/analysis.py), every number derived
in the comments, plus the stability of TcaResult.to_dict()."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from slipstream.errors import ValidationError
from slipstream.tca import TcaConfig, TcaFill, TcaOrder, analyse

if TYPE_CHECKING:
    from .conftest import Example

OrderFactory = Callable[..., TcaOrder]
FillFactory = Callable[..., TcaFill]

D = Decimal


def test_btc_buy_example_a(btc_buy: Example) -> None:
    ex = btc_buy
    out = analyse(ex.order, ex.fills, ex.prints, ex.mids).to_dict()
    # Filled 3 + 4 + 1 = 8 of 10; notional 180,090 + 239,960 + 60,120 = 480,170; avg 60,021.25.
    assert (out["filled_qty"], out["unfilled_qty"], out["fill_count"]) == ("8", "2", 3)
    assert (out["notional"], out["avg_price"]) == ("480170", "60021.25")
    # End price = mid in force at end_ts (60 s) = 60,200.
    assert out["end_price"] == "60200"
    # Perold IS, paper notional 10 x 59,900 = 599,000:
    #   delay       8 x (60,000 - 59,900)            = 800
    #   impact      480,170 - 8 x 60,000             = 170
    #   opportunity 2 x (60,200 - 59,900)            = 600
    #   fees        180.09 - 23.996                  = 156.094
    #   gas         0.002 ETH x 3,000                = 6
    #   total                                        = 1,732.094
    assert out["delay_cost"] == "800"
    assert out["impact_cost"] == "170"
    assert out["opportunity_cost"] == "600"
    assert out["fees"] == "156.094"
    assert out["gas"] == "6.000"
    assert out["implementation_shortfall"] == "1732.094"
    assert out["delay_bps"] == round(800 / 599_000 * 1e4, 6) == 13.355593
    assert out["impact_bps"] == 2.838063  # 170 / 599,000
    assert out["opportunity_bps"] == 10.016694  # 600 / 599,000
    assert out["fees_bps"] == 2.60591  # 156.094 / 599,000
    assert out["gas_bps"] == 0.100167  # 6 / 599,000
    assert out["implementation_shortfall_bps"] == 28.916427  # 1,732.094 / 599,000
    # Arrival slippage: 170 / (8 x 60,000) = 3.541667 bps.
    assert out["slippage_bps"] == 3.541667
    # VWAP over [0, 60 s]: others 40 @ 60,000 + 32 @ 60,050 (our flagged print replaced by our 8
    # BTC; the 90 s print is outside) = 4,801,770 / 80 = 60,022.125; we paid 60,021.25:
    # (60,021.25 - 60,022.125) / 60,022.125 = -0.145780 bps (a saving).
    assert out["vwap"] == "60022.125"
    assert out["vwap_slippage_bps"] == pytest.approx(-0.875 / 60_022.125 * 1e4, abs=1e-6)
    # TWAP of mids: 60,000 for 30 s, 60,100 for 30 s = 60,050; (60,021.25 - 60,050) / 60,050.
    assert out["twap"] == "60050"
    assert out["twap_slippage_bps"] == pytest.approx(-28.75 / 60_050 * 1e4, abs=1e-6)
    # Participation 8 / 80; fill rate 8 / 10; passive 4 / 8; queue wait 2.5 s (okx only).
    assert out["participation_rate"] == 0.1
    assert out["fill_rate"] == 0.8
    assert out["passive_share"] == 0.5
    assert out["avg_queue_wait_s"] == 2.5
    # Markouts, P&L sign, over notional 480,170 (mid at t+h):
    #   1 s:  3(60,000-60,030) + 4(60,000-59,990) + 1(60,100-60,120) = -90 + 40 - 20  = -70
    #   10 s: 3(60,000-60,030) + 4(60,100-59,990) + 1(60,100-60,120) = -90 + 440 - 20 = 330
    #   60 s: 3(60,200-60,030) + 4(60,200-59,990) + 1(60,200-60,120) = 510 + 840 + 80 = 1,430
    #   300 s: mids at 310/320/340 s = 60,200 / 60,150 / 60,150 -> 510 + 640 + 30    = 1,180
    assert out["markouts_bps"] == {
        "1s": round(-70 / 480_170 * 1e4, 6),
        "10s": round(330 / 480_170 * 1e4, 6),
        "60s": round(1430 / 480_170 * 1e4, 6),
        "300s": round(1180 / 480_170 * 1e4, 6),
    }
    assert out["markout_coverage"] == {"1s": 1.0, "10s": 1.0, "60s": 1.0, "300s": 1.0}
    # Router: realised vs arrival = impact + fees + gas per fill:
    #   binance 90 + 180.09 = 270.09 vs 250  -> +20.09
    #   okx     -40 - 23.996 = -63.996 vs -50 -> -13.996
    #   uniswap 120 + 6 = 126 vs 100          -> +26
    #   total 332.094 vs 300 -> 32.094 = 0.668625 bps of 480,000
    assert (out["expected_cost"], out["realised_cost"]) == ("300", "332.094")
    assert out["prediction_error"] == "32.094"
    assert out["prediction_error_bps"] == 0.668625
    venues = {row["venue"]: row for row in out["venues"]}
    assert [row["venue"] for row in out["venues"]] == ["binance", "okx", "uniswap-v3"]
    assert venues["binance"] == {
        "venue": "binance",
        "fills": 1,
        "quantity": "3",
        "avg_price": "60030",
        "notional": "180090",
        "fees": "180.09",
        "gas": "0",
        "maker_share": 0.0,
        "slippage": "90",
        "slippage_bps": 5.0,
        "all_in_cost": "270.09",
        "all_in_bps": 15.005,
        "expected_cost": "250",
        "prediction_error": "20.09",
        "prediction_error_bps": 1.116111,
    }
    assert (venues["okx"]["slippage"], venues["okx"]["all_in_cost"]) == ("-40", "-63.996")
    assert venues["okx"]["maker_share"] == 1.0
    assert (venues["uniswap-v3"]["gas"], venues["uniswap-v3"]["all_in_bps"]) == ("6.000", 21.0)
    assert [row["order_type"] for row in out["order_types"]] == ["limit", "market", "swap"]


def test_eth_sell_example_b(eth_sell: Example) -> None:
    ex = eth_sell
    result = analyse(ex.order, ex.fills, ex.prints, ex.mids)
    out = result.to_dict()
    # Sold 30 @ 2,993.50 + 20 @ 2,990 = 89,805 + 59,800 = 149,605; avg 2,992.10.
    assert (out["filled_qty"], out["notional"], out["avg_price"]) == ("50", "149605.00", "2992.10")
    # Sell: s = -1. Paper notional 50 x 3,000 = 150,000.
    #   delay  -50 x (2,995 - 3,000)          = 250   (price fell before we arrived: a cost)
    #   impact -(149,605 - 50 x 2,995)        = 145   (sold below arrival: a cost)
    #   fees   44.9025 + 0.06 ETH x 2,990     = 224.3025
    #   gas    0.0004 ETH x 2,990             = 1.196
    #   total                                 = 620.4985
    is_ = result.shortfall
    assert (is_.delay, is_.impact, is_.opportunity) == (D(250), D(145), D(0))
    assert (is_.fees, is_.gas, is_.total) == (D("224.3025"), D("1.196"), D("620.4985"))
    # Cross-check against cash: received 149,605 - 224.3025 - 1.196 vs paper 150,000.
    assert D(150_000) - (D(149_605) - is_.fees - is_.gas) == is_.total
    assert out["implementation_shortfall_bps"] == round(620.4985 / 150_000 * 1e4, 6)
    assert out["slippage_bps"] == round(145 / 149_750 * 1e4, 6)
    # VWAP [1 s, 31 s]: 150 @ 2,994 + 200 @ 2,991 + ours 50 for 149,605 = 1,196,905 / 400 =
    # 2,992.2625; sold 0.1625 below it: a cost of 0.543069 bps.
    assert out["vwap"] == "2992.2625"
    assert out["vwap_slippage_bps"] == pytest.approx(0.1625 / 2992.2625 * 1e4, abs=1e-6)
    # TWAP: 2,995 x 15 s + 2,990 x 10 s + 2,985 x 5 s = 89,750 / 30 = 2,991.6667; sold above.
    assert out["twap_slippage_bps"] == pytest.approx(-(2992.1 - 89_750 / 30) / (89_750 / 30) * 1e4, abs=1e-6)
    assert out["participation_rate"] == 0.125  # 50 / 400
    assert (out["fill_rate"], out["passive_share"], out["avg_queue_wait_s"]) == (1.0, 0.0, None)
    # Markouts, sell P&L = -q (mid - p):
    #   1 s:  -30(2,995 - 2,993.5) - 20(2,990 - 2,990) = -45
    #   10 s: -30(2,990 - 2,993.5) - 20(2,985 - 2,990) = 105 + 100 = 205
    assert out["markouts_bps"]["1s"] == round(-45 / 149_605 * 1e4, 6)
    assert out["markouts_bps"]["10s"] == round(205 / 149_605 * 1e4, 6)
    assert out["markouts_bps"]["60s"] == round(355 / 149_605 * 1e4, 6)
    assert out["prediction_error"] is None and out["prediction_error_bps"] is None


def test_to_dict_is_json_stable_and_independent_of_input_order(btc_buy: Example) -> None:
    ex = btc_buy
    first = analyse(ex.order, ex.fills, ex.prints, ex.mids).to_dict()
    shuffled = analyse(
        ex.order, tuple(reversed(ex.fills)), tuple(reversed(ex.prints)), tuple(reversed(ex.mids))
    ).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(shuffled, sort_keys=True)
    assert list(first) == list(shuffled)  # key order is fixed too
    assert json.loads(json.dumps(first)) == first


def test_required_keys_present(btc_buy: Example) -> None:
    out = analyse(btc_buy.order, btc_buy.fills, btc_buy.prints, btc_buy.mids).to_dict()
    for key in (
        "filled_qty",
        "avg_price",
        "arrival_price",
        "slippage_bps",
        "implementation_shortfall_bps",
        "delay_bps",
        "impact_bps",
        "opportunity_bps",
        "fees_bps",
        "gas_bps",
        "fees",
        "gas",
        "venues",
        "markouts_bps",
        "vwap_slippage_bps",
        "twap_slippage_bps",
        "participation_rate",
        "fill_rate",
        "passive_share",
        "avg_queue_wait_s",
        "prediction_error_bps",
    ):
        assert key in out


def test_no_fills_no_market_data(make_order: OrderFactory) -> None:
    order = make_order(quantity=D(5), end_price=D(101))
    out = analyse(order, ()).to_dict()
    assert out["filled_qty"] == "0" and out["avg_price"] is None
    assert out["opportunity_cost"] == "5"  # 5 x (101 - 100)
    assert out["implementation_shortfall_bps"] == 100.0
    for key in (
        "slippage_bps",
        "vwap",
        "vwap_slippage_bps",
        "twap",
        "participation_rate",
        "passive_share",
        "avg_queue_wait_s",
        "prediction_error_bps",
    ):
        assert out[key] is None, key
    assert out["markouts_bps"] == {"1s": None, "10s": None, "60s": None, "300s": None}
    assert out["markout_coverage"]["1s"] == 0.0
    assert out["venues"] == [] and out["fill_rate"] == 0.0


def test_fill_side_must_match_order(make_order: OrderFactory, make_fill: FillFactory) -> None:
    with pytest.raises(ValidationError, match="sell"):
        analyse(make_order(), [make_fill(side="sell")])


def test_custom_horizons(btc_buy: Example) -> None:
    config = TcaConfig(markout_horizons=(timedelta(milliseconds=500), timedelta(seconds=2)))
    out = analyse(btc_buy.order, btc_buy.fills, btc_buy.prints, btc_buy.mids, config).to_dict()
    assert list(out["markouts_bps"]) == ["500ms", "2s"]


@pytest.mark.parametrize(
    "horizons",
    [(timedelta(0),), (timedelta(seconds=-1),), (timedelta(seconds=1), timedelta(seconds=1))],
)
def test_bad_horizons_are_rejected(horizons: tuple[timedelta, ...]) -> None:
    with pytest.raises(ValidationError):
        TcaConfig(markout_horizons=horizons)


def test_amount_beyond_exact_precision_is_rejected(make_order: OrderFactory, make_fill: FillFactory) -> None:
    huge = D("1." + "1" * 60)
    order = make_order(quantity=huge, decision_price=huge)
    with pytest.raises(ValidationError, match="96 significant digits"):
        analyse(order, [make_fill(quantity=huge, price=huge)])
