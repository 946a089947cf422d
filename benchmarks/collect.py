"""Assemble BENCHMARKS.md from the per-topic results each benchmark script writes.

Run: ``python benchmarks/collect.py`` after re-running any ``benchmarks/bench_*.py``.
The summary at the top lists every issue target and where its measurement comes from.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
ORDER = [
    "engine",
    "book_replay",
    "book_venue",
    "loaders",
    "loaders_more_venues",
    "amm",
    "chain",
    "router",
    "compiled_build",
    "schedules",
    "algos",
    "multileg",
    "simulate",
    "risk",
    "tca",
    "load",
]

HEADER = """# Benchmarks

Every figure below was measured on this project's machine class (2 vCPU Intel Xeon, model 167, KVM;
Python 3.11.7), one process, by the script named in its section; each section gives its command.
They are measurements, not timed tests: the test suite only smoke-tests the scripts. Rebuild this
file with `python benchmarks/collect.py` after re-running a script.

## Targets at a glance

| issue target | measured | ratio | section |
|---|---:|---:|---|
{summary}
"""


def main() -> None:
    summary = (ROOT / "summary.md").read_text().strip()
    parts = [HEADER.format(summary=summary)]
    for name in ORDER:
        path = ROOT / "results" / f"{name}.md"
        if path.exists():
            text = path.read_text().strip()
            lines = text.splitlines()
            if lines and lines[0].startswith("# "):
                lines[0] = "#" + lines[0]  # demote to a section of this page
            parts.append("\n".join(lines) + "\n")
    (ROOT.parent / "BENCHMARKS.md").write_text("\n".join(parts))


if __name__ == "__main__":
    main()
