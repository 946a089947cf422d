"""OMS behaviour on the messy paths: duplicates, late and out-of-order reports, overfills,
idempotent client order ids, unknown outcomes and reconciliation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from slipstream.errors import ValidationError
from slipstream.model.enums import OrderStatus
from slipstream.model.events import FillAnomaly, OrderCreated, ReportIgnored
from slipstream.model.reports import ReportKind
from slipstream.oms.manager import OrderManager
from slipstream.testing.stubs import btc_usdt, child, fill_report, parent, report


@pytest.fixture
def oms() -> OrderManager:
    manager = OrderManager([btc_usdt()])
    manager.submit_parent(parent(quantity="0.2"), 0)  # 20_000 lots of 0.00001
    return manager


def live(oms: OrderManager, coid: str, lots: int) -> None:
    oms.create_order(child(coid, lots=lots), 1)
    oms.mark_submitted(coid, 1)
    oms.on_report(report(coid, ReportKind.ACCEPTED, venue_order_id="v-" + coid), 2)


def test_lifecycle_to_filled_updates_parent_and_position(oms: OrderManager) -> None:
    live(oms, "a", 10_000)
    oms.on_report(fill_report("a", "t1", 4_000, fee="0.24"), 3)
    assert oms.orders["a"].status is OrderStatus.PARTIALLY_FILLED
    oms.on_report(fill_report("a", "t2", 6_000), 4)
    assert oms.orders["a"].status is OrderStatus.FILLED
    p = oms.parents["P1"]
    assert (p.filled_units, p.working_units, p.remaining_units) == (10_000, 0, 10_000)
    assert oms.portfolio.balance("sim", "BTC") == Decimal("0.1")
    assert oms.portfolio.balance("sim", "USDT") == Decimal("-6000.24")


def test_resubmitting_the_same_client_order_id_is_not_a_second_order(oms: OrderManager) -> None:
    first = oms.create_order(child("a", lots=5_000), 1)
    assert isinstance(first[0], OrderCreated)
    assert oms.create_order(child("a", lots=5_000), 2) == []
    assert oms.parents["P1"].working_units == 5_000
    with pytest.raises(ValidationError, match="already used"):
        oms.create_order(child("a", lots=6_000), 3)


def test_duplicate_fill_is_recorded_and_ignored(oms: OrderManager) -> None:
    live(oms, "a", 10_000)
    oms.on_report(fill_report("a", "t1", 4_000), 3)
    events = oms.on_report(fill_report("a", "t1", 4_000), 4)
    assert isinstance(events[0], ReportIgnored) and "duplicate fill t1" in events[0].reason
    assert oms.orders["a"].filled_lots == 4_000


def test_overfill_is_capped_for_the_order_but_position_reflects_the_venue(oms: OrderManager) -> None:
    live(oms, "a", 10_000)
    events = oms.on_report(fill_report("a", "t1", 12_000), 3)
    assert isinstance(events[-1], FillAnomaly) and events[-1].excess_lots == 2_000
    assert oms.orders["a"].filled_lots == 10_000
    assert oms.parents["P1"].filled_units == 10_000
    assert oms.portfolio.balance("sim", "BTC") == Decimal("0.12")


def test_late_fill_after_cancel_is_applied_never_dropped(oms: OrderManager) -> None:
    live(oms, "a", 10_000)
    oms.request_cancel("a", 3)
    oms.on_report(report("a", ReportKind.CANCELED), 4)
    assert oms.parents["P1"].remaining_units == 20_000
    oms.on_report(fill_report("a", "t9", 3_000), 5)
    assert oms.orders["a"].status is OrderStatus.CANCELED
    assert oms.orders["a"].filled_lots == 3_000
    assert oms.parents["P1"].filled_units == 3_000
    assert oms.portfolio.balance("sim", "BTC") == Decimal("0.03")


def test_late_fill_beyond_the_parent_is_counted_as_excess(oms: OrderManager) -> None:
    live(oms, "a", 10_000)
    oms.on_report(report("a", ReportKind.CANCELED), 3)
    live(oms, "b", 20_000)  # re-uses the quantity the cancel released
    oms.on_report(fill_report("a", "t1", 4_000), 4)
    p = oms.parents["P1"]
    assert (p.filled_units, p.working_units, p.remaining_units, p.excess_units) == (0, 20_000, 0, 4_000)


def test_out_of_order_ack_after_fill_is_ignored_with_reason(oms: OrderManager) -> None:
    oms.create_order(child("a", lots=10_000), 1)
    oms.mark_submitted("a", 1)
    oms.on_report(fill_report("a", "t1", 10_000), 2)
    events = oms.on_report(report("a", ReportKind.ACCEPTED, venue_order_id="v1"), 3)
    assert isinstance(events[0], ReportIgnored)
    assert events[0].reason == "stale or duplicate accepted in state filled"
    assert oms.orders["a"].status is OrderStatus.FILLED


def test_report_for_unknown_order_is_recorded(oms: OrderManager) -> None:
    events = oms.on_report(fill_report("nope", "t1", 1), 1)
    assert isinstance(events[0], ReportIgnored) and events[0].reason == "unknown order"
    assert oms.portfolio.balances == {}


def test_unknown_outcome_is_reconciled_not_assumed_failed(oms: OrderManager) -> None:
    oms.create_order(child("a", lots=10_000), 1)
    oms.mark_submitted("a", 1)
    oms.mark_unknown("a", "venue disconnected", 2)
    assert oms.orders["a"].status is OrderStatus.UNKNOWN
    assert oms.parents["P1"].working_units == 10_000  # still counted as working
    oms.on_report(report("a", ReportKind.STATUS, status=OrderStatus.ACCEPTED, venue_order_id="v1"), 3)
    assert oms.orders["a"].status is OrderStatus.ACCEPTED
    oms.on_report(fill_report("a", "t1", 10_000), 4)
    assert oms.orders["a"].status is OrderStatus.FILLED


def test_child_larger_than_parent_remaining_is_refused_without_state_change(oms: OrderManager) -> None:
    live(oms, "a", 15_000)
    before = oms.snapshot()
    with pytest.raises(ValidationError, match="exceeds parent"):
        oms.create_order(child("b", lots=6_000), 2)
    assert oms.snapshot() == before


def test_replace_reserves_increase_and_releases_on_reject(oms: OrderManager) -> None:
    live(oms, "a", 10_000)
    oms.request_replace("a", 6_000_100, 15_000, 3)
    assert oms.parents["P1"].working_units == 15_000
    oms.on_report(report("a", ReportKind.REPLACE_REJECTED, reason="too late"), 4)
    assert oms.parents["P1"].working_units == 10_000
    assert oms.orders["a"].status is OrderStatus.ACCEPTED
    oms.request_replace("a", 6_000_100, 8_000, 5)
    oms.on_report(report("a", ReportKind.REPLACED, lots=8_000, price_units=6_000_100), 6)
    assert oms.orders["a"].lots == 8_000 and oms.parents["P1"].working_units == 8_000


def test_unknown_instrument_and_wrong_side_are_refused(oms: OrderManager) -> None:
    with pytest.raises(ValidationError, match="unknown instrument"):
        oms.create_order(child("a", venue="elsewhere"), 1)
    from slipstream.model.enums import Side

    with pytest.raises(ValidationError, match="side differs"):
        oms.create_order(child("a", side=Side.SELL), 1)
