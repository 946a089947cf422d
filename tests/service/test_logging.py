"""JSON-lines logs: one object per line, fixed field order, order ids as fields."""

from __future__ import annotations

import io
import json
import logging
from decimal import Decimal

from slipstream.engine.execution import ExecutionEngine
from slipstream.service.logging import configure_json_logging, log_engine_events
from slipstream.testing.stubs import btc_usdt, child, parent
from slipstream.venues.sim.quote import QuoteVenue


def test_field_order_and_values() -> None:
    stream = io.StringIO()
    logger = configure_json_logging(stream, name="slipstream.test.fields")
    logger.info("hello %s", "desk", extra={"zeta": Decimal("1.10"), "venue": "sim", "client_order_id": "c1",
                                            "alpha": 2, "parent_id": "P1", "ts_ns": 1_500_000_001})
    line = stream.getvalue()
    assert line == (
        '{"ts":"1970-01-01T00:00:01.500000001Z","level":"info","logger":"slipstream.test.fields",'
        '"message":"hello desk","parent_id":"P1","client_order_id":"c1","venue":"sim","alpha":2,"zeta":"1.10"}\n'
    )


def test_engine_events_are_logged_with_their_ids() -> None:
    stream = io.StringIO()
    logger = configure_json_logging(stream, name="slipstream.test.engine")
    venue = QuoteVenue("sim", [btc_usdt()], latency_ns=1_000)
    engine = ExecutionEngine([venue])
    log_engine_events(engine, logger)
    venue.set_quote("BTC/USDT", 5_999_990, 6_000_010)
    engine.submit_parent(parent(quantity="1"))
    engine.submit_order(child("c1", lots=1_000, price_units=6_000_010))
    engine.run()
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    by_message = {r["message"]: r for r in records}
    filled = by_message["OrderFilled"]
    assert list(filled)[:7] == ["ts", "level", "logger", "message", "parent_id", "client_order_id", "venue"]
    assert (filled["parent_id"], filled["client_order_id"], filled["venue"]) == ("P1", "c1", "sim")
    assert filled["fill"]["lots"] == 1_000 and filled["ts"] == "1970-01-01T00:00:00.000001000Z"
    assert by_message["ParentOrderSubmitted"]["parent_id"] == "P1"
    logger.setLevel(logging.WARNING)
    before = stream.getvalue()
    engine.submit_order(child("c2", lots=1_000, price_units=6_000_010))
    engine.run()
    assert stream.getvalue() == before
