"""Which build is running (`slipstream/routing/build_info.py`) and the opt-in compiled build's plumbing
(`setup.py`, `build_backend/slipstream_build.py`).

Set ``SLIPSTREAM_EXPECT_COMPILED=1`` (``.ci/compiled`` does) to assert that the tests are importing the
compiled wheel, not ``src/``; ``=0`` asserts the pure build. Unset, only the build-agnostic checks run.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import pkgutil
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from types import ModuleType

import pytest

import slipstream.routing
import slipstream.venues.sim.amm
from slipstream.routing.build_info import _scan, compiled_modules

REPO = Path(__file__).resolve().parents[2]
SETUP_PY = REPO / "setup.py"
BACKEND_PY = REPO / "build_backend" / "slipstream_build.py"


def _declared_compiled_modules() -> tuple[str, ...]:
    """``COMPILED_MODULES`` from setup.py (the one list), read without running setup.py."""
    if not SETUP_PY.is_file():
        pytest.skip(f"no setup.py at {SETUP_PY}: these checks need the repository checkout")
    for node in ast.parse(SETUP_PY.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "COMPILED_MODULES" for t in node.targets
        ):
            paths: tuple[str, ...] = ast.literal_eval(node.value)
            return tuple(p.removesuffix(".py").replace("/", ".") for p in paths)
    raise AssertionError("setup.py has no COMPILED_MODULES tuple")


def _is_extension(module: ModuleType) -> bool:
    return str(module.__file__).endswith(tuple(EXTENSION_SUFFIXES))


def test_names_are_sorted_unique_slipstream_modules() -> None:
    names = compiled_modules()
    assert isinstance(names, tuple)
    assert list(names) == sorted(set(names))
    assert all(name.startswith("slipstream.") for name in names)


@pytest.mark.parametrize("package", [slipstream.routing, slipstream.venues.sim.amm])
def test_listed_exactly_when_the_imported_file_is_an_extension(package: ModuleType) -> None:
    listed = set(compiled_modules())
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        assert (info.name in listed) == _is_extension(module), module.__file__


def test_scan_prefers_an_extension_next_to_its_source(tmp_path: Path) -> None:
    # The stale-.so hazard in a source tree: Python imports the extension, so it must be reported.
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    for name in ("__init__.py", "plain.py", "fast.py", "sub/__init__.py", "sub/deep.py"):
        (package / name).write_text("")
    (package / f"fast{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    (package / "sub" / f"deep{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    found: list[str] = []
    _scan([str(package)], "pkg.", found)
    assert sorted(found) == ["pkg.fast", "pkg.sub.deep"]


def test_every_declared_module_exists_in_the_source_tree() -> None:
    declared = _declared_compiled_modules()
    assert len(declared) == len(set(declared)) == 13
    for name in declared:
        assert (REPO / "src" / (name.replace(".", "/") + ".py")).is_file(), name


def test_the_running_build_is_the_expected_one() -> None:
    expect = os.environ.get("SLIPSTREAM_EXPECT_COMPILED")
    if expect is None:
        pytest.skip("SLIPSTREAM_EXPECT_COMPILED is unset: either build may be under test")
    compiled = expect == "1"
    expected = set(_declared_compiled_modules()) if compiled else set()
    assert set(compiled_modules()) == expected, f"SLIPSTREAM_EXPECT_COMPILED={expect}"
    if compiled:  # the installed wheel, not the checkout's src/ (which must never hold a .so)
        assert not Path(slipstream.routing.__file__).resolve().is_relative_to(REPO / "src")


def _backend() -> ModuleType:
    spec = importlib.util.spec_from_file_location("slipstream_build_under_test", BACKEND_PY)
    if spec is None or spec.loader is None or not BACKEND_PY.is_file():
        pytest.skip(f"no build backend at {BACKEND_PY}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backend_refuses_a_compiled_editable_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = _backend()
    monkeypatch.setenv("SLIPSTREAM_COMPILE", "1")
    for hook in (lambda: backend.get_requires_for_build_editable(), lambda: backend.build_editable(str(tmp_path))):
        with pytest.raises(SystemExit, match=r"compiled builds are wheel-only: use `pip install \.`, not -e"):
            hook()


def test_backend_compile_flag_is_exactly_one(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _backend()
    for value, expected in (("1", True), ("0", False), ("", False), ("yes", False)):
        monkeypatch.setenv("SLIPSTREAM_COMPILE", value)
        assert backend.compile_requested() is expected
    monkeypatch.delenv("SLIPSTREAM_COMPILE")
    assert backend.compile_requested() is False


def test_backend_builds_against_the_runtime_dependencies(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _backend()
    monkeypatch.chdir(REPO)
    deps = backend._runtime_dependencies()
    assert any(dep.startswith("numpy") for dep in deps)  # compiled modules import numpy
    assert backend.MYPY_REQUIREMENT.startswith("mypy==")
