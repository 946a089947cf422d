"""The `slipstream` command line.

Each command group lives in its own module and is registered here; errors a user can cause
are turned into one-line messages with a non-zero exit code (see :func:`main`).
"""

from __future__ import annotations

import sys

import typer

from slipstream.cli import basics as _basics  # noqa: F401
from slipstream.cli import journal as _journal  # noqa: F401
from slipstream.cli import route as _route  # noqa: F401
from slipstream.cli import schedule as _schedule  # noqa: F401
from slipstream.cli import simulate as _simulate  # noqa: F401  (registers commands)
from slipstream.cli._app import app
from slipstream.errors import SlipstreamError

__all__ = ["app", "main"]


def main() -> None:
    """Console entry point: run the app, print user errors on one line, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except SlipstreamError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:
        # Usage errors from click (typer may vendor its own copy, so match by shape, not class).
        message = getattr(exc, "format_message", None)
        if callable(message):
            typer.echo(f"error: {message()}", err=True)
            sys.exit(int(getattr(exc, "exit_code", 2) or 2))
        raise
    sys.exit(code if isinstance(code, int) else 0)
