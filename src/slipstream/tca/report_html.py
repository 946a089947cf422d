"""Self-contained HTML TCA report: one file, inline CSS and SVG, no JavaScript, opens offline.

Sections (each a ``<section id=…>``): ``summary``, ``price`` (execution vs market, fills by venue),
``progress`` (cumulative filled vs schedule), ``waterfall`` (delay → impact → fees → gas →
opportunity), ``venues`` (per-venue and per-order-type tables) and ``markouts`` (markout curve).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from slipstream.tca.breakdown import BreakdownRow
from slipstream.tca.convention import SIGN_CONVENTION
from slipstream.tca.inputs import MarketPrint, MidSample, TcaFill, TcaOrder
from slipstream.tca.report_charts import (
    fill_progress_chart,
    markout_chart,
    price_chart,
    venue_colours,
    waterfall_chart,
)
from slipstream.tca.result import TcaResult

__all__ = ["SECTIONS", "render_html", "write_html"]

SECTIONS: tuple[str, ...] = ("summary", "price", "progress", "waterfall", "venues", "markouts")


_CSS = """
body{font-family:sans-serif;margin:24px auto;max-width:980px;color:#222}
h1{font-size:22px;margin-bottom:4px}
h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:3px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}
td.k,th.k{text-align:left}.swatch{display:inline-block;width:10px;height:10px;margin-right:5px}
.note{font-size:12px;color:#555;max-width:860px}
"""


def _fmt(value: object, places: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{places}f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], raw_first: bool = False) -> str:
    head = "".join(
        f'<th class="k">{escape(h)}</th>' if i == 0 else f"<th>{escape(h)}</th>" for i, h in enumerate(header)
    )
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = cell if (i == 0 and raw_first) else escape(cell)
            cells.append(f'<td class="k">{text}</td>' if i == 0 else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _summary(result: TcaResult) -> str:
    d = result.to_dict()
    q = result.quote_asset
    rows = [
        ("order", f"{result.side} {d['order_qty']} {result.symbol}"),
        (
            "filled",
            f"{d['filled_qty']} ({_fmt(d['fill_rate'] * 100, 1)}%) in {d['fill_count']} fills",
        ),
        ("average price", "–" if result.avg_price is None else f"{result.avg_price:,.4f} {q}"),
        (
            "decision / arrival / end price",
            f"{d['decision_price']} / {d['arrival_price']} / {_fmt(d['end_price'])}",
        ),
        (
            "implementation shortfall",
            f"{d['implementation_shortfall']} {q} ({_fmt(d['implementation_shortfall_bps'])} bps)",
        ),
        ("arrival slippage", f"{_fmt(d['slippage_bps'])} bps"),
        (
            "VWAP / TWAP slippage",
            f"{_fmt(d['vwap_slippage_bps'])} / {_fmt(d['twap_slippage_bps'])} bps",
        ),
        ("fees / gas", f"{d['fees']} / {d['gas']} {q}"),
        (
            "participation",
            _fmt(None if d["participation_rate"] is None else d["participation_rate"] * 100, 2) + " %",
        ),
        (
            "passive share",
            _fmt(None if d["passive_share"] is None else d["passive_share"] * 100, 1) + " %",
        ),
        ("average queue wait", f"{_fmt(d['avg_queue_wait_s'], 3)} s"),
        (
            "router prediction error",
            f"{_fmt(d['prediction_error'])} {q} ({_fmt(d['prediction_error_bps'])} bps)",
        ),
    ]
    return _table(("measure", "value"), rows)


def _breakdown_table(label: str, rows: Sequence[BreakdownRow], colours: dict[str, str]) -> str:
    body = []
    for row in rows:
        swatch = ""
        if row.key in colours:
            swatch = f'<span class="swatch" style="background:{colours[row.key]}"></span>'
        prediction = row.prediction
        body.append(
            (
                swatch + escape(row.key),
                str(row.fills),
                str(row.quantity),
                f"{row.avg_price:,.2f}",
                str(row.fees),
                str(row.gas),
                _fmt(row.maker_share * 100, 1),
                _fmt(row.slippage_bps),
                _fmt(row.all_in_bps),
                _fmt(prediction.error_bps if prediction else None),
            )
        )
    header = (
        label,
        "fills",
        "quantity",
        "avg price",
        "fees",
        "gas",
        "maker %",
        "slippage bps",
        "all-in bps",
        "pred. error bps",
    )
    return _table(header, body, raw_first=True)


def _markout_table(result: TcaResult) -> str:
    rows = [(m.label, _fmt(m.bps), str(m.pnl), _fmt(m.coverage * 100, 0) + " %") for m in result.markouts]
    return _table(("horizon", "markout bps", f"P&L ({result.quote_asset})", "coverage"), rows)


def render_html(
    result: TcaResult,
    order: TcaOrder,
    fills: Sequence[TcaFill],
    prints: Sequence[MarketPrint] = (),
    mids: Sequence[MidSample] = (),
    title: str = "Transaction cost analysis",
) -> str:
    """The whole report as one HTML document (UTF-8 text).

    Args:
        result: the output of :func:`slipstream.tca.analyse` for these inputs.
        order, fills, prints, mids: the same inputs ``result`` was computed from (for charts).
        title: page heading.
    """
    ordered = sorted(fills, key=lambda f: (f.ts_ns, f.child_id, f.venue))
    colours = venue_colours(ordered)
    sections = {
        "summary": ("Summary", _summary(result)),
        "price": ("Execution price vs market", price_chart(result, order, ordered, prints, mids)),
        "progress": ("Cumulative filled vs schedule", fill_progress_chart(order, ordered)),
        "waterfall": ("Cost waterfall", waterfall_chart(result)),
        "venues": (
            "By venue and order type",
            _breakdown_table("venue", result.venues, colours) + _breakdown_table("order type", result.order_types, {}),
        ),
        "markouts": ("Markouts", markout_chart(result) + _markout_table(result)),
    }
    body = "".join(
        f'<section id="{key}"><h2>{escape(heading)}</h2>{content}</section>'
        for key, (heading, content) in ((k, sections[k]) for k in SECTIONS)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="note">{escape(result.symbol)} · {escape(result.side)} · quote '
        f"{escape(result.quote_asset)}</p>{body}"
        f'<footer><p class="note"><b>Sign convention.</b> {escape(SIGN_CONVENTION)}</p></footer>'
        "</body></html>\n"
    )


def write_html(
    path: str | Path,
    result: TcaResult,
    order: TcaOrder,
    fills: Sequence[TcaFill],
    prints: Sequence[MarketPrint] = (),
    mids: Sequence[MidSample] = (),
    title: str = "Transaction cost analysis",
) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(render_html(result, order, fills, prints, mids, title), encoding="utf-8")
    return target
