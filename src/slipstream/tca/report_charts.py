"""The four charts of the TCA report, each returned as one inline ``<svg>`` string.

Times on the x axes are seconds from the order's ``start_ts_ns``. Venue colours come from
:func:`venue_colours` (sorted venue names → fixed palette), so a venue has one colour everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from slipstream.tca._svg import PALETTE, Chart, LinearScale, thin
from slipstream.tca.inputs import MarketPrint, MidSample, TcaFill, TcaOrder
from slipstream.tca.result import TcaResult

__all__ = [
    "fill_progress_chart",
    "markout_chart",
    "price_chart",
    "venue_colours",
    "waterfall_chart",
]

_MAX_LINE_POINTS = 1500
_MAX_PRINT_DOTS = 800
_COST = "#d62728"
_SAVING = "#2ca02c"
_TOTAL = "#1f4e79"


def venue_colours(fills: Sequence[TcaFill]) -> dict[str, str]:
    """Fixed colour per venue, assigned in sorted-name order."""
    venues = sorted({f.venue for f in fills})
    return {venue: PALETTE[i % len(PALETTE)] for i, venue in enumerate(venues)}


def _seconds(order: TcaOrder, ts_ns: int) -> float:
    return (ts_ns - order.start_ts_ns) / 1e9


def _window(order: TcaOrder, fills: Sequence[TcaFill]) -> tuple[int, int]:
    times = [f.ts_ns for f in fills]
    return min([order.start_ts_ns, *times]), max([order.end_ts_ns, *times])


def _envelope(knots: list[tuple[int, Decimal]], limit: int) -> list[tuple[int, Decimal]]:
    """At most about ``limit`` knots: per time bucket keep the first, lowest, highest and last."""
    if len(knots) <= limit:
        return knots
    size = math.ceil(len(knots) / max(limit // 4, 1))
    kept: list[tuple[int, Decimal]] = []
    for start in range(0, len(knots), size):
        bucket = knots[start : start + size]
        low = min(bucket, key=lambda k: k[1])
        high = max(bucket, key=lambda k: k[1])
        for knot in sorted({bucket[0], low, high, bucket[-1]}, key=lambda k: k[0]):
            kept.append(knot)
    return kept


def _mid_steps(mids: Sequence[MidSample], lo: int, hi: int) -> list[tuple[int, float]]:
    """Step-function vertices of the mid over ``[lo, hi]``, envelope-thinned for drawing."""
    ordered = sorted(mids, key=lambda m: m.ts_ns)
    before = [m for m in ordered if m.ts_ns <= lo]
    knots = ([(lo, before[-1].mid)] if before else []) + [(m.ts_ns, m.mid) for m in ordered if lo < m.ts_ns <= hi]
    steps: list[tuple[int, float]] = []
    for ts_ns, value in _envelope(knots, _MAX_LINE_POINTS // 2):
        if steps:
            steps.append((ts_ns, steps[-1][1]))
        steps.append((ts_ns, float(value)))
    if steps:
        steps.append((hi, steps[-1][1]))
    return steps


def _sample(items: Sequence[MarketPrint], limit: int) -> list[MarketPrint]:
    """Every k-th item so that at most ``limit`` remain (plus the last)."""
    if len(items) <= limit:
        return list(items)
    kept = list(items[:: math.ceil(len(items) / limit)])
    return kept if kept[-1] is items[-1] else [*kept, items[-1]]


def price_chart(
    result: TcaResult,
    order: TcaOrder,
    fills: Sequence[TcaFill],
    prints: Sequence[MarketPrint],
    mids: Sequence[MidSample],
) -> str:
    """Execution prices against the market: mid, market trades, fills by venue, benchmarks."""
    chart = Chart("Execution price vs market")
    lo, hi = _window(order, fills)
    steps = _mid_steps(mids, lo, hi)
    tape = sorted((p for p in prints if lo <= p.ts_ns <= hi and not p.is_ours), key=lambda p: p.ts_ns)
    dots = _sample(tape, _MAX_PRINT_DOTS)
    levels: list[tuple[str, Decimal | None, str]] = [
        ("arrival", order.arrival_price, "#000"),
        ("interval VWAP", result.benchmarks.vwap, "#9467bd"),
        ("our avg price", result.avg_price, "#8c564b"),
    ]
    prices = (
        [v for _, v in steps]
        + ([float(min(p.price for p in tape)), float(max(p.price for p in tape))] if tape else [])
        + [float(f.price) for f in fills]
        + [float(v) for _, v, _ in levels if v is not None]
    )
    x = LinearScale.fit([_seconds(order, lo), _seconds(order, hi)], *chart.plot_x, pad=0.02)
    y = LinearScale.fit(prices, *chart.plot_y)
    chart.axes(x, y, "seconds since start", f"price ({order.quote_asset})")
    legend: list[tuple[str, str, str]] = []
    if steps:
        chart.polyline([(x(_seconds(order, t)), y(v)) for t, v in steps], "#555", width=1.2)
        legend.append(("mid", "#555", "line"))
    if tape:
        for p in dots:
            chart.circle(x(_seconds(order, p.ts_ns)), y(float(p.price)), 1.8, "#aaa")
        legend.append(("market trades", "#aaa", "dot"))
    x0, x1 = chart.plot_x
    for label, level, color in levels:
        if level is not None:
            chart.polyline([(x0, y(float(level))), (x1, y(float(level)))], color, 1.0, "5,3")
            legend.append((label, color, "dash"))
    colours = venue_colours(fills)
    biggest = max((f.quantity for f in fills), default=Decimal(1))
    largest_radius = 7.0 if len(fills) <= 50 else 4.5
    for fill in fills:
        radius = 2.5 + (largest_radius - 2.5) * math.sqrt(float(fill.quantity / biggest))
        tip = f"{fill.venue} {fill.liquidity} {fill.quantity} @ {fill.price}"
        chart.circle(
            x(_seconds(order, fill.ts_ns)),
            y(float(fill.price)),
            round(radius, 1),
            colours[fill.venue],
            tip,
        )
    legend.extend((f"fill: {venue}", colour, "dot") for venue, colour in colours.items())
    chart.legend(legend)
    return chart.to_svg()


def fill_progress_chart(order: TcaOrder, fills: Sequence[TcaFill]) -> str:
    """Cumulative filled quantity against the schedule and the order quantity."""
    chart = Chart("Cumulative filled vs schedule")
    lo, hi = _window(order, fills)
    schedule_times = [ts for ts, _ in order.schedule]
    lo, hi = min([lo, *schedule_times]), max([hi, *schedule_times])
    x = LinearScale.fit([_seconds(order, lo), _seconds(order, hi)], *chart.plot_x, pad=0.02)
    y = LinearScale(0.0, float(order.quantity) * 1.08, *chart.plot_y)
    chart.axes(x, y, "seconds since start", "cumulative quantity")
    x0, x1 = chart.plot_x
    chart.polyline([(x0, y(float(order.quantity))), (x1, y(float(order.quantity)))], "#000", 1.0, "2,2")
    legend = [("order quantity", "#000", "dash")]
    if order.schedule:
        points = [(x(_seconds(order, ts)), y(float(q))) for ts, q in order.schedule]
        chart.polyline(thin(points, _MAX_LINE_POINTS), "#ff7f0e", 2.0, "6,3")
        legend.append(("schedule", "#ff7f0e", "dash"))
    cumulative = Decimal(0)
    points = [(x(_seconds(order, lo)), y(0.0))]
    for fill in fills:
        px = x(_seconds(order, fill.ts_ns))
        points.append((px, y(float(cumulative))))
        cumulative += fill.quantity
        points.append((px, y(float(cumulative))))
    points.append((x(_seconds(order, hi)), y(float(cumulative))))
    chart.polyline(thin(points, _MAX_LINE_POINTS), "#1f77b4", 2.0)
    legend.append(("filled", "#1f77b4", "line"))
    chart.legend(legend)
    return chart.to_svg()


def waterfall_chart(result: TcaResult) -> str:
    """Implementation shortfall built up delay → impact → fees → gas → opportunity → total."""
    chart = Chart("Cost waterfall (bps of paper notional; cost up, saving down)")
    is_ = result.shortfall
    steps = [
        ("delay", is_.as_bps(is_.delay)),
        ("impact", is_.as_bps(is_.impact)),
        ("fees", is_.as_bps(is_.fees)),
        ("gas", is_.as_bps(is_.gas)),
        ("opportunity", is_.as_bps(is_.opportunity)),
    ]
    total = is_.as_bps(is_.total)
    running = [0.0]
    for _, value in steps:
        running.append(running[-1] + value)
    slots = len(steps) + 1
    x = LinearScale(0.0, float(slots), *chart.plot_x)
    y = LinearScale.fit([*running, total, 0.0], *chart.plot_y, pad=0.12)
    ticks = [(i + 0.5, name) for i, (name, _) in enumerate(steps)] + [(slots - 0.5, "total")]
    chart.axes(x, y, "component", "bps", x_ticks=ticks)
    bar = (x(1.0) - x(0.0)) * 0.6
    for i, (name, value) in enumerate(steps):
        start, end = running[i], running[i + 1]
        colour = _COST if value >= 0 else _SAVING
        left = x(i + 0.5) - bar / 2
        chart.rect(
            left,
            y(max(start, end)),
            bar,
            max(abs(y(start) - y(end)), 1.0),
            colour,
            f"{name}: {value:.2f} bps",
        )
        chart.text(x(i + 0.5), y(max(start, end)) - 4, f"{value:+.2f}", anchor="middle", size=11)
    left = x(slots - 0.5) - bar / 2
    chart.rect(
        left,
        y(max(total, 0.0)),
        bar,
        max(abs(y(total) - y(0.0)), 1.0),
        _TOTAL,
        f"total: {total:.2f} bps",
    )
    chart.text(x(slots - 0.5), y(max(total, 0.0)) - 4, f"{total:+.2f}", anchor="middle", size=11)
    x0, x1 = chart.plot_x
    chart.polyline([(x0, y(0.0)), (x1, y(0.0))], "#444", 1.0)
    chart.legend([("cost", _COST, "box"), ("saving", _SAVING, "box"), ("total", _TOTAL, "box")])
    return chart.to_svg()


def markout_chart(result: TcaResult) -> str:
    """Markout curve: notional-weighted markout (bps, P&L sign) per horizon."""
    chart = Chart("Markouts (bps, P&L sign: positive = market moved our way)")
    marks = result.markouts
    known = [(i, m.bps) for i, m in enumerate(marks) if m.bps is not None]
    x = LinearScale(-0.5, max(len(marks), 1) - 0.5, *chart.plot_x)
    y = LinearScale.fit([0.0, *[v for _, v in known]], *chart.plot_y, pad=0.15)
    chart.axes(
        x,
        y,
        "horizon after fill",
        "markout (bps)",
        x_ticks=[(float(i), m.label) for i, m in enumerate(marks)],
    )
    x0, x1 = chart.plot_x
    chart.polyline([(x0, y(0.0)), (x1, y(0.0))], "#444", 1.0, "4,3")
    points = [(x(float(i)), y(v)) for i, v in known]
    chart.polyline(points, "#1f77b4", 2.0)
    for (i, value), (px, py) in zip(known, points, strict=True):
        mark = marks[i]
        chart.circle(
            px,
            py,
            4,
            _SAVING if value >= 0 else _COST,
            f"{mark.label}: {value:.2f} bps, coverage {mark.coverage:.0%}",
        )
        chart.text(px, py - 8, f"{value:+.2f}", anchor="middle", size=11)
    if not known:
        chart.text(
            (x0 + x1) / 2,
            (chart.plot_y[0] + chart.plot_y[1]) / 2,
            "no mid data after the fills",
            anchor="middle",
        )
    chart.legend([("markout", "#1f77b4", "line")])
    return chart.to_svg()
