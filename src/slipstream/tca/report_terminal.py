"""Terminal TCA summary with rich: headline numbers, shortfall decomposition, venues, markouts."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from slipstream.tca.convention import SIGN_CONVENTION
from slipstream.tca.result import TcaResult

__all__ = ["render_terminal", "terminal_text"]


def _f(value: float | None, places: int = 2) -> str:
    return "–" if value is None else f"{value:,.{places}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.2f} %"


def _headline(result: TcaResult) -> Table:
    d = result.to_dict()
    table = Table(title=f"TCA {result.side} {d['order_qty']} {result.symbol}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    avg = "–" if result.avg_price is None else f"{result.avg_price:,.4f}"
    table.add_row("filled", f"{d['filled_qty']} / {d['order_qty']} ({_pct(d['fill_rate'])})")
    table.add_row("fills", str(result.fill_count))
    table.add_row(f"average price ({result.quote_asset})", avg)
    table.add_row("arrival slippage (bps)", _f(d["slippage_bps"]))
    table.add_row("VWAP slippage (bps)", _f(d["vwap_slippage_bps"]))
    table.add_row("TWAP slippage (bps)", _f(d["twap_slippage_bps"]))
    table.add_row("participation", _pct(d["participation_rate"]))
    table.add_row("passive share", _pct(d["passive_share"]))
    table.add_row("avg queue wait (s)", _f(d["avg_queue_wait_s"], 3))
    table.add_row("router prediction error (bps)", _f(d["prediction_error_bps"]))
    return table


def _shortfall(result: TcaResult) -> Table:
    is_ = result.shortfall
    table = Table(title="Implementation shortfall (Perold)", title_justify="left")
    table.add_column("component")
    table.add_column(result.quote_asset, justify="right")
    table.add_column("bps", justify="right")
    for name, amount in (
        ("delay", is_.delay),
        ("impact", is_.impact),
        ("opportunity", is_.opportunity),
        ("fees", is_.fees),
        ("gas", is_.gas),
    ):
        table.add_row(name, f"{amount:,.2f}", _f(is_.as_bps(amount)))
        if name == "impact" and result.impact_split is not None:
            for part, value in (("  timing (mid move)", result.impact_split.timing),
                                ("  spread + impact", result.impact_split.spread_impact)):
                table.add_row(Text(part, style="dim"), f"{value:,.2f}", _f(is_.as_bps(value)))
    table.add_row(Text("total", style="bold"), f"{is_.total:,.2f}", _f(is_.as_bps(is_.total)))
    return table


def _venues(result: TcaResult) -> Table:
    table = Table(title="By venue", title_justify="left")
    for name in (
        "venue",
        "fills",
        "quantity",
        "avg price",
        "fees",
        "gas",
        "slip bps",
        "all-in bps",
        "pred. err bps",
    ):
        table.add_column(name, justify="left" if name == "venue" else "right")
    for row in result.venues:
        table.add_row(
            row.key,
            str(row.fills),
            str(row.quantity),
            f"{row.avg_price:,.4f}",
            f"{row.fees:,.4f}",
            f"{row.gas:,.4f}",
            _f(row.slippage_bps),
            _f(row.all_in_bps),
            _f(row.prediction.error_bps if row.prediction else None),
        )
    return table


def _markouts(result: TcaResult) -> Table:
    table = Table(title="Markouts (P&L sign: + = market moved our way)", title_justify="left")
    table.add_column("horizon")
    table.add_column("bps", justify="right")
    table.add_column("coverage", justify="right")
    for mark in result.markouts:
        table.add_row(mark.label, _f(mark.bps), f"{mark.coverage * 100:.0f} %")
    return table


def render_terminal(result: TcaResult) -> Group:
    """A rich renderable: print it with ``Console().print(render_terminal(result))``."""
    return Group(
        _headline(result),
        _shortfall(result),
        _venues(result),
        _markouts(result),
        Text(SIGN_CONVENTION, style="dim"),
    )


def terminal_text(result: TcaResult, width: int = 110) -> str:
    """The terminal summary as plain text (no colour codes), e.g. for logs and tests."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    console.print(render_terminal(result))
    return buffer.getvalue()
