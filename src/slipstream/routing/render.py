"""Rich table of a route: one row per leg with every cost term, then totals and alternatives."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table

from slipstream.routing.route import Alternative, CostBreakdown, Route

__all__ = ["render_route"]


def _fmt(value: Decimal | None, places: int = 4) -> str:
    if value is None:
        return "—"
    return f"{value:,.{places}f}"


def _cost_cells(c: CostBreakdown) -> list[str]:
    return [_fmt(c.impact), _fmt(c.fee), _fmt(c.gas), _fmt(c.latency), _fmt(c.mev), _fmt(c.total)]


def _alt_row(table: Table, alt: Alternative | None) -> None:
    if alt is None:
        return
    saved = "—" if alt.savings_bps is None else f"route saves {_fmt(alt.savings)} ({alt.savings_bps} bps)"
    table.add_row(alt.name.replace("_", " "), "alternative", saved, "", ",".join(alt.venues) or "—", "", "", "",
                  "", "", "", "", _fmt(alt.total))


def render_route(route: Route) -> Table:
    """A table a trader can read: legs, expected all-in cost by term, and what the route beat."""
    title = (f"{route.side.value.upper()} {route.routed_quantity.normalize()} / {route.quantity.normalize()} "
             f"{route.symbol} — {route.mode} — mid {route.reference_mid}")
    table = Table(title=title, caption=route.reason)
    for name in ("venue", "kind", "order", "lots", "qty", "limit", "avg price", "impact", "fee", "gas",
                 "latency", "mev", "total"):
        table.add_column(name, justify="left" if name in ("venue", "kind", "order") else "right")
    for leg in route.legs:
        order = f"{leg.order_type.value} {leg.time_in_force.value}"
        table.add_row(leg.venue, leg.kind, order, str(leg.lots), str(leg.quantity.normalize()),
                      str(leg.limit_price.normalize()), _fmt(leg.expected_avg_price), *_cost_cells(leg.costs))
    table.add_section()
    table.add_row("route", "", "", "", str(route.routed_quantity.normalize()), "", "", *_cost_cells(route.costs))
    _alt_row(table, route.best_single_venue)
    _alt_row(table, route.equal_split)
    for ex in route.excluded:
        table.add_row(ex.venue, "excluded", ex.reason, "", "", "", "", "", "", "", "", "", ex.detail)
    return table
