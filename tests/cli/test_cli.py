"""CLI: help, version, journal verify/show, demo, and one-line errors with non-zero exit."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from slipstream.demo import run_demo


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from slipstream.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("j") / "demo.db"
    run_demo(quantity="1", slices=4, seed=3, journal_path=path, show=False)
    return path


def test_help_and_version() -> None:
    out = cli("--help")
    assert out.returncode == 0 and "journal" in out.stdout
    out = cli("version")
    assert out.returncode == 0 and out.stdout.startswith("slipstream ")


def test_journal_verify_ok(journal: Path) -> None:
    out = cli("journal", "verify", str(journal))
    assert out.returncode == 0 and out.stdout.startswith("ok: ")
    out = cli("journal", "verify", str(journal), "--json")
    assert json.loads(out.stdout)["ok"] is True


def test_journal_verify_names_first_bad_sequence(journal: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(journal.read_bytes())
    with sqlite3.connect(bad) as db:
        db.execute("UPDATE events SET body=replace(body, 'desk', 'DESK') WHERE seq=5")
    out = cli("journal", "verify", str(bad))
    assert out.returncode == 1
    assert "first bad sequence 5" in out.stderr
    assert "Traceback" not in out.stderr


def test_journal_show_lists_events(journal: Path) -> None:
    out = cli("journal", "show", str(journal), "--json", "--limit", "5")
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["seq"] for x in lines] == [1, 2, 3, 4, 5]
    assert lines[4]["event"]["type"] == "ParentOrderSubmitted"
    out = cli("journal", "show", str(journal), "--type", "OrderFilled", "--json")
    assert out.stdout and all(json.loads(x)["event"]["type"] == "OrderFilled" for x in out.stdout.splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("journal", "verify", "/no/such/file.db"), "no journal at"),
        (("demo", "--qty", "-3"), "quantity must be positive"),
        (("demo", "--qty", "abc"), "quantity must be a number"),
        (("demo", "--slices", "0"), "error"),
        (("nonsense",), "error"),
    ],
)
def test_bad_input_is_one_line_error(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    out = cli(*args, cwd=tmp_path)
    assert out.returncode != 0
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_demo_json(tmp_path: Path) -> None:
    out = cli("demo", "--qty", "2", "--slices", "4", "--json", "--journal", str(tmp_path / "d.db"))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["filled_qty"] == "2.00000" and result["replay_matches"] and result["journal_ok"]
    again = cli("demo", "--journal", str(tmp_path / "d.db"))
    assert again.returncode == 2 and "already exists" in again.stderr
