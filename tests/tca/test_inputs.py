"""Validation of TCA inputs at construction (slipstream/tca/inputs.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from slipstream.errors import ValidationError
from slipstream.tca import MarketPrint, MidSample, TcaFill, TcaOrder

D = Decimal


@pytest.mark.parametrize(
    "overrides",
    [
        {"quantity": D(0)},
        {"quantity": 1.5},
        {"price": D(-1)},
        {"price": D("NaN")},
        {"side": "short"},
        {"liquidity": "passive"},
        {"venue": ""},
        {"order_type": ""},
        {"gas_in_quote": D(-1)},
        {"ts_ns": -1},
        {"ts_ns": True},
        {"queue_wait_ns": -5},
        {"reference_price": D(0)},
        {"expected_cost_in_quote": 3},
    ],
)
def test_bad_fill_rejected(make_fill: Callable[..., TcaFill], overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_fill(**overrides)


def test_rebate_is_a_valid_fee(make_fill: Callable[..., TcaFill]) -> None:
    assert make_fill(fee=D("-0.1"), fee_in_quote=D("-0.1")).fee_in_quote < 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"quantity": D(0)},
        {"decision_price": D(0)},
        {"arrival_price": D(-1)},
        {"side": "hold"},
        {"decision_ts_ns": 10, "arrival_ts_ns": 5},
        {"start_ts_ns": 10, "end_ts_ns": 5},
        {"symbol": ""},
        {"end_price": D(0)},
        {"schedule": [(0, D(1))]},
        {"schedule": ((5, D(1)), (5, D(2)))},
        {"schedule": ((5, D(-1)),)},
    ],
)
def test_bad_order_rejected(make_order: Callable[..., TcaOrder], overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_order(**overrides)


def test_bad_market_data_rejected() -> None:
    with pytest.raises(ValidationError):
        MarketPrint(0, D(1), D(0))
    with pytest.raises(ValidationError):
        MarketPrint(0, D(0), D(1))
    with pytest.raises(ValidationError):
        MidSample(-1, D(1))
    with pytest.raises(ValidationError):
        MidSample(0, D("Infinity"))


def test_side_sign(make_order: Callable[..., TcaOrder]) -> None:
    assert make_order(side="buy").side_sign == 1
    assert make_order(side="sell").side_sign == -1
