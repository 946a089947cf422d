"""Split the impact term of implementation shortfall into what the market did and what we did.

``impact`` (fills vs arrival) mixes two things a desk separates when comparing urgency:

- **timing**: how far the mid moved from arrival to each fill (the risk a patient schedule runs);
- **spread and impact**: each fill against the mid at its own time (the cost of trading fast).

For each fill, with side sign s (+1 buy, −1 sell), quantity q, price p and m the last mid at or
before the fill: timing = s·(m − arrival)·q and spread/impact = s·(p − m)·q; they sum exactly to the
fill's impact s·(p − arrival)·q. Fills before the first mid use the arrival price as m.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slipstream.tca.inputs import MidSample, TcaFill, TcaOrder

__all__ = ["ImpactSplit", "split_impact"]


@dataclass(frozen=True, slots=True)
class ImpactSplit:
    """Impact in quote units (cost positive): ``timing + spread_impact == impact``."""

    timing: Decimal
    spread_impact: Decimal


def split_impact(order: TcaOrder, fills: Sequence[TcaFill], mids: Sequence[MidSample]) -> ImpactSplit:
    sign = 1 if order.side == "buy" else -1
    times = [m.ts_ns for m in mids]
    timing = Decimal(0)
    spread = Decimal(0)
    for fill in fills:
        i = bisect.bisect_right(times, fill.ts_ns) - 1
        mid = mids[i].mid if i >= 0 else order.arrival_price
        timing += sign * (mid - order.arrival_price) * fill.quantity
        spread += sign * (fill.price - mid) * fill.quantity
    return ImpactSplit(timing=timing, spread_impact=spread)
