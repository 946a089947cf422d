"""Tests for ``slipstream schedule is`` (slipstream.cli.schedule).

The example is Almgren & Chriss (2000)'s: X = 1e6, S0 = 50, σ = 0.95 $/share/√day, η = 2.5e-6,
γ = 2.5e-7, ε = 0.0625, λ = 1e-6, T = 5 days, N = 5 (values checked in
tests/algos/schedules/test_almgren_chriss.py).
"""

from __future__ import annotations

import json
import math
import sys

import pytest
from typer.testing import CliRunner

import slipstream.cli.schedule  # noqa: F401  (registers the command group)
from slipstream.cli import app, main
from slipstream.errors import ValidationError

PAPER_ARGS = [
    "schedule", "is",
    "--qty", "1000000", "--price", "50", "--sigma", "0.95", "--eta", "2.5e-6",
    "--gamma", "2.5e-7", "--epsilon", "0.0625", "--risk-aversion", "1e-6",
    "--horizon", "5", "--steps", "5",
]


def test_table_output() -> None:
    result = CliRunner().invoke(app, PAPER_ARGS)
    assert result.exit_code == 0, result.output
    out = result.output
    for text in ("holdings", "trade", "541,955.55", "458,044.45", "62,141.80"):
        assert text in out
    assert "E[cost]       = 911,226.99 $" in out
    assert "sqrt(V[cost]) = 603,430.67 $" in out
    assert "κ             = 0.607076" in out


def test_json_output_is_stable_and_sorted() -> None:
    runner = CliRunner()
    first = runner.invoke(app, [*PAPER_ARGS, "--json"])
    second = runner.invoke(app, [*PAPER_ARGS, "--json"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    data = json.loads(first.output)
    assert list(data) == sorted(data)
    assert list(data["params"]) == sorted(data["params"])
    assert data["kappa"] == pytest.approx(math.acosh(1.19), rel=1e-13)
    assert data["kappa_tilde_sq"] == pytest.approx(0.38, rel=1e-13)
    assert data["eta_tilde"] == pytest.approx(2.375e-6, rel=1e-15)
    assert data["expected_cost"] == pytest.approx(911_226.99, abs=0.01)
    assert data["std_cost"] == pytest.approx(603_430.67, abs=0.01)
    assert [round(x) for x in data["holdings"]] == [1_000_000, 541_956, 289_854, 147_897, 62_142, 0]
    assert len(data["trades"]) == 5
    assert data["params"]["steps"] == 5


def test_zero_risk_aversion_json_has_null_half_life() -> None:
    args = [*PAPER_ARGS, "--json"]
    args[args.index("--risk-aversion") + 1] = "0"
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["half_life"] is None
    assert data["holdings"] == pytest.approx([1e6, 8e5, 6e5, 4e5, 2e5, 0.0])


def test_bad_input_raises_validation_error_in_app() -> None:
    args = [*PAPER_ARGS]
    args[args.index("--eta") + 1] = "1e-7"  # η̃ < 0
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, ValidationError)


def _run_main(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> int:
    monkeypatch.setattr(sys, "argv", ["slipstream", *argv])
    with pytest.raises(SystemExit) as exit_info:
        main()
    code = exit_info.value.code
    return 0 if code is None else int(code)


def test_main_prints_one_line_error_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*PAPER_ARGS]
    args[args.index("--qty") + 1] = "-5"
    assert _run_main(monkeypatch, args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid Almgren–Chriss parameters: quantity must be > 0")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        PAPER_ARGS[:-2],  # no --steps
        [*PAPER_ARGS[:-1], "five"],  # --steps not an integer
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "steps" in result.output


def test_main_success_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["slipstream", *PAPER_ARGS, "--json"])
    try:
        main()
    except SystemExit as exc:  # main may or may not exit explicitly on success
        assert exc.code in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert data["kappa"] == pytest.approx(math.acosh(1.19), rel=1e-13)
