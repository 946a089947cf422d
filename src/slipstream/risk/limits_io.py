"""Reading and writing :class:`RiskLimits` as plain data (a TOML ``[risk]`` section, a dict, the
journal's :class:`~slipstream.model.risk_events.RiskLimitsChanged`).

Plain form::

    max_loss = "50000"
    [instruments."BTC/USDT"]
    max_order_quantity = "5"
    price_band = "0.02"
    expiry_cutoff = "10m"
    sessions = [{start = "0s", end = "8h", weekdays = [0, 1, 2, 3, 4]}]
    [venues."*"]
    max_open_orders = 200
    max_order_rate = {count = 20, window = "1s"}
    rate_headroom = "0.8"
    [accounts.desk.BTC]
    max_position = "10"
    [portfolio."*"]
    max_gross_notional = "2000000"

Money and fractions are strings, ints or ``Decimal`` — never binary floats (TOML floats are read
as ``Decimal`` by :func:`limits_from_toml`). Durations are ``<integer><unit>`` with units
``d h m s ms us ns``. Every error names the field path, e.g. ``risk.venues.binance.max_open_orders``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from slipstream.errors import ValidationError
from slipstream.risk.limits import (
    ExposureLimits,
    InstrumentLimits,
    Rate,
    ReferenceKind,
    RiskLimits,
    TradingSession,
    VenueLimits,
)

__all__ = ["format_duration", "limits_from_dict", "limits_from_toml", "limits_to_dict", "parse_duration"]

_T = TypeVar("_T")
_UNITS_NS = {"d": 86_400_000_000_000, "h": 3_600_000_000_000, "m": 60_000_000_000, "s": 1_000_000_000,
             "ms": 1_000_000, "us": 1_000, "ns": 1}
_DURATION = re.compile(r"^\s*(\d+)\s*(d|h|m|s|ms|us|ns)\s*$")


def parse_duration(text: object, field: str = "duration") -> timedelta:
    """``"250ms"`` → ``timedelta(milliseconds=250)``; a ``timedelta`` passes through.

    Raises:
        ValidationError: not a ``<integer><unit>`` string or timedelta (names ``field``).
    """
    if isinstance(text, timedelta):
        return text
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(f"{field}: expected a duration like '500ms' or '10s', got {text!r}")
    total_ns = int(match.group(1)) * _UNITS_NS[match.group(2)]
    if total_ns % 1_000:
        raise ValidationError(f"{field}: durations are kept to the microsecond, got {text!r}")
    return timedelta(microseconds=total_ns // 1_000)


def format_duration(value: timedelta) -> str:
    """The largest exact unit: ``timedelta(seconds=90)`` → ``"90s"``, 1.5 ms → ``"1500us"``."""
    total_ns = ((value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds) * 1_000
    for unit in ("d", "h", "m", "s", "ms", "us"):
        if total_ns % _UNITS_NS[unit] == 0:
            return f"{total_ns // _UNITS_NS[unit]}{unit}"
    return f"{total_ns}ns"  # pragma: no cover - timedelta has microsecond resolution


def _decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool | float):
        raise ValidationError(f"{field}: write money and fractions as a string or Decimal, not {value!r}")
    try:
        result = Decimal(value) if isinstance(value, int | str | Decimal) else None
    except InvalidOperation:
        result = None
    if result is None or not result.is_finite():
        raise ValidationError(f"{field}: expected a decimal number, got {value!r}")
    return result


def _int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field}: expected an integer, got {value!r}")
    return value


def _table(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field}: expected a table, got {value!r}")
    return value


def _fields(data: object, field: str, parsers: dict[str, Callable[[object, str], object]]) -> dict[str, object]:
    table = _table(data, field)
    unknown = sorted(set(table) - set(parsers))
    if unknown:
        raise ValidationError(f"{field}: unknown field {unknown[0]!r} (known: {', '.join(sorted(parsers))})")
    return {key: parsers[key](table[key], f"{field}.{key}") for key in sorted(table)}


def _build(cls: Callable[..., _T], kwargs: dict[str, object], field: str) -> _T:
    try:
        return cls(**kwargs)
    except ValidationError as exc:
        raise ValidationError(f"{field}: {exc}") from None


def _rate(value: object, field: str) -> Rate:
    if isinstance(value, list | tuple) and len(value) == 2:
        value = {"count": value[0], "window": value[1]}
    kwargs = _fields(value, field, {"count": _int, "window": parse_duration})
    if set(kwargs) != {"count", "window"}:
        raise ValidationError(f"{field}: a rate needs both count and window")
    return _build(Rate, kwargs, field)


def _reference(value: object, field: str) -> ReferenceKind:
    try:
        return ReferenceKind(value)
    except ValueError:
        raise ValidationError(f"{field}: expected one of mid, mark, index, got {value!r}") from None


def _weekdays(value: object, field: str) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError(f"{field}: expected a list of weekdays 0..6, got {value!r}")
    return tuple(_int(v, f"{field}[{i}]") for i, v in enumerate(value))


def _session(value: object, field: str) -> TradingSession:
    kwargs = _fields(value, field, {"start": parse_duration, "end": parse_duration, "weekdays": _weekdays})
    if not {"start", "end"} <= set(kwargs):
        raise ValidationError(f"{field}: a session needs start and end")
    return _build(TradingSession, kwargs, field)


def _sessions(value: object, field: str) -> tuple[TradingSession, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError(f"{field}: expected a list of sessions, got {value!r}")
    return tuple(_session(v, f"{field}[{i}]") for i, v in enumerate(value))


_INSTRUMENT: dict[str, Callable[[object, str], object]] = {
    "max_order_quantity": _decimal,
    "max_order_notional": _decimal,
    "price_band": _decimal,
    "fat_finger": _decimal,
    "reference": _reference,
    "expiry_cutoff": parse_duration,
    "sessions": _sessions,
}
_VENUE: dict[str, Callable[[object, str], object]] = {
    "max_open_orders": _int,
    "max_order_rate": _rate,
    "rate_headroom": _decimal,
}
_EXPOSURE: dict[str, Callable[[object, str], object]] = {
    "max_position": _decimal,
    "max_gross_notional": _decimal,
    "max_net_notional": _decimal,
}


def _keyed(data: object, field: str, parse: Callable[[object, str], _T]) -> dict[str, _T]:
    table = _table(data, field)
    return {str(key): parse(table[key], f"{field}.{key}") for key in sorted(table)}


def _instrument(value: object, field: str) -> InstrumentLimits:
    return _build(InstrumentLimits, _fields(value, field, _INSTRUMENT), field)


def _venue(value: object, field: str) -> VenueLimits:
    return _build(VenueLimits, _fields(value, field, _VENUE), field)


def _exposure(value: object, field: str) -> ExposureLimits:
    return _build(ExposureLimits, _fields(value, field, _EXPOSURE), field)


def limits_from_dict(data: Mapping[str, Any], field: str = "risk") -> RiskLimits:
    """Parse the plain form into :class:`RiskLimits`.

    Raises:
        ValidationError: unknown field, wrong type or out-of-range value; the message names the
            field path.
    """
    kwargs = _fields(
        data,
        field,
        {
            "instruments": lambda v, f: _keyed(v, f, _instrument),
            "venues": lambda v, f: _keyed(v, f, _venue),
            "accounts": lambda v, f: _keyed(v, f, lambda a, g: _keyed(a, g, _exposure)),
            "portfolio": lambda v, f: _keyed(v, f, _exposure),
            "max_loss": _decimal,
        },
    )
    return _build(RiskLimits, kwargs, field)


def limits_from_toml(text: str, section: str = "risk") -> RiskLimits:
    """Parse the ``[section]`` of a TOML document (the whole document if ``section`` is empty).

    Raises:
        ValidationError: malformed TOML, missing section, or an invalid field (named).
    """
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"risk limits: {exc}") from None
    if not section:
        return limits_from_dict(document, "risk")
    if section not in document:
        raise ValidationError(f"risk limits: no [{section}] section")
    return limits_from_dict(_table(document[section], section), section)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, ReferenceKind):
        return value.value
    if isinstance(value, Rate):
        return {"count": value.count, "window": format_duration(value.window)}
    if isinstance(value, TradingSession):
        return {"start": format_duration(value.start), "end": format_duration(value.end),
                "weekdays": list(value.weekdays)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {key: _plain(value[key]) for key in sorted(value)}
    if isinstance(value, InstrumentLimits | VenueLimits | ExposureLimits):
        defaults = type(value)()
        return {
            name: _plain(getattr(value, name))
            for name in value.__struct_fields__
            if getattr(value, name) != getattr(defaults, name)
        }
    return value


def limits_to_dict(limits: RiskLimits) -> dict[str, Any]:
    """The canonical plain form: keys sorted, defaults left out, money as strings.

    ``limits_from_dict(limits_to_dict(x)) == x`` for every valid ``x``.
    """
    out: dict[str, Any] = {}
    for name in sorted(limits.__struct_fields__):
        value = getattr(limits, name)
        if value is None or value == {}:
            continue
        out[name] = _plain(value)
    return out
