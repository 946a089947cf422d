"""`slipstream route`: how the smart order router would split one order right now."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console

from slipstream.cli._app import app
from slipstream.errors import ValidationError
from slipstream.model.enums import Side
from slipstream.model.intents import ChildIntent, Urgency
from slipstream.routing import render_route
from slipstream.scenarios import build_market, load_scenario
from slipstream.simulation.routing import SmartIntentRouter

_SECOND = 1_000_000_000


def _some(symbols: set[str], n: int = 6) -> str:
    """A short list for an error line: non-option symbols first."""
    ordered = sorted(symbols, key=lambda s: (s.count("-") > 0, s))
    return ", ".join(ordered[:n]) + (f" and {len(ordered) - n} more" if len(ordered) > n else "")


@app.command("route")
def route(
    scenario: Annotated[str, typer.Option(help="Packaged scenario name or TOML file.")] = "default",
    side: Annotated[str, typer.Option(help="buy or sell.")] = "buy",
    qty: Annotated[str, typer.Option("--qty", help="Quantity (base asset).")] = "25",
    symbol: Annotated[str, typer.Option(help="Unified symbol.")] = "BTC/USDT",
    at: Annotated[float, typer.Option("--at", help="Seconds after the scenario start.")] = 60.0,
    passive: Annotated[bool, typer.Option("--passive", help="A patient order (may rest).")] = False,
    limit: Annotated[str | None, typer.Option(help="Limit price.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable route.")] = False,
) -> None:
    """Print the cheapest all-in split of one order across every venue, with its costs and alternatives."""
    try:
        quantity = Decimal(qty)
        limit_price = Decimal(limit) if limit is not None else None
    except InvalidOperation:
        raise ValidationError("quantity and limit must be numbers") from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError(f"quantity must be positive, got {qty}")
    try:
        order_side = Side(side.lower())
    except ValueError:
        raise ValidationError(f"side must be buy or sell, got {side!r}") from None
    spec = load_scenario(scenario)
    market = build_market(spec, seed)
    symbols = {s for (_, s) in market.instruments}
    if symbol not in symbols:
        raise ValidationError(f"unknown symbol {symbol!r}; scenario lists {_some(symbols)}")
    if at < 0 or market.start_ns + int(at * _SECOND) > market.end_ns:
        raise ValidationError("--at must be within the scenario")
    router = SmartIntentRouter(market.engine, market)
    market.run(market.start_ns + int(at * _SECOND))
    intent = ChildIntent(intent_id="route-1", parent_id="cli", symbol=symbol, side=order_side, quantity=quantity,
                         urgency=Urgency.PASSIVE if passive else Urgency.TAKE, limit_price=limit_price)
    result = router.route(intent, market.engine.now_ns)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), sort_keys=True))
        return
    Console(width=160).print(render_route(result))
