"""The result of one TCA run and its stable, JSON-ready form.

``TcaResult.to_dict()`` is the contract other parts rely on (execution certificates hash a TCA
summary; reports and the CLI print it): keys never change meaning, Decimals are written as plain
strings (no exponent), floats are rounded to a fixed number of decimals with ``-0.0`` folded into
``0.0``, and lists have a fixed order — so the same journal always yields byte-identical JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slipstream.tca.benchmarks import BenchmarkSlippage
from slipstream.tca.breakdown import BreakdownRow, PredictionError
from slipstream.tca.inputs import Side
from slipstream.tca.markouts import Markout
from slipstream.tca.participation import Participation
from slipstream.tca.shortfall import ShortfallDecomposition
from slipstream.tca.timing import ImpactSplit

__all__ = ["SCHEMA", "TcaResult"]

SCHEMA = "slipstream.tca/1"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _ratio(value: float | None, decimals: int) -> float | None:
    if value is None:
        return None
    rounded = round(value, decimals)
    return 0.0 if rounded == 0 else rounded


@dataclass(frozen=True, slots=True)
class TcaResult:
    """Everything TCA measured for one parent order (cost positive, markouts in P&L sign)."""

    symbol: str
    side: Side
    quote_asset: str
    order_quantity: Decimal
    fill_count: int
    notional: Decimal
    avg_price: Decimal | None
    decision_price: Decimal
    arrival_price: Decimal
    shortfall: ShortfallDecomposition
    benchmarks: BenchmarkSlippage
    participation: Participation
    markouts: tuple[Markout, ...]
    venues: tuple[BreakdownRow, ...]
    order_types: tuple[BreakdownRow, ...]
    prediction: PredictionError | None
    impact_split: ImpactSplit | None = None

    @property
    def filled_quantity(self) -> Decimal:
        """Base quantity filled."""
        return self.participation.filled_quantity

    @property
    def slippage_bps(self) -> float | None:
        """Arrival slippage of the filled part, bps (cost positive)."""
        return self.benchmarks.arrival_slippage_bps

    @property
    def implementation_shortfall_bps(self) -> float:
        """Total implementation shortfall, bps of the paper notional."""
        return self.shortfall.as_bps(self.shortfall.total)

    def to_dict(self, decimals: int = 6) -> dict[str, Any]:
        """Stable JSON-ready summary; see the module docstring for the guarantees."""
        is_ = self.shortfall

        def r(value: float | None) -> float | None:
            return _ratio(value, decimals)

        prediction = self.prediction
        return {
            "schema": SCHEMA,
            "symbol": self.symbol,
            "side": self.side,
            "quote_asset": self.quote_asset,
            "order_qty": _money(self.order_quantity),
            "filled_qty": _money(self.filled_quantity),
            "unfilled_qty": _money(self.order_quantity - self.filled_quantity),
            "fill_count": self.fill_count,
            "notional": _money(self.notional),
            "avg_price": _money(self.avg_price),
            "decision_price": _money(self.decision_price),
            "arrival_price": _money(self.arrival_price),
            "end_price": _money(is_.end_price),
            "slippage_bps": r(self.slippage_bps),
            "implementation_shortfall": _money(is_.total),
            "implementation_shortfall_bps": r(self.implementation_shortfall_bps),
            "delay_cost": _money(is_.delay),
            "impact_cost": _money(is_.impact),
            "opportunity_cost": _money(is_.opportunity),
            "fees": _money(is_.fees),
            "gas": _money(is_.gas),
            "delay_bps": r(is_.as_bps(is_.delay)),
            "impact_bps": r(is_.as_bps(is_.impact)),
            "opportunity_bps": r(is_.as_bps(is_.opportunity)),
            "timing_bps": r(is_.as_bps(self.impact_split.timing)) if self.impact_split else None,
            "spread_impact_bps": r(is_.as_bps(self.impact_split.spread_impact)) if self.impact_split else None,
            "fees_bps": r(is_.as_bps(is_.fees)),
            "gas_bps": r(is_.as_bps(is_.gas)),
            "vwap": _money(self.benchmarks.vwap),
            "vwap_slippage_bps": r(self.benchmarks.vwap_slippage_bps),
            "twap": _money(self.benchmarks.twap),
            "twap_slippage_bps": r(self.benchmarks.twap_slippage_bps),
            "participation_rate": r(self.participation.participation_rate),
            "fill_rate": r(self.participation.fill_rate),
            "passive_share": r(self.participation.passive_share),
            "avg_queue_wait_s": r(self.participation.avg_queue_wait_s),
            "markouts_bps": {m.label: r(m.bps) for m in self.markouts},
            "markout_coverage": {m.label: r(m.coverage) for m in self.markouts},
            "venues": [_row_dict("venue", row, decimals) for row in self.venues],
            "order_types": [_row_dict("order_type", row, decimals) for row in self.order_types],
            "expected_cost": _money(prediction.expected) if prediction else None,
            "realised_cost": _money(prediction.realised) if prediction else None,
            "prediction_error": _money(prediction.error) if prediction else None,
            "prediction_error_bps": r(prediction.error_bps) if prediction else None,
        }


def _row_dict(key_name: str, row: BreakdownRow, decimals: int) -> dict[str, Any]:
    prediction = row.prediction
    return {
        key_name: row.key,
        "fills": row.fills,
        "quantity": _money(row.quantity),
        "avg_price": _money(row.avg_price),
        "notional": _money(row.notional),
        "fees": _money(row.fees),
        "gas": _money(row.gas),
        "maker_share": _ratio(row.maker_share, decimals),
        "slippage": _money(row.slippage),
        "slippage_bps": _ratio(row.slippage_bps, decimals),
        "all_in_cost": _money(row.all_in_cost),
        "all_in_bps": _ratio(row.all_in_bps, decimals),
        "expected_cost": _money(prediction.expected) if prediction else None,
        "prediction_error": _money(prediction.error) if prediction else None,
        "prediction_error_bps": _ratio(prediction.error_bps, decimals) if prediction else None,
    }
