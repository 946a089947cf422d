"""`slipstream version` and `slipstream demo` (an end-to-end run through the real engine)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from slipstream.cli._app import app
from slipstream.demo import run_demo


@app.command("version")
def version() -> None:
    """Print the slipstream version."""
    from slipstream import __version__

    typer.echo(f"slipstream {__version__}")


@app.command("demo")
def demo(
    quantity: Annotated[str, typer.Option("--qty", help="BTC to buy.")] = "10",
    slices: Annotated[int, typer.Option(min=1, max=10_000, help="Number of equal child orders.")] = 20,
    seed: Annotated[int, typer.Option(help="Random seed (same seed ⇒ same journal).")] = 7,
    journal: Annotated[Path | None, typer.Option(help="Journal file (default: a new file in ./out).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Buy BTC in equal slices across two simulated venues, journaled, then verify and replay."""
    result = run_demo(quantity=quantity, slices=slices, seed=seed, journal_path=journal, show=not as_json)
    if as_json:
        typer.echo(json.dumps(result, sort_keys=True))
