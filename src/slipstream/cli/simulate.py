"""`slipstream simulate` (the main job) and `slipstream tca JOURNAL`."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from slipstream.cli._app import app
from slipstream.errors import ValidationError
from slipstream.journal.sqlite import SqliteJournal
from slipstream.model.enums import Side
from slipstream.simulation.runner import ALGOS, SimulationOutcome, SimulationRequest, run_simulation
from slipstream.tca import render_terminal, write_html
from slipstream.tca.from_journal import analyse_events

_ERR = Console(stderr=True)


def _decimal(name: str, text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{name} must be a number, got {text!r}") from None
    if not value.is_finite():
        raise ValidationError(f"{name} must be finite, got {text!r}")
    return value


def _side(text: str) -> Side:
    try:
        return Side(text.lower())
    except ValueError:
        raise ValidationError(f"side must be buy or sell, got {text!r}") from None


def _run(request: SimulationRequest, quiet: bool, label: str) -> SimulationOutcome:
    """Run with a progress bar that appears once the run has started (so a refused request
    prints only its one-line error)."""
    state: dict[str, Any] = {}

    def update(done: float) -> None:
        if quiet:
            return
        if "progress" not in state:
            progress = Progress(
                TextColumn(f"[bold]{label}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(), console=_ERR, transient=True,
            )
            progress.start()
            state["progress"] = progress
            state["task"] = progress.add_task(label, total=1.0)
        state["progress"].update(state["task"], completed=done)

    try:
        return run_simulation(request, update)
    finally:
        if "progress" in state:
            state["progress"].stop()


def _summary_table(outcomes: list[SimulationOutcome]) -> Table:
    table = Table(title="Algorithms on the same market path (same seed)")
    for name in (
        "algo",
        "filled",
        "avg price",
        "arrival bps",
        "IS bps",
        "delay",
        "impact",
        "opportunity",
        "fees",
        "gas",
        "SOR saving vs best venue",
    ):
        table.add_column(name, justify="left" if name == "algo" else "right")
    for outcome in outcomes:
        row = outcome.to_dict()
        comp = row
        table.add_row(
            outcome.request.algo,
            row["filled_qty"],
            f"{Decimal(row['avg_price']):.2f}" if row["avg_price"] is not None else "–",
            f"{row['slippage_bps']:.2f}",
            f"{row['implementation_shortfall_bps']:.2f}",
            f"{comp['delay_bps']:.2f}",
            f"{comp['impact_bps']:.2f}",
            f"{comp['opportunity_bps']:.2f}",
            f"{comp['fees_bps']:.2f}",
            f"{comp['gas_bps']:.2f}",
            f"{row['routing']['saving_vs_best_single_venue_bps']:.2f} bps",
        )
    return table


@app.command("simulate")
def simulate(
    scenario: Annotated[str, typer.Argument(help="Packaged scenario name or a scenario TOML file.")] = "default",
    algo: Annotated[str, typer.Option(help=f"Execution algorithm: {', '.join(ALGOS)}.")] = "twap",
    side: Annotated[str, typer.Option(help="buy or sell.")] = "buy",
    qty: Annotated[str, typer.Option("--qty", help="Parent quantity (base asset).")] = "10",
    symbol: Annotated[str, typer.Option(help="Unified symbol of the parent order.")] = "BTC/USDT",
    duration: Annotated[float, typer.Option(help="Horizon in minutes.")] = 30.0,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    limit: Annotated[str | None, typer.Option(help="Limit price: cap for buys, floor for sells.")] = None,
    urgency: Annotated[float, typer.Option(help="0 (patient) … 1 (urgent); IS risk aversion.")] = 0.5,
    participation: Annotated[float | None, typer.Option(help="POV target share of volume.")] = None,
    slice_seconds: Annotated[float, typer.Option("--slice", help="Seconds between slices.")] = 30.0,
    display: Annotated[str | None, typer.Option(help="Iceberg display quantity.")] = None,
    passive: Annotated[bool, typer.Option("--passive", help="Never cross the spread.")] = False,
    router: Annotated[str, typer.Option(help="smart (SOR over every venue) or top (best top of book).")] = "smart",
    venues: Annotated[str | None, typer.Option(help="Comma-separated venues to route to (default all).")] = None,
    compare: Annotated[str | None, typer.Option(help="Comma-separated algos to run side by side.")] = None,
    journal: Annotated[Path | None, typer.Option(help="Journal file to write (must not exist).")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result on stdout.")] = False,
) -> None:
    """Run a parent order through the real engine against a scenario, then analyse its costs."""
    if duration <= 0 or slice_seconds <= 0:
        raise ValidationError("duration and --slice must be positive")
    quantity = _decimal("quantity", qty)
    assert quantity is not None
    base = SimulationRequest(
        scenario=scenario,
        algo=algo.lower(),
        side=_side(side),
        quantity=quantity,
        symbol=symbol,
        duration=timedelta(minutes=duration),
        seed=seed,
        limit_price=_decimal("limit", limit),
        urgency=urgency,
        participation=participation,
        slice_interval=timedelta(seconds=slice_seconds),
        display_quantity=_decimal("display", display),
        passive_only=passive,
        router=router,
        venues=tuple(v.strip() for v in venues.split(",") if v.strip()) if venues else (),
        journal=journal,
    )
    base.validate()
    algos = [a.strip().lower() for a in compare.split(",") if a.strip()] if compare else [base.algo]
    for name in algos:
        if name not in ALGOS:
            raise ValidationError(f"unknown algo {name!r}; choose one of {', '.join(ALGOS)}")
    outcomes: list[SimulationOutcome] = []
    for name in algos:
        path = (
            journal
            if len(algos) == 1
            else (journal.with_name(f"{journal.stem}-{name}{journal.suffix}") if journal else None)
        )
        request = SimulationRequest(**{**base.__dict__, "algo": name, "journal": path})
        outcomes.append(_run(request, as_json, f"simulating {name}"))
    if report is not None:
        first = outcomes[0]
        inputs = first.inputs
        write_html(
            report,
            first.result,
            inputs.order,
            inputs.fills,
            inputs.prints,
            inputs.mids,
            title=f"slipstream {first.request.algo} · {first.request.side.value} {first.request.quantity} "
            f"{first.request.symbol} · scenario {first.request.scenario} · seed {first.seed}",
        )
    if as_json:
        rows: Any = [o.to_dict() for o in outcomes] if compare else outcomes[0].to_dict()
        typer.echo(json.dumps(rows, sort_keys=True, default=str))
        return
    console = Console()
    if len(outcomes) == 1:
        console.print(render_terminal(outcomes[0].result))
    else:
        console.print(_summary_table(outcomes))
    for outcome in outcomes[:1] if len(outcomes) == 1 else []:
        routing = outcome.routing
        status = outcome.status
        console.print(
            f"[bold]Smart order routing[/bold]: {routing['decisions']} decisions; expected all-in cost "
            f"{routing['expected_cost']} vs best single venue {routing['best_single_venue_cost']} "
            f"(saved {routing['saving_vs_best_single_venue_bps']:.2f} bps) and equal split "
            f"{routing['equal_split_cost']} (saved {routing['saving_vs_equal_split_bps']:.2f} bps); "
            f"legs by venue {routing['legs_by_venue']}"
        )
        console.print(
            f"parent {status['parent_id']}: {status['state']}, filled {status['filled']} of "
            f"{status['quantity']}, {status['children']} child orders"
        )
    for outcome in outcomes:
        console.print(
            f"journal: {outcome.journal} ({outcome.journal_entries} events, head "
            f"{outcome.journal_head[:16]}…)  seed {outcome.seed}"
        )
    if report is not None:
        console.print(f"report: {report}")


@app.command("tca")
def tca(
    journal: Annotated[Path, typer.Argument(help="Journal file of a past run.")],
    parent: Annotated[str | None, typer.Option(help="Parent order id (default: the first).")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Transaction-cost analysis of a past run, from its journal alone."""
    store = SqliteJournal(journal, readonly=True)
    try:
        events = [event for _, event in store.events()]
    finally:
        store.close()
    result, inputs = analyse_events(events, parent)
    if report is not None:
        write_html(
            report,
            result,
            inputs.order,
            inputs.fills,
            inputs.prints,
            inputs.mids,
            title=f"slipstream TCA · {journal.name}",
        )
    if as_json:
        typer.echo(json.dumps(result.to_dict(decimals=4), sort_keys=True, default=str))
        return
    Console().print(render_terminal(result))
    if report is not None:
        Console().print(f"report: {report}")
