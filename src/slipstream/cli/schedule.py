"""``slipstream schedule``: print execution schedules (Almgren–Chriss implementation shortfall).

Units follow :mod:`slipstream.algos.schedules.almgren_chriss`: time in a unit of your choice
(``--horizon`` and ``--sigma`` must use the same one), σ in $/share/√time-unit, costs in $.
"""

from __future__ import annotations

import json
import math

import typer
from rich.console import Console
from rich.table import Table

from slipstream.algos.schedules import AlmgrenChrissParams, AlmgrenChrissSchedule, optimal_schedule
from slipstream.cli._app import app

__all__ = ["schedule_app"]

schedule_app = typer.Typer(
    help="Execution schedules: Almgren–Chriss implementation shortfall (IS).",
    no_args_is_help=True,
)
app.add_typer(schedule_app, name="schedule")


def _render(schedule: AlmgrenChrissSchedule) -> None:
    params = schedule.params
    console = Console(highlight=False, markup=False, soft_wrap=True)
    table = Table(
        title=f"Almgren–Chriss IS schedule: sell {params.quantity:,.6g} over T={params.horizon:g}"
    )
    table.add_column("k", justify="right")
    table.add_column("time", justify="right")
    table.add_column("holdings", justify="right")
    table.add_column("trade", justify="right")
    for k, (time, holding) in enumerate(zip(schedule.times, schedule.holdings, strict=True)):
        trade = "" if k == 0 else f"{schedule.trades[k - 1]:,.2f}"
        table.add_row(str(k), f"{time:g}", f"{holding:,.2f}", trade)
    console.print(table)
    notional = params.quantity * params.price
    half_life = "inf" if math.isinf(schedule.half_life) else f"{schedule.half_life:.6g}"
    console.print(
        f"E[cost]       = {schedule.expected_cost:,.2f} $"
        f" ({schedule.expected_cost / notional * 1e4:.2f} bp of arrival notional)"
    )
    console.print(f"sqrt(V[cost]) = {schedule.std:,.2f} $")
    console.print(f"E + λV        = {schedule.utility:,.2f} $")
    console.print(
        f"κ             = {schedule.kappa:.6g} /time-unit (κ̃² = {schedule.kappa_tilde_sq:.6g},"
        f" half-life {half_life}, η̃ = {schedule.eta_tilde:.6g}, τ = {schedule.tau:g})"
    )


@schedule_app.command("is")
def implementation_shortfall(
    qty: float = typer.Option(..., "--qty", help="Shares to sell, X (> 0)."),
    price: float = typer.Option(..., "--price", help="Arrival price S0 in $/share (> 0)."),
    sigma: float = typer.Option(..., "--sigma", help="Volatility in $/share/sqrt(time unit)."),
    eta: float = typer.Option(..., "--eta", help="Temporary impact η, $/share per share/time."),
    gamma: float = typer.Option(..., "--gamma", help="Permanent impact γ, $/share per share."),
    epsilon: float = typer.Option(0.0, "--epsilon", help="Fixed cost ε per share in $."),
    risk_aversion: float = typer.Option(..., "--risk-aversion", help="Risk aversion λ in 1/$."),
    horizon: float = typer.Option(..., "--horizon", help="Horizon T in time units."),
    steps: int = typer.Option(..., "--steps", help="Number of trading intervals N (>= 1)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (sorted keys) instead."),
) -> None:
    """Optimal Almgren–Chriss trajectory, trade list, E[cost], sqrt(V[cost]) and κ."""
    params = AlmgrenChrissParams(
        quantity=qty,
        price=price,
        sigma=sigma,
        eta=eta,
        gamma=gamma,
        epsilon=epsilon,
        risk_aversion=risk_aversion,
        horizon=horizon,
        steps=steps,
    )
    schedule = optimal_schedule(params)
    if as_json:
        typer.echo(json.dumps(schedule.to_dict(), sort_keys=True, indent=2, allow_nan=False))
    else:
        _render(schedule)
