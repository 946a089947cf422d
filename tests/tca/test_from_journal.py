"""TCA straight from a journal: the inputs are rebuilt from events alone and agree with the run."""

from __future__ import annotations

from decimal import Decimal

import pytest

from slipstream.demo import run_demo
from slipstream.errors import ValidationError
from slipstream.journal import SqliteJournal
from slipstream.model.events import MidObserved, OrderFilled
from slipstream.tca.from_journal import analyse_events, tca_inputs_from_events


@pytest.fixture(scope="module")
def journal_events(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    path = tmp_path_factory.mktemp("tca") / "demo.db"
    run_demo(quantity="2", slices=8, seed=5, journal_path=path, show=False)
    journal = SqliteJournal(path, readonly=True)
    events = [event for _, event in journal.events()]
    journal.close()
    return events


def test_inputs_rebuilt_from_events(journal_events: list) -> None:  # type: ignore[type-arg]
    inputs = tca_inputs_from_events(journal_events)
    fills = [e for e in journal_events if isinstance(e, OrderFilled)]
    assert len(inputs.fills) == len(fills) == 8
    assert sum(f.quantity for f in inputs.fills) == Decimal(2)
    assert inputs.order.side == "buy" and inputs.order.quantity == Decimal(2)
    first_mid = next(e for e in journal_events if isinstance(e, MidObserved))
    assert inputs.order.arrival_price == first_mid.mid
    assert all(f.fee_in_quote > 0 and f.fee_asset == "USDT" for f in inputs.fills)
    assert inputs.mids and not inputs.unconverted_assets


def test_analysis_is_consistent(journal_events: list) -> None:  # type: ignore[type-arg]
    result, inputs = analyse_events(journal_events, "demo-1")
    row = result.to_dict()
    assert Decimal(row["filled_qty"]) == Decimal(2)
    vwap = sum(f.quantity * f.price for f in inputs.fills) / Decimal(2)
    assert abs(Decimal(row["avg_price"]) - vwap) < Decimal("0.000001")
    expected_bps = float((vwap / inputs.order.arrival_price - 1) * 10_000)
    assert row["slippage_bps"] == pytest.approx(expected_bps, abs=1e-4)


def test_unknown_parent_is_a_clear_error(journal_events: list) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError, match="no parent order nope"):
        tca_inputs_from_events(journal_events, "nope")


def test_impact_splits_exactly_into_timing_and_spread(journal_events: list) -> None:  # type: ignore[type-arg]
    result, _ = analyse_events(journal_events, "demo-1")
    row = result.to_dict(decimals=9)
    assert row["timing_bps"] + row["spread_impact_bps"] == pytest.approx(row["impact_bps"], abs=1e-6)
    split = result.impact_split
    assert split is not None and split.timing + split.spread_impact == result.shortfall.impact
