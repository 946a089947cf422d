"""The root Typer application every command module attaches to."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="slipstream",
    help="Execution engine for crypto: algorithms, smart order routing, TCA, verifiable records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
