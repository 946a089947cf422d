"""Metrics: an engine run with a resting order, a fill, a risk denial, a venue reject and a kill switch."""

from __future__ import annotations

from decimal import Decimal

from prometheus_client.parser import text_string_to_metric_families

from slipstream.engine.execution import ExecutionEngine
from slipstream.journal import MemoryJournal
from slipstream.model.enums import OrderType
from slipstream.model.orders import ChildOrder
from slipstream.model.risk_events import VenueHealthChanged
from slipstream.risk import EngageKillSwitch, InstrumentLimits, RiskEngine, RiskLimits, apply_risk_command
from slipstream.service.metrics import LoopLagProbe, Metrics, TimedJournal, instrument_engine
from slipstream.testing.stubs import btc_usdt, child, parent
from slipstream.venues.sim.quote import QuoteVenue


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if not s.name.endswith("_created")
    }


def test_engine_run_is_counted() -> None:
    metrics = Metrics()
    ticks = iter(float(i) / 1000 for i in range(10_000))
    venue = QuoteVenue("sim", [btc_usdt()], latency_ns=1_000)
    engine = ExecutionEngine([venue], journal=TimedJournal(MemoryJournal(), metrics, timer=lambda: next(ticks)))
    instrument_engine(engine, metrics)
    RiskEngine(RiskLimits(instruments={"*": InstrumentLimits(max_order_quantity=Decimal("0.5"))})).install(engine)
    venue.set_quote("BTC/USDT", 5_999_990, 6_000_010)
    engine.submit_parent(parent(quantity="1"))
    engine.submit_order(child("fill", lots=20_000, price_units=6_000_010))
    engine.submit_order(child("rest", lots=10_000, price_units=5_000_000))
    engine.submit_order(child("big", lots=60_000))
    engine.submit_order(ChildOrder(client_order_id="po", venue="sim", symbol="BTC/USDT", side=child("x").side,
                                   lots=1_000, order_type=OrderType.POST_ONLY, price_units=6_000_010, parent_id="P1"))
    engine.run()
    engine.loop.publish(VenueHealthChanged(ts_ns=0, venue="sim", previous="healthy", current="degraded"))
    apply_risk_command(engine, EngageKillSwitch(reason="test"))
    engine.run()
    got = samples(metrics)
    assert got[("slipstream_orders", (("state", "filled"),))] == 1
    assert got[("slipstream_orders", (("state", "canceled"),))] == 1
    assert got[("slipstream_orders", (("state", "rejected"),))] == 2
    assert got[("slipstream_orders", (("state", "pending_new"),))] == 0
    assert got[("slipstream_fills_total", (("liquidity", "taker"), ("venue", "sim")))] == 1
    assert got[("slipstream_filled_lots_total", (("symbol", "BTC/USDT"), ("venue", "sim")))] == 20_000
    assert got[("slipstream_rejects_total", (("reason", "MAX_ORDER_QTY"), ("source", "risk")))] == 1
    assert got[("slipstream_rejects_total", (("reason", "post-only would take"), ("source", "venue")))] == 1
    assert got[("slipstream_parent_progress_ratio", (("parent_id", "P1"),))] == 0.2
    assert got[("slipstream_venue_health", (("venue", "sim"),))] == 1
    assert got[("slipstream_kill_switch_engaged", ())] == 1
    assert got[("slipstream_order_events_total", (("type", "KillSwitchEngaged"),))] == 1
    appends = got[("slipstream_journal_write_seconds_count", (("operation", "append"),))]
    assert appends == engine.journal.head_sequence
    assert abs(got[("slipstream_journal_write_seconds_sum", (("operation", "append"),))] - appends * 0.001) < 1e-9


def test_loop_lag_and_route_latency() -> None:
    metrics = Metrics()
    engine = ExecutionEngine([])
    probe = LoopLagProbe(engine, metrics, interval_ns=1_000_000)
    engine.run(until_ns=10_000_000)
    probe.stop()
    metrics.observe_route_decision(0.002)
    got = samples(metrics)
    assert got[("slipstream_event_loop_lag_seconds_count", ())] == 10
    assert got[("slipstream_event_loop_lag_seconds_sum", ())] == 0.0  # simulated clock: never late
    assert got[("slipstream_route_decision_seconds_bucket", (("le", "0.005"),))] == 1
    assert got[("slipstream_route_decision_seconds_bucket", (("le", "0.001"),))] == 0


def test_registries_are_private() -> None:
    a, b = Metrics(), Metrics()
    a.kill_switch.set(1)
    assert samples(b)[("slipstream_kill_switch_engaged", ())] == 0
