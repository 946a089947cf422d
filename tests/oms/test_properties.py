"""Property tests: random command/report sequences never reach an illegal state, never break
parent quantity conservation, and replaying the journal reproduces the state exactly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slipstream.errors import ValidationError
from slipstream.journal.memory import MemoryJournal
from slipstream.model.enums import OrderStatus
from slipstream.model.reports import ReportKind
from slipstream.oms.manager import OrderManager
from slipstream.testing.stubs import btc_usdt, child, fill_report, parent, report

_KINDS = [k for k in ReportKind if k is not ReportKind.FILL]

step = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 5), st.integers(1, 15_000)),
    st.tuples(st.just("submit"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("cancel"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("replace"), st.integers(0, 5), st.integers(1, 15_000)),
    st.tuples(st.just("unknown"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("fill"), st.integers(0, 5), st.integers(1, 15_000), st.integers(0, 8)),
    st.tuples(st.just("report"), st.integers(0, 5), st.sampled_from(_KINDS), st.sampled_from(list(OrderStatus))),
    st.tuples(st.just("cancel_parent"), st.just(0), st.just(0)),
)


def check_invariants(oms: OrderManager) -> None:
    for pstate in oms.parents.values():
        working = sum(oms.orders[c].working_lots * oms.orders[c].units_per_lot for c in pstate.children)
        assert pstate.working_units == working
        assert pstate.filled_units >= 0 and pstate.working_units >= 0 and pstate.remaining_units >= 0
        assert pstate.filled_units + pstate.working_units + pstate.remaining_units == pstate.quantity_units
        counted = sum(oms.orders[c].filled_lots * oms.orders[c].units_per_lot for c in pstate.children)
        assert pstate.filled_units + pstate.excess_units == counted
    for state in oms.orders.values():
        assert isinstance(state.status, OrderStatus)
        assert 0 <= state.filled_lots <= state.lots
        if state.status is OrderStatus.FILLED:
            assert state.filled_lots == state.lots


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=60))
def test_random_sequences_keep_invariants_and_replay(steps: list[tuple]) -> None:  # type: ignore[type-arg]
    oms = OrderManager([btc_usdt()])
    journal = MemoryJournal()

    def record(events: list) -> None:  # type: ignore[type-arg]
        for event in events:
            journal.append(event)

    record(oms.submit_parent(parent(quantity="0.2"), 0))
    for ts, s in enumerate(steps, start=1):
        op, idx = s[0], s[1]
        coid = f"c{idx}"
        try:
            if op == "create":
                record(oms.create_order(child(coid, lots=s[2]), ts))
            elif op == "submit":
                record(oms.mark_submitted(coid, ts))
            elif op == "cancel":
                record(oms.request_cancel(coid, ts))
            elif op == "replace":
                record(oms.request_replace(coid, 6_000_000, s[2], ts))
            elif op == "unknown":
                record(oms.mark_unknown(coid, "venue timeout", ts))
            elif op == "fill":
                record(oms.on_report(fill_report(coid, f"t{s[3]}", s[2], ts=ts), ts))
            elif op == "report":
                kind, status = s[2], s[3]
                extra: dict[str, object] = {}
                if kind is ReportKind.STATUS:
                    extra["status"] = status
                if kind is ReportKind.REPLACED:
                    extra.update(lots=max(1, idx * 1000), price_units=6_000_000)
                record(oms.on_report(report(coid, kind, ts=ts, venue_order_id=f"v{idx}", **extra), ts))
            else:
                record(oms.cancel_parent("P1", ts))
        except ValidationError:
            pass
        check_invariants(oms)
    rebuilt = OrderManager([btc_usdt()])
    for _, event in journal.events():
        rebuilt.apply(event)
    assert rebuilt.snapshot() == oms.snapshot()
    assert journal.verify().ok
