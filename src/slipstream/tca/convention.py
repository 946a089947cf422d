"""The TCA sign convention as one docs-ready paragraph, printed by every report."""

from __future__ import annotations

__all__ = ["SIGN_CONVENTION"]

SIGN_CONVENTION = (
    "Costs are positive and savings negative: a buy above, or a sell below, its benchmark is a "
    "cost (side sign +1 buy, -1 sell); fees are costs (rebates negative) and gas is a cost. "
    "Markouts are the exception and are in P&L sign: positive means the market moved our way "
    "after the fill, negative means adverse selection. Implementation shortfall (Perold 1988) is "
    "split as in the CFA curriculum and Kissell's expanded IS into delay (decision -> arrival, "
    "filled part), impact (fills vs arrival), opportunity (unfilled quantity x (end - decision)), "
    "fees and gas, in bps of the paper notional (order quantity x decision price). Money is exact "
    "Decimal; ratios and bps are floats."
)
