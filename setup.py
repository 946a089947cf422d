"""Build script: pure Python by default; ``SLIPSTREAM_COMPILE=1`` compiles the router's hot modules with mypyc.

All metadata lives in pyproject.toml. This file only adds the opt-in extension modules. The
compiled wheel keeps every ``.py`` next to its ``.so``; the pure build is the reference (same
routes, bit for bit) and the default. See docs/performance.md.
"""

from __future__ import annotations

import os
from typing import Any

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext

# The one list of compiled modules (paths under src/). Decision-time hot path of the router and the
# on-chain integer math it prices AMM pools with; everything else stays interpreted.
COMPILED_MODULES = (
    "slipstream/routing/exact.py",
    "slipstream/routing/pricing.py",
    "slipstream/routing/relax.py",
    "slipstream/routing/book_steps.py",
    "slipstream/routing/pool_curves.py",
    "slipstream/routing/costs.py",
    "slipstream/routing/v3_path.py",
    "slipstream/routing/units.py",
    "slipstream/routing/optimiser.py",
    "slipstream/routing/router.py",
    "slipstream/venues/sim/amm/swap_math.py",
    "slipstream/venues/sim/amm/sqrt_price_math.py",
    "slipstream/venues/sim/amm/full_math.py",
)

COMPILE = os.environ.get("SLIPSTREAM_COMPILE", "") == "1"
SOURCE_ROOT = "src"
# A compiled build stages under its own tree: setuptools packs everything found in build/lib, so a
# shared staging tree would carry stale .so files from a compiled build into a later pure wheel.
COMPILED_BUILD_BASE = "build/compiled"


class CompiledDistribution(Distribution):
    """Declares extension modules up front so the wheel gets a platform tag.

    The extensions themselves are produced lazily by :class:`MypycBuildExt`: pip runs this file
    once for metadata and once for the wheel, and only the second needs mypyc (~15 s) and gcc (~35 s).
    """

    def has_ext_modules(self) -> bool:
        return True


class MypycBuildExt(build_ext):
    """Runs mypyc (type check + C generation) only when the extensions are actually built.

    setuptools finalizes this command during ``egg_info`` as well (before mypy is even installed),
    so the extension list is produced in :meth:`run`, and the command is re-initialized and finalized with it.
    """

    def finalize_options(self) -> None:
        if self.inplace or self.editable_mode:
            # An in-place .so shadows the .py beside it and goes stale silently on the next edit.
            raise SystemExit("compiled builds are wheel-only: use `pip install .`, not -e or build_ext --inplace")
        super().finalize_options()

    def run(self) -> None:
        if not self.distribution.ext_modules:
            self.distribution.ext_modules = _mypyc_extensions()
            self.distribution.reinitialize_command(self)  # finalizing is not idempotent: start from the options
            self.ensure_finalized()
        super().run()


def _mypyc_extensions() -> list[Any]:
    from mypyc.build import mypycify  # present only in the compiled build's isolated environment

    # mypy reads [tool.mypy] from pyproject.toml (strict), so a type error in a compiled module fails the
    # build. Modules they import are analysed for their types, but their errors are not this build's concern
    # (the mypy gate in .ci/run decides how strict those are).
    options = ["--follow-imports=silent"]
    paths = [f"{SOURCE_ROOT}/{path}" for path in COMPILED_MODULES]
    return list(mypycify([*options, *paths], opt_level="3", target_dir=f"{COMPILED_BUILD_BASE}/c"))


if COMPILE:
    setup(
        distclass=CompiledDistribution,
        cmdclass={"build_ext": MypycBuildExt},
        options={"build": {"build_base": COMPILED_BUILD_BASE}},
    )
else:
    setup()
