"""Per-venue/per-order-type rows and prediction error (slipstream/tca/breakdown.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from slipstream.tca import TcaFill, TcaOrder
from slipstream.tca.breakdown import breakdown, by_venue, prediction_error

D = Decimal
OrderFactory = Callable[..., TcaOrder]
FillFactory = Callable[..., TcaFill]


def test_prediction_error_uses_reference_price(make_order: OrderFactory, make_fill: FillFactory) -> None:
    order = make_order(side="sell", quantity=D(3))
    fills = [
        # Router priced from a mid of 99: expected 2 (1 x (99 - 98) + fee 1); realised
        # -(98.5 - 99) x 1 + 1 = 1.5 -> error -0.5 over a reference notional of 99.
        make_fill(
            side="sell",
            price=D("98.5"),
            fee_in_quote=D(1),
            reference_price=D(99),
            expected_cost_in_quote=D(2),
            child_id="a",
        ),
        # No reference: arrival 100. Realised 2 x (100 - 97) + gas 0.5 = 6.5, expected 6.
        make_fill(
            side="sell",
            quantity=D(2),
            price=D(97),
            gas_in_quote=D("0.5"),
            expected_cost_in_quote=D(6),
            child_id="b",
        ),
        make_fill(side="sell", price=D(1), child_id="unpriced"),  # no expectation: ignored
    ]
    error = prediction_error(order, fills)
    assert error is not None
    assert (error.fills, error.expected, error.realised, error.error) == (
        2,
        D(8),
        D("8.0"),
        D("0.0"),
    )
    one = prediction_error(order, fills[:1])
    assert one is not None and one.error == D("-0.5")
    assert one.error_bps == pytest.approx(-0.5 / 99 * 1e4)
    assert prediction_error(order, fills[2:]) is None


def test_rows_are_sorted_and_aggregate(make_order: OrderFactory, make_fill: FillFactory) -> None:
    order = make_order(quantity=D(10))
    fills = [
        make_fill(venue="zeta", price=D(102), child_id="z"),
        make_fill(
            venue="alpha",
            quantity=D(2),
            price=D(99),
            liquidity="maker",
            fee_in_quote=D("-0.1"),
            child_id="a1",
        ),
        make_fill(venue="alpha", quantity=D(2), price=D(100), fee_in_quote=D("0.3"), child_id="a2"),
    ]
    rows = by_venue(order, fills)
    assert [r.key for r in rows] == ["alpha", "zeta"]
    alpha = rows[0]
    assert (alpha.fills, alpha.quantity, alpha.avg_price) == (2, D(4), D("99.5"))
    assert alpha.fees == D("0.2") and alpha.maker_share == 0.5
    assert alpha.slippage == D(-2) and alpha.slippage_bps == -50.0
    assert alpha.all_in_cost == D("-1.8") and alpha.all_in_bps == -45.0
    assert alpha.prediction is None
    by_liquidity = breakdown(order, fills, lambda f: f.liquidity)
    assert [(r.key, r.quantity) for r in by_liquidity] == [("maker", D(2)), ("taker", D(3))]
