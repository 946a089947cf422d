"""Golden tests for the Perold implementation-shortfall decomposition (slipstream/tca/shortfall.py).

Published worked examples, reproduced number for number (prices are per share; the quote asset
is USD; "fees" are commissions):

* CFA Level III style example (gaodun.com/q/b03v1i): decide to buy 1,000 at the $40.00 close; the
  order is not filled the next day, which closes at $40.04 (our arrival price); 700 shares then
  fill at $40.05 with $17 commission; the rest is cancelled at $40.08. Published components:
  explicit 0.04 % (17/40,000 = 0.0425 %), realized 0.02 % (0.0175 %), delay 0.07 %, missed trade
  0.06 %, total 0.19 %.
* CFA Institute curriculum example as quoted on analystforum.com/t/cfai-text-v6-r44-p26-
  benchmark-price-of-implementation-shortfall/50178: decision price $10.00, 700 shares filled at
  $10.07 with $14 commission, 300 cancelled at $10.08; paper gain 80, real gain −7,
  shortfall $87. (The thread does not quote the arrival price, so only delay + impact is checked.)
* Sell example (CFA Level III 2000 Q28, analystforum.com/t/implementation-shortfall-sell-order/
  52371): sell 50,000 decided at $43.00, order placed when the price is $41.00, all filled at
  $40.25, commission $0.05/share; the shortfall is $2.80 per share.
* Negative shortfall (bloombergprep.com CFA practice question a84284): buy 4,000 decided at
  $16.24, filled at once at $16.20 with a $38.50 fee: shortfall ≈ −0.19 %.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from slipstream.errors import ValidationError
from slipstream.tca import TcaFill, TcaOrder
from slipstream.tca.shortfall import implementation_shortfall

D = Decimal


def test_cfa_level3_example_gaodun(make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]) -> None:
    order = make_order(quantity=D(1000), decision_price=D("40.00"), arrival_price=D("40.04"), quote_asset="USD")
    fills = [make_fill(quantity=D(700), price=D("40.05"), fee=D(17), fee_in_quote=D(17))]
    result = implementation_shortfall(order, fills, end_price=D("40.08"))

    assert result.paper_notional == D(40000)
    assert result.delay == D(28)  # 700 x (40.04 - 40.00)
    assert result.impact == D(7)  # 700 x (40.05 - 40.04)
    assert result.opportunity == D(24)  # 300 x (40.08 - 40.00)
    assert result.fees == D(17)
    assert result.gas == 0
    assert result.total == D(76)
    assert sum(result.components) == result.total
    # Published percentages: 0.07 %, 0.02 % (0.0175), 0.06 %, 0.04 % (0.0425), total 0.19 %.
    assert result.as_bps(result.delay) == 7.0
    assert result.as_bps(result.impact) == 1.75
    assert result.as_bps(result.opportunity) == 6.0
    assert result.as_bps(result.fees) == 4.25
    assert result.as_bps(result.total) == 19.0


def test_cfa_curriculum_example_total_87(
    make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]
) -> None:
    order = make_order(quantity=D(1000), decision_price=D("10.00"), arrival_price=D("10.05"))
    fills = [make_fill(quantity=D(700), price=D("10.07"), fee=D(14), fee_in_quote=D(14))]
    result = implementation_shortfall(order, fills, end_price=D("10.08"))

    paper_gain = D(1000) * (D("10.08") - D("10.00"))  # 80
    real_gain = D(700) * (D("10.08") - D("10.07")) - D(14)  # -7
    assert (paper_gain, real_gain) == (D(80), D(-7))
    assert result.total == D(87) == paper_gain - real_gain
    assert result.delay + result.impact == D(49)  # 700 x (10.07 - 10.00)
    assert result.opportunity == D(24)
    assert result.fees == D(14)
    assert result.as_bps(result.total) == 87.0


def test_cfa_sell_example_two_eighty_per_share(
    make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]
) -> None:
    order = make_order(side="sell", quantity=D(50000), decision_price=D("43.00"), arrival_price=D("41.00"))
    fee = D("0.05") * 50000
    fills = [make_fill(side="sell", quantity=D(50000), price=D("40.25"), fee=fee, fee_in_quote=fee)]
    result = implementation_shortfall(order, fills, end_price=D("38.00"))

    assert result.total / 50000 == D("2.80")
    assert result.delay == D(100000)  # sold after the price fell 2.00: a cost
    assert result.impact == D(37500)  # 0.75 below arrival
    assert result.fees == D(2500)
    assert result.opportunity == 0
    assert result.as_bps(result.total) == pytest.approx(2.80 / 43 * 1e4)


def test_negative_shortfall_is_a_saving(make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]) -> None:
    order = make_order(quantity=D(4000), decision_price=D("16.24"), arrival_price=D("16.24"))
    fills = [make_fill(quantity=D(4000), price=D("16.20"), fee=D("38.50"), fee_in_quote=D("38.50"))]
    result = implementation_shortfall(order, fills, end_price=D("16.28"))

    assert result.total == D("-121.50")
    assert round(result.as_bps(result.total) / 100, 2) == -0.19  # published: ≈ -0.19 %


def test_end_price_not_needed_when_fully_filled(
    make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]
) -> None:
    result = implementation_shortfall(make_order(), [make_fill(price=D(101))], end_price=None)
    assert result.total == result.impact == D(1)
    assert result.end_price is None


def test_unfilled_without_end_price_is_rejected(
    make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]
) -> None:
    with pytest.raises(ValidationError, match="unfilled"):
        implementation_shortfall(make_order(quantity=D(2)), [make_fill()], end_price=None)


def test_overfill_is_rejected(make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]) -> None:
    with pytest.raises(ValidationError, match="exceeds"):
        implementation_shortfall(make_order(), [make_fill(quantity=D(2))], end_price=D(100))


def test_result_does_not_depend_on_caller_decimal_context(
    make_order: Callable[..., TcaOrder], make_fill: Callable[..., TcaFill]
) -> None:
    import decimal

    order = make_order(quantity=D("3.123456789012345678"), decision_price=D("59999.99999999"))
    fills = [make_fill(quantity=D("1.000000000000000001"), price=D("60123.45678901"))]
    reference = implementation_shortfall(order, fills, end_price=D("60001.5"))
    with decimal.localcontext(decimal.Context(prec=5, rounding=decimal.ROUND_DOWN)):
        again = implementation_shortfall(order, fills, end_price=D("60001.5"))
    assert again == reference
    with decimal.localcontext(decimal.Context(prec=100)):
        assert sum(reference.components) == reference.total
