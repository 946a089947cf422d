"""The public surface of slipstream.tca is deliberate (slipstream/tca/__init__.py)."""

from __future__ import annotations

import slipstream.tca as tca


def test_all_is_exact_and_importable() -> None:
    assert sorted(tca.__all__) == sorted(set(tca.__all__))
    for name in tca.__all__:
        assert hasattr(tca, name), name
    public = {n for n in vars(tca) if not n.startswith("_")}
    submodules = {
        "analysis",
        "benchmarks",
        "breakdown",
        "convention",
        "from_journal",
        "inputs",
        "markouts",
        "participation",
        "report_charts",
        "report_html",
        "report_terminal",
        "result",
        "shortfall",
        "timing",
    }
    assert public - submodules - {"annotations"} == set(tca.__all__)


def test_sign_convention_documented_once_in_package_docstring() -> None:
    doc = tca.__doc__ or ""
    assert "Costs are positive, savings negative" in doc
    assert "Markouts are in P&L sign" in doc
