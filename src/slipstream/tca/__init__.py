"""Transaction-cost analysis (TCA), computed from journal data alone.

TCA takes plain typed values — :class:`TcaOrder`, :class:`TcaFill`, :class:`MarketPrint`,
:class:`MidSample` — that a journal replay fills in, so any past run can be analysed again and
gives the same numbers. :func:`analyse` runs every measure and returns a frozen
:class:`TcaResult`; :func:`render_html` / :func:`write_html` and :func:`render_terminal` present it.

Sign convention
---------------

One convention, used by every module and report (the same text, as one paragraph, is
:data:`SIGN_CONVENTION`, printed at the foot of every report):

* **Costs are positive, savings negative.** Every cost is a price move times a side sign
  ``s`` (+1 buy, −1 sell): buying above a benchmark or selling below it is a cost. Buys and sells
  are symmetric: mirroring every price of a buy around any level gives a sell with the same
  costs in the quote asset.
* Fees are costs (a maker rebate is a negative fee, i.e. a saving); gas is a cost (≥ 0).
* **Markouts are in P&L sign** — positive means the market moved our way after the fill (good);
  negative means adverse selection. This is the one measure whose sign is P&L, not cost.
* Money (quote-asset amounts, prices, quantities) is exact ``Decimal``; ratios and basis points
  are ``float``. Implementation-shortfall bps are of the paper notional ``Q · decision price``;
  slippage bps are of the filled quantity at the benchmark price.

Measures
--------

* Implementation shortfall, Perold (1988), decomposed as in the CFA Institute curriculum and
  Kissell's expanded IS into delay, impact (trading), opportunity, fees and gas —
  :mod:`slipstream.tca.shortfall`.
* Arrival, interval-VWAP and interval-TWAP slippage — :mod:`slipstream.tca.benchmarks`.
* Participation rate, fill rate, passive share, queue wait — :mod:`slipstream.tca.participation`.
* Markouts at several horizons — :mod:`slipstream.tca.markouts`.
* Per-venue and per-order-type rows, router prediction error — :mod:`slipstream.tca.breakdown`.
"""

from __future__ import annotations

from slipstream.tca.analysis import TcaConfig, analyse
from slipstream.tca.benchmarks import BenchmarkSlippage, IntervalVolume
from slipstream.tca.breakdown import BreakdownRow, PredictionError
from slipstream.tca.convention import SIGN_CONVENTION
from slipstream.tca.from_journal import JournalTcaInputs, analyse_events, tca_inputs_from_events
from slipstream.tca.inputs import Liquidity, MarketPrint, MidSample, Side, TcaFill, TcaOrder
from slipstream.tca.markouts import DEFAULT_HORIZONS, Markout
from slipstream.tca.participation import Participation
from slipstream.tca.report_html import render_html, write_html
from slipstream.tca.report_terminal import render_terminal, terminal_text
from slipstream.tca.result import SCHEMA, TcaResult
from slipstream.tca.shortfall import ShortfallDecomposition

__all__ = [
    "DEFAULT_HORIZONS",
    "SCHEMA",
    "SIGN_CONVENTION",
    "BenchmarkSlippage",
    "BreakdownRow",
    "IntervalVolume",
    "JournalTcaInputs",
    "Liquidity",
    "MarketPrint",
    "Markout",
    "MidSample",
    "Participation",
    "PredictionError",
    "ShortfallDecomposition",
    "Side",
    "TcaConfig",
    "TcaFill",
    "TcaOrder",
    "TcaResult",
    "analyse",
    "analyse_events",
    "render_html",
    "render_terminal",
    "tca_inputs_from_events",
    "terminal_text",
    "write_html",
]
