"""In-tree PEP 517 backend: setuptools, plus the opt-in mypyc build (``SLIPSTREAM_COMPILE=1``).

Why a wrapper: mypy (which ships mypyc) must be in the isolated build environment only when a
compiled wheel is asked for, so the default pure build stays as light as plain setuptools. The
compiled build is wheel-only: an editable install would leave ``.so`` files beside the sources,
and Python imports an extension before the ``.py`` next to it, so later source edits would be
silently ignored. Every hook not defined here is setuptools' own.
"""

from __future__ import annotations

import os
import tomllib
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (
    build_sdist,
    build_wheel,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

# The mypy release the compiled modules are checked and built with: pinned so a build is repeatable.
MYPY_REQUIREMENT = "mypy==2.4.1"
EDITABLE_REFUSAL = "compiled builds are wheel-only: use `pip install .`, not -e (unset SLIPSTREAM_COMPILE)"


def compile_requested() -> bool:
    """Whether this build should compile the hot modules (``SLIPSTREAM_COMPILE=1``)."""
    return os.environ.get("SLIPSTREAM_COMPILE", "") == "1"


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    """setuptools' wheel requirements, plus the pinned mypy when compiling."""
    requires = list(_setuptools.get_requires_for_build_wheel(config_settings))
    if compile_requested():
        # mypyc compiles against the types it sees: give it the runtime dependencies (numpy is used in
        # compiled modules), not whatever happens to be installed around the isolated build environment.
        requires += [MYPY_REQUIREMENT, *_runtime_dependencies()]
    return requires


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    """setuptools' editable requirements; refuses a compiled editable build before anything is fetched."""
    _refuse_compiled_editable()
    return list(_setuptools.get_requires_for_build_editable(config_settings))


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """setuptools' editable wheel; refuses ``SLIPSTREAM_COMPILE=1`` (stale in-place ``.so`` files)."""
    _refuse_compiled_editable()
    return str(_setuptools.build_editable(wheel_directory, config_settings, metadata_directory))


def _runtime_dependencies() -> list[str]:
    with open("pyproject.toml", "rb") as file:  # PEP 517 runs hooks from the project root
        return list(tomllib.load(file)["project"]["dependencies"])


def _refuse_compiled_editable() -> None:
    if compile_requested():
        raise SystemExit(EDITABLE_REFUSAL)
