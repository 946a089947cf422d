"""The HTML report in a real browser: headless Chromium renders it offline, the page has its
charts, the screenshot is not blank, and the console logs no error."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from slipstream.demo import run_demo
from slipstream.journal import SqliteJournal
from slipstream.tca import write_html
from slipstream.tca.from_journal import analyse_events

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("browser")
    run_demo(quantity="2", slices=6, seed=4, journal_path=folder / "j.db", show=False)
    journal = SqliteJournal(folder / "j.db", readonly=True)
    result, inputs = analyse_events([e for _, e in journal.events()], "demo-1")
    journal.close()
    return write_html(folder / "report.html", result, inputs.order, inputs.fills, inputs.prints, inputs.mids,
                      title="browser test")


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={cwd / 'profile'}", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_report_renders_with_charts_and_no_console_errors(report: Path) -> None:
    from PIL import Image

    folder = report.parent
    shot = folder / "shot.png"
    out = chromium("--window-size=1280,2600", f"--screenshot={shot}", report.as_uri(), cwd=folder)
    assert shot.exists(), out.stderr[-2000:]
    errors = [line for line in out.stderr.splitlines() if "CONSOLE" in line and ("ERROR" in line or "Uncaught" in line)]
    assert not errors, errors
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    non_white = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert len(colours) > 20, "screenshot is nearly uniform"
    assert non_white / (image.width * image.height) > 0.03, "screenshot is blank"
    dom = chromium("--dump-dom", report.as_uri(), cwd=folder).stdout
    for heading in ("Execution price vs market", "Cumulative filled vs schedule", "Cost waterfall", "Markouts"):
        assert heading in dom
    assert dom.count("<svg") >= 4
