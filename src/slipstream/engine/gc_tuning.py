"""Garbage-collector tuning for long simulations.

The engine allocates many short-lived, acyclic objects (events, reports); CPython's default
generation-0 threshold (700) makes the cyclic collector run every few lifecycles and scan the
growing order book each time. Moving start-up objects to the permanent generation and raising the
threshold removes most of that overhead without disabling collection. This is process-wide, so it
is opt-in: the CLI and benchmarks use it; a library caller decides for themselves.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["tuned_gc"]


@contextmanager
def tuned_gc(threshold0: int = 50_000) -> Iterator[None]:
    """Within the block: freeze existing objects and collect generation 0 every ``threshold0`` allocations."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold0, previous[1], previous[2])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
