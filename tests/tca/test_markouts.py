"""Markouts (slipstream/tca/markouts.py): P&L sign, coverage, missing data, labels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from slipstream.errors import ValidationError
from slipstream.tca import MidSample, TcaFill, TcaOrder
from slipstream.tca.markouts import horizon_label, markouts

S = 1_000_000_000
D = Decimal
OrderFactory = Callable[..., TcaOrder]
FillFactory = Callable[..., TcaFill]


def test_adverse_selection_is_negative_for_buy_and_sell(make_order: OrderFactory, make_fill: FillFactory) -> None:
    mids = [MidSample(0, D(100)), MidSample(S, D(99)), MidSample(10 * S, D(99))]
    buy = markouts(make_order(), [make_fill(price=D(100))], mids, [timedelta(seconds=1)])
    assert buy[0].pnl == D(-1) and buy[0].bps == -100.0  # bought, then the mid fell
    mids_up = [MidSample(0, D(100)), MidSample(S, D(101)), MidSample(10 * S, D(101))]
    sell = markouts(
        make_order(side="sell"),
        [make_fill(side="sell", price=D(100))],
        mids_up,
        [timedelta(seconds=1)],
    )
    assert sell[0].pnl == D(-1) and sell[0].bps == -100.0  # sold, then the mid rose


def test_partial_coverage_and_missing_data(make_order: OrderFactory, make_fill: FillFactory) -> None:
    order = make_order(quantity=D(4))
    fills = [
        make_fill(ts_ns=0, quantity=D(1), price=D(100), child_id="a"),
        make_fill(ts_ns=50 * S, quantity=D(3), price=D(100), child_id="b"),
    ]
    mids = [MidSample(0, D(100)), MidSample(30 * S, D(102)), MidSample(70 * S, D(102))]
    one_s, minute = markouts(order, fills, mids, [timedelta(seconds=1), timedelta(seconds=60)])
    assert one_s.coverage == 1.0 and one_s.pnl == D(6)  # 0 + 3 x 2
    assert one_s.bps == 150.0  # 6 / 400
    # 60 s: the first fill (mid at 60 s = 102) is covered, the second (110 s) is past the data.
    assert minute.coverage == 0.25 and minute.pnl == D(2) and minute.bps == 200.0
    (empty,) = markouts(order, fills, [], [timedelta(seconds=1)])
    assert empty.bps is None and empty.coverage == 0.0 and empty.pnl == 0


def test_mid_sample_exactly_at_horizon_is_used(make_order: OrderFactory, make_fill: FillFactory) -> None:
    mids = [MidSample(0, D(100)), MidSample(10 * S, D(105))]
    (mark,) = markouts(make_order(), [make_fill(price=D(100))], mids, [timedelta(seconds=10)])
    assert mark.pnl == D(5) and mark.coverage == 1.0


@pytest.mark.parametrize(
    ("horizon", "label"),
    [
        (timedelta(seconds=1), "1s"),
        (timedelta(minutes=5), "300s"),
        (timedelta(milliseconds=250), "250ms"),
        (timedelta(microseconds=7), "7us"),
    ],
)
def test_horizon_labels(horizon: timedelta, label: str) -> None:
    assert horizon_label(horizon) == label


def test_non_positive_horizon_rejected(make_order: OrderFactory, make_fill: FillFactory) -> None:
    with pytest.raises(ValidationError):
        markouts(make_order(), [make_fill()], [], [timedelta(0)])
