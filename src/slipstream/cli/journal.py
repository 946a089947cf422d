"""`slipstream journal verify|show PATH`: check a journal's hash chain, list its events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from slipstream.cli._app import app
from slipstream.errors import JournalError
from slipstream.journal.sqlite import SqliteJournal

journal_app = typer.Typer(help="Inspect and verify a journal (SQLite event store).", no_args_is_help=True)
app.add_typer(journal_app, name="journal")


def _open(path: Path) -> SqliteJournal:
    if not path.exists():
        raise JournalError(f"no journal at {path}")
    return SqliteJournal(path, readonly=True)


@journal_app.command("verify")
def verify(
    path: Annotated[Path, typer.Argument(help="Journal file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Walk the hash chain; exit 1 and name the first bad sequence number if it is broken."""
    journal = _open(path)
    try:
        result = journal.verify()
    finally:
        journal.close()
    if as_json:
        typer.echo(json.dumps(msgspec.to_builtins(result), sort_keys=True))
    elif result.ok:
        typer.echo(f"ok: {result.entries} entries, head {result.head_hash}")
    else:
        typer.echo(
            f"corrupt: first bad sequence {result.first_bad_sequence} ({result.reason}); "
            f"{result.entries} entries verified before it",
            err=True,
        )
    if not result.ok:
        raise typer.Exit(1)


@journal_app.command("show")
def show(
    path: Annotated[Path, typer.Argument(help="Journal file.")],
    start: Annotated[int, typer.Option(min=1, help="First sequence number.")] = 1,
    limit: Annotated[int, typer.Option(min=1, help="Most entries to list.")] = 200,
    type_filter: Annotated[str | None, typer.Option("--type", help="Only this event type.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List events (sequence, time, type, body)."""
    journal = _open(path)
    table = Table("seq", "ts_ns", "type", "event", title=str(path), show_lines=False)
    shown = 0
    try:
        for entry in journal.entries(start):
            if type_filter and entry.type != type_filter:
                continue
            if as_json:
                typer.echo(
                    json.dumps(
                        {"seq": entry.sequence, "hash": entry.hash.hex(), "event": json.loads(entry.body)},
                        sort_keys=True,
                    )
                )
            else:
                body = json.loads(entry.body)
                body.pop("type", None)
                body.pop("ts_ns", None)
                table.add_row(str(entry.sequence), str(entry.ts_ns), entry.type, json.dumps(body, sort_keys=True))
            shown += 1
            if shown >= limit:
                break
    finally:
        journal.close()
    if not as_json:
        Console(width=200).print(table)
