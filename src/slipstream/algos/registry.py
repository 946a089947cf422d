"""Algorithms by name, as the CLI and scenarios spell them (``--algo twap|vwap|pov|is|iceberg``)."""

from __future__ import annotations

from collections.abc import Callable

from slipstream.algos.base import ExecutionAlgo, NullAlgo
from slipstream.algos.iceberg import IcebergAlgo
from slipstream.algos.implementation_shortfall import IsAlgo
from slipstream.algos.pov import PovAlgo
from slipstream.algos.twap import TwapAlgo
from slipstream.algos.vwap import VwapAlgo
from slipstream.errors import ValidationError

__all__ = ["ALGO_NAMES", "make_algo"]

_FACTORIES: dict[str, Callable[[], ExecutionAlgo]] = {
    "twap": TwapAlgo,
    "vwap": VwapAlgo,
    "pov": PovAlgo,
    "is": IsAlgo,
    "iceberg": IcebergAlgo,
    "null": NullAlgo,
}
ALGO_NAMES = tuple(_FACTORIES)


def make_algo(name: str) -> ExecutionAlgo:
    """A fresh algo with default settings (build :class:`VwapAlgo`/:class:`IsAlgo` directly to
    pass a volume curve or impact model).

    Raises:
        ValidationError: unknown name.
    """
    factory = _FACTORIES.get(name.lower())
    if factory is None:
        raise ValidationError(f"unknown algo {name!r}; choose one of {', '.join(ALGO_NAMES)}")
    return factory()
