"""Which build of slipstream is running: pure Python or with mypyc-compiled hot modules.

The opt-in compiled build (``SLIPSTREAM_COMPILE=1 pip install .``, see docs/performance.md) ships
each compiled module as an extension next to its ``.py``. Python's import system prefers the
extension, so the file a module resolves to is what tells the builds apart. Benchmarks print this
next to the Python version so a number is never quoted without saying which build made it.
"""

from __future__ import annotations

import pkgutil
from importlib.machinery import EXTENSION_SUFFIXES

import slipstream

__all__ = ["compiled_modules"]


def compiled_modules() -> tuple[str, ...]:
    """Names of the slipstream modules that import from a compiled extension, sorted.

    Resolves each module the way ``import`` would (same finders, same suffix order) without
    importing it, so calling this has no side effects and is cheap enough to print in a benchmark.

    Returns:
        Fully qualified module names, e.g. ``("slipstream.routing.exact", ...)``; empty for the
        pure-Python build (the reference build).
    """
    found: list[str] = []
    _scan(list(slipstream.__path__), "slipstream.", found)
    return tuple(sorted(found))


def _scan(path: list[str], prefix: str, found: list[str]) -> None:
    for info in pkgutil.iter_modules(path, prefix):
        finder = info.module_finder
        find_spec = getattr(finder, "find_spec", None)
        spec = find_spec(info.name) if find_spec is not None else None
        if spec is None:
            continue
        if info.ispkg:
            _scan(list(spec.submodule_search_locations or ()), info.name + ".", found)
        elif spec.origin is not None and spec.origin.endswith(tuple(EXTENSION_SUFFIXES)):
            found.append(info.name)
