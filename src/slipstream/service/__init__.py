"""Service layer: metrics, structured logs, and (later) the REST/WebSocket API and FIX gateway.

Thin by design: it observes the engine (published journal events) and never changes its state.
"""

from slipstream.service.logging import JsonFormatter, configure_json_logging, log_engine_events
from slipstream.service.metrics import Metrics, instrument_engine

__all__ = ["JsonFormatter", "Metrics", "configure_json_logging", "instrument_engine", "log_engine_events"]
