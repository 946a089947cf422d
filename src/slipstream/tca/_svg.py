"""A tiny inline-SVG chart kit for the TCA report: scales, ticks, axes, marks, legend.

Why our own: the report must be one self-contained HTML file that opens offline and renders in
headless Chromium with no JavaScript or CDN. Output is deterministic text (fixed number formats,
no ids from memory addresses), so the same result always renders byte-identical SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = ["PALETTE", "Chart", "LinearScale", "fmt_num", "nice_ticks", "thin"]

PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)


def fmt_num(value: float) -> str:
    """Compact human label: ``1.5k``, ``60,021.3``, ``0.25``, ``-3``."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g}M"
    if magnitude >= 1e4:
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    if magnitude >= 1:
        return f"{value:.4g}"
    return f"{value:.3g}"


def _coord(value: float) -> str:
    return f"{value:.1f}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 5 × 10ⁿ steps) covering ``[lo, hi]``."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def thin(points: Sequence[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """Keep at most about ``limit`` points by a fixed stride, always keeping the last one."""
    if len(points) <= limit:
        return list(points)
    stride = math.ceil(len(points) / limit)
    kept = list(points[::stride])
    if kept[-1] != points[-1]:
        kept.append(points[-1])
    return kept


@dataclass(frozen=True, slots=True)
class LinearScale:
    """Maps a data interval onto a pixel interval; a degenerate domain is widened by ±1 (or ±5%)."""

    lo: float
    hi: float
    out_lo: float
    out_hi: float

    @staticmethod
    def fit(values: Sequence[float], out_lo: float, out_hi: float, pad: float = 0.05) -> LinearScale:
        """A scale covering ``values`` with ``pad`` of the span added on each side."""
        finite = [v for v in values if math.isfinite(v)]
        lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
        span = hi - lo
        if span == 0:
            span = abs(lo) * 0.1 or 2.0
            lo, hi = lo - span / 2, hi + span / 2
        else:
            lo, hi = lo - span * pad, hi + span * pad
        return LinearScale(lo, hi, out_lo, out_hi)

    def __call__(self, value: float) -> float:
        return self.out_lo + (value - self.lo) / (self.hi - self.lo) * (self.out_hi - self.out_lo)


@dataclass(slots=True)
class Chart:
    """An SVG canvas with a plot area inside margins; marks are appended as text in call order."""

    title: str
    width: int = 720
    height: int = 320
    left: int = 72
    right: int = 150
    top: int = 34
    bottom: int = 46
    parts: list[str] = field(default_factory=list)

    @property
    def plot_x(self) -> tuple[float, float]:
        """Pixel range of the plot area, horizontally."""
        return (float(self.left), float(self.width - self.right))

    @property
    def plot_y(self) -> tuple[float, float]:
        """Pixel range of the plot area, vertically (bottom first, so larger values go up)."""
        return (float(self.height - self.bottom), float(self.top))

    def axes(
        self,
        x: LinearScale,
        y: LinearScale,
        x_label: str,
        y_label: str,
        x_ticks: Sequence[tuple[float, str]] | None = None,
    ) -> None:
        """Frame, grid, tick labels and axis titles."""
        x0, x1 = self.plot_x
        y0, y1 = self.plot_y
        self.parts.append(
            f'<rect x="{_coord(x0)}" y="{_coord(y1)}" width="{_coord(x1 - x0)}" '
            f'height="{_coord(y0 - y1)}" fill="#fff" stroke="#999"/>'
        )
        for value in nice_ticks(y.lo, y.hi):
            py = y(value)
            self.parts.append(
                f'<line x1="{_coord(x0)}" y1="{_coord(py)}" x2="{_coord(x1)}" y2="{_coord(py)}" stroke="#eee"/>'
            )
            self.text(x0 - 6, py + 4, fmt_num(value), anchor="end", size=11)
        ticks = x_ticks if x_ticks is not None else [(v, fmt_num(v)) for v in nice_ticks(x.lo, x.hi)]
        for value, label in ticks:
            px = x(value)
            self.parts.append(
                f'<line x1="{_coord(px)}" y1="{_coord(y0)}" x2="{_coord(px)}" y2="{_coord(y0 + 5)}" stroke="#999"/>'
            )
            self.text(px, y0 + 18, label, anchor="middle", size=11)
        self.text((x0 + x1) / 2, self.height - 8, x_label, anchor="middle", size=12)
        mid_y = (y0 + y1) / 2
        self.parts.append(
            f'<text x="14" y="{_coord(mid_y)}" font-size="12" text-anchor="middle" '
            f'transform="rotate(-90 14 {_coord(mid_y)})">{escape(y_label)}</text>'
        )

    def text(
        self,
        x: float,
        y: float,
        label: str,
        anchor: str = "start",
        size: int = 12,
        fill: str = "#222",
    ) -> None:
        """A text label (escaped)."""
        self.parts.append(
            f'<text x="{_coord(x)}" y="{_coord(y)}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}">{escape(label)}</text>'
        )

    def polyline(
        self,
        points: Sequence[tuple[float, float]],
        color: str,
        width: float = 1.5,
        dash: str | None = None,
    ) -> None:
        """A line through pixel ``points``."""
        if not points:
            return
        coords = " ".join(f"{_coord(px)},{_coord(py)}" for px, py in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="{width}"{dash_attr}/>'
        )

    def circle(self, x: float, y: float, radius: float, color: str, tip: str = "") -> None:
        """A dot, with an optional hover tooltip."""
        title = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(
            f'<circle cx="{_coord(x)}" cy="{_coord(y)}" r="{radius}" fill="{color}" '
            f'fill-opacity="0.85" stroke="#222" stroke-width="0.5">{title}</circle>'
        )

    def rect(self, x: float, y: float, width: float, height: float, color: str, tip: str = "") -> None:
        """A filled rectangle; negative sizes are normalised."""
        if width < 0:
            x, width = x + width, -width
        if height < 0:
            y, height = y + height, -height
        title = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(
            f'<rect x="{_coord(x)}" y="{_coord(y)}" width="{_coord(width)}" '
            f'height="{_coord(height)}" fill="{color}">{title}</rect>'
        )

    def legend(self, items: Sequence[tuple[str, str, str]]) -> None:
        """Legend right of the plot: ``(label, colour, "line" | "dot" | "dash" | "box")``."""
        x = self.width - self.right + 12
        y = self.top + 8
        self.parts.append('<g class="legend">')
        for label, color, kind in items:
            if kind == "dot":
                self.parts.append(f'<circle cx="{x + 7}" cy="{y}" r="4" fill="{color}"/>')
            elif kind == "box":
                self.parts.append(f'<rect x="{x}" y="{y - 5}" width="14" height="10" fill="{color}"/>')
            else:
                dash = ' stroke-dasharray="5,3"' if kind == "dash" else ""
                self.parts.append(
                    f'<line x1="{x}" y1="{y}" x2="{x + 14}" y2="{y}" stroke="{color}" stroke-width="2"{dash}/>'
                )
            self.text(x + 20, y + 4, label, size=11)
            y += 18
        self.parts.append("</g>")

    def to_svg(self) -> str:
        """The finished ``<svg>`` element with its title, for inlining into HTML."""
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" role="img" '
            f'aria-label="{escape(self.title)}" font-family="sans-serif">'
            f"<title>{escape(self.title)}</title>"
        )
        caption = f'<text x="{self.left}" y="20" font-size="14" font-weight="bold">{escape(self.title)}</text>'
        return head + caption + "".join(self.parts) + "</svg>"
