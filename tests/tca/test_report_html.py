"""The self-contained HTML report (slipstream/tca/report_html.py, report_charts.py, _svg.py),
checked by parsing it with html.parser."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from slipstream.tca import TcaOrder, analyse, render_html, write_html
from slipstream.tca._svg import nice_ticks, thin
from slipstream.tca.report_html import SECTIONS

if TYPE_CHECKING:
    from .conftest import Example

D = Decimal


class _Outline(HTMLParser):
    """Records, per <section id>, the tags and text inside it, and every tag/attribute seen."""

    def __init__(self) -> None:
        super().__init__()
        self.section: str | None = None
        self.tags: dict[str, Counter[str]] = defaultdict(Counter)
        self.text: dict[str, list[str]] = defaultdict(list)
        self.all_tags: Counter[str] = Counter()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.all_tags[tag] += 1
        values = dict(attrs)
        if tag == "section":
            self.section = values.get("id")
        elif self.section is not None:
            self.tags[self.section][tag] += 1
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.section = None

    def handle_data(self, data: str) -> None:
        if self.section is not None and data.strip():
            self.text[self.section].append(data.strip())


def _parse(html: str) -> _Outline:
    outline = _Outline()
    outline.feed(html)
    outline.close()
    return outline


def test_report_has_the_five_sections_with_charts(btc_buy: Example) -> None:
    ex = btc_buy
    result = analyse(ex.order, ex.fills, ex.prints, ex.mids)
    html = render_html(result, ex.order, ex.fills, ex.prints, ex.mids, title="BTC <buy> & test")
    outline = _parse(html)

    assert list(outline.tags) == list(SECTIONS)
    for chart in ("price", "progress", "waterfall", "markouts"):
        assert outline.tags[chart]["svg"] == 1, chart
        assert outline.tags[chart]["text"] > 5, chart  # axis labels and titles
    price = outline.tags["price"]
    assert price["polyline"] >= 4  # mid, arrival, VWAP, average price
    assert price["circle"] >= 3 + 2 + 3  # fills + market prints + legend dots
    assert {"fill: binance", "fill: okx", "fill: uniswap-v3", "mid", "arrival"} <= set(outline.text["price"])
    assert {"schedule", "filled", "order quantity"} <= set(outline.text["progress"])
    assert outline.tags["waterfall"]["rect"] >= 6 + 1  # five steps + total + frame
    assert {"delay", "impact", "fees", "gas", "opportunity", "total"} <= set(outline.text["waterfall"])
    assert {"+28.92", "+13.36"} <= set(outline.text["waterfall"])
    assert outline.tags["venues"]["table"] == 2
    assert {"binance", "okx", "uniswap-v3", "limit", "swap"} <= set(outline.text["venues"])
    assert {"1s", "10s", "60s", "300s", "+29.78"} <= set(outline.text["markouts"])
    # Self-contained: no script, no external resources; the title is escaped, not markup.
    assert outline.all_tags["script"] == 0 and outline.urls == []
    assert "BTC &lt;buy&gt; &amp; test" in html
    assert "Sign convention" in html


def test_report_is_deterministic_and_written(btc_buy: Example, tmp_path: Path) -> None:
    ex = btc_buy
    result = analyse(ex.order, ex.fills, ex.prints, ex.mids)
    first = render_html(result, ex.order, ex.fills, ex.prints, ex.mids)
    assert render_html(result, ex.order, tuple(reversed(ex.fills)), ex.prints, ex.mids) == first
    path = write_html(tmp_path / "tca.html", result, ex.order, ex.fills, ex.prints, ex.mids)
    assert path.read_text(encoding="utf-8") == first


def test_report_renders_without_fills_or_market_data(
    make_order: Callable[..., TcaOrder],
) -> None:
    order = make_order(quantity=D(3), end_price=D(100))
    result = analyse(order, ())
    outline = _parse(render_html(result, order, ()))
    assert list(outline.tags) == list(SECTIONS)
    assert "no mid data after the fills" in outline.text["markouts"]


def test_sell_report_renders(eth_sell: Example) -> None:
    ex = eth_sell
    result = analyse(ex.order, ex.fills, ex.prints, ex.mids)
    outline = _parse(render_html(result, ex.order, ex.fills, ex.prints, ex.mids))
    assert {"fill: coinbase", "fill: curve"} <= set(outline.text["price"])


def test_nice_ticks_and_thinning() -> None:
    assert nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(59_990, 60_210) == [60_000, 60_050, 60_100, 60_150, 60_200]
    assert nice_ticks(5, 5) == [5]
    points = [(float(i), 0.0) for i in range(10_001)]
    kept = thin(points, 1000)
    assert len(kept) <= 1002 and kept[0] == points[0] and kept[-1] == points[-1]
