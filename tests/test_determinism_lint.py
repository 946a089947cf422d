"""Lint: engine-core code never reads the wall clock or unseeded global randomness (STYLE.md §4).

Only ``engine/clock.py`` (the LiveClock) may touch the system time.
"""

from __future__ import annotations

import re
from pathlib import Path

CORE = ["engine", "oms", "risk", "algos", "venues", "model", "journal", "routing"]
ALLOWED = {"engine/clock.py"}
FORBIDDEN = [
    re.compile(r"\btime\.time(_ns)?\("),
    re.compile(r"\btime\.monotonic(_ns)?\("),
    re.compile(r"\bdatetime\.(now|utcnow|today)\("),
    re.compile(r"\bdate\.today\("),
    re.compile(r"^\s*import random\b|^\s*from random import", re.MULTILINE),
    re.compile(r"\bnp\.random\.(rand|randn|randint|random|normal|uniform|choice|seed)\("),
    re.compile(r"\bdefault_rng\(\s*\)"),
]
ROOT = Path(__file__).resolve().parents[1] / "src" / "slipstream"


def test_no_wall_clock_or_unseeded_random_in_core() -> None:
    offenders = []
    for layer in CORE:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED:
                continue
            text = path.read_text()
            for pattern in FORBIDDEN:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    offenders.append(f"{rel}:{line}: {match.group(0).strip()}")
    assert not offenders, "\n".join(offenders)
