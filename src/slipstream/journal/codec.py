"""Canonical bytes of events: the form that is hashed, stored and replayed.

msgspec's JSON encoding of a frozen Struct is canonical: fields in declaration order, no
whitespace, ``Decimal`` as its exact string, the class name in ``type``. Any subclass of
:class:`~slipstream.model.events.Event` defined anywhere is decodable once its module is imported.
"""

from __future__ import annotations

from typing import Any, Union

import msgspec

from slipstream.model.events import Event

__all__ = ["decode_event", "encode_event", "event_types"]

_encoder = msgspec.json.Encoder(decimal_format="string")
encode_event = _encoder.encode


def event_types() -> tuple[type[Event], ...]:
    """Every concrete Event subclass currently defined, sorted by name for a stable union."""
    seen: dict[str, type[Event]] = {}
    stack: list[type[Event]] = list(Event.__subclasses__())
    while stack:
        cls = stack.pop()
        seen[cls.__name__] = cls
        stack.extend(cls.__subclasses__())
    return tuple(seen[name] for name in sorted(seen))


_decoder_cache: tuple[tuple[type[Event], ...], msgspec.json.Decoder[Any]] | None = None


def decode_event(data: bytes) -> Event:
    """Decode canonical bytes back into the event (raises msgspec.DecodeError if malformed)."""
    global _decoder_cache
    types = event_types()
    if _decoder_cache is None or _decoder_cache[0] != types:
        union = Union[types]  # type: ignore[valid-type]  # noqa: UP007
        _decoder_cache = (types, msgspec.json.Decoder(union))
    event: Event = _decoder_cache[1].decode(data)
    return event
