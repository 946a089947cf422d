"""`slipstream simulate`, `slipstream tca` and `slipstream route` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from slipstream.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


SHORT = ("--duration", "5", "--qty", "2", "--slice", "20")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:  # type: ignore[type-arg]
    folder = tmp_path_factory.mktemp("sim")
    out = cli("simulate", *SHORT, "--json", "--journal", str(folder / "a.db"), "--report", str(folder / "r.html"))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), folder


def test_json_has_the_documented_fields(run: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    row, _ = run
    for key in ("filled_qty", "avg_price", "arrival_price", "slippage_bps", "implementation_shortfall_bps",
                "fees", "gas", "venues", "markouts_bps", "journal",
                "journal_head", "routing"):
        assert key in row, key
    assert Decimal(row["filled_qty"]) == Decimal(2)
    assert {v["venue"] for v in row["venues"]} >= {"binance"}
    assert set(row) >= {"delay_bps", "impact_bps", "opportunity_bps", "fees_bps", "gas_bps"}
    parts = sum(row[k] for k in ("delay_bps", "impact_bps", "opportunity_bps", "fees_bps", "gas_bps"))
    assert parts == pytest.approx(row["implementation_shortfall_bps"], abs=1e-3)


def test_same_seed_same_result_and_journal_head(run: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    row, folder = run
    again = cli("simulate", *SHORT, "--json", "--journal", str(folder / "b.db"))
    second = json.loads(again.stdout)
    assert second["journal_head"] == row["journal_head"]
    first = {k: v for k, v in row.items() if k != "journal"}
    assert {k: v for k, v in second.items() if k != "journal"} == first
    other = json.loads(cli("simulate", *SHORT, "--json", "--seed", "99", "--journal", str(folder / "c.db")).stdout)
    assert other["journal_head"] != row["journal_head"]


def test_tca_of_the_journal_reproduces_the_run(run: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    row, folder = run
    out = cli("tca", str(folder / "a.db"), "--json")
    assert out.returncode == 0, out.stderr
    tca = json.loads(out.stdout)
    for key in ("filled_qty", "avg_price", "slippage_bps", "implementation_shortfall_bps", "fees", "gas"):
        assert tca[key] == row[key], key


def test_report_file_written(run: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    _, folder = run
    html = (folder / "r.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 4


def test_compare_runs_each_algo_on_the_same_path(tmp_path: Path) -> None:
    out = cli("simulate", *SHORT, "--compare", "twap,is", "--json", "--journal", str(tmp_path / "c.db"))
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["algo"] for r in rows] == ["twap", "is"]
    assert rows[0]["arrival_price"] == rows[1]["arrival_price"]  # same market path
    assert Path(rows[0]["journal"]).name == "c-twap.db"


def test_route_command(tmp_path: Path) -> None:
    out = cli("route", "--qty", "25", "--json")
    assert out.returncode == 0, out.stderr
    route = json.loads(out.stdout)
    assert sum(Decimal(leg["quantity"]) for leg in route["legs"]) == Decimal(25)
    assert route["equal_split"]["total"] is not None
    assert Decimal(route["costs"]["total"]) <= Decimal(route["equal_split"]["total"])
    text = cli("route", "--qty", "3")
    assert text.returncode == 0 and "best single" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("simulate", "nosuch"), "unknown scenario 'nosuch'"),
        (("simulate", "--algo", "magic"), "unknown algo 'magic'"),
        (("simulate", "--qty", "-3"), "quantity must be positive"),
        (("simulate", "--symbol", "DOGE/EUR"), "unknown symbol 'DOGE/EUR'"),
        (("simulate", "--side", "hold"), "side must be buy or sell"),
        (("route", "--qty", "0"), "quantity must be positive"),
        (("tca", "/no/such.db"), "no journal at"),
    ],
)
def test_bad_input_one_line_error(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    out = cli(*args, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_malformed_scenario_file_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "x"\nseed = "not a number"\n')
    out = cli("simulate", str(bad), cwd=tmp_path)
    assert out.returncode == 2 and "seed" in out.stderr and "Traceback" not in out.stderr
