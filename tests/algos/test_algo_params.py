"""Parent-order parameters: every invalid combination is refused with a precise reason before
anything trades (table-driven, STYLE §7)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from algo_sim_helpers import START, parent

from slipstream.algos.params import AlgoParams, base_quantity_for_quote, resolve_end_ns, to_ns, validate
from slipstream.errors import ValidationError
from slipstream.model.enums import Side
from slipstream.testing.stubs import btc_usdt

MINUTE = 60_000_000_000
BID, ASK = Decimal("60000"), Decimal("60000.10")

INVALID: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("end before now", {}, {"now_ns": START + 11 * MINUTE}, "has already passed"),
    ("duration disagrees with end", {}, {"duration": timedelta(minutes=5)}, "disagree"),
    ("urgency above 1", {}, {"urgency": 1.5}, "urgency must be in"),
    ("negative risk aversion", {}, {"risk_aversion": -1.0}, "risk_aversion"),
    ("rate of 1", {}, {"participation_rate": 1.0}, "participation_rate must be in"),
    ("zero max participation", {}, {"max_participation": 0.0}, "max_participation must be above 0"),
    ("bands out of order", {}, {"min_participation": 0.3, "max_participation": 0.2}, "min_participation 0.3 is above"),
    ("rate below band", {}, {"participation_rate": 0.05, "min_participation": 0.1}, "below min_participation"),
    ("rate above band", {}, {"participation_rate": 0.3, "max_participation": 0.2}, "above max_participation"),
    ("child min above quantity", {}, {"min_child_quantity": Decimal("2")}, "above the parent quantity"),
    ("child min above max", {}, {"min_child_quantity": Decimal("0.2"), "max_child_quantity": Decimal("0.1")},
     "min_child_quantity 0.2 is above max_child_quantity 0.1"),
    ("display above quantity", {}, {"display_quantity": Decimal("3")}, "display_quantity 3 is above"),
    ("size randomisation of 1", {}, {"size_randomization": 1.0}, "size_randomization"),
    ("negative price offset", {}, {"price_offset": Decimal("-1")}, "price_offset must be >= 0"),
    ("zero slice interval", {}, {"slice_interval": timedelta(0)}, "slice interval must be positive"),
    ("buy limit below the bid", {"limit": "59000"}, {}, "buy limit 59000 is below the best bid"),
    ("sell limit above the ask", {"limit": "61000", "side": Side.SELL}, {}, "sell limit 61000 is above the best ask"),
    ("slices below venue minimum", {"quantity": "0.001"}, {"slice_interval": timedelta(seconds=1)},
     "below every venue's minimum"),
    ("quantity below venue minimum", {"quantity": "0.00005"}, {}, "quantity 0.00005 is below every venue's minimum"),
    ("child min below venue minimum", {}, {"min_child_quantity": Decimal("0.00001")}, "min_child_quantity 0.00001"),
    ("display below venue minimum", {}, {"display_quantity": Decimal("0.00005")}, "display quantity 0.00005"),
    ("randomised slice below minimum", {"quantity": "0.0011"},
     {"slice_interval": timedelta(seconds=60), "size_randomization": 0.9}, "with randomisation"),
]


@pytest.mark.parametrize(("case", "parent_kw", "params_kw", "reason"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_combinations_are_refused_with_a_precise_reason(
    case: str, parent_kw: dict[str, Any], params_kw: dict[str, Any], reason: str
) -> None:
    params_kw = dict(params_kw)
    now = params_kw.pop("now_ns", START)
    spec = parent(**parent_kw)
    with pytest.raises(ValidationError, match=reason):
        validate(spec, AlgoParams(**params_kw), [btc_usdt()], now_ns=now, best_bid=BID, best_ask=ASK)


def test_valid_parameters_return_the_end_time() -> None:
    spec = parent("1", minutes=10, limit="61000")
    params = AlgoParams(max_participation=0.2, participation_rate=0.1, min_participation=0.05,
                        size_randomization=0.2, time_randomization=0.3, max_child_quantity=Decimal("0.2"))
    assert validate(spec, params, [btc_usdt()], now_ns=START, best_bid=BID, best_ask=ASK) == START + 10 * MINUTE


def test_passive_only_may_rest_below_the_market() -> None:
    spec = parent("1", limit="59000")
    validate(spec, AlgoParams(passive_only=True), [btc_usdt()], best_bid=BID, best_ask=ASK)


def test_duration_gives_the_end_when_the_parent_has_none() -> None:
    spec = parent("1")
    spec = type(spec)(**{**{f: getattr(spec, f) for f in spec.__struct_fields__}, "end_ts_ns": None})
    assert resolve_end_ns(spec, AlgoParams(duration=timedelta(minutes=3))) == START + 3 * MINUTE
    with pytest.raises(ValidationError, match="needs an end time or a duration"):
        resolve_end_ns(spec, AlgoParams())


def test_durations_and_quote_quantities_convert_exactly() -> None:
    assert to_ns(timedelta(seconds=1, microseconds=5)) == 1_000_005_000
    assert base_quantity_for_quote(Decimal("1000"), Decimal("60000"), btc_usdt()) == Decimal("0.01666")
    with pytest.raises(ValidationError, match="less than one lot"):
        base_quantity_for_quote(Decimal("0.0001"), Decimal("60000"), btc_usdt())


def test_params_round_trip_through_their_journal_text() -> None:
    params = AlgoParams(duration=timedelta(minutes=7), min_child_quantity=Decimal("0.01"), urgency=0.9)
    assert AlgoParams.decode(params.encode()) == params
