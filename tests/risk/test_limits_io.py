"""Limits as configuration: TOML/dict parsing with field-named errors, canonical round trip."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.risk import (
    ExposureLimits,
    InstrumentLimits,
    Rate,
    ReferenceKind,
    RiskLimits,
    TradingSession,
    VenueLimits,
    limits_from_dict,
    limits_from_toml,
    limits_to_dict,
)
from slipstream.risk.limits_io import format_duration, parse_duration

TOML = """
[risk]
max_loss = 50000.5
[risk.instruments."BTC/USDT"]
max_order_quantity = "5"
price_band = 0.02
reference = "mark"
expiry_cutoff = "10m"
sessions = [{start = "0s", end = "8h", weekdays = [0, 1, 2, 3, 4]}]
[risk.venues."*"]
max_open_orders = 200
max_order_rate = {count = 20, window = "1s"}
rate_headroom = "0.8"
[risk.accounts.desk.BTC]
max_position = "10"
[risk.portfolio."*"]
max_gross_notional = "2000000"
"""


def test_toml_section_parses_exactly() -> None:
    limits = limits_from_toml(TOML)
    assert limits == RiskLimits(
        max_loss=Decimal("50000.5"),
        instruments={"BTC/USDT": InstrumentLimits(
            max_order_quantity=Decimal(5), price_band=Decimal("0.02"), reference=ReferenceKind.MARK,
            expiry_cutoff=timedelta(minutes=10),
            sessions=(TradingSession(start=timedelta(0), end=timedelta(hours=8), weekdays=(0, 1, 2, 3, 4)),))},
        venues={"*": VenueLimits(max_open_orders=200, max_order_rate=Rate(20, timedelta(seconds=1)),
                                 rate_headroom=Decimal("0.8"))},
        accounts={"desk": {"BTC": ExposureLimits(max_position=Decimal(10))}},
        portfolio={"*": ExposureLimits(max_gross_notional=Decimal(2_000_000))},
    )
    assert limits.venue("binance") == limits.venues["*"]
    assert limits.account("desk", "ETH") is None and limits.account("other", "BTC") is None
    assert limits.venues["*"].allowed_orders == 16


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"venues": {"binance": {"max_open_orders": "10"}}}, "risk.venues.binance.max_open_orders: expected an int"),
        ({"venues": {"binance": {"max_open_order": 10}}}, "risk.venues.binance: unknown field 'max_open_order'"),
        ({"instruments": {"X": {"price_band": 0.02}}}, "risk.instruments.X.price_band: write money"),
        ({"instruments": {"X": {"price_band": "-1"}}}, "risk.instruments.X: price_band must be positive"),
        ({"instruments": {"X": {"expiry_cutoff": 5}}}, "risk.instruments.X.expiry_cutoff: expected a duration"),
        ({"instruments": {"X": {"reference": "last"}}}, "risk.instruments.X.reference: expected one of"),
        ({"instruments": {"X": {"sessions": [{"start": "1h"}]}}}, r"risk.instruments.X.sessions\[0\]: a session"),
        ({"venues": {"v": {"max_order_rate": {"count": 0, "window": "1s"}}}}, "risk.venues.v.max_order_rate: rate"),
        ({"venues": {"v": {"rate_headroom": "1.5"}}}, r"risk.venues.v: rate_headroom must be in \(0, 1\]"),
        ({"accounts": {"desk": {"BTC": {"max_position": "abc"}}}}, "risk.accounts.desk.BTC.max_position: expected"),
        ({"max_loss": True}, "risk.max_loss: write money"),
        ({"limits": {}}, "risk: unknown field 'limits'"),
    ],
)
def test_errors_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        limits_from_dict(data)


def test_toml_errors() -> None:
    with pytest.raises(ValidationError, match="no \\[risk\\] section"):
        limits_from_toml("[other]\n")
    with pytest.raises(ValidationError, match="risk limits:"):
        limits_from_toml("[risk\n")


def test_durations() -> None:
    assert parse_duration("250ms") == timedelta(milliseconds=250)
    assert format_duration(timedelta(seconds=90)) == "90s"
    assert format_duration(timedelta(microseconds=1500)) == "1500us"
    with pytest.raises(ValidationError, match="microsecond"):
        parse_duration("5ns")


money = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e9"), places=3).map(lambda d: d.normalize())
maybe_money = st.none() | money
durations = st.integers(0, 86_400_000).map(lambda ms: timedelta(milliseconds=ms))
instrument_limits = st.builds(
    InstrumentLimits, max_order_quantity=maybe_money, max_order_notional=maybe_money, price_band=maybe_money,
    fat_finger=maybe_money, reference=st.sampled_from(ReferenceKind), expiry_cutoff=durations,
)
venue_limits = st.builds(
    VenueLimits, max_open_orders=st.none() | st.integers(1, 1000),
    max_order_rate=st.none() | st.builds(Rate, st.integers(1, 100), durations.filter(bool)),
    rate_headroom=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1), places=2),
)
exposure = st.builds(ExposureLimits, max_position=maybe_money, max_gross_notional=maybe_money,
                     max_net_notional=maybe_money)
names = st.sampled_from(["*", "BTC/USDT", "ETH/USDT", "binance", "desk", "BTC"])
limits_strategy = st.builds(
    RiskLimits,
    instruments=st.dictionaries(names, instrument_limits, max_size=3),
    venues=st.dictionaries(names, venue_limits, max_size=3),
    accounts=st.dictionaries(names, st.dictionaries(names, exposure, max_size=2), max_size=2),
    portfolio=st.dictionaries(names, exposure, max_size=2),
    max_loss=maybe_money,
)


@given(limits_strategy)
def test_plain_form_round_trips(limits: RiskLimits) -> None:
    plain = limits_to_dict(limits)
    assert limits_from_dict(plain) == limits
    assert list(plain) == sorted(plain)
