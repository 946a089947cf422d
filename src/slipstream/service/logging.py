"""Structured logs as JSON lines, with parent and child order ids as first-class fields.

Each record is one JSON object on one line, fields in a fixed order: ``ts`` (engine time when the
caller gives ``ts_ns``, else the record's wall time), ``level``, ``logger``, ``message``, then
``parent_id``, ``client_order_id``, ``venue`` when present, then any other ``extra`` fields sorted by
name. ``Decimal`` values are written as exact strings. :func:`log_engine_events` logs every
journaled event an engine publishes, one line each.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TextIO

import msgspec

from slipstream.journal.codec import event_types
from slipstream.model.events import Event

__all__ = ["JsonFormatter", "configure_json_logging", "event_fields", "log_engine_events"]

_FIRST = ("parent_id", "client_order_id", "venue")
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value, enc_hook=str)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _iso(ts_ns: int) -> str:
    seconds, nanos = divmod(ts_ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line with a deterministic field order."""

    def format(self, record: logging.LogRecord) -> str:
        extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        ts_ns = extra.pop("ts_ns", None)
        ts = _iso(ts_ns) if isinstance(ts_ns, int) else _iso(int(record.created * 1e9))
        out: dict[str, object] = {
            "ts": ts,
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _FIRST:
            if extra.get(key) is not None:
                out[key] = extra.pop(key)
            else:
                extra.pop(key, None)
        for key in sorted(extra):
            out[key] = extra[key]
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=_default, separators=(",", ":"), ensure_ascii=False)


def configure_json_logging(stream: TextIO, level: int = logging.INFO, name: str = "slipstream") -> logging.Logger:
    """Send ``name``'s records to ``stream`` as JSON lines (replacing its handlers).

    Returns:
        The configured logger.
    """
    logger = logging.getLogger(name)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


def event_fields(event: Event, oms: Any = None) -> dict[str, object]:
    """Log fields of one journaled event: its ids first (the parent found through ``oms``)."""
    fields: dict[str, object] = {"ts_ns": event.ts_ns}
    body = msgspec.to_builtins(event, enc_hook=str)
    order = getattr(event, "order", None)
    coid = getattr(event, "client_order_id", None) or (order.client_order_id if order is not None else None)
    parent_id = getattr(event, "parent_id", None)
    if order is not None:
        parent_id = order.parent_id
    parent = getattr(event, "parent", None)
    if parent is not None:
        parent_id = parent.parent_id
    if coid is not None and parent_id is None and oms is not None and coid in oms.orders:
        parent_id = oms.orders[coid].order.parent_id
    venue = getattr(event, "venue", None)
    if venue is None and coid is not None and oms is not None and coid in oms.orders:
        venue = oms.orders[coid].order.venue
    fields.update(parent_id=parent_id, client_order_id=coid, venue=venue)
    for key in ("type", "ts_ns", "client_order_id", "parent_id", "venue"):
        body.pop(key, None)
    fields.update(body)
    return fields


def log_engine_events(engine: Any, logger: logging.Logger, level: int = logging.INFO) -> None:
    """Log every journaled event ``engine`` publishes (needs ``publish_events=True``)."""

    def handle(event: Event) -> None:
        if logger.isEnabledFor(level):
            logger.log(level, type(event).__name__, extra=event_fields(event, engine.oms))

    for event_type in event_types():
        engine.loop.subscribe(event_type, handle)
